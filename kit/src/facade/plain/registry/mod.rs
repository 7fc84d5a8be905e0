//! Every kit wait in progress, in one place, so that a deadlock is reported the moment it
//! happens (plain build only; loom finds deadlocks itself).
//!
//! A thread registers before it blocks and leaves when it wakes. Whatever could end a wait (a
//! notification, an unlock, a Sender dropped, a thread finishing) marks the waits on that object
//! woken under the same lock, so a registered wait that is not marked woken is one that only
//! another thread can end. [`deadlock`] decides from that when no thread can end any of them.

mod deadlock;
mod who;

use std::panic::Location;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::ThreadId;
use std::time::{Duration, Instant};

pub(crate) use who::Holder;
use who::who_am_i;

/// How often a blocked thread that the kit did not spawn looks again whether a deadlock can now be
/// proved: it is the one given the verdict, and it notices within this a thread that was still
/// finishing when the last wait began.
const LOOK_AGAIN: Duration = Duration::from_millis(10);

/// How long the current thread may block before it looks again, given `left` until its own bound:
/// a thread the kit did not spawn looks every [`LOOK_AGAIN`] while verdicts are on; the kit's
/// threads wait until they are woken or their bound passes, so idle workers cost nothing.
pub(crate) fn next_look(left: Option<Duration>) -> Option<Duration> {
    if deadlock::enabled() && crate::facade::thread::spawned_at().is_none() {
        Some(left.map_or(LOOK_AGAIN, |left| left.min(LOOK_AGAIN)))
    } else {
        left
    }
}

/// One thread's wait in progress.
pub(crate) struct Waiting {
    thread: ThreadId,
    /// The operating system's id of the thread, to match it against the process's threads.
    tid: Option<u32>,
    /// "the thread spawned at ...", for diagnoses.
    who: String,
    /// Not spawned by the kit: the test's own thread, or one started with `std::thread`.
    root: bool,
    /// The address of what it waits on: ending the wait marks this.
    object: usize,
    what: String,
    /// For a lock wait: who held the lock when the wait began.
    holders: Option<Vec<Holder>>,
    woken: bool,
    /// A wait that ends by itself when its time passes: no deadlock can be proved around it.
    timed: bool,
    /// Registered, but its thread still runs on its way to block (a condvar waiter noting
    /// itself blocked): it can still end other waits, so no deadlock can be proved yet.
    on_its_way: bool,
    verdict: Option<String>,
    /// Set for waits parked on the registry, which a wake-up notifies directly.
    parker: Option<Arc<Condvar>>,
}

pub(crate) struct Registry {
    waits: Vec<Waiting>,
}

static REGISTRY: Mutex<Registry> = Mutex::new(Registry { waits: Vec::new() });

/// How many waits are registered: lets a notification with nobody waiting skip the registry.
static REGISTERED: AtomicUsize = AtomicUsize::new(0);

/// Kit threads started and not finished.
static LIVE_KIT_THREADS: AtomicUsize = AtomicUsize::new(0);

pub(crate) fn lock() -> MutexGuard<'static, Registry> {
    crate::raw::lock(&REGISTRY)
}

/// Counts a kit thread alive from its first instruction to the end of its closure.
pub(crate) struct KitThreadAlive(());

impl KitThreadAlive {
    pub(crate) fn start() -> Self {
        LIVE_KIT_THREADS.fetch_add(1, Ordering::SeqCst);
        KitThreadAlive(())
    }
}

impl Drop for KitThreadAlive {
    fn drop(&mut self) {
        LIVE_KIT_THREADS.fetch_sub(1, Ordering::SeqCst);
    }
}

/// How a wait ended, from [`Registry::leave`].
pub(crate) struct Left {
    /// Another thread ended it (rather than its time passing).
    pub(crate) woken: bool,
    /// The deadlock it is part of.
    pub(crate) verdict: Option<String>,
}

/// What a new wait is, for [`Registry::enter`].
pub(crate) struct WaitFor {
    pub(crate) object: usize,
    pub(crate) what: String,
    pub(crate) holders: Option<Vec<Holder>>,
    pub(crate) timed: bool,
    /// The thread still has work to do before it blocks: see [`Waiting::on_its_way`]. It
    /// arrives when it parks.
    pub(crate) on_its_way: bool,
    pub(crate) parker: Option<Arc<Condvar>>,
}

