//! Burst resizer
//!
//! A photo-sharing site resizes uploads into thumbnails on a pool fed by many request threads.
//! Uploads come in bursts, a quiet night then a wedding album of four hundred photos: the pool
//! keeps `min` workers warm, starts one more (up to `max`) when a job is queued and no worker is
//! idle to take it, and retires a worker idle for `idle_timeout` (on its `Clock`) if `min` stay.
//!
//! Done when: every job runs exactly once; the pool never has more than `max` workers and grows to
//! `max` under a burst; workers idle for `idle_timeout` since their last job retire down to `min`;
//! `shutdown` runs what is queued and joins every worker; and the loom model passes.

use kit::sync::atomic::{AtomicUsize, Ordering};
use kit::sync::{Arc, Condvar, Mutex};
use kit::thread::{self, JoinHandle};
use kit::time::{Clock, RealClock};
use std::collections::VecDeque;
use std::time::Duration;

#[derive(Default)]
struct Queue {
    jobs: VecDeque<Box<dyn FnOnce() + Send>>,
    idle: usize, // workers waiting for a job
    closed: bool,
    handles: Vec<JoinHandle<()>>, // every worker started, retired or not
}

/// A pool of `min..=max` workers that grows under a burst of jobs and shrinks when they idle.
pub struct BurstPool<C> {
    shared: Arc<Shared<C>>,
}

struct Shared<C> {
    queue: Mutex<Queue>,
    job_ready: Condvar,
    /// Workers started and not retired: a count outside the queue's lock, so `Relaxed` will do.
    workers: AtomicUsize,
    min: usize,
    max: usize,
    idle_timeout: Duration,
    clock: C,
}

impl<C: Clock + 'static> BurstPool<C> {
    pub fn new(min: usize, max: usize, idle_timeout: Duration, clock: C) -> Self {
        assert!(min <= max && max > 0, "a pool needs room for a worker, and min <= max");
        let (queue, job_ready, workers) = (Mutex::default(), Condvar::new(), AtomicUsize::new(min));
        let shared = Shared { queue, job_ready, workers, min, max, idle_timeout, clock };
        let pool = BurstPool { shared: Arc::new(shared) };
        (0..min).for_each(|_| pool.start_worker());
        pool
    }

    /// Queues `job`, and starts one more worker if no idle worker is left to take it.
    pub fn submit(&self, job: impl FnOnce() + Send + 'static) {
        let mut queue = self.shared.queue.lock().unwrap();
        queue.jobs.push_back(Box::new(job));
        let needs_worker = queue.jobs.len() > queue.idle;
        drop(queue);
        self.shared.job_ready.notify_one();
        // Checks for room and takes it in one step: two submits cannot both take the last slot.
        let room = |workers: usize| (workers < self.shared.max).then_some(workers + 1);
        let relaxed = Ordering::Relaxed;
        if needs_worker && self.shared.workers.fetch_update(relaxed, relaxed, room).is_ok() {
            self.start_worker();
        }
    }

    /// Workers started and not retired.
    pub fn workers(&self) -> usize {
        self.shared.workers.load(Ordering::Relaxed)
    }

    /// Once the last job is submitted: runs what is queued, then stops and joins every worker.
    pub fn shutdown(&self) {
        let mut queue = self.shared.queue.lock().unwrap();
        queue.closed = true;
        let handles = std::mem::take(&mut queue.handles);
        drop(queue);
        self.shared.job_ready.notify_all();
        handles.into_iter().for_each(|handle| handle.join().expect("a worker panicked"));
    }

    fn start_worker(&self) {
        let shared = Arc::clone(&self.shared);
        let handle = thread::spawn(move || work(&shared));
        self.shared.queue.lock().unwrap().handles.push(handle);
    }
}

/// A worker's life: run queued jobs, wait for more, and retire once it has waited
/// `idle_timeout` for nothing, unless that would leave fewer than `min` workers.
fn work<C: Clock>(pool: &Shared<C>) {
    let mut queue = pool.queue.lock().unwrap();
    loop {
        while let Some(job) = queue.jobs.pop_front() {
            drop(queue);
            job();
            queue = pool.queue.lock().unwrap();
        }
        if queue.closed {
            return;
        }
        queue.idle += 1;
        let nothing_to_do = |queue: &mut Queue| queue.jobs.is_empty() && !queue.closed;
        let (woken, waited) = pool
            .job_ready
            .wait_timeout_while_on(queue, pool.idle_timeout, &pool.clock, nothing_to_do)
            .unwrap();
        queue = woken;
        queue.idle -= 1;
        // Under the queue's lock: workers timing out together retire one at a time.
        if waited.timed_out() && pool.workers.load(Ordering::Relaxed) > pool.min {
            pool.workers.fetch_sub(1, Ordering::Relaxed);
            return;
        }
    }
}

