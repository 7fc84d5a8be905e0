use serde::{Deserialize, Serialize};
use std::fmt;

/// How a step fails. The designed kinds can be declared in `info.toml` as the way an untouched
/// stub fails; the others only ever describe an accident.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FailureKind {
    /// rustc rejected the code.
    Compile,
    /// A test's assertion failed (or it panicked).
    Test,
    /// A kit wait could never end, and the kit's hang diagnosis said why: at once for a
    /// deadlock it proved (a message starting `deadlock:`), or once the wait outlived its bound.
    Hang,
    /// loom found a schedule in which every thread is blocked.
    LoomDeadlock,
    /// loom found a data race or a missing happens-before (a causality violation).
    LoomRace,
    /// loom found a leaked `Arc`, allocation or message.
    LoomLeak,
    /// An assertion failed in some schedule loom explored.
    LoomAssert,
    /// The test ran past its time limit and was killed, with no kit diagnosis. Accidents like
    /// this one cannot be declared in `fails_with`, so they are never read from a file.
    #[serde(skip_deserializing)]
    Timeout,
    /// The test printed more than the output limit and was stopped.
    #[serde(skip_deserializing)]
    OutputLimit,
    /// The test process died: the memory limit, a signal, a harness failure.
    #[serde(skip_deserializing)]
    Crash,
}

impl FailureKind {
    /// The kinds `fails_with` accepts.
    pub const DECLARABLE: &'static str =
        "compile, test, hang, loom-deadlock, loom-race, loom-leak, loom-assert";

    /// The kinds a file may declare, in the order of [`DECLARABLE`](Self::DECLARABLE).
    pub fn declarable() -> impl Iterator<Item = FailureKind> {
        use FailureKind::*;
        [Compile, Test, Hang, LoomDeadlock, LoomRace, LoomLeak, LoomAssert].into_iter()
    }

    pub fn as_str(self) -> &'static str {
        match self {
            FailureKind::Compile => "compile",
            FailureKind::Test => "test",
            FailureKind::Hang => "hang",
            FailureKind::LoomDeadlock => "loom-deadlock",
            FailureKind::LoomRace => "loom-race",
            FailureKind::LoomLeak => "loom-leak",
            FailureKind::LoomAssert => "loom-assert",
            FailureKind::Timeout => "timeout",
            FailureKind::OutputLimit => "output-limit",
            FailureKind::Crash => "crash",
        }
    }

    /// A few words for a learner.
    pub fn describe(self) -> &'static str {
        match self {
            FailureKind::Compile => "does not compile",
            FailureKind::Test => "a test failed",
            FailureKind::Hang => "hangs",
            FailureKind::LoomDeadlock => "loom found a deadlock",
            FailureKind::LoomRace => "loom found a race",
            FailureKind::LoomLeak => "loom found a leak",
            FailureKind::LoomAssert => "loom found a failing schedule",
            FailureKind::Timeout => "timed out",
            FailureKind::OutputLimit => "printed too much",
            FailureKind::Crash => "crashed",
        }
    }
}

impl fmt::Display for FailureKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
