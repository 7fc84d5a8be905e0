//! Child processes, each in a process group of its own, ended with their whole tree on timeout,
//! on cancellation and on Ctrl-C. What depends on the OS lives in `unix.rs`, and the namespaces
//! graded code runs in, Linux's alone, in `linux_namespaces.rs`.

mod cancel;
#[cfg(target_os = "linux")]
mod linux_namespaces;
mod outcome;
mod sandbox;
#[cfg(unix)]
mod unix;

#[cfg(not(unix))]
compile_error!(
    "workbook needs process groups and resource limits to contain a learner's code, and supports \
     Linux and macOS only; on Windows, use WSL"
);

pub use cancel::Cancel;
pub use outcome::Outcome;
pub(crate) use outcome::finished;
pub use sandbox::{Sandbox, View, program_status};
#[cfg(unix)]
pub use unix::{Exit, ProcessGroup, ResourceLimits, end_all};
