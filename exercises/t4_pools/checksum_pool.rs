//! Checksum pool
//!
//! A package mirror downloads hundreds of release files a night and checks each one's checksum
//! before publishing it. Hashing is pure CPU work, so the mirror runs it on a pool of threads: the
//! `ChannelPool` below, whose workers take jobs from a shared channel. `CondvarPool` is the same
//! pool built on a `Mutex<VecDeque>` and a `Condvar` instead, and it is meant to replace it.
//!
//! `cargo run -p exercises --bin checksum_pool` races the two pools, then times both at several
//! sizes on checksums (CPU-bound) and on fetching signatures from a slow mirror (IO-bound: a job
//! mostly waits). Checksums stop getting faster at the number of cores; waiting keeps scaling.
//!
//! Done when: `CondvarPool` runs every job exactly once on its own workers, `shutdown` runs the
//! jobs still queued and joins the workers, and racing `ChannelPool` on the same downloads with as
//! many workers, `CondvarPool` takes at most 1.3 times as long (the median of 5 races).

use kit::sync::{Arc, Condvar, Mutex, mpsc};
use kit::thread;
use std::collections::VecDeque;
use std::time::{Duration, Instant};

/// A thread pool: `new` starts its workers, `execute` queues a job for them, and `shutdown` lets
/// them run the jobs still queued, then joins them.
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
                    let next = queue.lock().unwrap().recv();
                    let Ok(job) = next else { return };
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
fn work(shared: &(Mutex<Queue>, Condvar)) {
    let (queue, queued) = shared;
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

/// FNV-1a: a stand-in for the SHA-256 a real mirror checks, as CPU-bound and dependency-free.
pub fn checksum(data: &[u8]) -> u64 {
    let fnv = |hash: u64, byte: &u8| (hash ^ u64::from(*byte)).wrapping_mul(0x100_0000_01b3);
    data.iter().fold(0xcbf2_9ce4_8422_2325, fnv)
}

/// `count` files of `size` bytes of made-up content.
pub fn downloads(count: usize, size: usize) -> Arc<Vec<Vec<u8>>> {
    Arc::new((0..count).map(|n| (0..size).map(|i| (i * 7 + n) as u8).collect()).collect())
}

/// Checksums every file on a new pool of `workers` workers; returns the checksums in file order
/// and the pool's time, from starting its workers to joining them.
pub fn verify<P: Pool>(workers: usize, files: &Arc<Vec<Vec<u8>>>) -> (Vec<u64>, Duration) {
    let sums = Arc::new(Mutex::new(vec![0; files.len()]));
    let started = Instant::now();
    let pool = P::new(workers);
    for index in 0..files.len() {
        let (files, sums) = (Arc::clone(files), Arc::clone(&sums));
        pool.execute(move || sums.lock().unwrap()[index] = checksum(&files[index]));
    }
    pool.shutdown();
    let took = started.elapsed();
    (sums.lock().unwrap().clone(), took)
}

/// Verifies `files` on both pools at once, so other programs' load slows both alike, and returns
/// how many times as long `CondvarPool` took as `ChannelPool`.
pub fn race(workers: usize, files: &Arc<Vec<Vec<u8>>>) -> f64 {
    let reference = {
        let files = Arc::clone(files);
        thread::spawn(move || verify::<ChannelPool>(workers, &files))
    };
    let tested = verify::<CondvarPool>(workers, files);
    let reference = reference.join().unwrap();
    assert_eq!(tested.0, reference.0, "CondvarPool returned wrong checksums");
    tested.1.as_secs_f64() / reference.1.as_secs_f64()
}

/// Fetches `count` signatures from a slow mirror: each job waits 5 ms for the network.
fn fetch_signatures<P: Pool>(workers: usize, count: usize) -> Duration {
    let started = Instant::now();
    let pool = P::new(workers);
    (0..count).for_each(|_| pool.execute(|| std::thread::sleep(Duration::from_millis(5))));
    pool.shutdown();
    started.elapsed()
}

fn main() {
    let cores = thread::available_parallelism().map_or(1, |n| n.get());
    let files = downloads(64, 256 * 1024);
    let ratio = race(8, &files);
    println!("Racing ChannelPool, 8 workers each: CondvarPool took {ratio:.2} times as long.\n");
    println!("On {cores} cores: checksumming 64 downloads of 256 KiB (CPU-bound), and fetching 64");
    println!("signatures, each waiting 5 ms on the network (IO-bound). Times in ms:");
    println!("            checksums               signatures");
    println!("workers   ChannelPool CondvarPool  ChannelPool CondvarPool");
    for workers in [1, 2, 4, 8, 16, 32] {
        let took = [
            verify::<ChannelPool>(workers, &files).1,
            verify::<CondvarPool>(workers, &files).1,
            fetch_signatures::<ChannelPool>(workers, 64),
            fetch_signatures::<CondvarPool>(workers, 64),
        ];
        let ms = took.map(|took| format!("{:>12.0}", took.as_secs_f64() * 1e3));
        println!("{workers:>7}{}", ms.concat());
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
        let (report, overlapped) = std::sync::mpsc::channel();
        let pool = CondvarPool::new(2);
        // The first job waits a while for the second to start: with a worker free, it does.
        pool.execute(move || report.send(started.recv_timeout(Duration::from_secs(1))).unwrap());
        pool.execute(move || {
            let _ = second_started.send(());
        });
        pool.shutdown();
        assert!(
            overlapped.recv().unwrap().is_ok(),
            "with 2 workers, the second job did not start within 1 s while the first one ran"
        );
    }

    #[test]
    fn takes_at_most_1_3_times_as_long_as_the_channel_pool() {
        const FACTOR: f64 = 1.3;
        let files = downloads(64, 128 * 1024);
        // 8 workers each: more than most machines have cores, as in `main`.
        let mut ratios: Vec<f64> = (0..5).map(|_| race(8, &files)).collect();
        ratios.sort_by(f64::total_cmp);
        let median = ratios[2];
        assert!(
            median <= FACTOR,
            "racing ChannelPool 5 times, CondvarPool took {ratios:.2?} times as long as it: \
             {median:.2} at the median, and at most {FACTOR} is allowed"
        );
    }
}
