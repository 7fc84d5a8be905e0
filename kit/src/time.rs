//! Time behind a trait, so time-based code can be tested without waiting: production code takes a
//! [`Clock`], `main` passes a [`RealClock`], and tests pass a [`ManualClock`] that moves only when
//! the test calls [`ManualClock::advance`]. loom has no time, so under loom only the manual clock
//! makes sense.

use crate::hang;
use crate::raw::{self, Condvar, Mutex};
use std::panic::Location;
use std::time::{Duration, Instant};

/// A source of time, and a way to wait for it to pass.
pub trait Clock: Send + Sync {
    /// The current instant.
    fn now(&self) -> Instant;

    /// Blocks the calling thread until `duration` has passed on this clock.
    #[track_caller]
    fn sleep(&self, duration: Duration);

    /// Blocks until `deadline`; returns at once if it has passed.
    #[track_caller]
    fn sleep_until(&self, deadline: Instant) {
        let now = self.now();
        if deadline > now {
            self.sleep(deadline - now);
        }
    }

    /// The [`ManualClock`] behind this clock, if it is one, so that a kit wait bounded by this
    /// clock ([`Condvar::wait_timeout_while_on`](crate::sync::Condvar::wait_timeout_while_on))
    /// ends when a test advances it. Any other clock is taken to follow real time.
    fn as_manual(&self) -> Option<&ManualClock> {
        None
    }
}

impl<C: Clock + ?Sized> Clock for crate::sync::Arc<C> {
    fn now(&self) -> Instant {
        (**self).now()
    }

    #[track_caller]
    fn sleep(&self, duration: Duration) {
        (**self).sleep(duration)
    }

    fn as_manual(&self) -> Option<&ManualClock> {
        (**self).as_manual()
    }
}

impl<C: Clock + ?Sized> Clock for &C {
    fn now(&self) -> Instant {
        (**self).now()
    }

    #[track_caller]
    fn sleep(&self, duration: Duration) {
        (**self).sleep(duration)
    }

    fn as_manual(&self) -> Option<&ManualClock> {
        (**self).as_manual()
    }
}

/// The system's clock: [`Instant::now`] and [`std::thread::sleep`].
#[derive(Debug, Clone, Copy, Default)]
pub struct RealClock;

impl Clock for RealClock {
    fn now(&self) -> Instant {
        Instant::now()
    }

    fn sleep(&self, duration: Duration) {
        std::thread::sleep(duration)
    }
}

/// A clock that stands still until the test moves it with [`advance`](ManualClock::advance).
/// Sleepers wake when the clock reaches their deadline, so a test decides exactly when each
/// deadline passes, and runs in microseconds whatever the durations.
#[derive(Debug)]
pub struct ManualClock {
    origin: Instant,
    state: Mutex<ManualState>,
    changed: Condvar,
}

#[derive(Debug)]
struct ManualState {
    elapsed: Duration,
    /// When each sleeping thread wakes, as offsets from `origin`. A thread whose time has come
    /// no longer counts as asleep, even before it has run again.
    wake_times: Vec<Duration>,
}

impl ManualState {
    fn sleepers(&self) -> usize {
        self.wake_times.iter().filter(|&&wake| wake > self.elapsed).count()
    }
}

impl Default for ManualClock {
    fn default() -> Self {
        Self::new()
    }
}

impl ManualClock {
    /// A clock at an arbitrary starting instant, with nobody asleep.
    pub fn new() -> Self {
        ManualClock {
            origin: Instant::now(),
            state: Mutex::new(ManualState { elapsed: Duration::ZERO, wake_times: Vec::new() }),
            changed: Condvar::new(),
        }
    }

    /// Moves the clock forward and wakes every sleeper whose deadline has come.
    pub fn advance(&self, duration: Duration) {
        raw::lock(&self.state).elapsed += duration;
        self.changed.notify_all();
    }

    /// How far the clock has been moved since it was made.
    pub fn elapsed(&self) -> Duration {
        raw::lock(&self.state).elapsed
    }

    /// How many threads are asleep on this clock and not yet due: a thread the last `advance`
    /// woke does not count, even if it has not run yet.
    pub fn sleepers(&self) -> usize {
        raw::lock(&self.state).sleepers()
    }

