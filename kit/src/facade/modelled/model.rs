//! Running a loom model with the preemption bound pinned in code, so every run of a test explores
//! the same schedules whatever the environment says.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Once};
use std::time::Instant;

/// The bound every model uses unless it asks for more: enough to find the bugs of this workbook,
/// small enough that a model of main plus three threads checks in under a second.
pub const DEFAULT_PREEMPTION_BOUND: usize = 2;

/// Checks `model` under every schedule loom explores at the default preemption bound.
#[track_caller]
pub fn check<F>(model: F)
where
    F: Fn() + Sync + Send + 'static,
{
    Model::new().check(model)
}

/// A loom model run with settings fixed in code.
#[derive(Debug, Clone)]
pub struct Model {
    preemption_bound: usize,
}

impl Default for Model {
    fn default() -> Self {
        Self::new()
    }
}

impl Model {
    /// The default settings.
    pub fn new() -> Self {
        Model { preemption_bound: DEFAULT_PREEMPTION_BOUND }
    }

    /// Explores schedules with up to `bound` preemptions (loom's `preemption_bound`).
    pub fn preemption_bound(mut self, bound: usize) -> Self {
        self.preemption_bound = bound;
        self
    }

    /// Runs the model; panics (or aborts, for a deadlock) on the first failing schedule, and
    /// prints how many schedules it explored when all pass.
    pub fn check<F>(self, model: F)
    where
        F: Fn() + Sync + Send + 'static,
    {
        let mut builder = loom::model::Builder::new();
        builder.preemption_bound = Some(self.preemption_bound);
        // Source locations in loom's reports, whatever LOOM_LOCATION says.
        builder.location = true;
        let iterations = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&iterations);
        let started = Instant::now();
        explain_failures();
        builder.check(move || {
            SCHEDULE.store(counter.fetch_add(1, Ordering::Relaxed) + 1, Ordering::Relaxed);
            super::hang::clear();
            crate::trace::begin();
            model()
        });
        println!(
            "loom: {} iterations in {:.3}s at preemption bound {}",
            iterations.load(Ordering::Relaxed),
            started.elapsed().as_secs_f64(),
            self.preemption_bound
        );
    }
}

/// The schedule being explored, counted from 1, for failure reports.
static SCHEDULE: AtomicUsize = AtomicUsize::new(0);

/// Follows loom's failure reports with the schedule that failed, and a deadlock's with what each
/// blocked kit wait was waiting for: loom alone names only a location, often inside the kit.
fn explain_failures() {
    static INSTALLED: Once = Once::new();
    INSTALLED.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            previous(info);
            // Only the first panic of a failing schedule: loom's own follow-up panics repeat it.
            let schedule = SCHEDULE.swap(0, Ordering::Relaxed);
            if schedule > 0 {
                eprintln!("{}{schedule}", crate::hang::FAILING_SCHEDULE);
            }
            let message = info
                .payload()
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| info.payload().downcast_ref::<&str>().copied())
                .unwrap_or("");
            // loom fails this assertion with its state half updated: reading it again (for the
            // trace) would panic inside this hook and abort the process unexplained.
            if message.contains(LOOM_THREAD_LIMIT) {
                return;
            }
            let deadlock = message.starts_with(LOOM_DEADLOCK);
            let failure = if deadlock {
                let waits = super::hang::blocked_waits();
                super::hang::trace_blocked_locks();
                if !waits.is_empty() {
                    eprintln!("{}", crate::hang::DEADLOCK_HEADER);
                    for wait in &waits {
                        eprintln!("  - {}", wait.replace('\n', "\n    "));
                    }
                }
                deadlock_failure(&waits)
            } else {
                let at = info.location().map(|at| format!(" at {}:{}", at.file(), at.line()));
                format!("panicked{}: {message}", at.unwrap_or_default())
            };
            if schedule > 0 {
                eprintln!("{}", crate::hang::TRACE_BEGIN);
                eprint!("{}", crate::trace::failed(&failure, deadlock));
                eprintln!("{}", crate::hang::TRACE_END);
            }
        }));
    });
}

/// The end of a deadlocked schedule's trace: what each thread waits for, and holds.
fn deadlock_failure(waits: &[String]) -> String {
    let mut text = "deadlock: every thread is blocked".to_owned();
    for line in waits.iter().chain(&crate::trace::holdings()) {
        text.push_str("\n- ");
        text.push_str(line);
    }
    text
}

/// How loom's deadlock panic starts.
const LOOM_DEADLOCK: &str = "deadlock; threads";

/// The assertion loom fails when a model starts more threads than it can track.
const LOOM_THREAD_LIMIT: &str = "self.threads.len() < self.max()";
