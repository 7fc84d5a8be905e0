//! Under loom there is no time: a wait that can never end is loom's deadlock, and the kit only
//! keeps what each thread waits on, to say so.

use crate::raw::{Condvar, MutexGuard};
use crate::trace::{self, Site};
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

/// A wait in progress: what the thread waits for and, for a lock, the lock's address, whose
/// holder is looked up only when the report is written. A holder looked up as the wait begins
/// can be stale: loom may let another thread take the lock before this one blocks on it.
struct Blocked {
    what: String,
    lock: Option<LockWait>,
}

/// A wait to take a lock: the lock, and the thread, call and line it blocks at.
struct LockWait {
    object: usize,
    thread: usize,
    site: Site,
    call: &'static str,
}

/// The lock a wait is for, and the call and line it blocks at: its thread is the one noting it.
type LockCall = (usize, &'static str, Site);

/// The kit's waits in progress in the current loom execution, by a unique key. loom runs the
/// model's threads one at a time on one OS thread, so a plain std mutex is never contended.
static BLOCKED: Mutex<BTreeMap<u64, Blocked>> = Mutex::new(BTreeMap::new());
static NEXT_KEY: Mutex<u64> = Mutex::new(0);

/// Records a wait so that a deadlock report can say what each blocked thread waits for.
pub(crate) fn note_blocked(what: impl FnOnce() -> String) -> BlockedNote {
    note(what, None)
}

/// Records a wait of `call` at `site` to take the lock at `object`; the report adds who holds it,
/// and since when, and the trace shows the call in the thread's column.
pub(crate) fn note_blocked_on_lock(
    object: usize,
    call: &'static str,
    site: Site,
    what: impl FnOnce() -> String,
) -> BlockedNote {
    note(what, Some((object, call, site)))
}

fn note(what: impl FnOnce() -> String, lock: Option<LockCall>) -> BlockedNote {
    let mut next = NEXT_KEY.lock().unwrap_or_else(|e| e.into_inner());
    let key = *next;
    *next += 1;
    // loom's deadlock report numbers threads as `Id(n)`; the notes use the same numbers.
    let thread = trace::current_thread();
    let what = format!("{}: {}", trace::thread_label(thread), what());
    let lock = lock.map(|(object, call, site)| LockWait { object, thread, site, call });
    BLOCKED.lock().unwrap_or_else(|e| e.into_inner()).insert(key, Blocked { what, lock });
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
    let blocked = BLOCKED.lock().unwrap_or_else(|e| e.into_inner());
    let line = |wait: &Blocked| match wait.lock.as_ref().and_then(|l| trace::holder_of(l.object)) {
        Some(holder) => format!("{}, which {holder}", wait.what),
        None => wait.what.clone(),
    };
    blocked.values().map(line).collect()
}

/// Adds each lock wait in progress to the trace, as the last row of its thread: the call it
/// blocked in, which the trace otherwise shows only once it returns.
pub(crate) fn trace_blocked_locks() {
    let blocked = BLOCKED.lock().unwrap_or_else(|e| e.into_inner());
    for wait in blocked.values().filter_map(|wait| wait.lock.as_ref()) {
        trace::record_as(wait.thread, wait.site, format!("{} (blocked)", wait.call));
    }
}

/// Forgets the waits of an execution that ended.
pub(crate) fn clear() {
    BLOCKED.lock().unwrap_or_else(|e| e.into_inner()).clear();
}

/// No bound under loom: it has no time.
pub(crate) fn limit() -> Option<Duration> {
    None
}

/// Nothing to set under loom.
pub(crate) fn set_limit(_limit: Option<Duration>) {}
