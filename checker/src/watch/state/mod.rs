//! The watch session as a state machine: events in, effects and a frame out. It reads no file,
//! starts no thread and draws nothing: the session does what the effects ask and feeds back what
//! came of it as events, so every key and every order of events can be tested without a terminal,
//! a file or a build.

mod frame;
mod keys;
#[cfg(test)]
mod tests;

use super::event::{Event, StepUpdate};
use crate::info::{Exercise, Source, Workbook};
use crate::progress::Progress;
use crate::run::{ExerciseReport, StepName, StepReport};
use std::path::PathBuf;

/// What the state machine asks of the world.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// Read the current exercise's file and answer with [`Event::Seen`].
    Look,
    /// End the run in progress with its processes, read the file and, if it is there, run
    /// `exercise` as run `run`; answer with [`Event::Started`].
    StartRun { run: u64, exercise: String },
    /// End the run in progress, and check every exercise as run `run`.
    StartCheckAll { run: u64 },
    /// Make the next builds go through cargo.
    ForgetFastRebuilds,
    /// Restore the exercise's original file; answer with [`Event::ResetDone`].
    Reset { exercise: String },
    /// Write the progress file.
    SaveProgress(OnFailure),
    /// Draw the frame even if it did not change: the terminal was resized.
    Redraw,
    /// End the run in progress and leave.
    Quit,
}

/// What a failure to save the progress means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnFailure {
    /// The session stops with the error.
    Stop,
    /// The session goes on, saying so: answer with [`Event::SaveFailed`].
    Notice,
}

/// What the screen shows besides the current exercise.
#[derive(Debug, Clone, PartialEq, Eq)]
enum View {
    Exercise,
    /// Picking an exercise by its number, or with the arrow keys.
    List {
        typed: String,
        selected: usize,
    },
    ConfirmReset,
    /// "Check all": each exercise's verdict as it comes.
    CheckAll {
        results: Vec<Option<bool>>,
        finished: bool,
    },
}

/// How the current exercise's run stands.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Outcome {
    Running,
    Passed,
    Failed,
    /// The tool failed (cargo missing, a disk error), not the exercise.
    Broken(String),
    /// The exercise's file is gone: nothing to run until it is restored.
    Missing,
}

pub struct State<'w> {
    workbook: &'w Workbook,
    progress: Progress,
    /// `--poll`: the file is read on every tick, as change events may never come.
    poll: bool,
    width: u16,
    next_run: u64,
    /// The run whose events count; those of earlier runs were cancelled.
    run: Option<u64>,
    /// The file's content when the shown run started: a verdict counts only while the file
    /// still holds it.
    run_content: Option<Vec<u8>>,
    steps: Vec<StepReport>,
    running: Option<StepName>,
    /// What the running step is doing, while it builds.
    running_detail: Option<String>,
    outcome: Outcome,
    view: View,
    /// 0: no hint; 1: the hint; 2: the stronger hint too.
    hint_level: u8,
    notice: Option<String>,
    /// Shown above the first exercise until the learner does anything.
    welcome: Option<String>,
}

impl<'w> State<'w> {
    pub fn new(workbook: &'w Workbook, progress: Progress, poll: bool, width: u16) -> Self {
        let welcome = progress.fresh.then(|| workbook.welcome_message.trim_end().to_owned());
        State {
            workbook,
            progress,
            poll,
            width,
            next_run: 0,
            run: None,
            run_content: None,
            steps: Vec::new(),
            running: None,
            running_detail: None,
            outcome: Outcome::Running,
            view: View::Exercise,
            hint_level: 0,
            notice: None,
            welcome,
        }
    }

    /// The first effects: run the current exercise.
    pub fn start(&mut self) -> Vec<Effect> {
        self.start_run()
    }

    pub fn progress(&self) -> &Progress {
        &self.progress
    }

