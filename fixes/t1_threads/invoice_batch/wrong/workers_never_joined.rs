// Shares the jobs among `workers` threads and collects every result, but never joins the threads.
// caught by: test
//! Invoice batch
//!
//! At the end of every month the billing service totals every customer's invoice: tens of
//! thousands of small jobs of a few microseconds each. `run_all` runs such a batch on a fixed
//! number of worker threads and returns the results in the order of the jobs. Threads are not
//! free: each costs a system call to start and memory for its stack.
//!
//! `cargo run -p exercises --bin invoice_batch` measures `run_all` against one thread per job, each
//! in a fresh process: wall time, and peak memory (VmHWM in /proc/self/status). Once fixed, a
//! debug build on a 2-core Linux VM printed (times vary from run to run; the gap does not):
//!
//!     20000 invoices, 4 workers:
//!       thread-per-job:  1863.7 ms, peak memory  169.4 MiB, billed 598012482
//!                 pool:    72.3 ms, peak memory    3.4 MiB, billed 598012482
//!
//! Done when: `run_all(jobs, workers, work)` runs every job exactly once on at most `workers`
//! threads, starts no more threads than that, and returns the results in the order of `jobs`.

use kit::sync::Arc;
use kit::thread;
use std::process::Command;
use std::time::Instant;

/// Runs `work` on every job, on at most `workers` threads, and returns the results in job order.
pub fn run_all<J, R, F>(jobs: Vec<J>, workers: usize, work: F) -> Vec<R>
where
    J: Send + 'static,
    R: Send + 'static,
    F: Fn(J) -> R + Send + Sync + 'static,
{
    assert!(workers > 0, "run_all needs at least one worker");
    use kit::sync::{Mutex, mpsc};
    let total = jobs.len();
    let work = Arc::new(work);
    let queue = Arc::new(Mutex::new(jobs.into_iter().enumerate()));
    let (done, results) = mpsc::channel();
    for _ in 0..workers {
        let (queue, done, work) = (Arc::clone(&queue), done.clone(), Arc::clone(&work));
        thread::spawn(move || {
            loop {
                let next = queue.lock().unwrap().next();
                let Some((index, job)) = next else { break };
                done.send((index, work(job))).unwrap();
            }
        });
    }
    drop(done);
    // The channel closes when the last worker ends: every result is in.
    let mut slots: Vec<Option<R>> = (0..total).map(|_| None).collect();
    for (index, result) in results.iter() {
        slots[index] = Some(result);
    }
    slots.into_iter().map(|slot| slot.expect("a job was lost")).collect()
}

const INVOICES: u64 = 20_000;
const WORKERS: usize = 4;

/// One customer's invoice total, in cents: a little arithmetic per line.
fn invoice_total(customer: u64) -> u64 {
    (0..50).map(|line| (customer * 31 + line * 17) % 997 + 100).sum()
}

/// What `main` measures `run_all` against.
fn one_thread_per_job(customers: Vec<u64>) -> Vec<u64> {
    let running: Vec<_> =
        customers.into_iter().map(|c| thread::spawn(move || invoice_total(c))).collect();
    running.into_iter().map(|job| job.join().unwrap()).collect()
}

/// The most resident memory this process has used (VmHWM), where Linux reports it.
fn peak_memory() -> String {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let line = status.lines().find(|line| line.starts_with("VmHWM:"));
    let kib = line.and_then(|line| line.split_whitespace().nth(1)?.parse::<f64>().ok());
    kib.map_or("unknown".to_string(), |kib| format!("{:.1} MiB", kib / 1024.0))
}

fn main() {
    // A measurement run: one way of running the batch, in a process of its own.
    if let Some(way) = std::env::args().nth(1) {
        #[cfg(not(loom))]
        kit::hang::set_limit(None); // spawning 20,000 threads may stall a wait for a while
        let customers: Vec<u64> = (0..INVOICES).collect();
        let started = Instant::now();
        let totals = match way.as_str() {
            "pool" => run_all(customers, WORKERS, invoice_total),
            _ => one_thread_per_job(customers),
        };
        let elapsed = started.elapsed().as_secs_f64() * 1000.0;
        let billed: u64 = totals.iter().sum();
        println!("{way:>16}: {elapsed:7.1} ms, peak memory {:>10}, billed {billed}", peak_memory());
        return;
    }
    println!("{INVOICES} invoices, {WORKERS} workers:");
    let me = std::env::current_exe().expect("cannot find this program to measure it");
    for way in ["thread-per-job", "pool"] {
        let status = Command::new(&me).arg(way).status().expect("cannot start a measurement");
        assert!(status.success(), "the {way} measurement failed: {status}");
    }
}
