use super::corpus::{self, FixReport};
use super::finding::Finding;
use super::{consistency, lints};
use crate::info::{Exercise, FailureKind, Source, Workbook};
use crate::process::{Cancel, Outcome};
use crate::report::style;
use crate::run::{ExerciseReport, Runner};
use anyhow::{Context, Result};
use serde::Serialize;
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

#[derive(Serialize)]
struct DevCheckReport<'a> {
    version: u32,
    ok: bool,
    duration_ms: u128,
    findings: &'a [Finding],
    solutions: &'a [ExerciseReport],
    stubs: &'a [ExerciseReport],
    /// The corpus: each known fix, what it declares and how it came out.
    fixes: &'a [FixReport],
    /// Each stub's planted bug and declared failure, for instructors only (the learner's `check`
    /// leaves them out).
    declared: Vec<Declared<'a>>,
}

#[derive(Serialize)]
struct Declared<'a> {
    name: &'a str,
    bug: &'a str,
    fails_with: &'a [FailureKind],
    failed_as_declared: bool,
}

/// What `workbook dev check` was asked to do.
pub struct DevCheckOptions {
    /// A machine-readable report on stdout.
    pub json: bool,
    pub jobs: usize,
    /// Only these exercises (and no lints); every exercise when empty.
    pub only: Vec<String>,
}

