//! The tests step: list an executable's tests and run each in a process of its own.

use super::build::BuildMode;
use super::test_process::{Listing, TestHost, list_tests, run_test};
use super::verdict::{TRACE_HEADING, judge};
use super::{Limits, Status, StepName, StepReport, TestReport};
use crate::info::FailureKind;
use crate::process::{Cancel, Outcome, finished};
use anyhow::Result;
use std::path::Path;
use std::time::{Duration, Instant};

/// Where and how one step's tests run.
pub struct TestPlace<'a> {
    pub executable: &'a Path,
    pub mode: BuildMode,
    pub limits: &'a Limits,
    pub host: TestHost<'a>,
    /// Tests run at once.
    pub jobs: usize,
    /// When the step started (its build included).
    pub started: Instant,
}

/// Writes a failing loom schedule's whole trace to a file beside the test logs, and names the
/// file in the trace's heading: a screen that shows only the message's first lines still says
/// where the rest is.
fn keep_trace(report: &mut TestReport, place: &TestPlace<'_>) {
    let (Some(trace), Some(message)) = (&report.loom_trace, &mut report.message) else {
        return;
    };
    let stem = place.executable.file_stem().and_then(|stem| stem.to_str()).unwrap_or("loom");
    // A test build's name ends in `-<hash>`: the exercise's name is before it.
    let exercise = stem.rsplit_once('-').map_or(stem, |(name, _)| name);
    let test = report.name.replace("::", ".");
    let file = place.host.scratch.join(format!("{exercise}.{test}.trace.txt"));
    if std::fs::write(&file, format!("{trace}\n")).is_err() {
        return;
    }
    let shown = file.strip_prefix(place.host.work_dir).unwrap_or(&file);
    let heading = format!("{TRACE_HEADING} (all of it in {}):", shown.display());
    *message = message.replacen(&format!("{TRACE_HEADING}:"), &heading, 1);
}

/// Lists the executable's tests and runs them, `jobs` at a time. With `expected`, runs exactly
/// those (the instructor's), and a test missing from the executable fails.
pub fn run_tests(
    place: &TestPlace<'_>,
    expected: Option<&[String]>,
    cancel: &Cancel,
) -> Result<Outcome<StepReport>> {
    let step = match place.mode {
        BuildMode::Plain => StepName::Tests,
        BuildMode::Loom => StepName::Loom,
    };
    let listed = match finished!(list_tests(place.executable, place.limits, cancel, &place.host)?) {
        Listing::Tests(names) => names,
        Listing::Failed(listing) => {
            let message = format!("could not list the tests:\n{}", listing.output.trim_end());
            let elapsed = place.started.elapsed();
            let failed = StepReport::failed(step, FailureKind::Crash, message, elapsed);
            return Ok(Outcome::Finished(failed));
        }
    };
    let (names, missing) = match expected {
        None => (listed, Vec::new()),
        Some(expected) => expected.iter().cloned().partition(|name| listed.contains(name)),
    };
    if names.is_empty() && missing.is_empty() {
        let module = match place.mode {
            BuildMode::Plain => "a `tests` module under #[cfg(all(test, not(loom)))]",
            BuildMode::Loom => "a `loom` module under #[cfg(all(test, loom))]",
        };
        let message = format!("no tests found: the exercise needs {module}");
        let elapsed = place.started.elapsed();
        return Ok(Outcome::Finished(StepReport::failed(
            step,
            FailureKind::Crash,
            message,
            elapsed,
        )));
    }
    let judged = crate::bounded_pool::map(names.len(), place.jobs, |index| {
        let run = run_test(place.executable, &names[index], place.limits, cancel, &place.host)?;
        Ok(run.map(|run| {
            let mut report = judge(&names[index], &run, place.mode, place.limits);
            keep_trace(&mut report, place);
            report
        }))
    })?;
    let mut tests = Vec::with_capacity(judged.len());
    for test in judged {
        tests.push(finished!(test));
    }
    tests.extend(missing.into_iter().map(|name| TestReport {
        message: Some(format!(
            "the test `{name}` is not in the build: something in the file hides or replaces it"
        )),
        name,
        status: Status::Failed,
        failure_kind: Some(FailureKind::Test),
        duration: Duration::ZERO,
        loom_iterations: None,
        loom_trace: None,
    }));
    Ok(Outcome::Finished(StepReport::from_tests(step, tests, place.started.elapsed())))
}
