// Drops a reference to the results Sender instead of the Sender itself, which leaves it alive.
// caught by: hang, loom-deadlock
//! Link checker
//!
//! Before a documentation site is published, every link on it is checked. A `LinkChecker` is a
//! small pool: `submit` starts another worker thread while there are fewer than `max_workers`, and
//! hands the links to the workers in turn, each through its own queue. Each worker probes its
//! links and sends a report per link back to the pool. `finish` says no more links are coming,
//! collects every report and stops the workers.
//!
//! Done when: `finish` returns exactly one report per submitted link (in any order) as soon as
//! the last check is done, even when no link was submitted, and every worker has been joined.

use kit::sync::{Arc, mpsc};
use kit::thread;

/// What probing a link found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkReport {
    pub url: String,
    pub status: u16,
}

/// A worker thread, and the Sender of its own queue of links.
struct Worker {
    links: mpsc::Sender<String>,
    thread: thread::JoinHandle<()>,
}

/// A pool of link-checking workers, started on demand. `P` probes a link and returns its HTTP
/// status.
pub struct LinkChecker<P> {
    workers: Vec<Worker>,
    next: usize,
    results: mpsc::Sender<LinkReport>,
    reports: mpsc::Receiver<LinkReport>,
    max_workers: usize,
    probe: Arc<P>,
}

impl<P> LinkChecker<P>
where
    P: Fn(&str) -> u16 + Send + Sync + 'static,
{
    /// A checker that probes each link with `probe`, on at most `max_workers` threads.
    pub fn new(max_workers: usize, probe: P) -> Self {
        let (results, reports) = mpsc::channel();
        LinkChecker {
            workers: Vec::new(),
            next: 0,
            results,
            reports,
            max_workers: max_workers.max(1),
            probe: Arc::new(probe),
        }
    }

    /// Queues a link for checking, on the workers in turn.
    pub fn submit(&mut self, url: &str) {
        if self.workers.len() < self.max_workers {
            let (links, queue) = mpsc::channel::<String>();
            let results = self.results.clone();
            let probe = Arc::clone(&self.probe);
            let thread = thread::spawn(move || {
                for url in queue {
                    let status = probe(&url);
                    results
                        .send(LinkReport { url, status })
                        .expect("the checker stopped collecting");
                }
            });
            self.workers.push(Worker { links, thread });
        }
        let worker = &self.workers[self.next % self.workers.len()];
        self.next += 1;
        worker.links.send(url.to_string()).expect("a worker stopped");
    }

    /// Waits for every submitted link to be checked and returns their reports.
    pub fn finish(self) -> Vec<LinkReport> {
        let LinkChecker { workers, reports, results, .. } = self;
        // Nobody else sends reports: let the channel close once the workers are done.
        drop(&results);
        let mut threads = Vec::new();
        for worker in workers {
            // No more links: the worker stops once its queue is empty.
            drop(worker.links);
            threads.push(worker.thread);
        }
        let checked: Vec<LinkReport> = reports.iter().collect();
        for thread in threads {
            thread.join().expect("a link-checking worker panicked");
        }
        checked
    }
}

fn main() {
    let mut checker = LinkChecker::new(3, |url: &str| if url.contains("old") { 404 } else { 200 });
    for url in ["/guide/start", "/guide/old-install", "/api/index", "/blog/2019/old-post"] {
        checker.submit(url);
    }
    let mut reports = checker.finish();
    reports.sort_by(|a, b| a.url.cmp(&b.url));
    for report in reports {
        println!("{} {}", report.status, report.url);
    }
}
