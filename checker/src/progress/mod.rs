//! The learner's progress: the current exercise and the ones done, in one small file.

mod progress_file;

pub use progress_file::{PROGRESS_FILE, Progress};
