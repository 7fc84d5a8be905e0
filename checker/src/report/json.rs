//! `workbook check --json`.

use crate::info::{FailureKind, Source, Workbook};
use crate::run::{ExerciseReport, StepReport};
use anyhow::{Context, Result};
use serde::Serialize;
use std::collections::BTreeSet;

/// Bumped when a field changes meaning or goes away; new fields do not bump it.
const REPORT_VERSION: u32 = 1;

#[derive(Serialize)]
struct CheckReport<'a> {
    version: u32,
    source: &'static str,
    summary: Summary,
    exercises: Vec<ExerciseEntry<'a>>,
}

#[derive(Serialize)]
struct Summary {
    exercises: usize,
    passed: usize,
    failed: usize,
    points_earned: u32,
    points_possible: u32,
}

#[derive(Serialize)]
struct ExerciseEntry<'a> {
    name: &'a str,
    path: String,
    status: &'static str,
    points_earned: u32,
    points_possible: u32,
    /// Every way it failed, over all steps.
    failure_kinds: BTreeSet<FailureKind>,
    steps: &'a [StepReport],
}

/// The learner's report: verdicts only. What each stub's planted bug is and how it is declared
/// to fail would give the exercises away; `dev check` reports those.
pub fn check_report(
    workbook: &Workbook,
    source: Source,
    reports: &[ExerciseReport],
) -> Result<String> {
    let mut entries = Vec::with_capacity(reports.len());
    for (exercise, report) in workbook.exercises.iter().zip(reports) {
        let passed = report.passed();
        let kinds = report.failure_kinds();
        entries.push(ExerciseEntry {
            name: &exercise.name,
            path: exercise.path(source).display().to_string(),
            status: if passed { "passed" } else { "failed" },
            points_earned: if passed { exercise.points } else { 0 },
            points_possible: exercise.points,
            failure_kinds: kinds,
            steps: &report.steps,
        });
    }
    let passed = entries.iter().filter(|e| e.status == "passed").count();
    let summary = Summary {
        exercises: entries.len(),
        passed,
        failed: entries.len() - passed,
        points_earned: entries.iter().map(|e| e.points_earned).sum(),
        points_possible: entries.iter().map(|e| e.points_possible).sum(),
    };
    let report =
        CheckReport { version: REPORT_VERSION, source: source.dir(), summary, exercises: entries };
    serde_json::to_string_pretty(&report).context("failed to encode the report")
}
