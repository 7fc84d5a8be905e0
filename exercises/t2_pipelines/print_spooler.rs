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
        let job = jobs.pop_front().expect("a printer was woken for a job");
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

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use std::time::{Duration, Instant};

    /// Waits until `thread` waits on a condvar. `wait_until_blocked` also returns while a thread
    /// is blocked for a moment on the lock, still held by another thread starting its own wait:
    /// acting then would let it see the change without waiting to be woken for it.
    fn wait_until_in_condvar_wait<T>(thread: &thread::JoinHandle<T>, returned: &str) {
        let give_up = Instant::now() + kit::hang::limit().unwrap_or(Duration::from_secs(2));
        loop {
            match thread.wait_until_blocked() {
                Some(wait) if wait.contains("Condvar") => return,
                Some(wait) => assert!(Instant::now() < give_up, "still blocked in {wait}"),
                None => panic!("{returned}"),
            }
            std::thread::yield_now();
        }
    }

    fn job(id: u32) -> PrintJob {
        PrintJob { id, document: format!("report-{id}.pdf") }
    }

    #[test]
    fn jobs_come_out_in_the_order_they_were_submitted() {
        let spool = Spooler::new(4);
        (1..=3).for_each(|id| spool.submit(job(id)));
        assert_eq!(spool.queued(), 3);
        let printed: Vec<u32> = (0..3).map(|_| spool.next_job().id).collect();
        assert_eq!(printed, [1, 2, 3]);
        assert_eq!(spool.queued(), 0);
    }

    #[test]
    fn a_printer_waits_for_the_next_job() {
        let spool = Arc::new(Spooler::new(1));
        let printer = {
            let spool = Arc::clone(&spool);
            thread::spawn(move || spool.next_job())
        };
        assert!(printer.wait_until_blocked().is_some(), "next_job returned from an empty spool");
        spool.submit(job(7));
        assert_eq!(printer.join().unwrap(), job(7));
    }

    #[test]
    fn submit_waits_while_the_spool_is_full() {
        let spool = Arc::new(Spooler::new(1));
        spool.submit(job(1));
        let desktop = {
            let spool = Arc::clone(&spool);
            thread::spawn(move || spool.submit(job(2)))
        };
        assert!(desktop.wait_until_blocked().is_some(), "submit returned with the spool full");
        assert_eq!(spool.queued(), 1, "the spool holds more jobs than its capacity");
        assert_eq!(spool.next_job(), job(1));
        desktop.join().unwrap();
        assert_eq!(spool.next_job(), job(2));
    }

    #[test]
    fn one_printer_prints_every_job_of_two_desktops() {
        let spool = Arc::new(Spooler::new(2));
        let desktops: Vec<_> = [0, 100]
            .into_iter()
            .map(|first| {
                let spool = Arc::clone(&spool);
                thread::spawn(move || (first..first + 50).for_each(|id| spool.submit(job(id))))
            })
            .collect();
        let mut printed: Vec<u32> = (0..100).map(|_| spool.next_job().id).collect();
        desktops.into_iter().for_each(|desktop| desktop.join().unwrap());
        printed.sort_unstable();
        assert_eq!(printed, (0..50).chain(100..150).collect::<Vec<_>>());
    }

    #[test]
    fn every_idle_printer_is_woken_for_a_job() {
        // Room for every job: the later ones are submitted to a spool that is not empty. With
        // four printers, a printer woken after each job is a race the code cannot win every time.
        let spool = Arc::new(Spooler::new(4));
        let printers: Vec<_> = (0..4)
            .map(|_| {
                let spool = Arc::clone(&spool);
                let printer = thread::spawn(move || spool.next_job().id);
                wait_until_in_condvar_wait(&printer, "next_job returned from an empty spool");
                printer
            })
            .collect();
        (1..=4).for_each(|id| spool.submit(job(id)));
        let mut printed: Vec<u32> = printers.into_iter().map(|p| p.join().unwrap()).collect();
        printed.sort_unstable();
        assert_eq!(printed, [1, 2, 3, 4]);
    }

    #[test]
    fn every_desktop_waiting_for_room_gets_it() {
        let spool = Arc::new(Spooler::new(4));
        (1..=4).for_each(|id| spool.submit(job(id)));
        let desktops: Vec<_> = (5..=8)
            .map(|id| {
                let spool = Arc::clone(&spool);
                let desktop = thread::spawn(move || spool.submit(job(id)));
                wait_until_in_condvar_wait(&desktop, "submit returned with the spool full");
                desktop
            })
            .collect();
        // Four jobs out, one after the other: room for every desktop.
        let printed: Vec<u32> = (0..4).map(|_| spool.next_job().id).collect();
        assert_eq!(printed, [1, 2, 3, 4]);
        desktops.into_iter().for_each(|desktop| desktop.join().unwrap());
        let mut rest: Vec<u32> = (0..4).map(|_| spool.next_job().id).collect();
        rest.sort_unstable();
        assert_eq!(rest, [5, 6, 7, 8]);
    }
}

#[cfg(all(test, loom))]
mod loom {
    use super::*;

    #[test]
    fn two_printers_share_the_jobs_of_one_desktop() {
        kit::model::check(|| {
            // Room for two jobs, so that a job can arrive while another waits; two jobs per
            // printer, so that a printer woken for a job can lose it to the other twice in a row.
            let spool = Arc::new(Spooler::new(2));
            let printers: Vec<_> = (0..2)
                .map(|_| {
                    let spool = Arc::clone(&spool);
                    thread::spawn(move || [spool.next_job().id, spool.next_job().id])
                })
                .collect();
            (1..=4).for_each(|id| spool.submit(PrintJob { id, document: format!("{id}.pdf") }));
            let mut printed: Vec<u32> =
                printers.into_iter().flat_map(|p| p.join().unwrap()).collect();
            printed.sort_unstable();
            assert_eq!(printed, [1, 2, 3, 4], "each job must be printed exactly once");
        });
    }

    #[test]
    fn a_printer_woken_for_a_job_can_lose_it_twice() {
        kit::model::check(|| {
            let spool = Arc::new(Spooler::new(1));
            let printer = {
                let spool = Arc::clone(&spool);
                thread::spawn(move || spool.next_job().id)
            };
            let desktop = {
                let spool = Arc::clone(&spool);
                thread::spawn(move || spool.submit(PrintJob { id: 3, document: "3.pdf".into() }))
            };
            // A desktop that also prints: after each job it submits, it may take that job before
            // the printer woken for it runs.
            spool.submit(PrintJob { id: 1, document: "1.pdf".into() });
            let first = spool.next_job().id;
            spool.submit(PrintJob { id: 2, document: "2.pdf".into() });
            let second = spool.next_job().id;
            desktop.join().unwrap();
            let mut printed = [first, second, printer.join().unwrap()];
            printed.sort_unstable();
            assert_eq!(printed, [1, 2, 3], "each job must be printed exactly once");
        });
    }
}
