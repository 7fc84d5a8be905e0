use super::compiler::Compiler;
use super::grade_report::{ExerciseGrade, SubmissionGrade, Unrunnable};
use super::report_files::{Outputs, ReportFiles};
use super::restore::test_names;
use super::submission::{Canonical, canonical, prepare};
use crate::info::{InputError, Source, Workbook};
use crate::process::{Cancel, Sandbox};
use crate::report::style;
use crate::run::{BuildMode, Runner};
use anyhow::{Context, Result};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// What grading shares between submissions: read-only once made.
struct Class<'a> {
    workbook: &'a Workbook,
    compiler: Arc<Compiler>,
    /// Per exercise, the solution's tests, put back into every learner's file, and what the
    /// stub's own code does.
    canonical: HashMap<String, Canonical>,
    /// The tests that count, per exercise and build: the instructor's, not any a learner added.
    expected: HashMap<(String, BuildMode), Vec<String>>,
    budget: Duration,
    /// Where tests run, unless the instructor chose to do without.
    sandbox: Option<Sandbox>,
}

/// How much grading may take, from the command line.
#[derive(Debug, Clone, Copy)]
pub struct GradeLimits {
    /// Submissions graded at once; by default one per core.
    pub jobs: usize,
    /// Wall time for one submission in all.
    pub budget: Duration,
    /// CPU time for compiling one exercise file.
    pub build_cpu: Duration,
    /// Grade without the sandbox: only where each submission is graded on a machine of its own
    /// that is thrown away after (a CI job per learner).
    pub without_sandbox: bool,
}

/// `workbook grade SUBMISSION...`: grades each submission in a scratch folder of its own, `jobs`
/// at a time, each within its budget, rewriting the reports as each one finishes.
pub fn grade(
    workbook: &Workbook,
    submissions: &[PathBuf],
    outputs: &Outputs,
    limits: GradeLimits,
) -> Result<ExitCode> {
    for submission in submissions {
        if !submission.is_dir() {
            return Err(InputError::new(format!(
                "{}: not a folder; a submission is a learner's copy of the workbook",
                submission.display()
            ))
            .into());
        }
    }
    let sandbox = match limits.without_sandbox {
        true => None,
        false => Some(Sandbox::find().map_err(|why| {
            InputError::new(format!(
                "grading runs the learners' code, and the sandbox it runs in cannot be had here: \
                 {why}. Install it, or pass --no-sandbox only where each submission is graded on \
                 a machine thrown away after it (a CI job per learner)"
            ))
        })?),
    };
    let reports = ReportFiles::create(outputs, workbook, submissions.len())?;
    let started = Instant::now();
    let jobs = limits.jobs;
    eprintln!("Building the kit for grading (the first time, loom's dependencies too)...");
    let compiler = Compiler::prepare(workbook, limits.build_cpu, sandbox.clone(), &Cancel::new())?
        .into_result()?;
    let canonical = canonical(workbook)?;
    let mut expected: HashMap<(String, BuildMode), Vec<String>> = HashMap::new();
    for (exercise, known) in &canonical {
        for (mode, name) in test_names(&known.tests) {
            expected.entry((exercise.clone(), mode)).or_default().push(name);
        }
    }
    let compiler = Arc::new(compiler);
    let class = Class { workbook, compiler, canonical, expected, budget: limits.budget, sandbox };
    // A folder of this run's own: another `grade` in the same workbook never touches it.
    let grading = workbook.root.join("target").join("workbook").join("grade");
    let run = tempfile::Builder::new()
        .prefix("run-")
        .tempdir_in(&grading)
        .with_context(|| format!("failed to create a folder in {}", grading.display()))?;
    eprintln!(
        "Grading {} submission{}, {jobs} at a time. {}",
        submissions.len(),
        if submissions.len() == 1 { "" } else { "s" },
        match class.sandbox {
            Some(_) => "Their code is built and run in a sandbox (bubblewrap).",
            None => "Without the sandbox (--no-sandbox): their code runs here as you, with limits.",
        }
    );
    let done = AtomicUsize::new(0);
    crate::bounded_pool::map(submissions.len(), jobs, |index| {
        let scratch = run.path().join(index.to_string());
        let grade = grade_one(&class, &submissions[index], &scratch);
        let _ = std::fs::remove_dir_all(&scratch);
        let finished = done.fetch_add(1, Ordering::SeqCst) + 1;
        eprintln!("[{finished}/{}] {}", submissions.len(), progress_line(&grade));
        reports.record(index, grade)
    })?;
    let grades = reports.into_grades_announced();
    print_table(&grades);
    eprintln!("Graded in {:.1}s.", started.elapsed().as_secs_f64());
    Ok(ExitCode::SUCCESS)
}

