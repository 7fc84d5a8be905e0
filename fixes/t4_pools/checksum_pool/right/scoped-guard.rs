// Takes the job in a block whose end drops the guard, using `wait_while`.
//! Checksum pool
//!
//! A package mirror checks every file it downloads on a pool of threads: `ChannelPool`, whose
//! workers take jobs from a shared channel. Its replacement, `CondvarPool`, is the same pool on a
//! `Mutex<VecDeque>` and a `Condvar`. Running it times `CondvarPool` at several sizes on checksums
//! (CPU-bound: no faster past the core count) and on signatures (IO-bound: more workers help).
//!
//! Done when: `CondvarPool` runs every job exactly once on its own workers, `shutdown` runs the
//! jobs still queued and joins the workers, and on the tests' clock, where a check lasts one tick
//! and the clock ticks once as many checks run as can, `CondvarPool` takes at most 1.4 times as
//! many ticks as `ChannelPool` with as many workers. Running it races the two on the real clock.

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
        let job = {
            let idle = |queue: &mut Queue| queue.jobs.is_empty() && !queue.closed;
            let mut queue = queued.wait_while(queue.lock().unwrap(), idle).unwrap();
            queue.jobs.pop_front()
        };
        let Some(job) = job else { return };
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

fn main() {
    let files = downloads(64, 256 * 1024);
    // Both pools at once, so that other programs' load slows both alike.
    let reference = thread::spawn(move || verify::<ChannelPool>(16, files, check_checksum));
    let took = verify::<CondvarPool>(16, files, check_checksum);
    let ratio = took.as_secs_f64() / reference.join().unwrap().as_secs_f64();
    println!("Racing ChannelPool, 16 workers each: CondvarPool took {ratio:.2} times as long.\n");
    let cores = thread::available_parallelism().map_or(1, |n| n.get());
    println!("CondvarPool on {cores} cores, ms to check 64 files of 256 KiB:");
    println!("workers  checksums (CPU-bound)  signatures (IO-bound, 5 ms each)");
    for workers in [1, 2, 4, 8, 16, 32] {
        let ms = |check| verify::<CondvarPool>(workers, files, check).as_secs_f64() * 1e3;
        println!("{workers:>7} {:>24.0} {:>33.0}", ms(check_checksum), ms(check_signature));
    }
}
