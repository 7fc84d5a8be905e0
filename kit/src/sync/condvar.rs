use crate::hang;
use crate::raw;
use crate::sync::{LockResult, MutexGuard, PoisonError, WaitTimeoutResult};
use std::panic::Location;
use std::time::Duration;

/// Like [`std::sync::Condvar`]. In a plain build a wait that gets no notification within the hang
/// limit panics with a diagnosis; under loom, `wait_while` is provided on top of loom's `wait`.
#[derive(Debug, Default)]
pub struct Condvar {
    inner: raw::Condvar,
}

impl Condvar {
    /// Like [`std::sync::Condvar::new`].
    pub fn new() -> Self {
        Condvar { inner: raw::Condvar::new() }
    }

    /// Like [`std::sync::Condvar::wait`].
    #[track_caller]
    pub fn wait<'a, T>(&self, guard: MutexGuard<'a, T>) -> LockResult<MutexGuard<'a, T>> {
        let site = Location::caller();
        let watch = hang::Watch::start();
        let _note = hang::note_blocked(|| format!("`Condvar::wait()` at {site}"));
        let (woken, expired) = hang::wait(&self.inner, guard, &watch);
        if expired {
            drop(woken);
            hang::fail(format!(
                "`Condvar::wait()` at {site} waited {} and no `notify_one()` or `notify_all()` \
                 woke it.",
                hang::seconds(watch.limit())
            ));
        }
        woken
    }

    /// Like [`std::sync::Condvar::wait_while`]: waits until `condition` returns false.
    #[track_caller]
    pub fn wait_while<'a, T, F>(
        &self,
        mut guard: MutexGuard<'a, T>,
        mut condition: F,
    ) -> LockResult<MutexGuard<'a, T>>
    where
        F: FnMut(&mut T) -> bool,
    {
        let site = Location::caller();
        let watch = hang::Watch::start();
        // Noted only once it really waits: a condition already false blocks nothing, and
        // `wait_until_blocked` must never see a wait that does not happen.
        let mut note = None;
        let mut poisoned = false;
        while condition(&mut *guard) {
            note.get_or_insert_with(|| {
                hang::note_blocked(|| format!("`Condvar::wait_while()` at {site}"))
            });
            let (woken, expired) = hang::wait(&self.inner, guard, &watch);
            poisoned |= woken.is_err();
            guard = raw::unpoisoned(woken);
            if expired {
                drop(guard);
                hang::fail(format!(
                    "`Condvar::wait_while()` at {site} waited {} and its condition stayed true: \
                     no thread changed the state and notified.",
                    hang::seconds(watch.limit())
                ));
            }
        }
        if poisoned { Err(PoisonError::new(guard)) } else { Ok(guard) }
    }

    /// Like [`std::sync::Condvar::wait_timeout`]: bounded by its caller, so never diagnosed as a
    /// hang, but a thread in it counts as blocked. Under loom the timeout never elapses.
    #[track_caller]
    pub fn wait_timeout<'a, T>(
        &self,
        guard: MutexGuard<'a, T>,
        timeout: Duration,
    ) -> LockResult<(MutexGuard<'a, T>, WaitTimeoutResult)> {
        let site = Location::caller();
        let _note = hang::note_blocked(|| format!("`Condvar::wait_timeout()` at {site}"));
        self.inner.wait_timeout(guard, timeout)
    }

    /// Like [`std::sync::Condvar::notify_one`].
    pub fn notify_one(&self) {
        self.inner.notify_one()
    }

    /// Like [`std::sync::Condvar::notify_all`].
    pub fn notify_all(&self) {
        self.inner.notify_all()
    }
}
