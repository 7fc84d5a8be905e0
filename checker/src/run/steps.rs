//! Running an exercise's steps in order: compile, tests, loom models, each announced as it
//! starts and finishes.

use super::build::{BuildMode, Built};
use super::runner::{Event, Prebuilt, Runner};
use super::{ExerciseReport, Status, StepName, StepReport};
use crate::info::{Exercise, FailureKind};
use crate::process::{Cancel, Outcome, finished};
use anyhow::Result;
use std::time::Instant;

impl Runner {
    /// Runs every step of `exercise`, reporting each as it starts and finishes. Cancelling
    /// `cancel` stops it at once, with every process it started.
    pub fn run(
        &self,
        exercise: &Exercise,
        prebuilt: Option<&Prebuilt>,
        cancel: &Cancel,
        on_event: &mut dyn FnMut(Event<'_>),
    ) -> Result<Outcome<ExerciseReport>> {
        let limits = self.settings.limits.with_test_time(exercise.timeout);
        let mut steps = Steps { done: Vec::new(), on_event };

        steps.start(StepName::Compile);
        let started = Instant::now();
        if let Some(missing) = self.missing_file(exercise) {
            let elapsed = started.elapsed();
            steps.finish(StepReport::failed(
                StepName::Compile,
                FailureKind::Compile,
                missing,
                elapsed,
            ));
            return Ok(Outcome::Finished(ExerciseReport::after_failed_compile(
                exercise, steps.done,
            )));
        }
        let mut compile_progress = |line: &str| steps.progress(StepName::Compile, line);
        let built =
            self.executable(exercise, BuildMode::Plain, prebuilt, cancel, &mut compile_progress)?;
        let executable = match finished!(built) {
            Built::Failed(diagnostics) => {
                let elapsed = started.elapsed();
                let kind = FailureKind::Compile;
                steps.finish(StepReport::failed(StepName::Compile, kind, diagnostics, elapsed));
                let report = ExerciseReport::after_failed_compile(exercise, steps.done);
                return Ok(Outcome::Finished(report));
            }
            Built::Executable(path) => path,
        };
        steps.finish(StepReport {
            name: StepName::Compile,
            status: Status::Passed,
            failure_kind: None,
            message: None,
            duration: started.elapsed(),
            tests: Vec::new(),
        });

        steps.start(StepName::Tests);
        let started = Instant::now();
        let tests =
            self.test_step(exercise, &executable, BuildMode::Plain, &limits, cancel, started);
        steps.finish(finished!(tests?));

        if exercise.loom {
            steps.start(StepName::Loom);
            let started = Instant::now();
            let mut loom_progress = |line: &str| steps.progress(StepName::Loom, line);
            let built =
                self.executable(exercise, BuildMode::Loom, prebuilt, cancel, &mut loom_progress)?;
            let step = match finished!(built) {
                Built::Failed(diagnostics) => StepReport::failed(
                    StepName::Loom,
                    FailureKind::Compile,
                    format!("the loom build failed:\n{diagnostics}"),
                    started.elapsed(),
                ),
                Built::Executable(path) => {
                    steps.progress(StepName::Loom, "built; exploring the interleavings");
                    let models =
                        self.test_step(exercise, &path, BuildMode::Loom, &limits, cancel, started);
                    finished!(models?)
                }
            };
            steps.finish(step);
        }
        if cancel.is_cancelled() {
            return Ok(Outcome::Cancelled);
        }
        Ok(Outcome::Finished(ExerciseReport { name: exercise.name.clone(), steps: steps.done }))
    }
}

/// The steps run so far, announced as they start and finish.
struct Steps<'a> {
    done: Vec<StepReport>,
    on_event: &'a mut dyn FnMut(Event<'_>),
}

impl Steps<'_> {
    fn start(&mut self, step: StepName) {
        (self.on_event)(Event::Started(step));
    }

    fn progress(&mut self, step: StepName, line: &str) {
        (self.on_event)(Event::Progress(step, line));
    }

    fn finish(&mut self, step: StepReport) {
        self.done.push(step);
        let last = self.done.last().expect("just pushed");
        (self.on_event)(Event::Finished(last));
    }
}
