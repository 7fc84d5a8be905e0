//! Waits bounded by the hang limit, with what each is blocked on.

/// Short enough that a stuck test fails quickly, long enough that no working exercise waits this
/// long for anything.
const DEFAULT_LIMIT: Duration = Duration::from_secs(2);

use super::registry::{self, WaitFor};
use crate::raw::{Condvar, MutexGuard};
use std::cell::RefCell;
use std::sync::{LockResult, PoisonError, RwLock};
use std::time::{Duration, Instant};

/// `None` until first read or set; then `Some(limit)`.
static LIMIT: RwLock<Option<Option<Duration>>> = RwLock::new(None);

pub(crate) fn limit() -> Option<Duration> {
    if let Some(limit) = *LIMIT.read().unwrap_or_else(|e| e.into_inner()) {
        return limit;
    }
    let from_env = match std::env::var(crate::hang::LIMIT_ENV) {
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

pub(crate) fn set_limit(limit: Option<Duration>) {
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
        crate::hang::fail(verdict);
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
        crate::hang::fail(verdict);
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
    crate::facade::thread::set_blocked_on(Some(what));
    BlockedNote(())
}

/// Clears the note when the blocking operation ends, however it ends.
pub(crate) struct BlockedNote(());

impl Drop for BlockedNote {
    fn drop(&mut self) {
        NOTE.with(|note| *note.borrow_mut() = None);
        crate::facade::thread::set_blocked_on(None);
    }
}
