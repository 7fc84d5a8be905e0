//! The watch session's edge: starts the inputs, feeds their events to the state machine, does
//! what it asks (read the file, start and end runs, reset, save the progress) and draws its frame.

use super::event::Event;
use super::inputs::{file_watcher::FileWatcher, keys, ticks};
use super::run_worker::{self, RunHandle};
use super::screen;
use super::state::{Effect, OnFailure, State};
use super::terminal_mode::TerminalMode;
use crate::info::{Source, Workbook};
use crate::progress::Progress;
use crate::report::style;
use crate::restore::restore_stub;
use crate::run::Runner;
use anyhow::{Context, Result};
use std::collections::VecDeque;
use std::io::{IsTerminal, Write};
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::mpsc::{self, Sender};

/// `workbook watch`, and bare `workbook`.
pub fn watch(workbook: &Workbook, poll: bool) -> Result<ExitCode> {
    if !std::io::stdin().is_terminal() || !std::io::stdout().is_terminal() {
        eprintln!(
            "{} needs an interactive terminal. Without one, use `{}` to run the current \
             exercise, or `{}` to run them all.",
            crate::invocation::command("watch"),
            crate::invocation::command("run"),
            crate::invocation::command("check")
        );
        return Ok(ExitCode::FAILURE);
    }
    let progress = Progress::load(workbook)?;
    if progress.fresh {
        progress.save()?;
    }
    let runner = Arc::new(
        Runner::new(&workbook.root, Source::Exercises, style::colors())?.with_fast_rebuilds(),
    );
    let (sink, events) = mpsc::channel();
    // `--poll` reads the file on every tick instead of waiting for change events.
    let _watcher = match poll {
        true => {
            ticks::start(sink.clone());
            None
        }
        false => {
            Some(FileWatcher::start(&workbook.root.join(Source::Exercises.dir()), sink.clone())?)
        }
    };
    let _terminal = TerminalMode::enter()?;
    keys::start(sink.clone());
    let width = crossterm::terminal::size().map_or(80, |(width, _)| width);

    let mut state = State::new(workbook, progress, poll, width);
    let mut edge = Edge { workbook, runner, sink, run: None, shown: None };
    let first = state.start();
    let mut going = edge.perform(&mut state, first)?;
    while going {
        let Ok(event) = events.recv() else { break };
        let effects = state.handle(event);
        going = edge.perform(&mut state, effects)?;
    }
    edge.run = None;
    crate::process::end_all();
    Ok(ExitCode::SUCCESS)
}

/// What the session holds besides the state: the run in progress and the frame on screen.
struct Edge<'w> {
    workbook: &'w Workbook,
    runner: Arc<Runner>,
    sink: Sender<Event>,
    /// Dropping it ends the run with its process trees.
    run: Option<RunHandle>,
    /// The frame on screen; `None` forces the next one to be drawn.
    shown: Option<String>,
}

impl Edge<'_> {
    /// Does what `effects` ask, feeding what came of each back to `state`, then draws the frame
    /// if it changed. `false`: quit.
    fn perform(&mut self, state: &mut State<'_>, effects: Vec<Effect>) -> Result<bool> {
        let mut pending = VecDeque::from(effects);
        while let Some(effect) = pending.pop_front() {
            let answer = match effect {
                Effect::Quit => return Ok(false),
                Effect::Look => Some(Event::Seen(std::fs::read(state.file()).ok())),
                Effect::StartRun { run, exercise: _ } => {
                    self.run = None;
                    let file = state.file();
                    let content = std::fs::read(&file).ok();
                    if content.is_some() {
                        let exercise = state.exercise().clone();
                        let runner = Arc::clone(&self.runner);
                        let sink = self.sink.clone();
                        self.run = Some(run_worker::run(run, runner, exercise, file, sink));
                    }
                    Some(Event::Started { run, content })
                }
                Effect::StartCheckAll { run } => {
                    self.run = None;
                    let exercises = self.workbook.exercises.clone();
                    let runner = Arc::clone(&self.runner);
                    self.run =
                        Some(run_worker::check_all(run, runner, exercises, self.sink.clone()));
                    None
                }
                Effect::ForgetFastRebuilds => {
                    self.runner.forget_fast_rebuilds();
                    None
                }
                Effect::Reset { exercise: _ } => {
                    let said = restore_stub(self.workbook, state.progress(), state.exercise())
                        .unwrap_or_else(|error| format!("reset failed: {error:#}"));
                    Some(Event::ResetDone(said))
                }
                Effect::SaveProgress(on_failure) => match (state.progress().save(), on_failure) {
                    (Ok(()), _) => None,
                    (Err(error), OnFailure::Stop) => return Err(error),
                    (Err(error), OnFailure::Notice) => {
                        Some(Event::SaveFailed(format!("{error:#}")))
                    }
                },
                Effect::Redraw => {
                    self.shown = None;
                    None
                }
            };
            if let Some(answer) = answer {
                pending.extend(state.handle(answer));
            }
        }
        // Only a changed frame is drawn: no flicker when an event changes nothing.
        let frame = state.frame();
        if self.shown.as_ref() != Some(&frame) {
            draw(&frame)?;
            self.shown = Some(frame);
        }
        Ok(true)
    }
}

fn draw(frame: &str) -> Result<()> {
    let mut out = std::io::stdout().lock();
    write!(out, "{}{frame}", screen::CLEAR)
        .and_then(|()| out.flush())
        .context("failed to draw on the terminal")
}
