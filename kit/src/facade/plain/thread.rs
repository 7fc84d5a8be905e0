//! Threads that remember where they were spawned and what they are blocked on.

pub use super::live::LiveThreads;
use super::live::{CountedThread, JoinDebt};
use crate::hang;
use crate::raw::Condvar;
use std::cell::RefCell;
use std::panic::Location;
use std::sync::{Arc, Mutex};
pub use std::thread::{Thread, ThreadId, current, yield_now};

/// What the kit knows about one thread it spawned.
struct ThreadRecord {
    spawned_at: &'static Location<'static>,
    state: Mutex<ThreadState>,
    changed: Condvar,
}

#[derive(Default)]
struct ThreadState {
    blocked_on: Option<String>,
    finished: bool,
}

impl ThreadRecord {
    fn update(&self, change: impl FnOnce(&mut ThreadState)) {
        change(&mut crate::raw::lock(&self.state));
        self.changed.notify_all();
    }
}

thread_local! {
    static CURRENT_RECORD: RefCell<Option<Arc<ThreadRecord>>> = const { RefCell::new(None) };
}

/// Where the current thread was spawned, if the kit spawned it.
pub(crate) fn spawned_at() -> Option<&'static Location<'static>> {
    CURRENT_RECORD.with(|record| record.borrow().as_ref().map(|record| record.spawned_at))
}

/// Notes what the current kit thread is blocked on; a thread the kit did not spawn has no note.
pub(crate) fn set_blocked_on(what: Option<String>) {
    CURRENT_RECORD.with(|record| {
        if let Some(record) = &*record.borrow() {
            record.update(|state| state.blocked_on = what);
        }
    });
}

/// Marks the thread finished when its closure returns or unwinds.
struct FinishOnDrop(Arc<ThreadRecord>);

impl Drop for FinishOnDrop {
    fn drop(&mut self) {
        self.0.update(|state| state.finished = true);
    }
}

/// Like [`std::thread::spawn`].
#[track_caller]
pub fn spawn<F, T>(f: F) -> JoinHandle<T>
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    let record = Arc::new(ThreadRecord {
        spawned_at: Location::caller(),
        state: Mutex::new(ThreadState::default()),
        changed: Condvar::new(),
    });
    // Counted from the moment of spawning, so a burst of spawns shows at once in the peak. If
    // the spawn fails, the closure and this count are dropped together.
    let counted = CountedThread::start();
    let debt = counted.join_debt();
    let child_record = Arc::clone(&record);
    let inner = std::thread::spawn(move || {
        let _alive = crate::facade::registry::KitThreadAlive::start();
        let _finished = FinishOnDrop(Arc::clone(&child_record));
        CURRENT_RECORD.with(|current| *current.borrow_mut() = Some(child_record));
        let _counted = counted.adopt();
        f()
    });
    JoinHandle { inner, record, debt }
}

/// Like [`std::thread::JoinHandle`].
pub struct JoinHandle<T> {
    inner: std::thread::JoinHandle<T>,
    record: Arc<ThreadRecord>,
    debt: JoinDebt,
}

impl<T> JoinHandle<T> {
    /// Like [`std::thread::JoinHandle::join`], but a join that would wait forever panics with a
    /// diagnosis once the hang limit has passed.
    #[track_caller]
    pub fn join(self) -> std::thread::Result<T> {
        let site = Location::caller();
        self.wait_for("`join()`", site, "finish", |state| state.finished);
        let joined = self.inner.join();
        self.debt.settle();
        joined
    }

    /// Blocks until the thread is blocked in a kit wait (a `recv`, a `join`, a condvar or
    /// clock wait...) or has finished, and returns what it is blocked on (`None` once it has
    /// finished). Lets a test act only once the code under test has reached a wait, with no
    /// sleep: the ordering is certain, not likely.
    #[track_caller]
    pub fn wait_until_blocked(&self) -> Option<String> {
        let site = Location::caller();
        let state = self.wait_for("`wait_until_blocked()`", site, "block or finish", |state| {
            state.finished || state.blocked_on.is_some()
        });
        if state.finished { None } else { state.blocked_on }
    }

    /// Waits until `reached` holds for the thread's state, or fails with a hang diagnosis.
    #[track_caller]
    fn wait_for(
        &self,
        call: &str,
        site: &Location<'_>,
        goal: &str,
        reached: impl Fn(&ThreadState) -> bool,
    ) -> ThreadState {
        let watch = hang::Watch::start();
        let mut note = None;
        let mut state = crate::raw::lock(&self.record.state);
        while !reached(&state) {
            // Noted only once it really waits (see `Condvar::wait_while`), and without this
            // record's lock held: noting takes the caller's own record's lock, and holding
            // both could deadlock two threads that join each other.
            if note.is_none() {
                drop(state);
                note = Some(hang::note_blocked(|| format!("{call} at {site}")));
                state = crate::raw::lock(&self.record.state);
                continue;
            }
            let (woken, expired) = hang::wait(&self.record.changed, state, &watch);
            state = crate::raw::unpoisoned(woken);
            if expired {
                let doing = match &state.blocked_on {
                    Some(what) => format!("It is blocked in {}.", what.trim_end_matches('.')),
                    None => "It is not blocked in a kit wait: it may be looping, or blocked \
                             in something the kit does not watch."
                        .to_owned(),
                };
                drop(state);
                hang::fail(format!(
                    "{call} at {site} waited {} for the thread spawned at {} to {goal}, and it has not. \
                     {doing}",
                    hang::seconds(watch.limit()),
                    self.record.spawned_at,
                ));
            }
        }
        ThreadState { blocked_on: state.blocked_on.clone(), finished: state.finished }
    }

    /// Like [`std::thread::JoinHandle::thread`].
    pub fn thread(&self) -> &std::thread::Thread {
        self.inner.thread()
    }

    /// Like [`std::thread::JoinHandle::is_finished`].
    pub fn is_finished(&self) -> bool {
        self.inner.is_finished()
    }
}

impl<T> std::fmt::Debug for JoinHandle<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JoinHandle").field("spawned_at", &self.record.spawned_at).finish()
    }
}
