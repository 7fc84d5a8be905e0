//! The kit's own `Condvar` (plain build), over the kit's `Mutex`: a wait registers with the
//! registry and unlocks in one step, and a notification marks exactly the waits it ends, so a
//! deadlock can be proved the moment it happens.

use super::registry::{self, Site, WaitFor};
use crate::hang;
use crate::sync::condvar::{WaitTimeoutResult, wrap};
use crate::sync::{LockResult, MutexGuard, PoisonError};
use crate::time::Clock;
use std::panic::Location;
use std::time::{Duration, Instant};

/// How often a condvar wait bounded by a manual clock looks at the clock. `advance` cannot notify
/// a user's condvar without holding the user's mutex (a notification could fall just before the
/// wait and be lost), so the waiter looks instead; a test's clock only, so the cost is a test's.
const CLOCK_CHECK: Duration = Duration::from_millis(1);

/// Like [`std::sync::Condvar`]. A wait that gets no notification within the hang limit panics
/// with a diagnosis, and one that no thread is left to notify is reported at once as part of a
/// deadlock. `notify_one` wakes the waiter that began first; there are no spurious wake-ups.
#[derive(Debug, Default)]
pub struct Condvar {
    /// Gives each condvar an address of its own, which names its waits in the registry.
    _address: u8,
}

impl Condvar {
    /// Like [`std::sync::Condvar::new`].
    pub fn new() -> Self {
        Condvar { _address: 0 }
    }

    fn object(&self) -> usize {
        self as *const Self as usize
    }

    /// Like [`std::sync::Condvar::wait`].
    #[track_caller]
    pub fn wait<'a, T: ?Sized>(&self, guard: MutexGuard<'a, T>) -> LockResult<MutexGuard<'a, T>> {
        let site = Location::caller();
        let what = || format!("`Condvar::wait()` at {site}");
        let watch = hang::Watch::start();
        let (woken, notified) = self.wait_once(guard, site, &what, watch.deadline(), false);
        if !notified {
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
    pub fn wait_while<'a, T: ?Sized, F>(
        &self,
        mut guard: MutexGuard<'a, T>,
        mut condition: F,
    ) -> LockResult<MutexGuard<'a, T>>
    where
        F: FnMut(&mut T) -> bool,
    {
        let site = Location::caller();
        let what = || format!("`Condvar::wait_while()` at {site}");
        let watch = hang::Watch::start();
        let mut poisoned = false;
        while condition(&mut *guard) {
            let (woken, notified) = self.wait_once(guard, site, &what, watch.deadline(), false);
            poisoned |= woken.is_err();
            guard = crate::raw::unpoisoned(woken);
            if !notified && watch.expired() {
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
    /// hang, but a thread in it counts as blocked.
    #[track_caller]
    pub fn wait_timeout<'a, T: ?Sized>(
        &self,
        guard: MutexGuard<'a, T>,
        timeout: Duration,
    ) -> LockResult<(MutexGuard<'a, T>, WaitTimeoutResult)> {
        let site = Location::caller();
        let what = || format!("`Condvar::wait_timeout()` at {site}");
        let (woken, notified) =
            self.wait_once(guard, site, &what, Some(Instant::now() + timeout), true);
        let timed_out = WaitTimeoutResult(!notified);
        match woken {
            Ok(guard) => Ok((guard, timed_out)),
            Err(poisoned) => Err(PoisonError::new((poisoned.into_inner(), timed_out))),
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
    pub fn wait_timeout_while_on<'a, T: ?Sized, C, F>(
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
    pub fn wait_while_until_on<'a, T: ?Sized, C, F>(
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
    /// in diagnoses. Every wait here is timed: it can end by itself, so it never takes part in a
    /// deadlock verdict.
    #[track_caller]
    fn wait_while_on<'a, T: ?Sized, C, F>(
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
        // Asleep on the manual clock from its first wait until it returns.
        let mut asleep = None;
        let mut poisoned = false;
        loop {
            if !condition(&mut *guard) {
                return wrap(guard, WaitTimeoutResult(false), poisoned);
            }
            if clock.now() >= deadline {
                return wrap(guard, WaitTimeoutResult(true), poisoned);
            }
            let until = match manual {
                None => Instant::now() + deadline.saturating_duration_since(clock.now()),
                Some(manual) => {
                    asleep.get_or_insert_with(|| manual.asleep_until(deadline));
                    if watch.expired() {
                        let diagnosis = manual.never_reached(deadline, watch.limit(), what);
                        drop((asleep, guard));
                        hang::fail(diagnosis);
                    }
                    Instant::now() + CLOCK_CHECK
                }
            };
            let (woken, _) = self.wait_once(guard, site, what, Some(until), true);
            poisoned |= woken.is_err();
            guard = crate::raw::unpoisoned(woken);
        }
    }

    /// One wait: registered and unlocked in one step, parked until a notification, a deadlock
    /// verdict or `until`, then locked again. Says whether a notification ended it.
    #[track_caller]
    fn wait_once<'a, T: ?Sized>(
        &self,
        guard: MutexGuard<'a, T>,
        site: Site,
        what: &dyn Fn() -> String,
        until: Option<Instant>,
        timed: bool,
    ) -> (LockResult<MutexGuard<'a, T>>, bool) {
        let parker = registry::parker();
        let me = std::thread::current().id();
        let mut registry = registry::lock();
        let wait = WaitFor {
            object: self.object(),
            what: what(),
            holders: None,
            timed,
            // Blocked only once noted, below: until then it may still end the wait of a test
            // that waits to see it blocked.
            on_its_way: true,
            parker: Some(parker.clone()),
        };
        // Only a lock wait can close a lock cycle: this one always enters.
        let _ = registry.enter(wait);
        let mutex = guard.unlock_in(&mut registry);
        // Shown as blocked (to `wait_until_blocked`) only now that a notification would find the
        // wait: a test that notifies the moment it sees the wait can never land before it. The
        // note is made outside the registry's lock, which a joiner may take holding the record
        // the note goes to; a wake-up in between is kept by the registry and seen by `park`.
        drop(registry);
        let _note = hang::note_blocked(what);
        registry = registry::Registry::park(registry::lock(), &parker, until);
        let left = registry.leave(me);
        drop(registry);
        if let Some(verdict) = left.verdict {
            hang::fail(verdict);
        }
        (mutex.lock_at(site), left.woken)
    }

    /// Like [`std::sync::Condvar::notify_one`]: wakes the waiter that began first.
    pub fn notify_one(&self) {
        registry::lock().wake(self.object(), false);
    }

    /// Like [`std::sync::Condvar::notify_all`].
    pub fn notify_all(&self) {
        registry::lock().wake(self.object(), true);
    }
}