/// Grades one submission; a failure of the grader itself is recorded, not propagated, so one
/// broken submission never stops the class.
fn grade_one(class: &Class<'_>, submission: &Path, scratch: &Path) -> SubmissionGrade {
    let name = submission
        .file_name()
        .map_or_else(|| submission.display().to_string(), |n| n.to_string_lossy().into_owned());
    let mut grade = SubmissionGrade {
        name,
        path: submission.to_path_buf(),
        exercises: Vec::new(),
        notes: Vec::new(),
        error: None,
    };
    match run_submission(class, submission, scratch) {
        Ok((exercises, notes)) => {
            grade.exercises = exercises;
            grade.notes = notes;
        }
        Err(error) => {
            grade.error = Some(format!("{error:#}"));
            grade.exercises = class
                .workbook
                .exercises
                .iter()
                .map(|e| ExerciseGrade {
                    name: e.name.clone(),
                    points: 0,
                    max_points: e.points,
                    notes: Vec::new(),
                    outcome: Err(Unrunnable::Rejected(
                        "the grader failed on this submission".to_owned(),
                    )),
                })
                .collect();
        }
    }
    grade
}

fn run_submission(
    class: &Class<'_>,
    submission: &Path,
    scratch: &Path,
) -> Result<(Vec<ExerciseGrade>, Vec<String>)> {
    let deadline = Instant::now() + class.budget;
    std::fs::create_dir_all(scratch)
        .with_context(|| format!("failed to create {}", scratch.display()))?;
    let mut prepared = prepare(class.workbook, &class.canonical, submission, scratch)?;
    let compiler = Arc::clone(&class.compiler);
    let root = scratch.to_path_buf();
    let runner = Runner::new(scratch, Source::Exercises, false)?
        .isolated(class.sandbox.clone())
        .with_compile(Box::new(move |exercise, mode, cancel| {
            compiler.compile(&root, exercise, mode, cancel)
        }))
        .with_expected_tests(class.expected.clone());
    let cancel = Cancel::new();
    let mut grades = Vec::with_capacity(class.workbook.exercises.len());
    for exercise in &class.workbook.exercises {
        let notes = prepared.notes.remove(&exercise.name).unwrap_or_default();
        let outcome = match prepared.unrunnable.remove(&exercise.name) {
            Some(why) => Err(why),
            None if Instant::now() >= deadline => Err(Unrunnable::OverBudget(class.budget)),
            None => Ok(runner.run(exercise, None, &cancel, &mut |_| {})?.into_result()?),
        };
        let passed = outcome.as_ref().is_ok_and(|report| report.passed());
        grades.push(ExerciseGrade {
            name: exercise.name.clone(),
            points: if passed { exercise.points } else { 0 },
            max_points: exercise.points,
            notes,
            outcome,
        });
    }
    Ok((grades, prepared.general))
}

fn progress_line(grade: &SubmissionGrade) -> String {
    let mut line = format!("{}: {}/{} points", grade.name, grade.score(), grade.max_score());
    if let Some(error) = &grade.error {
        line.push_str(&format!(" ({} {error})", style::error_label()));
    }
    line
}

/// The terminal table: one row per submission.
fn print_table(grades: &[SubmissionGrade]) {
    let width = grades.iter().map(|g| g.name.len()).max().unwrap_or(10).max(10);
    println!("{:<width$}  {:>9}  {:>8}  notes", "submission", "points", "passed");
    for grade in grades {
        let mut notes: Vec<String> = grade.notes.clone();
        let mut missing = Vec::new();
        for exercise in &grade.exercises {
            notes.extend(exercise.notes.iter().map(|n| format!("{}: {n}", exercise.name)));
            match &exercise.outcome {
                Err(Unrunnable::Missing) => missing.push(exercise.name.as_str()),
                Err(why) => notes.push(format!("{}: {}", exercise.name, why.describe())),
                Ok(_) => {}
            }
        }
        notes.extend(missing_files(&missing));
        notes.extend(grade.error.clone());
        println!(
            "{:<width$}  {:>9}  {:>8}  {}",
            grade.name,
            format!("{}/{}", grade.score(), grade.max_score()),
            format!("{}/{}", grade.passed(), grade.exercises.len()),
            notes.join("; ")
        );
    }
}

/// One note for every missing file, so that a submission of a few exercises does not list the
/// rest one by one: "missing: a, b, c and 40 more".
fn missing_files(names: &[&str]) -> Option<String> {
    const NAMED: usize = 3;
    let (first, rest) = names.split_at(names.len().min(NAMED));
    match rest.len() {
        _ if first.is_empty() => None,
        0 => Some(format!("missing: {}", first.join(", "))),
        more => Some(format!("missing: {} and {more} more", first.join(", "))),
    }
}

#[cfg(test)]
mod tests {
    use super::missing_files;

    #[test]
    fn missing_files_are_one_note_naming_the_first_three() {
        assert_eq!(missing_files(&[]), None);
        assert_eq!(missing_files(&["a", "b"]).as_deref(), Some("missing: a, b"));
        let many = ["a", "b", "c", "d", "e"];
        assert_eq!(missing_files(&many).as_deref(), Some("missing: a, b, c and 2 more"));
    }
}
