//! What each key does, in each view.

use super::{Effect, OnFailure, Outcome, State, View};
use crate::watch::event::Key;

impl State<'_> {
    pub(super) fn key(&mut self, key: Key) -> Vec<Effect> {
        match &mut self.view {
            View::List { typed, selected } => {
                match key {
                    Key::Char(digit @ '0'..='9') => typed.push(digit),
                    Key::Backspace => {
                        typed.pop();
                    }
                    Key::Up => {
                        *selected = selected.saturating_sub(1);
                        typed.clear();
                    }
                    Key::Down => {
                        *selected = (*selected + 1).min(self.workbook.exercises.len() - 1);
                        typed.clear();
                    }
                    Key::Enter => {
                        let chosen = match typed.is_empty() {
                            true => Some(*selected),
                            false => typed.parse::<usize>().ok().and_then(|n| n.checked_sub(1)),
                        };
                        match chosen.and_then(|index| self.workbook.exercises.get(index)) {
                            Some(exercise) => return self.switch_to(&exercise.name),
                            None => typed.clear(),
                        }
                    }
                    Key::Esc | Key::Char('l') => self.view = View::Exercise,
                    Key::Char('q') => return vec![Effect::Quit],
                    _ => {}
                }
                return Vec::new();
            }
            View::ConfirmReset => {
                self.view = View::Exercise;
                return match key {
                    Key::Char('y' | 'Y') => {
                        vec![Effect::Reset { exercise: self.exercise().name.clone() }]
                    }
                    _ => Vec::new(),
                };
            }
            View::CheckAll { .. } if key != Key::Char('q') => {
                self.view = View::Exercise;
                return self.start_run();
            }
            View::Exercise | View::CheckAll { .. } => {}
        }
        match key {
            Key::Char('q') => return vec![Effect::Quit],
            Key::Char('n') if self.outcome == Outcome::Passed => {
                let current = &self.exercise().name;
                if let Some(next) = self.progress.next_pending(self.workbook, current) {
                    return self.switch_to(&next.name);
                }
            }
            Key::Char('h') => self.hint_level = (self.hint_level + 1) % 3,
            Key::Char('l') => {
                let selected = self.workbook.index_of(&self.exercise().name).unwrap_or(0);
                self.view = View::List { typed: String::new(), selected };
            }
            Key::Char('r') => {
                self.notice = None;
                // A rerun asked for by hand goes through cargo, in case more than the exercise
                // changed.
                let mut effects = vec![Effect::ForgetFastRebuilds];
                effects.extend(self.start_run());
                return effects;
            }
            Key::Char('c') => {
                self.next_run += 1;
                self.run = Some(self.next_run);
                self.running_detail = None;
                let count = self.workbook.exercises.len();
                self.view = View::CheckAll { results: vec![None; count], finished: false };
                return vec![Effect::StartCheckAll { run: self.next_run }];
            }
            Key::Char('x') => self.view = View::ConfirmReset,
            _ => {}
        }
        Vec::new()
    }

    /// Makes `name` the current exercise and runs it. The progress is saved first, and a failure
    /// to save is said after the switch, where it stays on screen.
    fn switch_to(&mut self, name: &str) -> Vec<Effect> {
        self.progress.set_current(name);
        self.view = View::Exercise;
        self.hint_level = 0;
        self.notice = None;
        let mut effects = vec![Effect::SaveProgress(OnFailure::Notice)];
        effects.extend(self.start_run());
        effects
    }
}
