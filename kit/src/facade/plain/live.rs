//! Counting the threads a test started: [`LiveThreads`].

use crate::hang;
use crate::raw::Condvar;
use std::cell::RefCell;
use std::panic::Location;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

thread_local! {
    static CURRENT_GAUGES: RefCell<Vec<Arc<Gauge>>> = const { RefCell::new(Vec::new()) };
}

#[derive(Default)]
struct Gauge {
    live: AtomicUsize,
    peak: AtomicUsize,
    spawned: AtomicUsize,
    /// Spawned and not yet joined: a `JoinHandle` dropped or still held.
    not_joined: AtomicUsize,
    /// Taken around each exit's count, so a waiter cannot miss the notification.
    exits: Mutex<()>,
    exited: Condvar,
}

/// Counts the kit threads spawned from the thread that created it (and from their threads, and
/// so on) while it lives: how many are alive now, the most alive at once, and how many were
/// spawned. Threads of other tests running in the same process are not counted.
///
/// ```
/// let threads = kit::thread::LiveThreads::track();
/// kit::thread::spawn(|| ()).join().unwrap();
/// assert_eq!(threads.peak(), 1);
/// ```
pub struct LiveThreads {
    gauge: Arc<Gauge>,
}

impl LiveThreads {
    /// Starts counting; counting stops when the value is dropped.
    pub fn track() -> Self {
        let gauge = Arc::new(Gauge::default());
        CURRENT_GAUGES.with(|gauges| gauges.borrow_mut().push(Arc::clone(&gauge)));
        LiveThreads { gauge }
    }

    /// Threads spawned and not yet finished.
    pub fn live(&self) -> usize {
        self.gauge.live.load(Ordering::SeqCst)
    }

    /// The most threads alive at the same moment.
    pub fn peak(&self) -> usize {
        self.gauge.peak.load(Ordering::SeqCst)
    }

    /// Threads spawned in all.
    pub fn spawned(&self) -> usize {
        self.gauge.spawned.load(Ordering::SeqCst)
    }

    /// Threads spawned whose `JoinHandle` has not been joined (dropped, or still held). Unlike
    /// `live() == 0` after a call returns, which passes whenever an unjoined thread happens to
    /// finish first, `not_joined() == 0` holds exactly when the code joined every thread it
    /// started, however fast they ran.
    pub fn not_joined(&self) -> usize {
        self.gauge.not_joined.load(Ordering::SeqCst)
    }

    /// Blocks until at most `count` of the counted threads are alive: lets a test wait for the
    /// threads that must end (a worker retiring, a pool shutting down) without a sleep.
    #[track_caller]
    pub fn wait_for_live_at_most(&self, count: usize) {
        let site = Location::caller();
        let watch = hang::Watch::start();
        let mut note = None;
        let mut exits = crate::raw::lock(&self.gauge.exits);
        while self.live() > count {
            note.get_or_insert_with(|| {
                hang::note_blocked(|| format!("`wait_for_live_at_most()` at {site}"))
            });
            let (woken, expired) = hang::wait(&self.gauge.exited, exits, &watch);
            exits = crate::raw::unpoisoned(woken);
            if expired {
                let live = self.live();
                drop(exits);
                hang::fail(format!(
                    "`wait_for_live_at_most({count})` at {site} waited {} but {live} of the \
                     threads counted {} still alive.",
                    hang::seconds(watch.limit()),
                    if live == 1 { "is" } else { "are" }
                ));
            }
        }
    }
}

impl Drop for LiveThreads {
    fn drop(&mut self) {
        CURRENT_GAUGES
            .with(|gauges| gauges.borrow_mut().retain(|gauge| !Arc::ptr_eq(gauge, &self.gauge)));
    }
}

/// One spawned thread's share in every gauge that was tracking where it was spawned.
pub(super) struct CountedThread {
    gauges: Vec<Arc<Gauge>>,
}

impl CountedThread {
    pub(super) fn start() -> Self {
        let gauges = CURRENT_GAUGES.with(|gauges| gauges.borrow().clone());
        for gauge in &gauges {
            gauge.spawned.fetch_add(1, Ordering::SeqCst);
            gauge.not_joined.fetch_add(1, Ordering::SeqCst);
            let live = gauge.live.fetch_add(1, Ordering::SeqCst) + 1;
            gauge.peak.fetch_max(live, Ordering::SeqCst);
        }
        CountedThread { gauges }
    }

    /// What joining the thread settles: its count in `not_joined`.
    pub(super) fn join_debt(&self) -> JoinDebt {
        JoinDebt { gauges: self.gauges.clone() }
    }

    /// Runs in the new thread: its own spawns count towards the same gauges.
    pub(super) fn adopt(self) -> Self {
        CURRENT_GAUGES.with(|gauges| *gauges.borrow_mut() = self.gauges.clone());
        self
    }
}

impl Drop for CountedThread {
    fn drop(&mut self) {
        for gauge in &self.gauges {
            let exits = crate::raw::lock(&gauge.exits);
            gauge.live.fetch_sub(1, Ordering::SeqCst);
            drop(exits);
            gauge.exited.notify_all();
        }
    }
}

/// Held by a `JoinHandle`: a spawned thread counts as not joined until `join()` returns.
pub(super) struct JoinDebt {
    gauges: Vec<Arc<Gauge>>,
}

impl JoinDebt {
    pub(super) fn settle(self) {
        for gauge in &self.gauges {
            gauge.not_joined.fetch_sub(1, Ordering::SeqCst);
        }
    }
}
