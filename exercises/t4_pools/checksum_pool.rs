//! Checksum pool
//!
//! A package mirror checks every file it downloads on a pool of threads: `ChannelPool`, whose
//! workers take jobs from a shared channel. Its replacement, `CondvarPool`, is the same pool on a
//! `Mutex<VecDeque>` and a `Condvar`. Running it times `CondvarPool` at several sizes on checksums
//! (CPU-bound: no faster past the core count) and on signatures (IO-bound: more workers help).
//!
//! Done when: `CondvarPool` runs every job exactly once on its own workers, `shutdown` runs the
//! jobs still queued and joins the workers, and racing `ChannelPool` on the same downloads with as
//! many workers, `CondvarPool` takes at most 1.4 times as long (the median of 5 races).

use kit::sync::{Arc, Condvar, Mutex, mpsc};
use kit::thread;
use std::collections::VecDeque;
use std::time::{Duration, Instant};

pub trait Pool {
    fn new(workers: usize) -> Self;
    fn execute(&self, job: impl FnOnce() + Send + 'static);
    fn shutdown(self);
}

type Job = Box<dyn FnOnce() + Send + 'static>;

/// The reference pool: workers take turns receiving from one channel.
pub struct ChannelPool {
    jobs: mpsc::Sender<Job>,
    workers: Vec<thread::JoinHandle<()>>,
}

impl Pool for ChannelPool {
    fn new(workers: usize) -> Self {
        let (jobs, queue) = mpsc::channel::<Job>();
        let queue = Arc::new(Mutex::new(queue));
        let spawn = |_| {
            let queue = Arc::clone(&queue);
            thread::spawn(move || {
                loop {
                    let Ok(job) = queue.lock().unwrap().recv() else { return };
                    job();
                }
            })
        };
        ChannelPool { jobs, workers: (0..workers).map(spawn).collect() }
    }

    fn execute(&self, job: impl FnOnce() + Send + 'static) {
        self.jobs.send(Box::new(job)).expect("every worker has stopped");
    }

    fn shutdown(self) {
        // Closing the channel stops each worker once the queue is empty.
        drop(self.jobs);
        self.workers.into_iter().for_each(|worker| worker.join().expect("a worker panicked"));
    }
}

/// The pool on a queue of its own: a `Mutex` around the jobs, a `Condvar` to wake idle workers.
pub struct CondvarPool {
    shared: Arc<(Mutex<Queue>, Condvar)>,
    workers: Vec<thread::JoinHandle<()>>,
}

#[derive(Default)]
struct Queue {
    jobs: VecDeque<Job>,
    closed: bool,
}

/// A `CondvarPool` worker: runs the next job until the pool is closed and its queue is empty.
fn work((queue, queued): &(Mutex<Queue>, Condvar)) {
    loop {
        let mut queue = queue.lock().unwrap();
        while queue.jobs.is_empty() && !queue.closed {
            queue = queued.wait(queue).unwrap();
        }
        let Some(job) = queue.jobs.pop_front() else { return };
        job();
    }
}

impl Pool for CondvarPool {
    fn new(workers: usize) -> Self {
        let shared = Arc::new((Mutex::new(Queue::default()), Condvar::new()));
        let spawn = |_| {
            let shared = Arc::clone(&shared);
            thread::spawn(move || work(&shared))
        };
        CondvarPool { workers: (0..workers).map(spawn).collect(), shared }
    }

    fn execute(&self, job: impl FnOnce() + Send + 'static) {
        let (queue, queued) = &*self.shared;
        queue.lock().unwrap().jobs.push_back(Box::new(job));
        queued.notify_one();
    }

