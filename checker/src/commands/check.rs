use crate::info::{Source, Workbook};
use crate::process::{Cancel, Outcome};
use crate::progress::Progress;
use crate::report::{json, style};
use crate::run::{ExerciseReport, Runner};
use anyhow::{Context, Result};
use std::process::ExitCode;
use std::time::Instant;

/// `workbook check`: every exercise (or solution), with progress on stderr and a summary or JSON
/// report on stdout. Exits 0 only when all pass. Each exercise's verdict becomes its done or
/// pending state, so `list` agrees with what `check` last saw.
pub fn check(workbook: &Workbook, as_json: bool, solutions: bool) -> Result<ExitCode> {
    let source = if solutions { Source::Solutions } else { Source::Exercises };
    let runner = Runner::new(&workbook.root, source, style::colors() && !as_json)?;
    let mut progress = match source {
        Source::Exercises => Some(Progress::load(workbook)?),
        Source::Solutions => None,
    };
    let cancel = Cancel::new();
    let started = Instant::now();
    let total = workbook.exercises.len();
    eprintln!("Building {total} {} (the first build takes a minute or two)...", source.dir());
    let term = console::Term::stderr();
    let mut show_build = |line: &str| {
        // On a terminal, one line rewritten as the build goes; in a log, nothing to rewrite.
        if term.is_term() {
            let _ = term.clear_line();
            let _ = term.write_str(&style::dim(&format!("  building {line}")));
        }
    };
    let built = runner.prebuild_reporting(&workbook.exercises, &cancel, &mut show_build)?;
    if term.is_term() {
        let _ = term.clear_line();
    }
    let Outcome::Finished(prebuilt) = built else { return Ok(ExitCode::FAILURE) };
    let mut reports: Vec<ExerciseReport> = Vec::with_capacity(total);
    for (index, exercise) in workbook.exercises.iter().enumerate() {
        let report = runner.run(exercise, Some(&prebuilt), &cancel, &mut |_| {})?.into_result()?;
        eprintln!("[{}/{total}] {}", index + 1, style::check_line(exercise, &report));
        if let Some(progress) = &mut progress {
            progress.record(&exercise.name, report.passed());
        }
        reports.push(report);
    }
    if let Some(progress) = &progress {
        progress.save()?;
    }
    let passed = reports.iter().filter(|r| r.passed()).count();
    eprintln!("{passed}/{total} {} pass ({:.1}s)", source.dir(), started.elapsed().as_secs_f64());
    if as_json {
        let text = json::check_report(workbook, source, &reports)?;
        println!("{text}");
    }
    std::io::Write::flush(&mut std::io::stdout()).context("failed to write the report")?;
    Ok(if passed == total { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}
