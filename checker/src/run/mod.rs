//! How an exercise is run: build it, list its tests, run each test in a process of its own under
//! limits, and turn what happened into one verdict per step.

mod build;
mod build_progress;
mod exercise_report;
mod limits;
mod loom_report;
mod runner;
mod test_output;
mod test_process;
mod verdict;

pub use exercise_report::{ExerciseReport, Status, StepName, StepReport, TestReport};
pub use limits::Limits;
pub use runner::{Event, Runner};
