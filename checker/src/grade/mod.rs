//! How a submission is graded: `workbook grade`. Each learner's exercise file is copied into a
//! scratch folder of the submission's own with the canonical tests put back, compiled on its own
//! against a dependency tree built once, run under the runner's limits in namespaces of its own,
//! and scored; the reports are rewritten as each submission finishes.

mod audit;
mod compiler;
mod csv;
mod grade_report;
mod grader;
mod html;
mod json;
mod junit;
mod markup;
mod report_files;
mod restore;
mod rustc_for;
mod submission;
mod template;

pub(crate) use compiler::Compiler;
pub use grader::{GradeLimits, grade};
pub use report_files::Outputs;
pub(crate) use restore::{restore, test_names};
