use crate::info::{Exercise, Source, Workbook};
use crate::process::Cancel;
use crate::progress::Progress;
use crate::report::{style, terminal};
use crate::run::Runner;
use anyhow::Result;
use std::process::ExitCode;

/// `workbook run [NAME]`: every step of one exercise; marks it done and moves on when it passes.
pub fn run(workbook: &Workbook, name: Option<&str>) -> Result<ExitCode> {
    let mut progress = Progress::load(workbook)?;
    style::warn_forgotten(&progress);
    let exercise: Exercise = match name {
        Some(name) => workbook.find(name)?.clone(),
        None => progress.current(workbook).clone(),
    };
    if let Some(missing) = workbook.missing_file(&exercise) {
        return Err(missing.into());
    }
    if progress.fresh {
        // Records where the learner started, which `reset` restores from.
        progress.save()?;
    }
    let runner = Runner::new(&workbook.root, Source::Exercises, style::colors())?;
    terminal::print_header(&exercise, workbook);
    let report =
        runner.run(&exercise, None, &Cancel::new(), &mut terminal::print_event)?.into_result()?;
    if !report.passed() {
        progress.mark_pending(&exercise.name);
        progress.save()?;
        terminal::print_failure_footer(&exercise);
        return Ok(ExitCode::FAILURE);
    }
    progress.mark_done(&exercise.name);
    let next = progress.next_pending(workbook, &exercise.name).map(|e| e.name.clone());
    if progress.current(workbook).name == exercise.name
        && let Some(next) = &next
    {
        progress.set_current(next);
    }
    progress.save()?;
    terminal::print_done(&exercise, workbook, &progress, next.as_deref());
    Ok(ExitCode::SUCCESS)
}
