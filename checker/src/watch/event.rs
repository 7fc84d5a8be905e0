use crate::run::{ExerciseReport, StepName, StepReport};
use std::collections::BTreeSet;
use std::path::PathBuf;

/// Everything the watch loop reacts to, from every thread, on one channel.
#[derive(Debug)]
pub enum WatchEvent {
    /// Files changed on disk (after the debounce): only their content decides whether to rerun.
    FilesChanged(BTreeSet<PathBuf>),
    /// The file watcher failed; the message says what to do.
    WatcherFailed(String),
    Key(u8),
    /// The terminal went away.
    InputClosed,
    /// A step of run `run` started or finished.
    Step {
        run: u64,
        update: StepUpdate,
    },
    /// Run `run` ended; an error is the tool's, not the exercise's.
    RunDone {
        run: u64,
        result: Result<ExerciseReport, String>,
    },
    /// "Check all" finished one exercise.
    Checked {
        run: u64,
        index: usize,
        passed: bool,
    },
    /// "Check all" ended.
    CheckDone {
        run: u64,
        error: Option<String>,
    },
}

#[derive(Debug)]
pub enum StepUpdate {
    Started(StepName),
    /// What the running step is doing, while it builds.
    Progress(String),
    Finished(StepReport),
}