fn main() {
    let pool = BurstPool::new(1, 4, Duration::from_millis(200), RealClock);
    for photo in 1..=40 {
        pool.submit(move || {
            RealClock.sleep(Duration::from_millis(5)); // decode, scale, encode
            println!("IMG_{photo:04}.jpg resized on {:?}", thread::current().id());
        });
    }
    println!("a wedding album of 40 photos is queued: {} workers", pool.workers());
    RealClock.sleep(Duration::from_millis(600));
    println!("a quiet spell later: {} worker(s)", pool.workers());
    pool.shutdown();
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use kit::{sync::mpsc, thread::LiveThreads, time::ManualClock};

    #[test]
    fn grows_to_max_under_a_burst_then_idle_workers_retire_down_to_min() {
        let (threads, clock) = (LiveThreads::track(), Arc::new(ManualClock::new()));
        let pool = BurstPool::new(1, 3, Duration::from_secs(30), Arc::clone(&clock));
        let (started, has_started) = mpsc::channel();
        // Each job reports its id, then waits for `gate` (a std lock: it may outwait the pool).
        let gate = Arc::new(std::sync::Mutex::new(()));
        let job = |id: usize| {
            let (started, gate) = (started.clone(), Arc::clone(&gate));
            move || {
                let _ = started.send(id);
                drop(gate.lock());
            }
        };
        let closed = gate.lock().unwrap();
        (0..6).for_each(|id| pool.submit(job(id)));
        let mut ran: Vec<usize> = has_started.iter().take(3).collect();
        assert_eq!(pool.workers(), 3, "workers for a burst of 6 long jobs, with a max of 3");
        assert_eq!(threads.spawned(), 3, "threads started for a burst, with a max of 3 workers");
        drop(closed);
        ran.extend(has_started.iter().take(3));
        clock.wait_for_sleepers(3); // three workers idle from 0 s
        clock.advance(Duration::from_secs(20));
        pool.submit(job(6));
        ran.extend(has_started.recv());
        clock.wait_for_sleepers(3); // the one that ran job 6 is idle again, from 20 s
        clock.advance(Duration::from_secs(10));
        assert_eq!(clock.sleepers(), 1, "workers waiting on at 30 s: only the one busy at 20 s");
        threads.wait_for_live_at_most(1); // the two idle since 0 s retire
        clock.advance(Duration::from_secs(20));
        clock.wait_for_sleepers(1); // the last worker waits on: the pool keeps `min`
        assert_eq!(pool.workers(), 1, "workers once all were idle, with a min of 1");
        (7..9).for_each(|id| pool.submit(job(id)));
        pool.shutdown();
        ran.extend(has_started.try_iter());
        ran.sort();
        assert_eq!(ran, (0..9).collect::<Vec<_>>(), "not every job ran exactly once");
        assert_eq!(threads.not_joined(), 0, "worker threads not joined by shutdown");
    }
}

#[cfg(all(test, loom))]
mod loom {
    use super::*;

    #[test]
    fn two_uploads_at_once_start_at_most_max_workers_and_never_count_more() {
        kit::model::check(|| {
            let clock = Arc::new(kit::time::ManualClock::new());
            let pool = Arc::new(BurstPool::new(0, 1, Duration::from_secs(30), clock));
            let done = Arc::new(AtomicUsize::new(0));
            let job = || {
                let done = Arc::clone(&done);
                move || _ = done.fetch_add(1, Ordering::SeqCst)
            };
            let (shared, first) = (Arc::clone(&pool), job());
            let upload = thread::spawn(move || shared.submit(first));
            pool.submit(job());
            // Read while the other upload may be growing the pool: the count must never pass max.
            let seen = pool.workers();
            upload.join().unwrap();
            assert!(seen <= 1, "the pool reported {seen} workers, with a max of 1");
            assert_eq!(pool.workers(), 1, "workers started by two uploads, with a max of 1");
            pool.shutdown();
            assert_eq!(done.load(Ordering::SeqCst), 2, "not every job ran exactly once");
        });
    }

    #[test]
    fn two_uploads_at_once_each_start_a_worker_while_there_is_room() {
        kit::model::check(|| {
            let clock = Arc::new(kit::time::ManualClock::new());
            let pool = Arc::new(BurstPool::new(0, 2, Duration::from_secs(30), clock));
            // Jobs wait for the gate: no worker is idle to take the second upload.
            let gate = Arc::new(Mutex::new(()));
            let job = || {
                let gate = Arc::clone(&gate);
                move || drop(gate.lock().unwrap())
            };
            let closed = gate.lock().unwrap();
            let (shared, first) = (Arc::clone(&pool), job());
            let upload = thread::spawn(move || shared.submit(first));
            pool.submit(job());
            upload.join().unwrap();
            assert_eq!(pool.workers(), 2, "workers for two long jobs at once, with a max of 2");
            drop(closed);
            pool.shutdown();
        });
    }
}
