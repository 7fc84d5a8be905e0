//! The kit's `Condvar` under loom: loom's, with `wait_while` and the clock-bounded waits added,
//! and each wait and notification recorded for the trace of a failing schedule.

use crate::hang;
use crate::raw::{self, MutexGuard as RawGuard};
use crate::sync::condvar::{WaitTimeoutResult, wrap};
use crate::sync::{LockResult, Mutex, MutexGuard, PoisonError};
use crate::time::Clock;
use crate::trace::{self, Site};
use std::panic::Location;
use std::time::{Duration, Instant};

/// Like [`std::sync::Condvar`]: loom's, with `wait_while` provided on top of loom's `wait`.
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
        let (guard, lock) = released(guard, site, "wait()");
        let (woken, expired) = hang::wait(&self.inner, guard, &watch);
        let woken = retaken(woken, lock, site);
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
            let (released, lock) = released(guard, site, "wait_while()");
            let (woken, expired) = hang::wait(&self.inner, released, &watch);
            let woken = retaken(woken, lock, site);
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
        let (guard, lock) = released(guard, site, "wait_timeout()");
        match self.raw_wait_timeout(guard, timeout) {
            Ok((guard, result)) => Ok((MutexGuard::retaken(guard, lock, site), result)),
            Err(poisoned) => {
                let (guard, result) = poisoned.into_inner();
                Err(PoisonError::new((MutexGuard::retaken(guard, lock, site), result)))
            }
        }
    }

    /// Like [`std::sync::Condvar::wait_timeout_while`], but the timeout passes on `clock`: with a
    /// [`ManualClock`](crate::time::ManualClock), when the test advances it past the deadline. So
    /// code that waits for a condition or a deadline (a checkout timeout, an idle worker retiring)
    /// takes a [`Clock`] and is tested without waiting: the waiter counts as one of the manual
    /// clock's sleepers, and one that nothing ends within the hang limit (no notification making
    /// the condition false, and the clock not advanced) fails with a diagnosis. Under loom only a
    /// notification or an already-passed deadline ends it. The result says whether it gave up
    /// with the condition still true.
    ///
    /// There is no single-wait form: a manual clock's waiter must look at the clock from time to
    /// time, and a notification sent while it looks is only seen by re-checking the condition.
    #[track_caller]
    pub fn wait_timeout_while_on<'a, T, C, F>(
        &self,
        guard: MutexGuard<'a, T>,
        timeout: Duration,
        clock: &C,
        condition: F,
    ) -> LockResult<(MutexGuard<'a, T>, WaitTimeoutResult)>
    where
        C: Clock + ?Sized,
        F: FnMut(&mut T) -> bool,
    {
        let site = Location::caller();
        let what = || format!("`Condvar::wait_timeout_while_on()` at {site}");
        self.wait_while_on(guard, clock.now() + timeout, clock, condition, site, &what)
    }

    /// Like [`wait_timeout_while_on`](Self::wait_timeout_while_on), until an instant of `clock`
    /// instead of for a duration: code that knows when something is due (a rate limiter's next
    /// token) waits for exactly that instant, however long it took to get there.
    #[track_caller]
    pub fn wait_while_until_on<'a, T, C, F>(
        &self,
        guard: MutexGuard<'a, T>,
        deadline: Instant,
        clock: &C,
        condition: F,
    ) -> LockResult<(MutexGuard<'a, T>, WaitTimeoutResult)>
    where
        C: Clock + ?Sized,
        F: FnMut(&mut T) -> bool,
    {
        let site = Location::caller();
        let what = || format!("`Condvar::wait_while_until_on()` at {site}");
        self.wait_while_on(guard, deadline, clock, condition, site, &what)
    }

    /// Waits while `condition` holds, at most until `deadline` on `clock`. `what` names the wait
    /// in a hang diagnosis.
    fn wait_while_on<'a, T, C, F>(
        &self,
        mut guard: MutexGuard<'a, T>,
        deadline: Instant,
        clock: &C,
        mut condition: F,
        site: Site,
        what: &dyn Fn() -> String,
    ) -> LockResult<(MutexGuard<'a, T>, WaitTimeoutResult)>
    where
        C: Clock + ?Sized,
        F: FnMut(&mut T) -> bool,
    {
        let manual = clock.as_manual();
        let watch = hang::Watch::start();
        // Noted only once it really waits, as in `wait_while`; asleep on the manual clock from
        // then until it returns.
        let (mut note, mut asleep) = (None, None);
        let mut poisoned = false;
        loop {
            if !condition(&mut *guard) {
                return wrap(guard, WaitTimeoutResult(false), poisoned);
            }
            if clock.now() >= deadline {
                return wrap(guard, WaitTimeoutResult(true), poisoned);
            }
            note.get_or_insert_with(|| hang::note_blocked(what));
            let (released, lock) = released(guard, site, "wait_timeout_while_on()");
            let woken = match manual {
                None => self
                    .raw_wait_timeout(released, deadline.saturating_duration_since(clock.now()))
                    .map(|(guard, _)| guard)
                    .map_err(|poisoned| PoisonError::new(poisoned.into_inner().0)),
                Some(manual) => {
                    asleep.get_or_insert_with(|| manual.asleep_until(deadline));
                    if watch.expired() {
                        let diagnosis = manual.never_reached(deadline, watch.limit(), what);
                        drop((asleep, released));
                        hang::fail(diagnosis);
                    }
                    look_again(&self.inner, released)
                }
            };
            let woken = retaken(woken, lock, site);
            poisoned |= woken.is_err();
            guard = raw::unpoisoned(woken);
        }
    }

    fn raw_wait_timeout<'a, T>(
        &self,
        guard: RawGuard<'a, T>,
        timeout: Duration,
    ) -> LockResult<(RawGuard<'a, T>, WaitTimeoutResult)> {
        match self.inner.wait_timeout(guard, timeout) {
            Ok((guard, result)) => Ok((guard, WaitTimeoutResult(result.timed_out()))),
            Err(poisoned) => {
                let (guard, result) = poisoned.into_inner();
                Err(PoisonError::new((guard, WaitTimeoutResult(result.timed_out()))))
            }
        }
    }

    /// Like [`std::sync::Condvar::notify_one`].
    #[track_caller]
    pub fn notify_one(&self) {
        self.inner.notify_one();
        trace::record(Some(Location::caller()), || "notify_one()".to_owned());
    }

    /// Like [`std::sync::Condvar::notify_all`].
    #[track_caller]
    pub fn notify_all(&self) {
        self.inner.notify_all();
        trace::record(Some(Location::caller()), || "notify_all()".to_owned());
    }
}

