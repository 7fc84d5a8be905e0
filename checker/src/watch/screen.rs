//! Drawing the watch screen: pure functions from state to text.

use crate::report::{style, terminal};
use crate::run::{StepName, StepReport};
use std::path::Path;

/// Clears the screen and moves home: every frame is drawn whole.
pub const CLEAR: &str = "\x1b[H\x1b[2J";

/// `[#####.....] 3/12 done · 7/30 points`, fitted to `width` columns.
pub fn progress_bar(done: usize, total: usize, earned: u32, possible: u32, width: usize) -> String {
    let label = format!(" {done}/{total} done · {earned}/{possible} points");
    let bar_width = width.saturating_sub(label.chars().count() + 2).clamp(10, 60);
    let filled = (bar_width * done).checked_div(total).unwrap_or(0);
    let bar = format!(
        "{}{}",
        style::done(&"#".repeat(filled)),
        style::dim(&"-".repeat(bar_width - filled))
    );
    format!("[{bar}]{label}")
}

/// `shown` as a terminal hyperlink to `path` (OSC 8), where the terminal has colors; terminals
/// without hyperlink support show the text alone.
pub fn file_link(shown: &str, path: &Path) -> String {
    if !style::colors() {
        return shown.to_owned();
    }
    format!("\x1b]8;;file://{}\x1b\\{shown}\x1b]8;;\x1b\\", path.display())
}

/// The finished steps, then the running one with what it is doing.
pub fn steps(
    finished: &[StepReport],
    running: Option<(StepName, Option<&str>)>,
    max_lines: usize,
) -> String {
    let mut text = String::new();
    for step in finished {
        text.push_str(&terminal::format_step(step, max_lines));
    }
    match running {
        Some((step, None)) => {
            text.push_str(&style::dim(&format!("  … {} running\n", step.as_str())))
        }
        Some((step, Some(detail))) => {
            text.push_str(&style::dim(&format!("  … {} running: {detail}\n", step.as_str())))
        }
        None => {}
    }
    text
}

/// The key line; keys that do nothing now are dimmed.
pub fn keys(can_go_next: bool) -> String {
    let next = if can_go_next { style::heading("n next") } else { style::dim("n next") };
    format!("{next} · h hint · l list · r rerun · c check all · x reset · q quit")
}
