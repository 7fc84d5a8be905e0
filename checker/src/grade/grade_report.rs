use crate::run::ExerciseReport;
use std::path::PathBuf;
use std::time::Duration;

/// Why an exercise was not run.
#[derive(Debug, Clone)]
pub enum Unrunnable {
    /// The submission has no such file.
    Missing,
    /// The file cannot be graded: a symlink out of the submission, not text, too large.
    Rejected(String),
    /// The submission's time budget ran out before this exercise's turn.
    OverBudget(Duration),
    /// The file does what could forge its own result; the instructor should look at it.
    HeldForReview(Vec<String>),
}

impl Unrunnable {
    pub fn describe(&self) -> String {
        match self {
            Unrunnable::Missing => "the file is missing".to_owned(),
            Unrunnable::Rejected(why) => why.clone(),
            Unrunnable::OverBudget(budget) => format!(
                "not run: the submission's time budget of {}s ran out before its turn",
                budget.as_secs()
            ),
            Unrunnable::HeldForReview(why) => format!(
                "held for review, not run: beyond what the exercise's own code does, it uses {}; \
                 a test's verdict could be forged this way",
                why.join("; ")
            ),
        }
    }
}

/// One exercise of one submission.
#[derive(Debug, Clone)]
pub struct ExerciseGrade {
    pub name: String,
    pub points: u32,
    pub max_points: u32,
    /// What the grader noticed, such as edited tests.
    pub notes: Vec<String>,
    pub outcome: Result<ExerciseReport, Unrunnable>,
}

impl ExerciseGrade {
    pub fn passed(&self) -> bool {
        self.outcome.as_ref().is_ok_and(ExerciseReport::passed)
    }

    /// One line on why it did not pass, or `None` when it did.
    pub fn failure(&self) -> Option<String> {
        match &self.outcome {
            Err(why) => Some(why.describe()),
            Ok(report) if report.passed() => None,
            Ok(report) => {
                let step = report.steps.iter().find(|s| s.failure_kind.is_some())?;
                let kind = step.failure_kind.map_or("failed", |k| k.describe());
                Some(format!("{} step: {kind}", step.name.as_str()))
            }
        }
    }

    /// The full explanation: the failing step's message.
    pub fn details(&self) -> String {
        match &self.outcome {
            Ok(report) => report
                .steps
                .iter()
                .filter_map(|s| s.message.as_deref())
                .collect::<Vec<_>>()
                .join("\n\n"),
            Err(_) => self.failure().unwrap_or_default(),
        }
    }
}

/// One submission's grade.
#[derive(Debug, Clone)]
pub struct SubmissionGrade {
    /// A name for the submission: its folder's name.
    pub name: String,
    pub path: PathBuf,
    pub exercises: Vec<ExerciseGrade>,
    /// Whole-submission notes, such as symlinks pointing out of it.
    pub notes: Vec<String>,
    /// Grading itself failed (not the learner's code): the submission scores 0.
    pub error: Option<String>,
}

impl SubmissionGrade {
    pub fn score(&self) -> u32 {
        self.exercises.iter().map(|e| e.points).sum()
    }

    pub fn max_score(&self) -> u32 {
        self.exercises.iter().map(|e| e.max_points).sum()
    }

    pub fn passed(&self) -> usize {
        self.exercises.iter().filter(|e| e.passed()).count()
    }
}