/// The lock `guard` holds, released for a wait that `op` at `site` names in the trace.
fn released<'a, T>(
    guard: MutexGuard<'a, T>,
    site: Site,
    op: &str,
) -> (RawGuard<'a, T>, &'a Mutex<T>) {
    let released = guard.release_for_wait();
    trace::record(Some(site), || format!("{op}: unlock, wait"));
    released
}

/// The lock taken back when the wait at `site` woke.
fn retaken<'a, T>(
    woken: LockResult<RawGuard<'a, T>>,
    lock: &'a Mutex<T>,
    site: Site,
) -> LockResult<MutexGuard<'a, T>> {
    trace::record(Some(site), || "woken: lock".to_owned());
    match woken {
        Ok(guard) => Ok(MutexGuard::retaken(guard, lock, site)),
        Err(poisoned) => {
            Err(PoisonError::new(MutexGuard::retaken(poisoned.into_inner(), lock, site)))
        }
    }
}

/// Waits on `condvar` until it is notified: under loom there is no time, so only a notification
/// ends a clock-bounded wait.
fn look_again<'a, T>(
    condvar: &raw::Condvar,
    guard: raw::MutexGuard<'a, T>,
) -> std::sync::LockResult<raw::MutexGuard<'a, T>> {
    condvar.wait(guard)
}
