//! The real `workbook` binary on a pseudo-terminal: keys in, screen out.

use std::io::{Read, Write};
use std::os::fd::{FromRawFd, OwnedFd};
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Every frame of the watch screen starts by clearing the screen.
const CLEAR: &str = "\x1b[H\x1b[2J";

pub struct Terminal {
    child: Child,
    master: std::fs::File,
    output: Arc<Mutex<Vec<u8>>>,
}

impl Terminal {
    /// Starts `workbook ARGS` in `dir` on a new 40x120 pseudo-terminal, in a session of its own.
    pub fn start(dir: &Path, args: &[&str]) -> Terminal {
        let (mut master, mut slave) = (0, 0);
        let size = libc::winsize { ws_row: 40, ws_col: 120, ws_xpixel: 0, ws_ypixel: 0 };
        // SAFETY: openpty writes two descriptors; the name and termios pointers may be null.
        let opened = unsafe {
            libc::openpty(&mut master, &mut slave, std::ptr::null_mut(), std::ptr::null(), &size)
        };
        assert_eq!(opened, 0, "openpty failed");
        // SAFETY: both descriptors were just opened and are owned here.
        let (master, slave) =
            unsafe { (OwnedFd::from_raw_fd(master), OwnedFd::from_raw_fd(slave)) };
        let mut command = Command::new(env!("CARGO_BIN_EXE_workbook"));
        command
            .args(args)
            .current_dir(dir)
            .env_remove("NO_COLOR")
            .env("TERM", "xterm-256color")
            .stdin(Stdio::from(slave.try_clone().unwrap()))
            .stdout(Stdio::from(slave.try_clone().unwrap()))
            .stderr(Stdio::from(slave));
        // SAFETY: setsid and ioctl are async-signal-safe; this makes the pty the controlling
        // terminal of the child's new session.
        unsafe {
            command.pre_exec(|| {
                libc::setsid();
                libc::ioctl(0, libc::TIOCSCTTY, 0);
                Ok(())
            });
        }
        let child = command.spawn().expect("workbook starts on the pty");
        let master = std::fs::File::from(master);
        let output = Arc::new(Mutex::new(Vec::new()));
        let mut reader = master.try_clone().unwrap();
        let sink = Arc::clone(&output);
        std::thread::spawn(move || {
            let mut buffer = [0u8; 4096];
            while let Ok(read @ 1..) = reader.read(&mut buffer) {
                sink.lock().unwrap().extend_from_slice(&buffer[..read]);
            }
        });
        Terminal { child, master, output }
    }

    /// The last frame drawn, without escape sequences.
    pub fn screen(&self) -> String {
        let output = String::from_utf8_lossy(&self.output.lock().unwrap()).into_owned();
        let frame = output.rsplit(CLEAR).next().unwrap_or("");
        strip_escapes(frame)
    }

    /// How much has been drawn so far: a mark to count frames from.
    pub fn mark(&self) -> usize {
        self.output.lock().unwrap().len()
    }

    /// The frames drawn since `mark`, without escape sequences.
    pub fn frames_since(&self, mark: usize) -> Vec<String> {
        let output = self.output.lock().unwrap();
        let text = String::from_utf8_lossy(&output[mark.min(output.len())..]).into_owned();
        text.split(CLEAR).skip(1).map(strip_escapes).collect()
    }

    /// Waits until nothing has been drawn for `quiet`, for at most `limit`.
    pub fn wait_quiet(&self, quiet: Duration, limit: Duration) {
        let started = Instant::now();
        let mut seen = self.mark();
        let mut since = Instant::now();
        while since.elapsed() < quiet {
            assert!(started.elapsed() < limit, "the screen kept changing for {limit:?}");
            std::thread::sleep(Duration::from_millis(20));
            let now = self.mark();
            if now != seen {
                seen = now;
                since = Instant::now();
            }
        }
    }

    /// Waits until the screen contains `text`, for at most `limit`.
    pub fn wait_for(&self, text: &str, limit: Duration) -> String {
        let started = Instant::now();
        loop {
            let screen = self.screen();
            if screen.contains(text) {
                return screen;
            }
            assert!(
                started.elapsed() < limit,
                "waited {limit:?} for {text:?}; the screen:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    pub fn press(&mut self, key: &str) {
        self.master.write_all(key.as_bytes()).unwrap();
    }

    /// Waits for the process to exit, for at most `limit`.
    pub fn wait_exit(&mut self, limit: Duration) -> std::process::ExitStatus {
        let started = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(started.elapsed() < limit, "workbook still running after {limit:?}");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Terminal {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Removes CSI (`ESC [ ... letter`) and OSC (`ESC ] ... ESC \`) sequences.
fn strip_escapes(text: &str) -> String {
    let mut plain = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\x1b' {
            plain.push(c);
            continue;
        }
        match chars.next() {
            Some('[') => {
                for c in chars.by_ref() {
                    if c.is_ascii_alphabetic() {
                        break;
                    }
                }
            }
            Some(']') => {
                while let Some(c) = chars.next() {
                    if c == '\x1b' && chars.peek() == Some(&'\\') {
                        chars.next();
                        break;
                    }
                }
            }
            _ => {}
        }
    }
    plain
}