    fn shutdown(self) {
        let (queue, queued) = &*self.shared;
        queue.lock().unwrap().closed = true;
        queued.notify_all();
        self.workers.into_iter().for_each(|worker| worker.join().expect("a worker panicked"));
    }
}

/// Checks a file's checksum: pure CPU work. FNV-1a stands in for the SHA-256 a real mirror
/// computes, and `black_box` for comparing it with the published one (so that it is computed).
pub fn check_checksum(file: &[u8]) {
    let fnv = |hash: u64, byte: &u8| (hash ^ u64::from(*byte)).wrapping_mul(0x100_0000_01b3);
    std::hint::black_box(file.iter().fold(0xcbf2_9ce4_8422_2325, fnv));
}

/// Checks a file's signature, fetched from a slow mirror: the job mostly waits for the network.
pub fn check_signature(_file: &[u8]) {
    std::thread::sleep(Duration::from_millis(5));
}

/// `count` files of `size` bytes of made-up content, kept for the rest of the program.
pub fn downloads(count: usize, size: usize) -> &'static [Vec<u8>] {
    (0..count).map(|n| (0..size).map(|i| (i * 7 + n) as u8).collect()).collect::<Vec<_>>().leak()
}

/// Runs `check` on every file, a job each, on a new pool; returns its time, from start to join.
pub fn verify<P: Pool>(workers: usize, files: &'static [Vec<u8>], check: fn(&[u8])) -> Duration {
    let started = Instant::now();
    let pool = P::new(workers);
    files.iter().for_each(|file| pool.execute(move || check(file)));
    pool.shutdown();
    started.elapsed()
}

/// Checks `files`' checksums on both pools at once, so other programs' load slows both alike, and
/// returns how many times as long `CondvarPool` took as `ChannelPool`.
pub fn race(workers: usize, files: &'static [Vec<u8>]) -> f64 {
    let reference = thread::spawn(move || verify::<ChannelPool>(workers, files, check_checksum));
    let took = verify::<CondvarPool>(workers, files, check_checksum);
    took.as_secs_f64() / reference.join().unwrap().as_secs_f64()
}

fn main() {
    let files = downloads(64, 256 * 1024);
    let ratio = race(16, files);
    println!("Racing ChannelPool, 16 workers each: CondvarPool took {ratio:.2} times as long.\n");
    let cores = thread::available_parallelism().map_or(1, |n| n.get());
    println!("CondvarPool on {cores} cores, ms to check 64 files of 256 KiB:");
    println!("workers  checksums (CPU-bound)  signatures (IO-bound, 5 ms each)");
    for workers in [1, 2, 4, 8, 16, 32] {
        let ms = |check| verify::<CondvarPool>(workers, files, check).as_secs_f64() * 1e3;
        println!("{workers:>7} {:>24.0} {:>33.0}", ms(check_checksum), ms(check_signature));
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use kit::thread::LiveThreads;

    #[test]
    fn runs_every_job_once_and_joins_its_workers() {
        let runs = Arc::new(Mutex::new(vec![0; 100]));
        let threads = LiveThreads::track();
        let pool = CondvarPool::new(3);
        for job in 0..100 {
            let runs = Arc::clone(&runs);
            pool.execute(move || runs.lock().unwrap()[job] += 1);
        }
        pool.shutdown();
        assert_eq!(threads.live(), 0, "shutdown must join every worker");
        assert_eq!(threads.spawned(), 3, "a pool of 3 must run its jobs on 3 threads");
        assert_eq!(*runs.lock().unwrap(), [1; 100], "times each job ran: each must run once");
    }

    #[test]
    fn two_workers_run_two_jobs_at_once() {
        let (second_started, started) = std::sync::mpsc::channel();
        let (report, overlapped) = mpsc::channel();
        let pool = CondvarPool::new(2);
        // The first job waits a while for the second to start: with a worker free, it does.
        pool.execute(move || report.send(started.recv_timeout(Duration::from_secs(1))).unwrap());
        pool.execute(move || _ = second_started.send(()));
        pool.shutdown();
        assert!(
            overlapped.recv().unwrap().is_ok(),
            "with 2 workers, the second job did not start within 1 s while the first one ran"
        );
    }

    #[test]
    fn takes_at_most_1_4_times_as_long_as_the_channel_pool() {
        // Many more workers than cores: a pool that runs one job at a time then loses clearly.
        let files = downloads(64, 256 * 1024);
        let mut ratios: Vec<f64> = (0..5).map(|_| race(16, files)).collect();
        ratios.sort_by(f64::total_cmp);
        assert!(
            ratios[2] <= 1.4,
            "racing ChannelPool 5 times, CondvarPool took {ratios:.2?} times as long as it: \
             {:.2} at the median, and at most 1.4 is allowed",
            ratios[2]
        );
    }
}
