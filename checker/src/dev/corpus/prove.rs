//! Running the corpus: each fix is compiled and run as `grade` would run a learner's file (its
//! tests replaced by the exercise's own), with the limits of every run, `jobs` at a time, and
//! judged against what it declares.

use super::fix::{Expect, Fix};
use crate::dev::finding::Finding;
use crate::grade::{Compiler, restore, test_names};
use crate::info::{Exercise, ExerciseFile, FailureKind, Source, Workbook};
use crate::process::{Cancel, Outcome, finished};
use crate::run::{BuildMode, ExerciseReport, Runner};
use anyhow::{Context, Result};
use serde::Serialize;
use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

/// CPU time for compiling one fix, as grading allows a learner's file.
const BUILD_CPU: Duration = Duration::from_secs(60);

/// One fix and how it came out.
#[derive(Debug, Serialize)]
pub struct FixReport {
    #[serde(flatten)]
    pub fix: Fix,
    pub proved: bool,
    pub report: ExerciseReport,
}

/// Runs every fix. The findings name each fix that did not come out as
/// declared.
pub fn prove(
    workbook: &Workbook,
    fixes: Vec<Fix>,
    jobs: usize,
    cancel: &Cancel,
) -> Result<Outcome<(Vec<FixReport>, Vec<Finding>)>> {
    if fixes.is_empty() {
        return Ok(Outcome::Finished((Vec::new(), Vec::new())));
    }
    let compiler = finished!(Compiler::prepare(workbook, BUILD_CPU, None, cancel)?);
    let compiler = Arc::new(compiler);
    let (mut tests, mut expected) = (HashMap::new(), HashMap::new());
    for fix in &fixes {
        if tests.contains_key(&fix.exercise) {
            continue;
        }
        let exercise = exercise(workbook, fix)?;
        let path = workbook.root.join(exercise.path(Source::Solutions));
        let solution = std::fs::read_to_string(&path)
            .with_context(|| format!("failed to read {}", path.display()))?;
        let canonical = ExerciseFile::split(&solution).tests.to_owned();
        for (mode, name) in test_names(&canonical) {
            expected.entry((exercise.name.clone(), mode)).or_insert_with(Vec::new).push(name);
        }
        tests.insert(fix.exercise.clone(), canonical);
    }
    let corpus = workbook.root.join("target").join("workbook").join("corpus");
    std::fs::create_dir_all(&corpus)
        .with_context(|| format!("failed to create {}", corpus.display()))?;
    let run = tempfile::Builder::new()
        .prefix("run-")
        .tempdir_in(&corpus)
        .with_context(|| format!("failed to create a folder in {}", corpus.display()))?;
    let total = fixes.len();
    eprintln!("Proving {total} fixes of the corpus, {jobs} at a time...");
    let done = AtomicUsize::new(0);
    let proved = crate::bounded_pool::map(total, jobs, |index| {
        let fix = &fixes[index];
        let exercise = exercise(workbook, fix)?;
        let root = run.path().join(index.to_string());
        let target = root.join(exercise.path(Source::Exercises));
        std::fs::create_dir_all(target.parent().expect("a file has a folder"))
            .with_context(|| format!("failed to create the folder of {}", target.display()))?;
        std::fs::write(&target, restore(&fix.text, &tests[&fix.exercise]).text)
            .with_context(|| format!("failed to write {}", target.display()))?;
        let compiler = Arc::clone(&compiler);
        let compile_root = root.clone();
        let runner = Runner::new(&root, Source::Exercises, false)?
            .with_jobs(1)
            .with_compile(Box::new(move |exercise, mode, cancel| {
                compiler.compile(&compile_root, exercise, mode, cancel)
            }))
            .with_expected_tests(expected_for(&expected, &exercise.name));
        let Outcome::Finished(report) = runner.run(exercise, None, cancel, &mut |_| {})? else {
            return Ok(Outcome::Cancelled);
        };
        let _ = std::fs::remove_dir_all(&root);
        let proved = proved(&fix.expect, &report);
        let finished = done.fetch_add(1, Ordering::SeqCst) + 1;
        eprintln!("[{finished}/{total}] {} {}", fix.path.display(), outcome(fix, &report, proved));
        Ok(Outcome::Finished(FixReport { fix: fix.clone(), proved, report }))
    })?;
    let mut reports = Vec::with_capacity(proved.len());
    for report in proved {
        reports.push(finished!(report));
    }
    let findings = reports.iter().filter_map(finding).collect();
    Ok(Outcome::Finished((reports, findings)))
}

fn exercise<'a>(workbook: &'a Workbook, fix: &Fix) -> Result<&'a Exercise> {
    let index = workbook.index_of(&fix.exercise).context("a fix of an exercise in info.toml")?;
    Ok(&workbook.exercises[index])
}

fn expected_for(
    all: &HashMap<(String, BuildMode), Vec<String>>,
    exercise: &str,
) -> HashMap<(String, BuildMode), Vec<String>> {
    all.iter()
        .filter(|((name, _), _)| name == exercise)
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

fn proved(expect: &Expect, report: &ExerciseReport) -> bool {
    match expect {
        Expect::Pass => report.passed(),
        Expect::Fail(kinds) => !report.passed() && report.failure_kinds() == *kinds,
    }
}

fn kinds(kinds: &BTreeSet<FailureKind>) -> String {
    kinds.iter().map(|k| k.as_str()).collect::<Vec<_>>().join(", ")
}

/// The progress line's verdict.
fn outcome(fix: &Fix, report: &ExerciseReport, proved: bool) -> String {
    let observed = report.failure_kinds();
    match (&fix.expect, proved) {
        (Expect::Pass, true) => "passes, as a correct fix must".to_owned(),
        (Expect::Pass, false) => format!("FAILS ({}), though correct", kinds(&observed)),
        (Expect::Fail(_), true) => format!("fails as declared ({})", kinds(&observed)),
        (Expect::Fail(_), false) if report.passed() => "PASSES, though wrong".to_owned(),
        (Expect::Fail(declared), false) => {
            format!("fails with {}, not as declared ({})", kinds(&observed), kinds(declared))
        }
    }
}

/// What a fix that did not come out as declared tells the author, at the fix's first line.
fn finding(report: &FixReport) -> Option<Finding> {
    if report.proved {
        return None;
    }
    let fix = &report.fix;
    let first_message = || {
        let message = report.report.steps.iter().find_map(|s| s.message.as_deref()).unwrap_or("");
        message.lines().take(3).collect::<Vec<_>>().join(" / ")
    };
    let message = match &fix.expect {
        Expect::Pass => format!(
            "this correct fix of `{}` fails ({}): the tests reject a right answer: {}",
            fix.exercise,
            kinds(&report.report.failure_kinds()),
            first_message()
        ),
        Expect::Fail(declared) if report.report.passed() => format!(
            "this wrong fix of `{}` passes every step, so a learner who made this mistake would \
             be told they are done; it must fail with {} ({})",
            fix.exercise,
            kinds(declared),
            fix.about
        ),
        Expect::Fail(declared) => format!(
            "this wrong fix of `{}` fails with {}, but declares {}: {}",
            fix.exercise,
            kinds(&report.report.failure_kinds()),
            kinds(declared),
            first_message()
        ),
    };
    Some(Finding::new(&fix.path, 1, message))
}
