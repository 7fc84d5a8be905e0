use crate::run::{ExerciseReport, StepName, StepReport};
use std::collections::BTreeSet;
use std::path::PathBuf;

/// Everything the watch session reacts to: what the input threads and the runs send on one
/// channel, and what the session feeds back after doing what the state machine asked.
#[derive(Debug)]
pub enum Event {
    /// Files changed on disk (after the debounce): only their content decides whether to rerun.
    FilesChanged(BTreeSet<PathBuf>),
    /// The current exercise's file as it is now (`None`: it is gone), in answer to
    /// [`Effect::Look`](super::state::Effect::Look).
    Seen(Option<Vec<u8>>),
    /// The file watcher failed; the message says what to do.
    WatcherFailed(String),
    Key(Key),
    /// The terminal is now `width` columns wide.
    Resize {
        width: u16,
    },
    /// Time passed: with `--poll`, time to look at the file again.
    Tick,
    /// The terminal went away.
    InputClosed,
    /// Run `run` started on the file's content (`None`: the file is missing, nothing runs).
    Started {
        run: u64,
        content: Option<Vec<u8>>,
    },
    /// A step of run `run` started, made progress or finished.
    Step {
        run: u64,
        update: StepUpdate,
    },
    /// Run `run` ended; an error is the tool's, not the exercise's. `now` is the file's content
    /// when it ended: a verdict counts only for the content it ran.
    RunDone {
        run: u64,
        result: Result<ExerciseReport, String>,
        now: Option<Vec<u8>>,
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
    /// A reset was done (or failed); the text says what happened.
    ResetDone(String),
    /// The progress file could not be written; the text says why.
    SaveFailed(String),
}

#[derive(Debug)]
pub enum StepUpdate {
    Started(StepName),
    /// What the running step is doing, while it builds.
    Progress(String),
    Finished(StepReport),
}

/// A key, as the state machine sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key {
    Char(char),
    Enter,
    Backspace,
    Esc,
    Up,
    Down,
}
