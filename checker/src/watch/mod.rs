//! `workbook watch`: the learner's loop. Shows the current exercise, reruns it whenever its file's
//! content changes, explains the verdict step by step, and moves on when asked.

mod event;
mod file_watcher;
mod keys;
mod run_worker;
mod screen;
mod session;
mod terminal_mode;

pub use session::watch;
pub use terminal_mode::restore as restore_terminal;
