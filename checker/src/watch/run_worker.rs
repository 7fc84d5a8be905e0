use super::event::{Event as WatchEvent, StepUpdate};
use crate::info::Exercise;
use crate::process::{Cancel, Outcome, finished};
use crate::run::{Event, Runner};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc::Sender;

/// A run in progress on a thread of its own. Dropping it cancels it, with its process trees.
pub struct RunHandle {
    cancel: Cancel,
}

impl Drop for RunHandle {
    fn drop(&mut self) {
        self.cancel.cancel();
    }
}

/// Runs one exercise's steps, reporting each step and the end to `sink` under `id`, with the
/// content of `file` when the run ended.
pub fn run(
    id: u64,
    runner: Arc<Runner>,
    exercise: Exercise,
    file: PathBuf,
    sink: Sender<WatchEvent>,
) -> RunHandle {
    let cancel = Cancel::new();
    let token = cancel.clone();
    std::thread::spawn(move || {
        let mut report_step = |event: Event<'_>| {
            let update = match event {
                Event::Started(step) => StepUpdate::Started(step),
                Event::Progress(_, line) => StepUpdate::Progress(line.to_owned()),
                Event::Finished(step) => StepUpdate::Finished(step.clone()),
            };
            let _ = sink.send(WatchEvent::Step { run: id, update });
        };
        let result = match runner.run(&exercise, None, &token, &mut report_step) {
            Ok(Outcome::Cancelled) => return,
            Ok(Outcome::Finished(report)) => Ok(report),
            Err(error) => Err(format!("{error:#}")),
        };
        let now = std::fs::read(&file).ok();
        let _ = sink.send(WatchEvent::RunDone { run: id, result, now });
    });
    RunHandle { cancel }
}

/// Runs every exercise in turn ("check all"), reporting each verdict.
pub fn check_all(
    id: u64,
    runner: Arc<Runner>,
    exercises: Vec<Exercise>,
    sink: Sender<WatchEvent>,
) -> RunHandle {
    let cancel = Cancel::new();
    let token = cancel.clone();
    std::thread::spawn(move || {
        let outcome = (|| -> anyhow::Result<Outcome<()>> {
            let mut report_build = |line: &str| {
                let update = StepUpdate::Progress(format!("building {line}"));
                let _ = sink.send(WatchEvent::Step { run: id, update });
            };
            let prebuilt =
                finished!(runner.prebuild_reporting(&exercises, &token, &mut report_build)?);
            for (index, exercise) in exercises.iter().enumerate() {
                let report =
                    finished!(runner.run(exercise, Some(&prebuilt), &token, &mut |_| {})?);
                let checked = WatchEvent::Checked { run: id, index, passed: report.passed() };
                if sink.send(checked).is_err() {
                    return Ok(Outcome::Cancelled);
                }
            }
            Ok(Outcome::Finished(()))
        })();
        let error = outcome.err().map(|error| format!("{error:#}"));
        let _ = sink.send(WatchEvent::CheckDone { run: id, error });
    });
    RunHandle { cancel }
}
