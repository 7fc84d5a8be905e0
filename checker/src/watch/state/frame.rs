//! Drawing the watch screen from the state: text only, so tests read what a learner would see.

use super::{Outcome, State, View};
use crate::info::Source;
use crate::report::style;
use crate::watch::screen;

/// Lines of a failure message shown on the watch screen.
const MESSAGE_LINES: usize = 40;

impl State<'_> {
    /// The whole screen.
    pub fn frame(&self) -> String {
        let (earned, possible) =
            self.workbook.exercises.iter().fold((0, 0), |(earned, possible), e| {
                let done = self.progress.is_done(&e.name);
                (earned + if done { e.points } else { 0 }, possible + e.points)
            });
        let width = usize::from(self.width);
        let total = self.workbook.exercises.len();
        let mut text =
            screen::progress_bar(self.progress.done_count(), total, earned, possible, width);
        text.push_str("\n\n");
        match &self.view {
            View::List { typed, selected } => text.push_str(&self.list_view(typed, *selected)),
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
                text.push_str(&screen::keys(self.outcome == Outcome::Passed));
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

    fn list_view(&self, typed: &str, selected: usize) -> String {
        let mut text = String::from(
            "Type an exercise's number and Enter, or pick one with the arrow keys and Enter, to \
             switch to it; Esc to go back.\n\n",
        );
        let current = &self.exercise().name;
        for (index, exercise) in self.workbook.exercises.iter().enumerate() {
            let pointer = if index == selected { ">" } else { " " };
            let marker =
                if &exercise.name == current { style::current_marker() } else { " ".into() };
            let state = if self.progress.is_done(&exercise.name) {
                style::done("done   ")
            } else {
                style::pending("pending")
            };
            text.push_str(&format!(
                "{pointer}{marker} {:>2}  {:<24} {state} {:>2} pts\n",
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
}
