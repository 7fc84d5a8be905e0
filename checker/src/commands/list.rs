use crate::info::{Source, Workbook};
use crate::progress::Progress;
use crate::report::style;
use anyhow::Result;
use std::process::ExitCode;

/// `workbook list`: the exercises in learning order, under their tracks' headings, each done
/// (its latest run passed), pending, or missing (its file was deleted).
pub fn list(workbook: &Workbook) -> Result<ExitCode> {
    let progress = Progress::load(workbook)?;
    style::warn_forgotten(&progress);
    let current = progress.current(workbook).name.clone();
    let width = workbook.exercises.iter().map(|e| e.name.len()).max().unwrap_or(0);
    let (mut earned, mut possible) = (0, 0);
    let mut track = None;
    for (index, exercise) in workbook.exercises.iter().enumerate() {
        if track != Some(&exercise.dir) {
            let separator = if track.is_some() { "\n" } else { "" };
            println!("{separator}{}", style::heading(&format!("Track {}", exercise.dir)));
            track = Some(&exercise.dir);
        }
        let done = progress.is_done(&exercise.name);
        possible += exercise.points;
        if done {
            earned += exercise.points;
        }
        let marker = if exercise.name == current { style::current_marker() } else { " ".into() };
        let state = match (workbook.missing_file(exercise).is_some(), done) {
            (true, _) => style::failed_label("missing"),
            (false, true) => style::done("done   "),
            (false, false) => style::pending("pending"),
        };
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
    if let Some(missing) = workbook.exercises.iter().find_map(|e| workbook.missing_file(e)) {
        println!("{missing}");
    }
    Ok(ExitCode::SUCCESS)
}
