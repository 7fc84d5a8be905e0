use crate::info::{Exercise, FailureKind};
use serde::Serialize;
use std::collections::BTreeSet;
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Passed,
    Failed,
    /// Not run, because an earlier step failed.
    Skipped,
}

/// The steps of an exercise, in the order they run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum StepName {
    /// Building the exercise and its tests.
    Compile,
    /// Its plain unit tests, one process each.
    Tests,
    /// Its loom models: building under `--cfg loom`, then one process per model.
    Loom,
}

impl StepName {
    pub fn as_str(self) -> &'static str {
        match self {
            StepName::Compile => "compile",
            StepName::Tests => "tests",
            StepName::Loom => "loom",
        }
    }
}

/// One test's result.
#[derive(Debug, Clone, Serialize)]
pub struct TestReport {
    pub name: String,
    pub status: Status,
    pub failure_kind: Option<FailureKind>,
    pub message: Option<String>,
    #[serde(serialize_with = "milliseconds", rename = "duration_ms")]
    pub duration: Duration,
    /// For a loom model that passed: the schedules it explored.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub loom_iterations: Option<u64>,
    /// For a loom model that failed: how the failing schedule ran, in thread columns.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub loom_trace: Option<String>,
}

/// One step's verdict: the first failure decides it.
#[derive(Debug, Clone, Serialize)]
pub struct StepReport {
    pub name: StepName,
    pub status: Status,
    pub failure_kind: Option<FailureKind>,
    pub message: Option<String>,
    #[serde(serialize_with = "milliseconds", rename = "duration_ms")]
    pub duration: Duration,
    pub tests: Vec<TestReport>,
}

impl StepReport {
    pub fn skipped(name: StepName) -> Self {
        StepReport {
            name,
            status: Status::Skipped,
            failure_kind: None,
            message: None,
            duration: Duration::ZERO,
            tests: Vec::new(),
        }
    }

    pub fn failed(name: StepName, kind: FailureKind, message: String, duration: Duration) -> Self {
        StepReport {
            name,
            status: Status::Failed,
            failure_kind: Some(kind),
            message: Some(message),
            duration,
            tests: Vec::new(),
        }
    }

    /// The verdict of a step that ran `tests`: passed when all passed, else the first failure's.
    pub fn from_tests(name: StepName, tests: Vec<TestReport>, duration: Duration) -> Self {
        let failure = tests.iter().find(|t| t.status == Status::Failed);
        let (status, failure_kind, message) = match failure {
            Some(test) => (
                Status::Failed,
                test.failure_kind,
                Some(format!("{}\n{}", test.name, test.message.as_deref().unwrap_or(""))),
            ),
            None => (Status::Passed, None, None),
        };
        StepReport { name, status, failure_kind, message, duration, tests }
    }
}

/// Every step of one exercise.
#[derive(Debug, Clone, Serialize)]
pub struct ExerciseReport {
    pub name: String,
    pub steps: Vec<StepReport>,
}

impl ExerciseReport {
    /// The report of a run whose compile step failed: the other steps are skipped.
    pub fn after_failed_compile(exercise: &Exercise, mut steps: Vec<StepReport>) -> Self {
        steps.push(StepReport::skipped(StepName::Tests));
        if exercise.loom {
            steps.push(StepReport::skipped(StepName::Loom));
        }
        ExerciseReport { name: exercise.name.clone(), steps }
    }

    pub fn passed(&self) -> bool {
        self.steps.iter().all(|s| s.status == Status::Passed)
    }

    /// Every way it failed: the compile error, or each failing test's kind, over all steps.
    pub fn failure_kinds(&self) -> BTreeSet<FailureKind> {
        let mut kinds = BTreeSet::new();
        for step in &self.steps {
            if step.tests.is_empty() {
                kinds.extend(step.failure_kind);
            }
            kinds.extend(step.tests.iter().filter_map(|t| t.failure_kind));
        }
        kinds
    }
}

fn milliseconds<S: serde::Serializer>(
    duration: &Duration,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.serialize_u64(duration.as_millis() as u64)
}
