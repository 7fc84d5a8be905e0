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

/// Short enough that a stuck test fails quickly, long enough that no working exercise waits this
/// long for anything.
#[cfg(not(loom))]
const DEFAULT_LIMIT: Duration = Duration::from_secs(2);

/// How long a kit wait may block before it is diagnosed as a hang; `None` when diagnosis is off,
/// and always under loom, which has no time.
pub fn limit() -> Option<Duration> {
    #[cfg(not(loom))]
    return plain::limit();
    #[cfg(loom)]
    None
}

/// Overrides the bound for the whole process, for example in a `main` that legitimately waits
/// longer than tests do. `None` turns diagnosis off. Does nothing under loom.
pub fn set_limit(limit: Option<Duration>) {
    #[cfg(not(loom))]
    plain::set_limit(limit);
    #[cfg(loom)]
    let _ = limit;
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

#[cfg(not(loom))]
pub(crate) use plain::{Watch, note_blocked, wait};

#[cfg(loom)]
pub(crate) use modelled::{Watch, blocked_waits, clear, note_blocked, wait};

#[cfg(not(loom))]
mod plain {
    use super::DEFAULT_LIMIT;
    use crate::raw::{Condvar, MutexGuard};
    use crate::registry::{self, WaitFor};
    use std::cell::RefCell;
    use std::sync::{LockResult, PoisonError, RwLock};
    use std::time::{Duration, Instant};

    /// `None` until first read or set; then `Some(limit)`.
    static LIMIT: RwLock<Option<Option<Duration>>> = RwLock::new(None);

    pub(super) fn limit() -> Option<Duration> {
        if let Some(limit) = *LIMIT.read().unwrap_or_else(|e| e.into_inner()) {
            return limit;
        }
        let from_env = match std::env::var(super::LIMIT_ENV) {
            Ok(text) => match text.trim().parse::<u64>() {
                Ok(0) => None,
                Ok(millis) => Some(Duration::from_millis(millis)),
                Err(_) => Some(DEFAULT_LIMIT),
            },
            Err(_) => Some(DEFAULT_LIMIT),
        };
        *LIMIT.write().unwrap_or_else(|e| e.into_inner()) = Some(from_env);
        from_env
    }

    pub(super) fn set_limit(limit: Option<Duration>) {
        *LIMIT.write().unwrap_or_else(|e| e.into_inner()) = Some(limit);
    }

    /// The clock of one blocking operation, which may wake and wait again several times.
    pub(crate) struct Watch {
        started: Instant,
        limit: Option<Duration>,
    }

    impl Watch {
        pub(crate) fn start() -> Self {
            Watch { started: Instant::now(), limit: limit() }
        }

        /// The bound this operation runs under; only meaningful once it expired.
        pub(crate) fn limit(&self) -> Duration {
            self.limit.unwrap_or_default()
        }

        /// When the operation's bound passes; `None` when diagnosis is off.
        pub(crate) fn deadline(&self) -> Option<Instant> {
            self.limit.map(|limit| self.started + limit)
        }

        /// Whether the operation has outlived its bound.
        pub(crate) fn expired(&self) -> bool {
            self.limit.is_some_and(|limit| self.started.elapsed() >= limit)
        }
    }

    /// Waits once on `condvar`, registered, for a notification or until it is time to look
    /// again for a deadlock ([`registry::next_look`]). Returns the guard, as std's wait does, and
    /// whether the operation's bound has passed. A wake-up may be spurious: callers re-check
    /// their condition, and so register afresh for each wait. Fails at once with a deadlock
    /// verdict.
    #[track_caller]
    pub(crate) fn wait<'a, T>(
        condvar: &Condvar,
        guard: MutexGuard<'a, T>,
        watch: &Watch,
    ) -> (LockResult<MutexGuard<'a, T>>, bool) {
        let left = match watch.limit {
            None => None,
            Some(limit) => match limit.checked_sub(watch.started.elapsed()) {
                Some(left) if !left.is_zero() => Some(left),
                _ => return (Ok(guard), true),
            },
        };
        let me = std::thread::current().id();
        let what = NOTE.with(|note| note.borrow().clone()).unwrap_or_else(|| "a kit wait".into());
        let wait = WaitFor {
            object: condvar.object(),
            what,
            holders: None,
            timed: false,
            on_its_way: false,
            parker: None,
        };
        let mut registry = registry::lock();
        let entered = registry.enter(wait).and_then(|()| registry.look(me));
        if let Err(verdict) = entered {
            registry.leave(me);
            drop((registry, guard));
            super::fail(verdict);
        }
        drop(registry);
        let woken = match registry::next_look(left) {
            Some(slice) => match condvar.inner.wait_timeout(guard, slice) {
                Ok((guard, _)) => Ok(guard),
                Err(poisoned) => Err(PoisonError::new(poisoned.into_inner().0)),
            },
            None => condvar.inner.wait(guard),
        };
        if let Some(verdict) = registry::lock().leave(me).verdict {
            drop(woken);
            super::fail(verdict);
        }
        (woken, watch.limit.is_some_and(|limit| watch.started.elapsed() >= limit))
    }

    thread_local! {
        /// What the current thread is blocked on, for the registry.
        static NOTE: RefCell<Option<String>> = const { RefCell::new(None) };
    }

    /// Records what the current thread is blocked on: for the registry's deadlock report, and
    /// for `join()` diagnoses and `wait_until_blocked` when it is a kit thread.
    pub(crate) fn note_blocked(what: impl FnOnce() -> String) -> BlockedNote {
        let what = what();
        NOTE.with(|note| *note.borrow_mut() = Some(what.clone()));
        crate::thread::set_blocked_on(Some(what));
        BlockedNote(())
    }

    /// Clears the note when the blocking operation ends, however it ends.
    pub(crate) struct BlockedNote(());

    impl Drop for BlockedNote {
        fn drop(&mut self) {
            NOTE.with(|note| *note.borrow_mut() = None);
            crate::thread::set_blocked_on(None);
        }
    }
}

