use super::event::{StepUpdate, WatchEvent};
use super::file_watcher::FileWatcher;
use super::run_worker::{self, RunHandle};
use super::screen;
use super::terminal_mode::TerminalMode;
use crate::commands::reset::restore_stub;
use crate::info::{Exercise, Source, Workbook};
use crate::progress::Progress;
use crate::report::style;
use crate::run::{ExerciseReport, Runner, StepName, StepReport};
use anyhow::{Context, Result};
use std::io::{IsTerminal, Write};
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::mpsc::{self, Sender};

/// Lines of a failure message shown on the watch screen.
const MESSAGE_LINES: usize = 40;

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
    let welcome = progress.fresh.then(|| workbook.welcome_message.trim_end().to_owned());
    if progress.fresh {
        progress.save()?;
    }
    let runner = Arc::new(
        Runner::new(&workbook.root, Source::Exercises, style::colors())?.with_fast_rebuilds(),
    );
    let (sink, events) = mpsc::channel();
    let _watcher =
        FileWatcher::start(&workbook.root.join(Source::Exercises.dir()), poll, sink.clone())?;
    let _terminal = TerminalMode::enter()?;
    super::keys::start(sink.clone());

    let mut session = Session::new(workbook, progress, runner, sink);
    session.welcome = welcome;
    session.start_run();
    let mut shown = session.frame();
    draw(&shown)?;
    while let Ok(event) = events.recv() {
        if !session.handle(event)? {
            break;
        }
        // Only a changed frame is drawn: no flicker when an event changes nothing.
        let frame = session.frame();
        if frame != shown {
            draw(&frame)?;
            shown = frame;
        }
    }
    session.stop();
    Ok(ExitCode::SUCCESS)
}

fn draw(frame: &str) -> Result<()> {
    let mut out = std::io::stdout().lock();
    write!(out, "{}{frame}", screen::CLEAR)
        .and_then(|()| out.flush())
        .context("failed to draw on the terminal")
}

/// What the screen shows besides the current exercise.
enum View {
    Exercise,
    /// Picking an exercise by its number.
    List {
        typed: String,
    },
    ConfirmReset,
    /// "Check all": each exercise's verdict as it comes.
    CheckAll {
        results: Vec<Option<bool>>,
        finished: bool,
    },
}

/// How the current exercise's run stands.
enum Outcome {
    Running,
    Passed,
    Failed,
    /// The tool failed (cargo missing, a disk error), not the exercise.
    Broken(String),
    /// The exercise's file is gone: nothing to run until it is restored.
    Missing,
}

struct Session<'w> {
    workbook: &'w Workbook,
    progress: Progress,
    runner: Arc<Runner>,
    sink: Sender<WatchEvent>,
    next_run: u64,
    run: Option<RunHandle>,
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

impl<'w> Session<'w> {
    fn new(
        workbook: &'w Workbook,
        progress: Progress,
        runner: Arc<Runner>,
        sink: Sender<WatchEvent>,
    ) -> Self {
        Session {
            workbook,
            progress,
            runner,
            sink,
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
            welcome: None,
        }
    }

