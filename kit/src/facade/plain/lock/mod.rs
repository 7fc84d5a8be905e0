//! The kit's `Mutex` and `RwLock` (plain build): std's, plus what a lock wait needs to be
//! diagnosed. Each lock knows who holds it and since which line, so locking one that the same
//! thread already holds, or closing a cycle of threads waiting for each other's locks, fails at
//! once with both lines of each thread; and a lock wait takes part in the registry's global
//! deadlock verdict. Waiters never block inside std: they park on the registry and retry.

mod mutex;
mod rwlock;

pub use mutex::{Mutex, MutexGuard};
pub use rwlock::{RwLock, RwLockReadGuard, RwLockWriteGuard};

use crate::facade::registry::{self, Holder, Registry, Site, WaitFor};
use crate::hang;
use std::fmt::Write;
use std::sync::atomic::{AtomicUsize, Ordering, fence};

/// What the kit knows about one lock.
struct LockState {
    kind: &'static str,
    created_at: Site,
    /// Threads between announcing a wait and leaving it: an unlock with none skips the registry.
    waiters: AtomicUsize,
    holders: std::sync::Mutex<Vec<Holder>>,
}

impl LockState {
    fn new(kind: &'static str, created_at: Site) -> Self {
        LockState { kind, created_at, waiters: AtomicUsize::new(0), holders: Default::default() }
    }

    fn object(&self) -> usize {
        self as *const Self as usize
    }

    fn holders(&self) -> Vec<Holder> {
        crate::raw::lock(&self.holders).clone()
    }

    /// Fails at once if the current thread already holds the lock in a way that makes `call`
    /// wait for itself: any hold, for an exclusive `call`; a write hold, for a read.
    #[track_caller]
    fn refuse_self_deadlock(&self, call: &str, site: Site, exclusive: bool) {
        let me = std::thread::current().id();
        let held = self
            .holders()
            .into_iter()
            .find(|held| held.thread == me && (exclusive || held.exclusive));
        if let Some(held) = held {
            hang::fail(format!(
                "deadlock: {call} at {site} waits for the {} created at {}, which this same thread \
                 already holds, since {}: it would wait forever. Let the guard taken at {} go \
                 (drop it, or end its scope) before locking again; a function called with the \
                 lock held can take the locked data as an argument instead of locking it again.",
                self.kind, self.created_at, held.since, held.since
            ));
        }
    }

    fn acquired(&self, since: Site, exclusive: bool) {
        crate::raw::lock(&self.holders).push(Holder::current(since, exclusive));
    }

    /// Forgets the current thread's most recent hold; the caller then unlocks.
    fn released(&self) {
        let me = std::thread::current().id();
        let mut holders = crate::raw::lock(&self.holders);
        if let Some(index) = holders.iter().rposition(|held| held.thread == me) {
            holders.remove(index);
        }
    }

    /// Ends the waits on this lock, once it was unlocked. The fences pair with the waiter's in
    /// [`wait_until`](Self::wait_until): either the waiter's retry sees the lock free, or this
    /// sees the waiter and wakes it.
    fn wake_waiters(&self) {
        fence(Ordering::SeqCst);
        if self.waiters.load(Ordering::SeqCst) > 0 {
            registry::lock().wake(self.object(), true);
        }
    }

    /// [`wake_waiters`](Self::wake_waiters) with the registry already locked.
    fn wake_waiters_in(&self, registry: &mut Registry) {
        fence(Ordering::SeqCst);
        if self.waiters.load(Ordering::SeqCst) > 0 {
            registry.wake(self.object(), true);
        }
    }

    /// Waits until `try_acquire` succeeds, registered as a lock wait.
    #[track_caller]
    fn wait_until<G>(
        &self,
        call: &str,
        site: Site,
        mut try_acquire: impl FnMut() -> Option<G>,
    ) -> G {
        let watch = hang::Watch::start();
        let _note = hang::note_blocked(|| {
            format!("{call} at {site}, for the {} created at {}", self.kind, self.created_at)
        });
        let parker = registry::parker();
        let me = std::thread::current().id();
        loop {
            let mut registry = registry::lock();
            self.waiters.fetch_add(1, Ordering::SeqCst);
            fence(Ordering::SeqCst);
            if let Some(acquired) = try_acquire() {
                self.waiters.fetch_sub(1, Ordering::SeqCst);
                return acquired;
            }
            let holders = self.holders();
            let wait = WaitFor {
                object: self.object(),
                what: format!("{call} at {site}, for {}", self.held_by(&holders)),
                holders: Some(holders),
                timed: false,
                on_its_way: false,
                parker: Some(parker.clone()),
            };
            let verdict = match registry.enter(wait) {
                Err(verdict) => Some(verdict),
                Ok(()) => {
                    registry = Registry::park(registry, &parker, watch.deadline());
                    registry.leave(me).verdict
                }
            };
            self.waiters.fetch_sub(1, Ordering::SeqCst);
            drop(registry);
            if let Some(verdict) = verdict {
                hang::fail(verdict);
            }
            if watch.expired() {
                hang::fail(format!(
                    "{call} at {site} waited {} for {}.",
                    hang::seconds(watch.limit()),
                    self.held_by(&self.holders())
                ));
            }
        }
    }

    /// "the Mutex created at ..., which the thread spawned at ... holds since ...".
    fn held_by(&self, holders: &[Holder]) -> String {
        let mut text = format!("the {} created at {}, which ", self.kind, self.created_at);
        if holders.is_empty() {
            text.push_str("another thread holds");
        }
        for (index, held) in holders.iter().enumerate() {
            let joint = if index == 0 { "" } else { ", and " };
            let how = if held.exclusive || self.kind == "Mutex" { "" } else { " (to read)" };
            let _ = write!(text, "{joint}{} holds{how} since {}", held.who(), held.since);
        }
        text
    }
}
