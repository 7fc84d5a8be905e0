use crate::info::{Source, Workbook};
use crate::progress::Progress;
use crate::report::style;
use anyhow::Result;
use std::process::ExitCode;

pub fn list(workbook: &Workbook) -> Result<ExitCode> {
    let progress = Progress::load(workbook)?;
    style::warn_forgotten(&progress);
    let current = progress.current(workbook).name.clone();
    let width = workbook.exercises.iter().map(|e| e.name.len()).max().unwrap_or(0);
    let (mut earned, mut possible) = (0, 0);
    for (index, exercise) in workbook.exercises.iter().enumerate() {
        let done = progress.is_done(&exercise.name);
        possible += exercise.points;
        if done {
            earned += exercise.points;
        }
        let marker = if exercise.name == current { style::current_marker() } else { " ".into() };
        let state = if done { style::done("done   ") } else { style::pending("pending") };
        println!(
            "{marker} {:>2}  {:<width$}  {state}  {:>2} pts  {}",
            index + 1,
            exercise.name,
            exercise.points,
            style::dim(&exercise.path(Source::Exercises).display().to_string()),
        );
    }
    println!(
        "\n{}/{} done, {earned}/{possible} points",
        progress.done_count(),
        workbook.exercises.len()
    );
    Ok(ExitCode::SUCCESS)
}
