//! One test process's verdict, from its exit status and its output together: the output alone
//! is never trusted to say a test passed.

use super::build::BuildMode;
use super::loom_report;
use super::test_output::{Panic, panics, summary};
use super::test_process::TestRun;
use super::{Limits, Status, TestReport};
use crate::info::FailureKind;
use crate::process::Exit;
use kit::hang::DIAGNOSIS_MARKER;

/// Heads the trace of a failing loom schedule in a test's message.
pub const TRACE_HEADING: &str = "How that schedule ran";

/// The signal a process gets for writing past its file size limit: here, its output limit.
const SIGXFSZ: i32 = rustix::process::Signal::XFSZ.as_raw();

pub fn judge(name: &str, run: &TestRun, mode: BuildMode, limits: &Limits) -> TestReport {
    let (status, failure) = match verdict(name, run, mode, limits) {
        Verdict::Passed => (Status::Passed, None),
        Verdict::Failed(kind, message) => (Status::Failed, Some((kind, message))),
    };
    let loom_iterations = match (status, mode) {
        (Status::Passed, BuildMode::Loom) => super::test_output::loom_iterations(&run.output),
        _ => None,
    };
    let loom_trace = match (status, mode) {
        (Status::Failed, BuildMode::Loom) => super::test_output::loom_trace(&run.output),
        _ => None,
    };
    TestReport {
        name: name.to_owned(),
        status,
        failure_kind: failure.as_ref().map(|(kind, _)| *kind),
        message: failure.map(|(_, message)| message),
        duration: run.duration,
        loom_iterations,
        loom_trace,
    }
}

enum Verdict {
    Passed,
    Failed(FailureKind, String),
}

fn verdict(name: &str, run: &TestRun, mode: BuildMode, limits: &Limits) -> Verdict {
    let found = panics(&run.output);
    let hang = found.iter().find(|p| p.message.starts_with(DIAGNOSIS_MARKER));
    let status = match &run.exit {
        Exit::TimedOut => {
            if let Some(hang) = hang {
                return Verdict::Failed(FailureKind::Hang, hang_message(hang));
            }
            let why = match mode {
                BuildMode::Plain => {
                    "It was not blocked in a wait the kit can diagnose: look for a loop that never \
                     ends, a lock that is never released, or a std wait instead of the kit's."
                }
                BuildMode::Loom => {
                    "loom had not finished exploring: the model may have too many threads or \
                     operations, or a loop that never ends."
                }
            };
            let seconds = limits.test_time.as_secs_f64();
            return Verdict::Failed(
                FailureKind::Timeout,
                format!("still running after {seconds}s, so it was stopped. {why}"),
            );
        }
        Exit::Finished(status) => status,
    };
    if run.exit.signal() == Some(SIGXFSZ) {
        let mib = limits.output_bytes / (1 << 20);
        return Verdict::Failed(
            FailureKind::OutputLimit,
            format!("printed more than {mib} MiB of output, so it was stopped."),
        );
    }
    if status.success() {
        let recorded = run.recorded.lines().any(|line| line.strip_prefix("ok ") == Some(name));
        return match (summary(&run.output), recorded) {
            (Some((1, 0)), true) => Verdict::Passed,
            (Some(_), false) => Verdict::Failed(
                FailureKind::Crash,
                "the test process exited before the test harness recorded a result: does the \
                 code call std::process::exit?"
                    .to_owned(),
            ),
            _ => Verdict::Failed(
                FailureKind::Crash,
                "the test executable exited successfully but did not report the test as passed"
                    .to_owned(),
            ),
        };
    }
    if let Some(hang) = hang {
        return Verdict::Failed(FailureKind::Hang, hang_message(hang));
    }
    if mode == BuildMode::Loom
        && let Some((kind, message)) = loom_failure(&run.output, &found)
    {
        let message = match super::test_output::failing_schedule(&run.output) {
            Some(schedule) => format!("{message}\n(loom found it on schedule {schedule})"),
            None => message,
        };
        let message = match super::test_output::loom_trace(&run.output) {
            Some(trace) => format!("{message}\n{TRACE_HEADING}:\n{trace}"),
            None => message,
        };
        return Verdict::Failed(kind, message);
    }
    if run.output.contains("failed to spawn thread") || run.output.contains("memory allocation of")
    {
        let gib = limits.memory_bytes as f64 / (1u64 << 30) as f64;
        return Verdict::Failed(
            FailureKind::Crash,
            format!(
                "ran out of memory or threads (the limit is {gib} GiB): is it starting a thread \
                 per job, or keeping an unbounded backlog?\n{}",
                user_panics(&found)
            )
            .trim_end()
            .to_owned(),
        );
    }
    let panicked = user_panics(&found);
    if !panicked.is_empty() {
        return Verdict::Failed(FailureKind::Test, panicked);
    }
    let how = match run.exit.signal() {
        Some(signal) => format!("was killed by signal {signal}"),
        None => format!("exited with {status}"),
    };
    let tail: Vec<&str> = run.output.lines().rev().take(20).collect();
    let tail: Vec<&str> = tail.into_iter().rev().collect();
    Verdict::Failed(FailureKind::Crash, format!("the test process {how}.\n{}", tail.join("\n")))
}

fn hang_message(hang: &Panic) -> String {
    hang.message.strip_prefix(DIAGNOSIS_MARKER).unwrap_or(&hang.message).to_owned()
}