    pub fn exercise(&self) -> &'w Exercise {
        self.progress.current(self.workbook)
    }

    /// The current exercise's file.
    pub fn file(&self) -> PathBuf {
        self.workbook.root.join(self.exercise().path(Source::Exercises))
    }

    /// A new run of the current exercise as the file is now, ending any run in progress.
    pub(super) fn start_run(&mut self) -> Vec<Effect> {
        self.next_run += 1;
        self.run = Some(self.next_run);
        self.run_content = None;
        self.steps.clear();
        self.running = None;
        self.running_detail = None;
        self.outcome = Outcome::Running;
        vec![Effect::StartRun { run: self.next_run, exercise: self.exercise().name.clone() }]
    }

    fn is_current(&self, run: u64) -> bool {
        self.run == Some(run)
    }

    /// Handles one event, and says what to do about it.
    pub fn handle(&mut self, event: Event) -> Vec<Effect> {
        match event {
            Event::FilesChanged(paths) if paths.contains(&self.file()) => vec![Effect::Look],
            Event::Tick if self.poll => vec![Effect::Look],
            Event::FilesChanged(_) | Event::Tick => Vec::new(),
            // A deleted file counts as a change too: the screen then offers to restore it.
            Event::Seen(now) if now != self.run_content => {
                self.notice = None;
                self.welcome = None;
                if matches!(self.view, View::CheckAll { .. }) {
                    self.view = View::Exercise;
                }
                self.start_run()
            }
            Event::Seen(_) => Vec::new(),
            Event::WatcherFailed(message) => self.say(message),
            Event::Key(key) => {
                self.welcome = None;
                self.key(key)
            }
            Event::Resize { width } => {
                self.width = width;
                vec![Effect::Redraw]
            }
            Event::InputClosed => vec![Effect::Quit],
            Event::Started { run, content } if self.is_current(run) => {
                if content.is_none() {
                    self.outcome = Outcome::Missing;
                    self.run = None;
                }
                self.run_content = content;
                Vec::new()
            }
            Event::Step { run, update } if self.is_current(run) => {
                self.step(update);
                Vec::new()
            }
            Event::RunDone { run, result, now } if self.is_current(run) => self.finish(result, now),
            Event::Checked { run, index, passed } if self.is_current(run) => {
                if let View::CheckAll { results, .. } = &mut self.view {
                    results[index] = Some(passed);
                }
                self.progress.record(&self.workbook.exercises[index].name, passed);
                vec![Effect::SaveProgress(OnFailure::Stop)]
            }
            Event::CheckDone { run, error } if self.is_current(run) => {
                if let View::CheckAll { finished, .. } = &mut self.view {
                    *finished = true;
                }
                self.notice = error;
                Vec::new()
            }
            // Events of runs that were cancelled.
            Event::Started { .. }
            | Event::Step { .. }
            | Event::RunDone { .. }
            | Event::Checked { .. }
            | Event::CheckDone { .. } => Vec::new(),
            // The restored file runs at once, so the change event of the restore itself finds
            // nothing new and leaves the notice (where the backup went) on screen.
            Event::ResetDone(said) => {
                let effects = self.start_run();
                self.notice = Some(said);
                effects
            }
            Event::SaveFailed(error) => self.say(format!("could not save your progress: {error}")),
        }
    }

    fn say(&mut self, notice: String) -> Vec<Effect> {
        self.notice = Some(notice);
        Vec::new()
    }

    fn step(&mut self, update: StepUpdate) {
        match update {
            StepUpdate::Started(step) => {
                self.running = Some(step);
                self.running_detail = None;
            }
            StepUpdate::Progress(detail) => self.running_detail = Some(detail),
            StepUpdate::Finished(step) => {
                self.running = None;
                self.running_detail = None;
                self.steps.push(step);
            }
        }
    }

    fn finish(
        &mut self,
        result: Result<ExerciseReport, String>,
        now: Option<Vec<u8>>,
    ) -> Vec<Effect> {
        // A save that landed during the run makes its verdict stale: run the file as it is now.
        if now != self.run_content {
            return self.start_run();
        }
        self.running = None;
        self.outcome = match result {
            Err(error) => Outcome::Broken(error),
            Ok(report) => {
                let passed = report.passed();
                self.progress.record(&self.exercise().name, passed);
                if passed { Outcome::Passed } else { Outcome::Failed }
            }
        };
        match self.outcome {
            Outcome::Broken(_) => Vec::new(),
            _ => vec![Effect::SaveProgress(OnFailure::Stop)],
        }
    }
}
