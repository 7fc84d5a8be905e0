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
        let LinkChecker { workers, reports, .. } = self;
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

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use kit::thread::LiveThreads;
    use kit::time::{Clock, ManualClock};
    use std::time::Duration;

    fn status_of(url: &str) -> u16 {
        if url.ends_with("gone") { 404 } else { 200 }
    }

    fn sorted(mut reports: Vec<LinkReport>) -> Vec<(String, u16)> {
        reports.sort_by(|a, b| a.url.cmp(&b.url));
        reports.into_iter().map(|r| (r.url, r.status)).collect()
    }

    #[test]
    fn reports_every_link_once() {
        let mut checker = LinkChecker::new(2, status_of);
        for url in ["/a", "/b/gone", "/c", "/d", "/e/gone"] {
            checker.submit(url);
        }
        let expected = [("/a", 200), ("/b/gone", 404), ("/c", 200), ("/d", 200), ("/e/gone", 404)];
        let expected: Vec<_> = expected.iter().map(|&(u, s)| (u.to_string(), s)).collect();
        assert_eq!(sorted(checker.finish()), expected);
    }

    #[test]
    fn finish_waits_for_slow_checks_and_stops_every_worker() {
        // Every probe takes one second of a manual clock, so no check can end until the test
        // moves the clock, and it moves it only once `finish` is waiting or has returned.
        let clock = Arc::new(ManualClock::new());
        let threads = LiveThreads::track();
        let publisher = {
            let clock = Arc::clone(&clock);
            thread::spawn(move || {
                let mut checker = LinkChecker::new(3, move |url: &str| {
                    clock.sleep(Duration::from_secs(1));
                    status_of(url)
                });
                ["/x", "/y/gone", "/z"].iter().for_each(|url| checker.submit(url));
                checker.finish()
            })
        };
        clock.wait_for_sleepers(3);
        publisher.wait_until_blocked();
        clock.advance(Duration::from_secs(1));
        let reports = publisher.join().unwrap();
        let expected =
            vec![("/x".to_string(), 200), ("/y/gone".to_string(), 404), ("/z".into(), 200)];
        assert_eq!(sorted(reports), expected);
        // Counted at each join, so a worker that was not joined fails however fast it ended.
        assert_eq!(threads.not_joined(), 0, "finish returned without joining every worker");
    }

    #[test]
    fn no_links_means_no_reports() {
        assert!(LinkChecker::new(4, status_of).finish().is_empty());
    }
}

#[cfg(all(test, loom))]
mod loom {
    use super::*;

    #[test]
    fn finish_collects_all_three_reports_from_two_workers() {
        kit::model::check(|| {
            // Three links on two workers: the first worker checks two of them.
            let mut checker = LinkChecker::new(2, |url: &str| url.len() as u16);
            checker.submit("/a");
            checker.submit("/bb");
            checker.submit("/ccc");
            let mut statuses: Vec<u16> = checker.finish().iter().map(|r| r.status).collect();
            statuses.sort();
            assert_eq!(statuses, [2, 3, 4]);
        });
    }
}
