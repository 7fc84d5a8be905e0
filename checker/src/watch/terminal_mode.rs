//! The terminal in "cbreak" mode while watch runs: keys arrive one at a time without echo, while
//! Ctrl-C still sends SIGINT. The original mode is saved so every way out can restore it.

use anyhow::{Context, Result};
use std::io::Write;
use std::sync::{Mutex, PoisonError};

static SAVED: Mutex<Option<libc::termios>> = Mutex::new(None);

const HIDE_CURSOR: &str = "\x1b[?25l";
const SHOW_CURSOR: &str = "\x1b[?25h";

/// Restores the terminal when dropped, including during a panic's unwinding.
pub struct TerminalMode(());

impl TerminalMode {
    pub fn enter() -> Result<Self> {
        // SAFETY: termios is plain data; tcgetattr fills it for a valid descriptor or fails.
        let mut mode: libc::termios = unsafe { std::mem::zeroed() };
        // SAFETY: `mode` is a valid termios to write into.
        if unsafe { libc::tcgetattr(libc::STDIN_FILENO, &mut mode) } != 0 {
            return Err(std::io::Error::last_os_error())
                .context("failed to read the terminal mode");
        }
        *SAVED.lock().unwrap_or_else(PoisonError::into_inner) = Some(mode);
        let mut cbreak = mode;
        cbreak.c_lflag &= !(libc::ICANON | libc::ECHO);
        cbreak.c_cc[libc::VMIN] = 1;
        cbreak.c_cc[libc::VTIME] = 0;
        // SAFETY: `cbreak` is a valid termios derived from the current one.
        if unsafe { libc::tcsetattr(libc::STDIN_FILENO, libc::TCSANOW, &cbreak) } != 0 {
            return Err(std::io::Error::last_os_error()).context("failed to set the terminal mode");
        }
        print!("{HIDE_CURSOR}");
        let _ = std::io::stdout().flush();
        Ok(TerminalMode(()))
    }
}

impl Drop for TerminalMode {
    fn drop(&mut self) {
        restore();
    }
}

/// Puts the terminal back as it was; safe to call more than once and from a signal handler's
/// thread.
pub fn restore() {
    if let Some(mode) = SAVED.lock().unwrap_or_else(PoisonError::into_inner).take() {
        // SAFETY: `mode` was read from this terminal by tcgetattr.
        unsafe { libc::tcsetattr(libc::STDIN_FILENO, libc::TCSANOW, &mode) };
        print!("{SHOW_CURSOR}");
        let _ = std::io::stdout().flush();
    }
}