fn loom_failure(output: &str, found: &[Panic]) -> Option<(FailureKind, String)> {
    if found.iter().any(loom_report::is_deadlock) {
        // The trace ends with what each thread waits for and holds.
        let report = match super::test_output::loom_trace(output) {
            Some(_) => loom_report::DEADLOCK_HEADLINE.to_owned(),
            None => loom_report::deadlock(output),
        };
        return Some((FailureKind::LoomDeadlock, report));
    }
    if let Some(race) = found.iter().find(|p| p.message.contains("Causality violation")) {
        return Some((FailureKind::LoomRace, format!("loom found a data race.\n{}", race.message)));
    }
    if let Some(leak) = found.iter().find(|p| p.message.contains(" leaked.")) {
        return Some((FailureKind::LoomLeak, format!("loom found a leak.\n{}", leak.message)));
    }
    // Before the learner's panics: wherever loom's own assertion is reported from.
    if found.iter().any(|p| p.message.contains(LOOM_THREAD_LIMIT)) {
        return Some((FailureKind::LoomAssert, TOO_MANY_THREADS.to_owned()));
    }
    if let Some(failed) = found.iter().find(|p| !p.is_internal()) {
        return Some((
            FailureKind::LoomAssert,
            format!("loom found a schedule in which this fails:\n{}", failed.render()),
        ));
    }
    let branches = "Model exceeded maximum number of branches";
    if let Some(spin) = found.iter().find(|p| p.message.contains(branches)) {
        return Some((
            FailureKind::LoomAssert,
            format!(
                "{}\nA loop that waits by spinning needs `kit::thread::yield_now()`.",
                spin.message
            ),
        ));
    }
    None
}

/// The assertion loom fails when a model starts more threads than it can track.
const LOOM_THREAD_LIMIT: &str = "self.threads.len() < self.max()";

const TOO_MANY_THREADS: &str = "loom stopped the model: the code started more threads than a \
     model can hold (5, main included). The model starts few enough itself: the others were \
     started by the code under test, as when a thread is spawned for each request or each item \
     instead of handing the work to threads that already run.";

/// The panics worth showing: a learner's, not the follow-up ones from inside std or loom.
fn user_panics(found: &[Panic]) -> String {
    found.iter().filter(|p| !p.is_internal()).map(Panic::render).collect::<Vec<_>>().join("\n\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::process::ExitStatusExt;
    use std::process::ExitStatus;
    use std::time::Duration;

    fn run(code: i32, output: &str, recorded: &str) -> TestRun {
        TestRun {
            exit: Exit::Finished(ExitStatus::from_raw(code << 8)),
            output: output.to_owned(),
            recorded: recorded.to_owned(),
            duration: Duration::ZERO,
        }
    }

    const PASSED: &str =
        "running 1 test\ntest tests::a ... ok\n\ntest result: ok. 1 passed; 0 failed; 0 ignored\n";

    #[test]
    fn a_pass_needs_the_exit_code_the_summary_and_the_harness_record() {
        let limits = Limits::default();
        let judged = judge("tests::a", &run(0, PASSED, "ok tests::a\n"), BuildMode::Plain, &limits);
        assert_eq!(judged.status, Status::Passed);
        let spoofed = judge("tests::a", &run(0, PASSED, ""), BuildMode::Plain, &limits);
        assert_eq!(
            (spoofed.status, spoofed.failure_kind),
            (Status::Failed, Some(FailureKind::Crash))
        );
        assert!(spoofed.message.unwrap().contains("process::exit"));
        let failed_exit =
            judge("tests::a", &run(101, PASSED, "ok tests::a\n"), BuildMode::Plain, &limits);
        assert_eq!(failed_exit.status, Status::Failed, "a summary never outweighs the exit code");
    }

    #[test]
    fn a_kit_diagnosis_makes_a_hang_and_an_assertion_a_test_failure() {
        let limits = Limits::default();
        let hang = "thread 'tests::a' (1) panicked at a.rs:1:1:\nhang detected: `recv()` at a.rs:3:1 waited 2s\n";
        let judged =
            judge("tests::a", &run(101, hang, "failed tests::a\n"), BuildMode::Plain, &limits);
        assert_eq!(judged.failure_kind, Some(FailureKind::Hang));
        assert_eq!(judged.message.as_deref(), Some("`recv()` at a.rs:3:1 waited 2s"));
        let deadlock = "thread 'tests::a' (1) panicked at kit/src/hang.rs:1:1:\nhang detected: \
                        deadlock: every thread is blocked, each in a wait that only another of \
                        them could end:\n  - the thread `tests::a` waits in `recv()` at a.rs:3:1\n";
        let judged =
            judge("tests::a", &run(101, deadlock, "failed tests::a\n"), BuildMode::Plain, &limits);
        assert_eq!(
            judged.failure_kind,
            Some(FailureKind::Hang),
            "a deadlock is a hang, found early"
        );
        assert!(judged.message.unwrap().starts_with("deadlock: every thread is blocked"));
        let assertion = "thread 'tests::a' (1) panicked at a.rs:1:1:\nassertion failed: ok\n";
        let judged =
            judge("tests::a", &run(101, assertion, "failed tests::a\n"), BuildMode::Plain, &limits);
        assert_eq!(judged.failure_kind, Some(FailureKind::Test));
    }

    #[test]
    fn a_model_out_of_threads_is_the_code_starting_too_many() {
        let output = "thread 'loom::a' (1) panicked at /home/u/.cargo/registry/src/x/loom-0.7.3/\
                      src/rt/thread.rs:215:9:\nassertion failed: self.threads.len() < self.max()\n";
        let judged = judge("loom::a", &run(101, output, ""), BuildMode::Loom, &Limits::default());
        assert_eq!(judged.failure_kind, Some(FailureKind::LoomAssert));
        assert!(judged.message.unwrap().contains("a thread is spawned for each request"));
    }
}
