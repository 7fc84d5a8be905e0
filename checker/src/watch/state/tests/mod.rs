//! The watch state machine, driven event by event as the session would, without a terminal, a
//! file or a build: `keys.rs` tests every key, `orders.rs` the orders of events that matter.

mod keys;
mod orders;

use super::{Effect, OnFailure, State};
use crate::info::{Exercise, FailureKind, Workbook};
use crate::progress::Progress;
use crate::run::{ExerciseReport, Status, StepName, StepReport};
use crate::watch::event::{Event, Key, StepUpdate};
use std::time::Duration;

/// A workbook of three exercises in a folder of its own (the progress file would go there).
pub struct Fixture {
    _dir: tempfile::TempDir,
    pub workbook: Workbook,
}

impl Fixture {
    pub fn new() -> Self {
        console::set_colors_enabled(false);
        let dir = tempfile::tempdir().unwrap();
        let exercise = |name: &str| Exercise {
            name: name.to_owned(),
            dir: "t1".to_owned(),
            points: 2,
            loom: false,
            timeout: None,
            hint: format!("Look at {name}'s loop."),
            stronger_hint: Some(format!("{name}: the Sender outlives the loop.")),
            bug: String::new(),
            fails_with: vec![FailureKind::Test],
            line: 1,
        };
        let workbook = Workbook {
            root: dir.path().to_path_buf(),
            welcome_message: "Welcome to the workbook!".to_owned(),
            final_message: "Every exercise is done.".to_owned(),
            exercises: ["first", "second", "third"].map(exercise).to_vec(),
        };
        Fixture { _dir: dir, workbook }
    }

    /// A session on the first exercise, whose run 1 has started on `STUB`.
    pub fn session(&self, poll: bool) -> State<'_> {
        let progress = Progress::load(&self.workbook).unwrap();
        let mut state = State::new(&self.workbook, progress, poll, 100);
        assert_eq!(state.start(), [start_run(1, "first")]);
        assert_eq!(state.handle(started(1, STUB)), []);
        state
    }
}

pub const STUB: &[u8] = b"fn main() {} // the stub";
pub const FIX: &[u8] = b"fn main() {} // the fix";

pub fn start_run(run: u64, exercise: &str) -> Effect {
    Effect::StartRun { run, exercise: exercise.to_owned() }
}

pub fn started(run: u64, content: &[u8]) -> Event {
    Event::Started { run, content: Some(content.to_vec()) }
}

pub fn key(c: char) -> Event {
    Event::Key(Key::Char(c))
}

/// A report whose every step passed, or whose tests failed.
pub fn report(passed: bool) -> ExerciseReport {
    let compile = StepReport {
        name: StepName::Compile,
        status: Status::Passed,
        failure_kind: None,
        message: None,
        duration: Duration::ZERO,
        tests: Vec::new(),
    };
    let tests = match passed {
        true => StepReport { name: StepName::Tests, ..compile.clone() },
        false => StepReport::failed(
            StepName::Tests,
            FailureKind::Test,
            "tests::counts: left != right".to_owned(),
            Duration::ZERO,
        ),
    };
    ExerciseReport { name: "first".to_owned(), steps: vec![compile, tests] }
}

/// Run `run` ended on `content`, which is still on disk.
pub fn done(run: u64, passed: bool, content: &[u8]) -> Event {
    Event::RunDone { run, result: Ok(report(passed)), now: Some(content.to_vec()) }
}

/// A save of `content` to the current exercise's file, as the watcher and the session see it.
pub fn save(state: &mut State<'_>, content: &[u8]) -> Vec<Effect> {
    let changed = Event::FilesChanged([state.file()].into());
    assert_eq!(state.handle(changed), [Effect::Look]);
    state.handle(Event::Seen(Some(content.to_vec())))
}

/// A session on the first exercise, which passed.
pub fn passed(fixture: &Fixture) -> State<'_> {
    let mut state = fixture.session(false);
    assert_eq!(state.handle(done(1, true, STUB)), [Effect::SaveProgress(OnFailure::Stop)]);
    assert!(state.frame().contains("Done! first earned 2 points"), "{}", state.frame());
    state
}

pub fn step(run: u64, update: StepUpdate) -> Event {
    Event::Step { run, update }
}