    /// Blocks until at least `count` threads are asleep on this clock: lets a test advance the
    /// clock only once the code under test is waiting for it, with no real sleep.
    #[track_caller]
    pub fn wait_for_sleepers(&self, count: usize) {
        let site = Location::caller();
        let watch = hang::Watch::start();
        let mut note = None;
        let mut state = raw::lock(&self.state);
        while state.sleepers() < count {
            note.get_or_insert_with(|| {
                hang::note_blocked(|| format!("`wait_for_sleepers()` at {site}"))
            });
            let (woken, expired) = hang::wait(&self.changed, state, &watch);
            state = raw::unpoisoned(woken);
            if expired {
                let asleep = state.sleepers();
                drop(state);
                hang::fail(format!(
                    "`wait_for_sleepers({count})` at {site} waited {} but only {asleep} \
                     thread(s) went to sleep on the ManualClock.",
                    hang::seconds(watch.limit())
                ));
            }
        }
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Instant {
        self.origin + raw::lock(&self.state).elapsed
    }

    #[track_caller]
    fn sleep(&self, duration: Duration) {
        let site = Location::caller();
        let state = raw::lock(&self.state);
        let wake_at = state.elapsed + duration;
        self.sleep_locked(state, wake_at, site);
    }

    /// Takes the deadline under the clock's lock, so an `advance` from another thread can never
    /// fall between reading the time and going to sleep.
    #[track_caller]
    fn sleep_until(&self, deadline: Instant) {
        let site = Location::caller();
        let state = raw::lock(&self.state);
        let wake_at = deadline.saturating_duration_since(self.origin);
        self.sleep_locked(state, wake_at, site);
    }

    fn as_manual(&self) -> Option<&ManualClock> {
        Some(self)
    }
}

impl ManualClock {
    /// Sleeps until the clock reaches `wake_at` (an offset from `origin`), holding `state`.
    fn sleep_locked(
        &self,
        mut state: crate::raw::MutexGuard<'_, ManualState>,
        wake_at: Duration,
        site: &Location<'_>,
    ) {
        if wake_at <= state.elapsed {
            return;
        }
        let watch = hang::Watch::start();
        let _note = hang::note_blocked(|| format!("`sleep()` at {site} on a ManualClock"));
        state.wake_times.push(wake_at);
        self.changed.notify_all();
        while state.elapsed < wake_at {
            let (woken, expired) = hang::wait(&self.changed, state, &watch);
            state = raw::unpoisoned(woken);
            if expired {
                let now = state.elapsed;
                forget(&mut state.wake_times, wake_at);
                drop(state);
                hang::fail(format!(
                    "`sleep()` at {site} waited {} (real time) for a ManualClock to reach \
                     {wake_at:?}, but it stayed at {now:?}. A ManualClock moves only when the test \
                     calls `advance()`.",
                    hang::seconds(watch.limit())
                ));
            }
        }
        forget(&mut state.wake_times, wake_at);
    }
}

/// A thread counted among a manual clock's sleepers until this is dropped.
pub(crate) struct Asleep<'a> {
    clock: &'a ManualClock,
    wake_at: Duration,
}

impl Drop for Asleep<'_> {
    fn drop(&mut self) {
        forget(&mut raw::lock(&self.clock.state).wake_times, self.wake_at);
    }
}

/// For the kit's condvar waits bounded by a manual clock.
impl ManualClock {
    /// Counts the caller as asleep until `deadline`, until the result is dropped.
    pub(crate) fn asleep_until(&self, deadline: Instant) -> Asleep<'_> {
        let wake_at = deadline.saturating_duration_since(self.origin);
        raw::lock(&self.state).wake_times.push(wake_at);
        self.changed.notify_all();
        Asleep { clock: self, wake_at }
    }

    /// The diagnosis of a wait for `deadline` that nothing ended in `waited` of real time.
    pub(crate) fn never_reached(
        &self,
        deadline: Instant,
        waited: Duration,
        what: &dyn Fn() -> String,
    ) -> String {
        format!(
            "{} waited {} (real time): no notification ended it, and its ManualClock stayed at \
             {:?}, before the deadline {:?}. A ManualClock moves only when the test calls \
             `advance()`.",
            what(),
            hang::seconds(waited),
            self.elapsed(),
            deadline.saturating_duration_since(self.origin),
        )
    }
}

/// Removes one sleeper's wake time.
fn forget(wake_times: &mut Vec<Duration>, wake_at: Duration) {
    if let Some(index) = wake_times.iter().position(|&wake| wake == wake_at) {
        wake_times.swap_remove(index);
    }
}
