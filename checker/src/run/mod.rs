//! How an exercise is run: build it, list its tests, run each test in a process of its own under
//! limits, and turn what happened into one verdict per step.

mod build;
mod build_progress;
mod exercise_report;
mod limits;
mod loom_report;
mod replay;
#[cfg(test)]
mod replay_tests;
mod runner;
mod rustc_command;
mod steps;
mod test_output;
mod test_process;
mod test_step;
mod verdict;

pub use build::{BuildMode, BuildSettings, Built, build, cargo, rustc_errors};
pub use exercise_report::{ExerciseReport, Status, StepName, StepReport, TestReport};
pub use limits::Limits;
pub use replay::RustcCache;
pub use runner::{Event, Runner};
pub use rustc_command::RustcCommand;
