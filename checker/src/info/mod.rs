//! The workbook's description of itself: `info.toml`, checked against the files on disk.

mod bin_targets;
mod exercise;
mod exercise_file;
mod failure_kind;
mod info_file;
mod input_error;
mod spelling;
mod workbook;

pub use bin_targets::{BinTarget, bin_targets};
pub use exercise::{Exercise, Source};
pub use exercise_file::ExerciseFile;
pub use failure_kind::FailureKind;
pub use input_error::{InputError, line_of};
pub use workbook::Workbook;
