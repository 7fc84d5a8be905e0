// Retries with a recursive call when woken to an empty spool, still holding the spool's lock.
// caught by: loom-deadlock
//! Print spooler
//!
//! An office print server takes jobs from every desktop and feeds them to a room of printers. The
//! jobs wait in a spool of fixed size: when it is full, a desktop's `submit` waits for room, so a
//! burst of jobs slows the desktops down instead of filling the server's memory; a printer with
//! nothing to print waits in `next_job` until a job arrives. Several printers take jobs from the
//! same spool, each job going to whichever printer is free first.
//!
//! Done when: every job submitted is printed exactly once, in the order the jobs were submitted,
//! however many desktops and printers share the spool; `submit` waits while the spool is full,
//! `next_job` waits while it is empty; and the loom model passes.

use kit::sync::{Arc, Condvar, Mutex};
use kit::thread;
use std::collections::VecDeque;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrintJob {
    pub id: u32,
    pub document: String,
}

/// A spool of at most `capacity` jobs, shared by the desktops and the printers.
pub struct Spooler {
    jobs: Mutex<VecDeque<PrintJob>>,
    capacity: usize,
    /// Signalled when a job is added: a printer may have something to print.
    job_ready: Condvar,
    /// Signalled when a job is taken: a desktop may have room to submit.
    room: Condvar,
}

impl Spooler {
    pub fn new(capacity: usize) -> Self {
        assert!(capacity > 0, "a spool needs room for at least one job");
        Spooler {
            jobs: Mutex::new(VecDeque::with_capacity(capacity)),
            capacity,
            job_ready: Condvar::new(),
            room: Condvar::new(),
        }
    }

    /// Adds `job` to the spool, waiting while the spool is full.
    pub fn submit(&self, job: PrintJob) {
        let mut jobs = self.jobs.lock().unwrap();
        while jobs.len() == self.capacity {
            jobs = self.room.wait(jobs).unwrap();
        }
        jobs.push_back(job);
        self.job_ready.notify_one();
    }

    /// Takes the oldest job in the spool, waiting while there is none.
    pub fn next_job(&self) -> PrintJob {
        let mut jobs = self.jobs.lock().unwrap();
        if jobs.is_empty() {
            jobs = self.job_ready.wait(jobs).unwrap();
        }
        let Some(job) = jobs.pop_front() else {
            // Another printer took it: try again.
            return self.next_job();
        };
        self.room.notify_one();
        job
    }

    /// How many jobs are waiting for a printer.
    pub fn queued(&self) -> usize {
        self.jobs.lock().unwrap().len()
    }
}

fn main() {
    let spool = Arc::new(Spooler::new(2));
    let printers: Vec<_> = ["laser-1", "laser-2"]
        .into_iter()
        .map(|printer| {
            let spool = Arc::clone(&spool);
            thread::spawn(move || {
                let mut printed = 0;
                // Job 0 tells a printer to go offline.
                loop {
                    let job = spool.next_job();
                    if job.id == 0 {
                        return printed;
                    }
                    println!("{printer}: printing job {} ({})", job.id, job.document);
                    printed += 1;
                }
            })
        })
        .collect();
    let documents = ["invoice.pdf", "minutes.docx", "floor-plan.png", "badge.pdf", "memo.txt"];
    for (id, document) in (1..).zip(documents) {
        spool.submit(PrintJob { id, document: document.to_string() });
    }
    for _ in &printers {
        spool.submit(PrintJob { id: 0, document: String::new() });
    }
    let printed: u32 = printers.into_iter().map(|p| p.join().unwrap()).sum();
    println!("{printed} of {} jobs printed", documents.len());
}