impl Registry {
    /// Registers the current thread's wait; [`park`](Self::park) or [`look`](Self::look) then
    /// checks for a global deadlock. Fails at once, unregistered, when this wait closes a cycle
    /// of lock waits.
    pub(crate) fn enter(&mut self, wait: WaitFor) -> Result<(), String> {
        let thread = std::thread::current().id();
        let (who, root) = who_am_i();
        self.waits.push(Waiting {
            thread,
            tid: deadlock::enabled().then(deadlock::current_tid).flatten(),
            who,
            root,
            object: wait.object,
            what: wait.what,
            holders: wait.holders,
            woken: false,
            timed: wait.timed,
            on_its_way: wait.on_its_way,
            verdict: None,
            parker: wait.parker,
        });
        REGISTERED.fetch_add(1, Ordering::SeqCst);
        match deadlock::lock_cycle(&self.waits, thread) {
            Some(cycle) => {
                self.leave(thread);
                Err(cycle)
            }
            None => Ok(()),
        }
    }

    /// Runs the global check for a thread that is registered and about to block (again); when
    /// it proves a deadlock, every registered thread the kit did not spawn is given the verdict.
    pub(crate) fn look(&mut self, thread: ThreadId) -> Result<(), String> {
        if deadlock::everyone_blocked(&self.waits, LIVE_KIT_THREADS.load(Ordering::SeqCst)) {
            let report = deadlock::report(&self.waits);
            for wait in self.waits.iter_mut().filter(|wait| wait.root) {
                wait.verdict = Some(report.clone());
                if let Some(parker) = &wait.parker {
                    parker.notify_all();
                }
            }
        }
        match self.find(thread).and_then(|wait| wait.verdict.clone()) {
            Some(verdict) => Err(verdict),
            None => Ok(()),
        }
    }

    /// Ends the current thread's wait.
    pub(crate) fn leave(&mut self, thread: ThreadId) -> Left {
        let Some(index) = self.waits.iter().position(|wait| wait.thread == thread) else {
            return Left { woken: false, verdict: None };
        };
        REGISTERED.fetch_sub(1, Ordering::SeqCst);
        let wait = self.waits.remove(index);
        Left { woken: wait.woken, verdict: wait.verdict }
    }

    fn find(&self, thread: ThreadId) -> Option<&Waiting> {
        self.waits.iter().find(|wait| wait.thread == thread)
    }

    /// Whether the current thread's wait was ended by another thread.
    pub(crate) fn woken(&self, thread: ThreadId) -> bool {
        self.find(thread).is_none_or(|wait| wait.woken || wait.verdict.is_some())
    }

    /// Marks every wait on `object` as ended, or only the one that began first.
    pub(crate) fn wake(&mut self, object: usize, all: bool) {
        for wait in self.waits.iter_mut().filter(|wait| wait.object == object && !wait.woken) {
            wait.woken = true;
            if let Some(parker) = &wait.parker {
                parker.notify_all();
            }
            if !all {
                return;
            }
        }
    }

    /// Parks the current thread, registered, until its wait is ended, it is given a verdict, or
    /// `until` passes; [`leave`](Self::leave) then says which. Looks again for a deadlock as
    /// [`next_look`] says.
    pub(crate) fn park(
        mut registry: MutexGuard<'static, Registry>,
        parker: &Condvar,
        until: Option<Instant>,
    ) -> MutexGuard<'static, Registry> {
        let thread = std::thread::current().id();
        if let Some(wait) = registry.waits.iter_mut().find(|wait| wait.thread == thread) {
            wait.on_its_way = false;
        }
        loop {
            // A verdict for this thread shows as woken.
            if registry.woken(thread) || registry.look(thread).is_err() {
                return registry;
            }
            let left = until.map(|until| until.saturating_duration_since(Instant::now()));
            if left.is_some_and(|left| left.is_zero()) {
                return registry;
            }
            registry = match next_look(left) {
                Some(slice) => crate::raw::unpoisoned(parker.wait_timeout(registry, slice)).0,
                None => crate::raw::unpoisoned(parker.wait(registry)),
            };
        }
    }
}

/// Marks the waits on `object` ended, skipping the registry when nobody waits at all. The caller
/// changed the state they wait on before calling, so a waiter that registered after this looked
/// saw the change.
pub(crate) fn wake(object: usize, all: bool) {
    if REGISTERED.load(Ordering::SeqCst) > 0 {
        lock().wake(object, all);
    }
}

/// The current thread's parker: what a wait parked on the registry blocks on.
pub(crate) fn parker() -> Arc<Condvar> {
    thread_local! {
        static PARKER: Arc<Condvar> = Arc::new(Condvar::new());
    }
    PARKER.with(Arc::clone)
}

/// Where an operation was called, as diagnoses print it.
pub(crate) type Site = &'static Location<'static>;
