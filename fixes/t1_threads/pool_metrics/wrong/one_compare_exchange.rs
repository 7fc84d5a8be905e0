// Decrements with a single compare-exchange and ignores its failure, so a decrement that loses the race is dropped.
// caught by: loom-assert
//! Pool metrics
//!
//! A document-conversion service runs every upload on a fixed pool of worker threads, and its
//! dashboard shows three numbers from the pool: jobs processed, jobs failed, and jobs queued (a
//! gauge: it goes up when a job is submitted and down when a worker takes it). The submitting
//! thread and every worker update the same `Metrics` at the same time. Alerts fire when the
//! queue looks stuck, so the gauge must come back to 0 whenever the pool is idle.
//!
//! Done when: every counter in `Metrics` stays exact however submitters and workers interleave,
//! `snapshot()` reports them, and the loom model passes.

use kit::sync::atomic::{AtomicU64, Ordering};
use kit::sync::{Arc, Mutex, mpsc};
use kit::thread;

/// What the dashboard shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Snapshot {
    pub processed: u64,
    pub failed: u64,
    pub queued: u64,
}

/// The pool's counters, updated from the submitting thread and every worker.
#[derive(Debug, Default)]
pub struct Metrics {
    processed: AtomicU64,
    failed: AtomicU64,
    queued: AtomicU64,
}

impl Metrics {
    /// A job was handed to the pool and waits for a worker.
    pub fn job_queued(&self) {
        self.queued.fetch_add(1, Ordering::Relaxed);
    }

    /// A worker took a job off the queue.
    pub fn job_started(&self) {
        let queued = self.queued.load(Ordering::Relaxed);
        // Only write if nobody changed the gauge in between.
        let _ = self.queued.compare_exchange(
            queued,
            queued.saturating_sub(1),
            Ordering::Relaxed,
            Ordering::Relaxed,
        );
    }

    /// A worker finished a job, successfully or not.
    pub fn job_finished(&self, succeeded: bool) {
        self.processed.fetch_add(1, Ordering::Relaxed);
        if !succeeded {
            self.failed.fetch_add(1, Ordering::Relaxed);
        }
    }

    pub fn snapshot(&self) -> Snapshot {
        Snapshot {
            processed: self.processed.load(Ordering::Relaxed),
            failed: self.failed.load(Ordering::Relaxed),
            queued: self.queued.load(Ordering::Relaxed),
        }
    }
}

pub type Job = Box<dyn FnOnce() -> Result<(), String> + Send>;

/// A fixed pool of workers that keeps `Metrics` up to date.
pub struct Pool {
    jobs: mpsc::Sender<Job>,
    workers: Vec<thread::JoinHandle<()>>,
    metrics: Arc<Metrics>,
}

impl Pool {
    pub fn new(size: usize) -> Self {
        let (jobs, queue) = mpsc::channel::<Job>();
        let queue = Arc::new(Mutex::new(queue));
        let metrics = Arc::new(Metrics::default());
        let workers = (0..size)
            .map(|_| {
                let queue = Arc::clone(&queue);
                let metrics = Arc::clone(&metrics);
                thread::spawn(move || {
                    loop {
                        let next = queue.lock().unwrap().recv();
                        let Ok(job) = next else { break };
                        metrics.job_started();
                        metrics.job_finished(job().is_ok());
                    }
                })
            })
            .collect();
        Pool { jobs, workers, metrics }
    }

    pub fn submit(&self, job: impl FnOnce() -> Result<(), String> + Send + 'static) {
        self.metrics.job_queued();
        self.jobs.send(Box::new(job)).expect("every worker has stopped");
    }

    pub fn metrics(&self) -> Snapshot {
        self.metrics.snapshot()
    }

    /// Lets the workers finish every queued job, then returns the final numbers.
    pub fn shutdown(self) -> Snapshot {
        drop(self.jobs);
        for worker in self.workers {
            worker.join().unwrap();
        }
        self.metrics.snapshot()
    }
}

fn main() {
    let pool = Pool::new(4);
    for upload in 0..10_000 {
        pool.submit(move || {
            if upload % 7 == 0 { Err(format!("upload {upload} is corrupt")) } else { Ok(()) }
        });
    }
    let done = pool.shutdown();
    println!(
        "processed {}, failed {}, queued {} (expected 10000, 1429, 0)",
        done.processed, done.failed, done.queued
    );
}
