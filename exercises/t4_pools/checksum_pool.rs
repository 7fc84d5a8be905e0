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
        assert_eq!(threads.spawned(), 3, "a pool of 3 must run its jobs on 3 threads");
        assert_eq!(threads.not_joined(), 0, "shutdown must join every worker");
        assert_eq!(*runs.lock().unwrap(), [1; 100], "times each job ran: each must run once");
    }

    #[test]
    fn shutdown_wakes_every_idle_worker() {
        let pool = CondvarPool::new(3);
        pool.wait_for_idle_workers();
        pool.shutdown();
    }

    /// Pools whose workers the tests can see waiting for work.
    trait Idle {
        fn wait_for_idle_workers(&self);
    }

    impl Idle for ChannelPool {
        fn wait_for_idle_workers(&self) {
            self.workers.iter().for_each(|worker| _ = worker.wait_until_blocked());
        }
    }

    impl Idle for CondvarPool {
        fn wait_for_idle_workers(&self) {
            self.workers.iter().for_each(|worker| _ = worker.wait_until_blocked());
        }
    }

    const WORKERS: usize = 4;
    const CHECKS: usize = 16;

    /// The tests' clock. A check lasts until the next tick, and waits for it on std's primitives,
    /// which have no time limit: however long the test takes to tick.
    #[derive(Default)]
    struct CheckClock {
        checks: std::sync::Mutex<Checks>,
        ticked: std::sync::Condvar,
    }

    #[derive(Default)]
    struct Checks {
        started: usize,
        /// How many had started by the last tick: those have ended.
        ended: usize,
        /// Whether `execute` has returned for every check.
        all_queued: bool,
    }

    impl CheckClock {
        fn check(&self) {
            let mut checks = self.checks.lock().unwrap();
            let me = checks.started;
            checks.started += 1;
            self.ticked.notify_all();
            drop(self.ticked.wait_while(checks, |checks| checks.ended <= me).unwrap());
        }

        fn all_queued(&self) {
            self.checks.lock().unwrap().all_queued = true;
            self.ticked.notify_all();
        }
    }

    /// Runs `CHECKS` checks, submitted from another thread, on a new `P` of `WORKERS`, ticking once
    /// as many run as can: `WORKERS`, or all that are left. A pool that runs fewer gets a quarter
    /// of the kit's hang limit to start them (well before its own waits would be diagnosed); from
    /// then on the clock ticks once it runs as many as it ran then, and it may not run fewer again.
    /// The checks come once every worker waits for work, so `execute` must wake them; the clock
    /// first ticks once all are queued (or the patience ran out, if `execute` is stuck), so that
    /// how a pool takes its jobs never depends on how fast they were queued; the pool is shut down
    /// only once every check has run, so that waking the workers to shut down cannot start checks
    /// left waiting. Returns the ticks taken and the most checks run at once.
    fn ticks_taken<P: Pool + Idle>() -> (u32, usize) {
        let clock = Arc::new(CheckClock::default());
        // A std channel: the submitter may wait on it as long as the ticks take.
        let (all_ran, wait_for_all) = std::sync::mpsc::channel::<()>();
        let submitter = {
            let clock = Arc::clone(&clock);
            thread::spawn(move || {
                let pool = P::new(WORKERS);
                pool.wait_for_idle_workers();
                for _ in 0..CHECKS {
                    let clock = Arc::clone(&clock);
                    pool.execute(move || clock.check());
                }
                clock.all_queued();
                let _ = wait_for_all.recv();
                pool.shutdown();
            })
        };
        let patience = kit::hang::limit().map_or(Duration::MAX, |limit| limit / 4);
        let (mut ticks, mut left, mut at_once, mut most) = (0, CHECKS, WORKERS, 0);
        while left > 0 {
            let wanted = at_once.min(left);
            let first_tick_early = |checks: &Checks| ticks == 0 && !checks.all_queued;
            let too_few = |checks: &mut Checks| {
                checks.started - checks.ended < wanted || first_tick_early(checks)
            };
            let checks = clock.checks.lock().unwrap();
            let (mut checks, _) =
                clock.ticked.wait_timeout_while(checks, patience, too_few).unwrap();
            let ran = checks.started - checks.ended;
            assert!(ran > 0, "none of the {left} checks queued started: are the workers woken?");
            let slowed_again = ran < wanted && at_once < WORKERS;
            assert!(!slowed_again, "{left} queued and {ran} running: fewer than {at_once} before");
            checks.ended = checks.started;
            clock.ticked.notify_all();
            if ran < wanted {
                at_once = ran;
            }
            (ticks, left, most) = (ticks + 1, left - ran, most.max(ran));
        }
        drop(all_ran);
        submitter.join().unwrap();
        (ticks, most)
    }

    #[test]
    fn takes_at_most_1_4_times_as_many_ticks_as_the_channel_pool() {
        let (reference, _) = ticks_taken::<ChannelPool>();
        let (took, most) = ticks_taken::<CondvarPool>();
        let ratio = f64::from(took) / f64::from(reference);
        assert!(
            ratio <= 1.4,
            "{CHECKS} checks of one tick each, on {WORKERS} workers: ChannelPool took {reference} \
             ticks and CondvarPool {took}, {ratio:.2} times as long (at most 1.4 is allowed). \
             CondvarPool never ran more than {most} check(s) at once."
        );
    }
}