    fn exercise(&self) -> &'w Exercise {
        self.progress.current(self.workbook)
    }

    fn file(&self) -> std::path::PathBuf {
        self.workbook.root.join(self.exercise().path(Source::Exercises))
    }

    /// Starts a run of the current exercise as the file is now, ending any run in progress with
    /// its process trees.
    fn start_run(&mut self) {
        self.run = None;
        self.next_run += 1;
        self.run_content = std::fs::read(self.file()).ok();
        self.steps.clear();
        self.running = None;
        self.running_detail = None;
        if self.run_content.is_none() {
            self.outcome = Outcome::Missing;
            return;
        }
        self.outcome = Outcome::Running;
        let exercise = self.exercise().clone();
        let handle =
            run_worker::run(self.next_run, Arc::clone(&self.runner), exercise, self.sink.clone());
        self.run = Some(handle);
    }

    fn is_current_run(&self, run: u64) -> bool {
        self.run.as_ref().is_some_and(|handle| handle.id == run)
    }

    /// Handles one event; `false` means quit.
    fn handle(&mut self, event: WatchEvent) -> Result<bool> {
        match event {
            WatchEvent::FilesChanged(paths) => {
                let file = self.file();
                // A deleted file counts as a change too: the screen then offers to restore it.
                let changed = paths.iter().any(|path| *path == file)
                    && std::fs::read(&file).ok() != self.run_content;
                if changed {
                    self.notice = None;
                    self.welcome = None;
                    if matches!(self.view, View::CheckAll { .. }) {
                        self.view = View::Exercise;
                    }
                    self.start_run();
                }
            }
            WatchEvent::WatcherFailed(message) => self.notice = Some(message),
            WatchEvent::Key(key) => {
                self.welcome = None;
                return Ok(self.key(key));
            }
            WatchEvent::InputClosed => return Ok(false),
            WatchEvent::Step { run, update } if self.is_current_run(run) => match update {
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
            },
            WatchEvent::RunDone { run, result } if self.is_current_run(run) => {
                self.finish(result)?
            }
            WatchEvent::Checked { run, index, passed } if self.is_current_run(run) => {
                if let View::CheckAll { results, .. } = &mut self.view {
                    results[index] = Some(passed);
                }
                self.progress.record(&self.workbook.exercises[index].name, passed);
                self.progress.save()?;
            }
            WatchEvent::CheckDone { run, error } if self.is_current_run(run) => {
                if let View::CheckAll { finished, .. } = &mut self.view {
                    *finished = true;
                }
                self.notice = error;
            }
            // Events of runs that were cancelled.
            WatchEvent::Step { .. }
            | WatchEvent::RunDone { .. }
            | WatchEvent::Checked { .. }
            | WatchEvent::CheckDone { .. } => {}
        }
        Ok(true)
    }

    fn finish(&mut self, result: Result<ExerciseReport, String>) -> Result<()> {
        // A save that landed during the run makes its verdict stale: run the file as it is now.
        if std::fs::read(self.file()).ok() != self.run_content {
            self.start_run();
            return Ok(());
        }
        self.running = None;
        self.outcome = match result {
            Err(error) => Outcome::Broken(error),
            Ok(report) if report.passed() => {
                self.progress.mark_done(&self.exercise().name);
                self.progress.save()?;
                Outcome::Passed
            }
            Ok(_) => {
                self.progress.mark_pending(&self.exercise().name);
                self.progress.save()?;
                Outcome::Failed
            }
        };
        Ok(())
    }

    fn key(&mut self, key: u8) -> bool {
        match &mut self.view {
            View::List { typed } => {
                match key {
                    b'0'..=b'9' => typed.push(key as char),
                    0x7f | 0x08 => {
                        typed.pop();
                    }
                    b'\r' | b'\n' => {
                        let chosen = typed.parse::<usize>().ok().and_then(|n| n.checked_sub(1));
                        match chosen.and_then(|index| self.workbook.exercises.get(index)) {
                            Some(exercise) => self.switch_to(&exercise.name.clone()),
                            None => typed.clear(),
                        }
                    }
                    0x1b | b'l' => self.view = View::Exercise,
                    b'q' => return false,
                    _ => {}
                }
                return true;
            }
            View::ConfirmReset => {
                self.view = View::Exercise;
                if key == b'y' || key == b'Y' {
                    let said = match restore_stub(self.workbook, &self.progress, self.exercise()) {
                        Ok(said) => said,
                        Err(error) => format!("reset failed: {error:#}"),
                    };
                    // Runs the restored file now, so the change event of the restore finds
                    // nothing new and leaves the notice (where the backup went) on screen.
                    self.start_run();
                    self.notice = Some(said);
                }
                return true;
            }
            View::CheckAll { .. } if key != b'q' => {
                self.view = View::Exercise;
                self.start_run();
                return true;
            }
            View::Exercise | View::CheckAll { .. } => {}
        }
        match key {
            b'q' => return false,
            b'n' if matches!(self.outcome, Outcome::Passed) => {
                let current = self.exercise().name.clone();
                if let Some(next) = self.progress.next_pending(self.workbook, &current) {
                    self.switch_to(&next.name.clone());
                }
            }
            b'h' => self.hint_level = (self.hint_level + 1) % 3,
            b'l' => self.view = View::List { typed: String::new() },
            b'r' => {
                // A rerun asked for by hand goes through cargo, in case more than the exercise
                // changed.
                self.runner.forget_fast_rebuilds();
                self.notice = None;
                self.start_run();
            }
            b'c' => {
                self.run = None;
                self.next_run += 1;
                let exercises = self.workbook.exercises.clone();
                let count = exercises.len();
                let handle = run_worker::check_all(
                    self.next_run,
                    Arc::clone(&self.runner),
                    exercises,
                    self.sink.clone(),
                );
                self.run = Some(handle);
                self.running_detail = None;
                self.view = View::CheckAll { results: vec![None; count], finished: false };
            }
            b'x' => self.view = View::ConfirmReset,
            _ => {}
        }
        true
    }

    fn switch_to(&mut self, name: &str) {
        self.progress.set_current(name);
        if let Err(error) = self.progress.save() {
            self.notice = Some(format!("could not save your progress: {error:#}"));
        }
        self.view = View::Exercise;
        self.hint_level = 0;
        self.notice = None;
        self.start_run();
    }

    fn frame(&self) -> String {
        let (earned, possible) =
            self.workbook.exercises.iter().fold((0, 0), |(earned, possible), e| {
                let done = self.progress.is_done(&e.name);
                (earned + if done { e.points } else { 0 }, possible + e.points)
            });
        let width = console::Term::stdout().size().1 as usize;
        let total = self.workbook.exercises.len();
        let mut text =
            screen::progress_bar(self.progress.done_count(), total, earned, possible, width);
        text.push_str("\n\n");
        match &self.view {
            View::List { typed } => text.push_str(&self.list_view(typed)),
            View::CheckAll { results, finished } => {
                text.push_str(&self.check_view(results, *finished))
            }
            View::ConfirmReset => {
                text.push_str(&self.exercise_view());
                text.push_str(&format!(
                    "\nReset {} to its original file? Your version is backed up first. [y/N] ",
                    self.exercise().name
                ));
            }
            View::Exercise => {
                text.push_str(&self.exercise_view());
                text.push('\n');
                text.push_str(&screen::keys(matches!(self.outcome, Outcome::Passed)));
                text.push('\n');
            }
        }
        text
    }

    fn exercise_view(&self) -> String {
        let exercise = self.exercise();
        let position = self.workbook.index_of(&exercise.name).map_or(0, |i| i + 1);
        let shown = exercise.path(Source::Exercises).display().to_string();
        let mut text = match &self.welcome {
            Some(welcome) => format!("{welcome}\n\n"),
            None => String::new(),
        };
        text.push_str(&format!(
            "{} {} ({position}/{})  {}\n\n",
            style::current_marker(),
            style::heading(&exercise.name),
            self.workbook.exercises.len(),
            screen::file_link(&shown, &self.file())
        ));
        let running = self.running.map(|step| (step, self.running_detail.as_deref()));
        text.push_str(&screen::steps(&self.steps, running, MESSAGE_LINES));
        match &self.outcome {
            Outcome::Passed => {
                text.push_str(&format!(
                    "\n{} Done! {} earned {} point{}. Compare with the reference solution: {}\n",
                    style::passed_mark(),
                    exercise.name,
                    exercise.points,
                    if exercise.points == 1 { "" } else { "s" },
                    exercise.path(Source::Solutions).display()
                ));
                let next = self.progress.next_pending(self.workbook, &exercise.name);
                match next {
                    Some(next) => {
                        text.push_str(&format!("Press n for the next exercise, {}.\n", next.name))
                    }
                    None => {
                        text.push_str(&format!("\n{}\n", self.workbook.final_message.trim_end()))
                    }
                }
            }
            Outcome::Broken(error) => {
                text.push_str(&format!("\n{} {error}\n", style::error_label()))
            }
            Outcome::Missing => text.push_str(&format!(
                "{} is missing. Press x to restore the original file.\n",
                exercise.path(Source::Exercises).display()
            )),
            Outcome::Running | Outcome::Failed => {}
        }
        if self.hint_level >= 1 {
            text.push_str(&format!("\n{}\n{}\n", style::heading("Hint"), exercise.hint.trim_end()));
            match (&exercise.stronger_hint, self.hint_level) {
                (Some(more), 2) => text.push_str(&format!(
                    "\n{}\n{}\n",
                    style::heading("Stronger hint"),
                    more.trim_end()
                )),
                (Some(_), _) => text.push_str(&style::dim("(h again for a stronger hint)\n")),
                (None, _) => {}
            }
        }
        if let Some(notice) = &self.notice {
            text.push_str(&format!("\n{notice}\n"));
        }
        text
    }

    fn list_view(&self, typed: &str) -> String {
        let mut text = String::from(
            "Type an exercise's number and Enter to switch to it; Esc to go back.\n\n",
        );
        let current = &self.exercise().name;
        for (index, exercise) in self.workbook.exercises.iter().enumerate() {
            let marker =
                if &exercise.name == current { style::current_marker() } else { " ".into() };
            let state = if self.progress.is_done(&exercise.name) {
                style::done("done   ")
            } else {
                style::pending("pending")
            };
            text.push_str(&format!(
                "{marker} {:>2}  {:<24} {state} {:>2} pts\n",
                index + 1,
                exercise.name,
                exercise.points
            ));
        }
        text.push_str(&format!("\n> {typed}"));
        text
    }

    fn check_view(&self, results: &[Option<bool>], finished: bool) -> String {
        let checked = results.iter().filter(|r| r.is_some()).count();
        let mut text = if finished {
            format!(
                "Checked every exercise: {} of {} pass.\n\n",
                results.iter().filter(|r| **r == Some(true)).count(),
                results.len()
            )
        } else {
            let detail = match (&self.running_detail, checked) {
                (Some(detail), 0) => format!("\n{}", style::dim(detail)),
                _ => String::new(),
            };
            format!("Checking every exercise ({checked}/{})...{detail}\n\n", results.len())
        };
        for (exercise, result) in self.workbook.exercises.iter().zip(results) {
            let mark = match result {
                Some(true) => style::passed_mark(),
                Some(false) => style::failed_mark(),
                None => style::dim("…"),
            };
            text.push_str(&format!("  {mark} {}\n", exercise.name));
        }
        if let Some(notice) = &self.notice {
            text.push_str(&format!("\n{notice}\n"));
        }
        text.push_str(&style::dim("\nAny key goes back to the current exercise; q quits.\n"));
        text
    }

    /// Ends the run in progress and its processes.
    fn stop(&mut self) {
        self.run = None;
        crate::process::end_all();
    }
}
