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
    /// For stubs: how many failed exactly as `info.toml` declares.
    #[serde(skip_serializing_if = "Option::is_none")]
    failed_as_declared: Option<usize>,
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
    /// For stubs: what `info.toml` declares, and whether the run matched it.
    #[serde(skip_serializing_if = "Option::is_none")]
    fails_with: Option<&'a [FailureKind]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    failed_as_declared: Option<bool>,
    /// For stubs: the planted bug, for instructors.
    #[serde(skip_serializing_if = "Option::is_none")]
    bug: Option<&'a str>,
    steps: &'a [StepReport],
}

pub fn check_report(
    workbook: &Workbook,
    source: Source,
    reports: &[ExerciseReport],
) -> Result<String> {
    let stubs = source == Source::Exercises;
    let mut entries = Vec::with_capacity(reports.len());
    for (exercise, report) in workbook.exercises.iter().zip(reports) {
        let passed = report.passed();
        let kinds = report.failure_kinds();
        let as_declared = kinds.iter().copied().eq(exercise.fails_with.iter().copied());
        entries.push(ExerciseEntry {
            name: &exercise.name,
            path: exercise.path(source).display().to_string(),
            status: if passed { "passed" } else { "failed" },
            points_earned: if passed { exercise.points } else { 0 },
            points_possible: exercise.points,
            failure_kinds: kinds,
            fails_with: stubs.then_some(exercise.fails_with.as_slice()),
            failed_as_declared: stubs.then_some(as_declared),
            bug: stubs.then_some(exercise.bug.as_str()),
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
        failed_as_declared: stubs
            .then(|| entries.iter().filter(|e| e.failed_as_declared == Some(true)).count()),
    };
    let report =
        CheckReport { version: REPORT_VERSION, source: source.dir(), summary, exercises: entries };
    serde_json::to_string_pretty(&report).context("failed to encode the report")
}
