// Decides under the queue's lock that there is room, but counts the new worker after unlocking: two submits still both decide.
// caught by: loom-assert
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
        let needs_worker = queue.jobs.len() > queue.idle
            && self.shared.workers.load(Ordering::Relaxed) < self.shared.max;
        drop(queue);
        self.shared.job_ready.notify_one();
        if needs_worker {
            self.shared.workers.fetch_add(1, Ordering::Relaxed);
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
