//! `workbook watch`: the learner's loop. Shows the current exercise, reruns it whenever its file's
//! content changes, explains the verdict step by step, and moves on when asked.
//!
//! `state` decides (a state machine, without I/O); `session` does what it decides and feeds back
//! what came of it; `inputs` are the threads that send events; `screen` and `state/frame.rs` draw.

mod event;
mod inputs;
mod run_worker;
mod screen;
mod session;
mod state;
mod terminal_mode;

pub use session::watch;
pub use terminal_mode::restore as restore_terminal;
