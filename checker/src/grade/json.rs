//! `--json`: per submission an object that reads both as Exercism's results.json (version 3:
//! `status`, and `tests` with `name`, `status`, `message`) and as Gradescope's results
//! (`score`, `max_score`, and `tests` with `score`, `max_score`, `output`), plus each step.

use super::grade_report::SubmissionGrade;
use crate::run::StepReport;
use anyhow::{Context, Result};
use serde::Serialize;

#[derive(Serialize)]
struct Class<'a> {
    version: u32,
    submissions: Vec<Submission<'a>>,
}

#[derive(Serialize)]
struct Submission<'a> {
    name: &'a str,
    path: String,
    /// Exercism: the results.json version this follows.
    version: u32,
    /// Exercism: `pass` when every exercise passes, `fail` otherwise, `error` if grading failed.
    status: &'static str,
    message: Option<&'a str>,
    score: u32,
    max_score: u32,
    notes: &'a [String],
    tests: Vec<Test<'a>>,
}

#[derive(Serialize)]
struct Test<'a> {
    name: &'a str,
    status: &'static str,
    message: Option<String>,
    output: String,
    score: u32,
    max_score: u32,
    notes: &'a [String],
    steps: &'a [StepReport],
}

pub fn report(grades: &[SubmissionGrade]) -> Result<String> {
    let submissions = grades
        .iter()
        .map(|grade| Submission {
            name: &grade.name,
            path: grade.path.display().to_string(),
            version: 3,
            status: match (&grade.error, grade.passed() == grade.exercises.len()) {
                (Some(_), _) => "error",
                (None, true) => "pass",
                (None, false) => "fail",
            },
            message: grade.error.as_deref(),
            score: grade.score(),
            max_score: grade.max_score(),
            notes: &grade.notes,
            tests: grade
                .exercises
                .iter()
                .map(|exercise| Test {
                    name: &exercise.name,
                    status: match &exercise.outcome {
                        Ok(report) if report.passed() => "pass",
                        Ok(_) => "fail",
                        Err(_) => "error",
                    },
                    message: exercise.failure(),
                    output: exercise.details(),
                    score: exercise.points,
                    max_score: exercise.max_points,
                    notes: &exercise.notes,
                    steps: exercise.outcome.as_ref().map_or(&[], |report| report.steps.as_slice()),
                })
                .collect(),
        })
        .collect();
    serde_json::to_string_pretty(&Class { version: 1, submissions })
        .context("failed to encode the grades")
}
