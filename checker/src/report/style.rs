//! Colors and the small labels used everywhere. Colors follow console's detection of the
//! terminal, and are off when NO_COLOR is set (https://no-color.org).

use crate::info::{Exercise, Source};
use crate::progress::Progress;
use crate::run::ExerciseReport;
use console::style;

pub fn configure() {
    if std::env::var_os("NO_COLOR").is_some_and(|value| !value.is_empty()) {
        console::set_colors_enabled(false);
        console::set_colors_enabled_stderr(false);
    }
}

/// Whether to ask tools (rustc) for colored output.
pub fn colors() -> bool {
    console::colors_enabled()
}

pub fn error_label() -> String {
    style("error:").red().bold().for_stderr().to_string()
}

pub fn heading(text: &str) -> String {
    style(text).bold().to_string()
}

pub fn dim(text: &str) -> String {
    style(text).dim().to_string()
}

pub fn done(text: &str) -> String {
    style(text).green().to_string()
}

pub fn pending(text: &str) -> String {
    style(text).yellow().to_string()
}

pub fn failed_label(text: &str) -> String {
    style(text).red().to_string()
}

pub fn passed_mark() -> String {
    style("✓").green().bold().to_string()
}

pub fn failed_mark() -> String {
    style("✗").red().bold().to_string()
}

pub fn current_marker() -> String {
    style("▶").cyan().bold().to_string()
}

/// One line of `workbook check`'s progress: the verdict and how it failed.
pub fn check_line(exercise: &Exercise, report: &ExerciseReport) -> String {
    let name = &exercise.name;
    if report.passed() {
        return format!("{} {name}", style("passed").green().for_stderr());
    }
    let kinds: Vec<&str> = report.failure_kinds().iter().map(|k| k.as_str()).collect();
    format!("{} {name} ({})", style("failed").red().for_stderr(), kinds.join(", "))
}

/// One line of `workbook dev check`'s progress: for a stub, also whether it failed the way
/// `info.toml` declares.
pub fn dev_check_line(exercise: &Exercise, report: &ExerciseReport, source: Source) -> String {
    let failed = check_line(exercise, report);
    if report.passed() || source == Source::Solutions {
        return failed;
    }
    let kinds: Vec<&str> = report.failure_kinds().iter().map(|k| k.as_str()).collect();
    let declared: Vec<&str> = exercise.fails_with.iter().map(|k| k.as_str()).collect();
    if kinds == declared {
        format!("{failed}, as declared")
    } else {
        format!("{failed}, but info.toml declares {}", declared.join(", "))
    }
}

/// Tells the learner once about progress entries that no longer match an exercise.
pub fn warn_forgotten(progress: &Progress) {
    if !progress.forgotten.is_empty() {
        eprintln!(
            "{} {} lists exercises this workbook does not have ({}); they are ignored.",
            style("warning:").yellow().bold().for_stderr(),
            crate::progress::PROGRESS_FILE,
            progress.forgotten.join(", ")
        );
    }
}
