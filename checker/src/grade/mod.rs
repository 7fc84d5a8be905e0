//! How a submission is graded: `workbook grade`. Each submission is copied into a scratch
//! workspace with the instructor's kit, manifests and canonical tests, run under the runner's
//! limits without network, and scored.

mod csv;
mod grade_report;
mod grader;
mod html;
mod json;
mod junit;
mod submission;

pub use grader::{Outputs, grade};
