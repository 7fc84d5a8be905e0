use super::grade_report::{ExerciseGrade, SubmissionGrade, Unrunnable};
use super::submission::prepare;
use crate::info::{InputError, Source, Workbook};
use crate::process::Cancel;
use crate::report::style;
use crate::run::Runner;
use anyhow::{Context, Result};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

/// Where `grade` writes its reports, from the command line.
#[derive(Debug, Default)]
pub struct Outputs {
    pub json: Option<PathBuf>,
    pub junit: Option<PathBuf>,
    pub csv: Option<PathBuf>,
    pub html: Option<PathBuf>,
}

/// `workbook grade SUBMISSION...`: grades each submission in a scratch copy, `jobs` at a time.
pub fn grade(
    workbook: &Workbook,
    submissions: &[PathBuf],
    outputs: &Outputs,
    jobs: Option<usize>,
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
    let started = Instant::now();
    let jobs = jobs.unwrap_or_else(|| std::thread::available_parallelism().map_or(2, |n| n.get()));
    let work = workbook.root.join("target").join("workbook").join("grade");
    eprintln!(
        "Grading {} submission{}, {jobs} at a time. Their code runs here: with limits, and without \
         network where the system allows it.",
        submissions.len(),
        if submissions.len() == 1 { "" } else { "s" }
    );
    let done = AtomicUsize::new(0);
    let grades = crate::bounded_pool::map(submissions.len(), jobs, |index| {
        let scratch = work.join(format!("{index}"));
        let package = format!("graded-{index}");
        let grade =
            grade_one(workbook, &submissions[index], &scratch, &work.join("target"), package);
        let finished = done.fetch_add(1, Ordering::SeqCst) + 1;
        eprintln!("[{finished}/{}] {}", submissions.len(), progress_line(&grade));
        let _ = std::fs::remove_dir_all(&scratch);
        Ok(grade)
    })?;
    print_table(&grades);
    eprintln!("Graded in {:.1}s.", started.elapsed().as_secs_f64());
    if let Some(path) = &outputs.json {
        write(path, &super::json::report(&grades)?)?;
    }
    if let Some(path) = &outputs.junit {
        write(path, &super::junit::report(&grades))?;
    }
    if let Some(path) = &outputs.csv {
        write(path, &super::csv::report(workbook, &grades))?;
    }
    if let Some(path) = &outputs.html {
        write(path, &super::html::report(&grades))?;
    }
    Ok(ExitCode::SUCCESS)
}

/// Grades one submission; a failure of the grader itself is recorded, not propagated, so one
/// broken submission never stops the class.
fn grade_one(
    workbook: &Workbook,
    submission: &Path,
    scratch: &Path,
    target: &Path,
    package: String,
) -> SubmissionGrade {
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
    match run_submission(workbook, submission, scratch, target, package) {
        Ok((exercises, notes)) => {
            grade.exercises = exercises;
            grade.notes = notes;
        }
        Err(error) => {
            grade.error = Some(format!("{error:#}"));
            grade.exercises = workbook
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
    workbook: &Workbook,
    submission: &Path,
    scratch: &Path,
    target: &Path,
    package: String,
) -> Result<(Vec<ExerciseGrade>, Vec<String>)> {
    let mut prepared = prepare(workbook, submission, scratch, package)?;
    let runner = Runner::new(&prepared.dir, Source::Exercises, false)?
        .with_target_dir(target.to_path_buf())?
        .with_package(prepared.package.clone())
        .with_jobs(1)
        .without_network();
    let runnable: Vec<_> = workbook
        .exercises
        .iter()
        .filter(|e| !prepared.unrunnable.contains_key(&e.name))
        .cloned()
        .collect();
    let cancel = Cancel::new();
    let prebuilt = runner.prebuild(&runnable, &cancel)?.context("the build was cancelled")?;
    let mut grades = Vec::with_capacity(workbook.exercises.len());
    for exercise in &workbook.exercises {
        let notes = prepared.notes.remove(&exercise.name).unwrap_or_default();
        let outcome = match prepared.unrunnable.remove(&exercise.name) {
            Some(why) => Err(why),
            None => Ok(runner.run(exercise, Some(&prebuilt), &cancel, &mut |_| {})?),
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
        for exercise in &grade.exercises {
            notes.extend(exercise.notes.iter().map(|n| format!("{}: {n}", exercise.name)));
            if let Err(why) = &exercise.outcome {
                let why = match why {
                    Unrunnable::Missing => "missing".to_owned(),
                    Unrunnable::Rejected(why) => why.clone(),
                };
                notes.push(format!("{}: {why}", exercise.name));
            }
        }
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

fn write(path: &Path, text: &str) -> Result<()> {
    std::fs::write(path, text).with_context(|| format!("failed to write {}", path.display()))?;
    eprintln!("Wrote {}.", path.display());
    Ok(())
}
