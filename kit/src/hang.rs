//! Hang diagnosis.
//!
//! In a plain build every blocking wait in the kit is bounded by [`limit`]. A wait that outlives
//! the bound panics with a message that starts with [`DIAGNOSIS_MARKER`] and says what is blocked
//! and why, so a test that would hang forever fails fast and explains itself. Under loom there is
//! no time: a wait that can never end is reported by loom as a deadlock instead.

use std::fmt::Display;
use std::time::Duration;

/// Every hang diagnosis starts with this, so tools can tell a diagnosed hang from other panics.
pub const DIAGNOSIS_MARKER: &str = "hang detected: ";

/// Heads the kit's list of blocked waits, printed after loom reports a deadlock.
pub const DEADLOCK_HEADER: &str = "kit: every thread is blocked; the waits that can never end:";

/// Begins the trace of a failing loom schedule: its operations in thread columns.
pub const TRACE_BEGIN: &str = "loom: how the failing schedule ran, one operation per row:";

/// Ends that trace.
pub const TRACE_END: &str = "loom: end of the failing schedule";

/// Printed by a loom model that fails, before the number of the schedule that failed.
pub const FAILING_SCHEDULE: &str = "loom: failed on schedule ";

/// Set to `1` by whoever runs a single test alone in a libtest process, as the workbook's runner
/// does. The process's main thread then only waits for that test's result, so every other thread
/// is the test's, and the kit reports a deadlock among them the moment it happens instead of
/// after the bound. Without it, or where the kit cannot see every thread, the bound stays.
pub const SOLE_TEST_ENV: &str = "WORKBOOK_SOLE_TEST";

/// The environment variable that sets the bound, in milliseconds; `0` turns diagnosis off.
pub const LIMIT_ENV: &str = "WORKBOOK_HANG_LIMIT_MS";

/// How long a kit wait may block before it is diagnosed as a hang; `None` when diagnosis is off,
/// and always under loom, which has no time.
pub fn limit() -> Option<Duration> {
    crate::facade::hang::limit()
}

/// Overrides the bound for the whole process, for example in a `main` that legitimately waits
/// longer than tests do. `None` turns diagnosis off. Does nothing under loom.
pub fn set_limit(limit: Option<Duration>) {
    crate::facade::hang::set_limit(limit);
}

/// Formats a duration the way the diagnoses print it: `2s`, `1.5s`, `250ms`.
pub(crate) fn seconds(duration: Duration) -> impl Display {
    let millis = duration.as_millis();
    if millis < 1000 {
        format!("{millis}ms")
    } else if millis.is_multiple_of(1000) {
        format!("{}s", millis / 1000)
    } else {
        format!("{:.1}s", duration.as_secs_f64())
    }
}

/// Panics with a hang diagnosis, reported at the caller's location.
#[track_caller]
pub(crate) fn fail(diagnosis: String) -> ! {
    panic!("{DIAGNOSIS_MARKER}{diagnosis}")
}

pub(crate) use crate::facade::hang::{Watch, note_blocked, wait};
