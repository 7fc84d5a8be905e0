//! The terminal while watch runs: crossterm's raw mode, so keys arrive one at a time without
//! echo and arrows as keys, but with signals and output processing kept, so Ctrl-C still sends
//! SIGINT (whose handler ends every process tree) and a newline still starts a line. Every way
//! out restores it: dropping the guard (unwinding included), the signal handler, the panic hook.

use anyhow::{Context, Result};
use crossterm::{cursor, execute, terminal};
use rustix::termios::{self, LocalModes, OptionalActions, OutputModes};
use std::sync::atomic::{AtomicBool, Ordering};

/// Whether the terminal is in watch's mode, so that restoring twice restores once.
static ENTERED: AtomicBool = AtomicBool::new(false);

/// Restores the terminal when dropped, including during a panic's unwinding.
pub struct TerminalMode(());

impl TerminalMode {
    pub fn enter() -> Result<Self> {
        terminal::enable_raw_mode().context("failed to set the terminal mode")?;
        ENTERED.store(true, Ordering::SeqCst);
        let guard = TerminalMode(());
        let stdin = std::io::stdin();
        let mut mode = termios::tcgetattr(&stdin).context("failed to read the terminal mode")?;
        mode.local_modes |= LocalModes::ISIG;
        mode.output_modes |= OutputModes::OPOST;
        termios::tcsetattr(&stdin, OptionalActions::Now, &mode)
            .context("failed to set the terminal mode")?;
        execute!(std::io::stdout(), cursor::Hide).context("failed to hide the cursor")?;
        Ok(guard)
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
    if ENTERED.swap(false, Ordering::SeqCst) {
        let _ = terminal::disable_raw_mode();
        let _ = execute!(std::io::stdout(), cursor::Show);
    }
}