#[cfg(loom)]
mod modelled {
    use crate::raw::{Condvar, MutexGuard};
    use std::collections::BTreeMap;
    use std::sync::{LockResult, Mutex};
    use std::time::Duration;

    pub(crate) struct Watch;

    impl Watch {
        pub(crate) fn start() -> Self {
            Watch
        }

        pub(crate) fn limit(&self) -> Duration {
            Duration::ZERO
        }

        pub(crate) fn expired(&self) -> bool {
            false
        }
    }

    /// Under loom a wait never expires: loom reports a wait that cannot end as a deadlock.
    #[track_caller]
    pub(crate) fn wait<'a, T>(
        condvar: &Condvar,
        guard: MutexGuard<'a, T>,
        _watch: &Watch,
    ) -> (LockResult<MutexGuard<'a, T>>, bool) {
        (condvar.wait(guard), false)
    }

    /// The kit's waits in progress in the current loom execution, by a unique key. loom runs the
    /// model's threads one at a time on one OS thread, so a plain std mutex is never contended.
    static BLOCKED: Mutex<BTreeMap<u64, String>> = Mutex::new(BTreeMap::new());
    static NEXT_KEY: Mutex<u64> = Mutex::new(0);

    /// Records a wait so that a deadlock report can say what each blocked thread waits for.
    pub(crate) fn note_blocked(what: impl FnOnce() -> String) -> BlockedNote {
        let mut next = NEXT_KEY.lock().unwrap_or_else(|e| e.into_inner());
        let key = *next;
        *next += 1;
        // loom's deadlock report numbers threads as `Id(n)`; the notes use the same numbers.
        let thread = crate::trace::thread_label(crate::trace::current_thread());
        let note = format!("{thread}: {}", what());
        BLOCKED.lock().unwrap_or_else(|e| e.into_inner()).insert(key, note);
        BlockedNote(key)
    }

    pub(crate) struct BlockedNote(u64);

    impl Drop for BlockedNote {
        fn drop(&mut self) {
            BLOCKED.lock().unwrap_or_else(|e| e.into_inner()).remove(&self.0);
        }
    }

    /// What every blocked kit wait is waiting for, one line each.
    pub(crate) fn blocked_waits() -> Vec<String> {
        BLOCKED.lock().unwrap_or_else(|e| e.into_inner()).values().cloned().collect()
    }

    /// Forgets the waits of an execution that ended.
    pub(crate) fn clear() {
        BLOCKED.lock().unwrap_or_else(|e| e.into_inner()).clear();
    }
}
