use super::FailureKind;
use std::path::PathBuf;
use std::time::Duration;

/// One exercise, as `info.toml` describes it and checked against the files.
#[derive(Debug, Clone)]
pub struct Exercise {
    pub name: String,
    pub dir: String,
    pub points: u32,
    pub loom: bool,
    /// Overrides the default per-test time limit.
    pub timeout: Option<Duration>,
    pub hint: String,
    pub stronger_hint: Option<String>,
    pub bug: String,
    /// How the untouched stub fails, sorted.
    pub fails_with: Vec<FailureKind>,
    /// Where the exercise's table starts in `info.toml`.
    pub line: usize,
}

/// Which copy of an exercise to work on: the learner's stub or the reference solution. Each is a
/// Cargo package of its own, with one binary per exercise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Source {
    Exercises,
    Solutions,
}

impl Source {
    /// The folder, and the Cargo package's name.
    pub fn dir(self) -> &'static str {
        match self {
            Source::Exercises => "exercises",
            Source::Solutions => "solutions",
        }
    }
}

impl Exercise {
    /// The file, relative to the workbook's root.
    pub fn path(&self, source: Source) -> PathBuf {
        PathBuf::from(source.dir()).join(&self.dir).join(format!("{}.rs", self.name))
    }
}