/// `workbook dev check`: is the workbook right? Reports every finding, not just the first.
pub fn dev_check(workbook: &Workbook, options: &DevCheckOptions) -> Result<ExitCode> {
    let started = Instant::now();
    let as_json = options.json;
    let jobs = options.jobs;
    let color = style::colors() && !as_json;
    let mut findings = consistency::check(workbook);

    let chosen: Vec<Exercise> = match options.only.is_empty() {
        true => workbook.exercises.clone(),
        false => {
            options.only.iter().map(|name| workbook.find(name).cloned()).collect::<Result<_>>()?
        }
    };
    let exercises = &chosen;
    eprintln!("Building {} exercises and their solutions...", exercises.len());
    let solutions = Runner::new(&workbook.root, Source::Solutions, color)?.with_jobs(1);
    let stubs = Runner::new(&workbook.root, Source::Exercises, color)?.with_jobs(1);
    let cancel = Cancel::new();
    let (Outcome::Finished(solution_builds), Outcome::Finished(stub_builds)) =
        (solutions.prebuild(exercises, &cancel)?, stubs.prebuild(exercises, &cancel)?)
    else {
        return Ok(ExitCode::FAILURE);
    };

    // Every exercise twice, solution then stub, `jobs` at a time.
    let total = exercises.len() * 2;
    eprintln!("Running {total} solutions and stubs, {jobs} at a time...");
    let done = AtomicUsize::new(0);
    let reports = crate::bounded_pool::map(total, jobs, |index| {
        let exercise = &exercises[index / 2];
        let (runner, builds, source) = match index % 2 {
            0 => (&solutions, &solution_builds, Source::Solutions),
            _ => (&stubs, &stub_builds, Source::Exercises),
        };
        let report = runner.run(exercise, Some(builds), &cancel, &mut |_| {})?.into_result()?;
        let finished = done.fetch_add(1, Ordering::SeqCst) + 1;
        eprintln!("[{finished}/{total}] {}", progress_line(exercise, &report, source));
        Ok(report)
    })?;
    let mut reports = reports.into_iter();
    let (mut solution_reports, mut stub_reports) = (Vec::new(), Vec::new());
    for exercise in exercises {
        let (solution, stub) = (
            reports.next().context("a solution report")?,
            reports.next().context("a stub report")?,
        );
        findings.extend(solution_finding(exercise, &solution));
        findings.extend(stub_finding(exercise, &stub));
        solution_reports.push(solution);
        stub_reports.push(stub);
    }

    let (fixes, corpus_findings) =
        corpus::discover(workbook, &exercises.iter().collect::<Vec<_>>());
    findings.extend(corpus_findings);
    let Outcome::Finished((fix_reports, fix_findings)) =
        corpus::prove(workbook, fixes, jobs, &cancel)?
    else {
        return Ok(ExitCode::FAILURE);
    };
    findings.extend(fix_findings);

    if options.only.is_empty() {
        eprintln!("Linting the solutions (rustfmt, clippy -D warnings, plain and loom)...");
        findings.extend(lints::check(workbook, &workbook.root.join("target").join("workbook"))?);
    } else {
        eprintln!("Not linting the solutions: --only checks the exercises it names.");
    }

    let elapsed = started.elapsed();
    for finding in &findings {
        eprintln!("{} {finding}", style::error_label());
    }
    eprintln!(
        "{} in {:.1}s: {} exercises, {} finding{}",
        if findings.is_empty() { "dev check passed" } else { "dev check failed" },
        elapsed.as_secs_f64(),
        exercises.len(),
        findings.len(),
        if findings.len() == 1 { "" } else { "s" }
    );
    if as_json {
        let report = DevCheckReport {
            version: 1,
            ok: findings.is_empty(),
            duration_ms: elapsed.as_millis(),
            findings: &findings,
            solutions: &solution_reports,
            stubs: &stub_reports,
            fixes: &fix_reports,
            declared: exercises
                .iter()
                .zip(&stub_reports)
                .map(|(exercise, stub)| Declared {
                    name: &exercise.name,
                    bug: &exercise.bug,
                    fails_with: &exercise.fails_with,
                    failed_as_declared: stub
                        .failure_kinds()
                        .iter()
                        .copied()
                        .eq(exercise.fails_with.iter().copied()),
                })
                .collect(),
        };
        println!(
            "{}",
            serde_json::to_string_pretty(&report).context("failed to encode the report")?
        );
    }
    Ok(if findings.is_empty() { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

fn progress_line(exercise: &Exercise, report: &ExerciseReport, source: Source) -> String {
    let kind = match source {
        Source::Solutions => "solution",
        Source::Exercises => "stub",
    };
    format!("{kind} {}", style::dev_check_line(exercise, report, source))
}

/// A solution must pass every step.
fn solution_finding(exercise: &Exercise, report: &ExerciseReport) -> Option<Finding> {
    let failed = report.steps.iter().find(|s| s.failure_kind.is_some())?;
    let why =
        failed.message.as_deref().unwrap_or("").lines().take(3).collect::<Vec<_>>().join(" / ");
    Some(Finding::new(
        exercise.path(Source::Solutions),
        1,
        format!(
            "the reference solution fails its {} step ({}): {why}",
            failed.name.as_str(),
            failed.failure_kind?
        ),
    ))
}

/// An untouched stub must fail exactly the way `fails_with` declares.
fn stub_finding(exercise: &Exercise, report: &ExerciseReport) -> Option<Finding> {
    let observed = report.failure_kinds();
    if observed.iter().copied().eq(exercise.fails_with.iter().copied()) {
        return None;
    }
    let names = |kinds: &mut dyn Iterator<Item = FailureKind>| {
        kinds.map(|k| k.as_str()).collect::<Vec<_>>().join(", ")
    };
    let declared = names(&mut exercise.fails_with.iter().copied());
    let message = if observed.is_empty() {
        format!(
            "the untouched stub of `{}` passes: its planted bug is not caught (fails_with = {declared})",
            exercise.name
        )
    } else {
        let first = report.steps.iter().find_map(|s| s.message.as_deref()).unwrap_or("");
        let first = first.lines().take(3).collect::<Vec<_>>().join(" / ");
        format!(
            "the untouched stub of `{}` fails with {}, but fails_with declares {declared}: it fails for the wrong reason ({first})",
            exercise.name,
            names(&mut observed.into_iter())
        )
    };
    Some(Finding::new("info.toml", exercise.line, message))
}
