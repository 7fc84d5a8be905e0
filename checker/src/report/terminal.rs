//! The learner-facing rendering of a run, step by step.

use super::style;
use crate::info::{Exercise, Source, Workbook};
use crate::invocation;
use crate::progress::Progress;
use crate::run::{Event, Status, StepReport};

/// Lines of a failure message shown before the rest is elided.
const MESSAGE_LINES: usize = 60;

pub fn print_header(exercise: &Exercise, workbook: &Workbook) {
    let position = workbook.index_of(&exercise.name).map_or(0, |i| i + 1);
    println!(
        "{} {} ({position}/{}) {}",
        style::current_marker(),
        style::heading(&exercise.name),
        workbook.exercises.len(),
        style::dim(&exercise.path(Source::Exercises).display().to_string())
    );
}

/// Prints each step as it finishes, and which step is running meanwhile: on a terminal as one
/// line that the step's progress rewrites, elsewhere (a log) as a line of its own.
pub fn print_event(event: crate::run::Event<'_>) {
    let term = console::Term::stdout();
    let live = term.is_term();
    match event {
        Event::Started(step) if live => {
            let _ = term.write_str(&style::dim(&format!("  … {} running", step.as_str())));
        }
        Event::Started(step) => println!("  … {} running", step.as_str()),
        Event::Progress(step, line) if live => {
            let _ = term.clear_line();
            let text = format!("  … {} running: {line}", step.as_str());
            let width = usize::from(term.size().1).saturating_sub(1).max(20);
            let _ = term.write_str(&style::dim(&console::truncate_str(&text, width, "…")));
        }
        Event::Progress(..) => {}
        Event::Finished(step) => {
            if live {
                let _ = term.clear_line();
            }
            print_step(step);
        }
    }
}

pub fn print_step(step: &StepReport) {
    print!("{}", format_step(step, MESSAGE_LINES));
}

/// A step's line, and for a failure its message, cut to `max_lines` lines.
pub fn format_step(step: &StepReport, max_lines: usize) -> String {
    let seconds = format!("{:.1}s", step.duration.as_secs_f64());
    match step.status {
        Status::Passed => {
            let count = match step.tests.is_empty() {
                true => String::new(),
                false => format!("{} passed", step.tests.len()),
            };
            format!(
                "  {} {:<8} {:>6}  {count}\n",
                style::passed_mark(),
                step.name.as_str(),
                seconds
            )
        }
        Status::Failed => {
            let why = step.failure_kind.map_or("failed", |kind| kind.describe());
            let mut text = format!(
                "  {} {:<8} {:>6}  {why}\n",
                style::failed_mark(),
                step.name.as_str(),
                seconds
            );
            if let Some(message) = &step.message {
                text.push_str(&indent(&elide(message, max_lines)));
                text.push('\n');
            }
            let others: Vec<&str> = step
                .tests
                .iter()
                .filter(|t| t.status == Status::Failed)
                .skip(1)
                .map(|t| t.name.as_str())
                .collect();
            if !others.is_empty() {
                let also = format!("also failing: {}", others.join(", "));
                text.push_str(&indent(&style::dim(&also)));
                text.push('\n');
            }
            text
        }
        Status::Skipped => String::new(),
    }
}

pub fn print_failure_footer(exercise: &Exercise) {
    println!(
        "\n{}",
        style::dim(&format!(
            "Edit {} and run `{}` again. Stuck? `{}`.",
            exercise.path(Source::Exercises).display(),
            invocation::command(&format!("run {}", exercise.name)),
            invocation::command(&format!("hint {}", exercise.name))
        ))
    );
}

pub fn print_done(
    exercise: &Exercise,
    workbook: &Workbook,
    progress: &Progress,
    next: Option<&str>,
) {
    let (earned, possible) = workbook.exercises.iter().fold((0, 0), |(earned, possible), e| {
        let done = progress.is_done(&e.name);
        (earned + if done { e.points } else { 0 }, possible + e.points)
    });
    println!(
        "\n{} {} is done: +{} points ({earned}/{possible}, {}/{} exercises).",
        style::passed_mark(),
        exercise.name,
        exercise.points,
        progress.done_count(),
        workbook.exercises.len()
    );
    println!("Compare with the reference solution: {}", exercise.path(Source::Solutions).display());
    match next {
        Some(next) => {
            println!("Next: {next}. `{}` starts it.", invocation::command(&format!("run {next}")))
        }
        None => println!("\n{}", workbook.final_message.trim_end()),
    }
}

fn indent(text: &str) -> String {
    text.lines().map(|line| format!("      {line}")).collect::<Vec<_>>().join("\n")
}

fn elide(text: &str, max_lines: usize) -> String {
    let lines: Vec<&str> = text.lines().collect();
    if lines.len() <= max_lines {
        return text.to_owned();
    }
    format!("{}\n[... {} more lines ...]", lines[..max_lines].join("\n"), lines.len() - max_lines)
}
