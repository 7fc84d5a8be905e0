//! Child processes, each in a process group of its own, ended with their whole tree on timeout,
//! on cancellation and on Ctrl-C. What depends on the OS lives in `unix.rs`.

mod cancel;
#[cfg(unix)]
mod unix;

#[cfg(not(unix))]
compile_error!(
    "workbook needs process groups and resource limits to contain a learner's code, and supports \
     Linux and macOS only; on Windows, use WSL"
);

pub use cancel::Cancel;
#[cfg(unix)]
pub use unix::{Exit, ProcessGroup, ResourceLimits, end_all};
