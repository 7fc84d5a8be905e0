//! Search indexer
//!
//! A documentation site re-indexes pages for its search box in the background: the web handlers
//! `submit` each edited page, and a few worker threads add the pages to the index. The index lives
//! in files the indexer owns, so before the site restarts it calls `shutdown`, in one of two modes:
//! `Drain` (a planned deploy) indexes every page still queued first; `Abort` (the host is going
//! away) indexes nothing more and hands the queued pages back, to be queued again after the
//! restart. Either way a page already being indexed is finished, never cut off half-written, and
//! `shutdown` returns only once no worker is indexing anything: right after it returns, the site
//! closes the index files.
//!
//! Done when: `shutdown(Drain)` returns after every submitted page has been indexed;
//! `shutdown(Abort)` returns the pages that were never started, after the pages in flight are
//! done; in both modes no worker thread is left running; and the loom models pass.

use kit::sync::{Arc, Condvar, Mutex};
use kit::thread;
use std::collections::VecDeque;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shutdown {
    /// Index every page still queued, then stop.
    Drain,
    /// Index nothing more: hand the queued pages back.
    Abort,
}

struct Queue<P> {
    pages: VecDeque<P>,
    closed: bool,
}

/// Indexes submitted pages on a fixed set of worker threads.
pub struct Indexer<P> {
    queue: Arc<(Mutex<Queue<P>>, Condvar)>,
    workers: Vec<thread::JoinHandle<()>>,
}

impl<P: Send + 'static> Indexer<P> {
    /// Starts `workers` threads that add each submitted page to the index with `index`.
    pub fn start<F>(workers: usize, index: F) -> Self
    where
        F: Fn(P) + Send + Sync + 'static,
    {
        assert!(workers > 0, "an indexer needs at least one worker");
        let index = Arc::new(index);
        let queue =
            Arc::new((Mutex::new(Queue { pages: VecDeque::new(), closed: false }), Condvar::new()));
        let workers = (0..workers)
            .map(|_| {
                let (queue, index) = (Arc::clone(&queue), Arc::clone(&index));
                thread::spawn(move || {
                    loop {
                        let (pages, changed) = &*queue;
                        let waiting = |q: &mut Queue<P>| q.pages.is_empty() && !q.closed;
                        let mut pages = changed.wait_while(pages.lock().unwrap(), waiting).unwrap();
                        let Some(page) = pages.pages.pop_front() else { return };
                        drop(pages);
                        index(page);
                    }
                })
            })
            .collect();
        Indexer { queue, workers }
    }

    /// Queues `page` for indexing and returns at once.
    pub fn submit(&self, page: P) {
        let (queue, changed) = &*self.queue;
        let mut queue = queue.lock().unwrap();
        assert!(!queue.closed, "page submitted after shutdown");
        queue.pages.push_back(page);
        changed.notify_one();
    }

    /// Stops the indexer and returns the pages it will never index (none, when draining), once no
    /// worker is indexing any more.
    pub fn shutdown(self, mode: Shutdown) -> Vec<P> {
        let (queue, changed) = &*self.queue;
        let mut queue = queue.lock().unwrap();
        queue.closed = true;
        changed.notify_all();
        if mode == Shutdown::Abort {
            // Nothing queued will be indexed now: hand it back to be queued after the restart.
            return queue.pages.drain(..).collect();
        }
        drop(queue);
        for worker in self.workers {
            worker.join().expect("an indexing worker panicked");
        }
        Vec::new()
    }
}

fn main() {
    let indexer = Indexer::start(2, |page: String| println!("indexed {page}"));
    let pages = ["/guide/install", "/guide/config", "/api/search"];
    pages.into_iter().for_each(|page| indexer.submit(page.to_string()));
    assert!(indexer.shutdown(Shutdown::Drain).is_empty());
    println!("drained; index files closed");

    let indexer = Indexer::start(1, |page: String| println!("indexed {page}"));
    ["/blog/2024", "/blog/2025"].into_iter().for_each(|page| indexer.submit(page.to_string()));
    let unindexed = indexer.shutdown(Shutdown::Abort);
    println!("aborted; index files closed; to queue again after the restart: {unindexed:?}");
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use kit::thread::LiveThreads;
    use std::sync::mpsc as gate;

    /// An indexer whose one worker is held inside page 1 (until `release`), with 2 and 3 queued.
    fn one_page_in_flight() -> (Indexer<u32>, Arc<Mutex<Vec<u32>>>, gate::Sender<()>) {
        let (started, has_started) = gate::channel::<u32>();
        let (release, held) = gate::channel::<()>();
        let held = std::sync::Mutex::new(held);
        let indexed = Arc::new(Mutex::new(Vec::new()));
        let indexer = {
            let indexed = Arc::clone(&indexed);
            Indexer::start(1, move |page| {
                let _ = started.send(page); // only page 1's start is awaited
                held.lock().unwrap().recv().expect("the test stopped early");
                indexed.lock().unwrap().push(page);
            })
        };
        (1..=3).for_each(|page| indexer.submit(page));
        assert_eq!(has_started.recv().unwrap(), 1, "the worker did not start on page 1");
        (indexer, indexed, release)
    }

    #[test]
    fn aborting_waits_for_the_page_in_flight_and_hands_back_the_rest() {
        let threads = LiveThreads::track();
        let (indexer, indexed, release) = one_page_in_flight();
        let shutdown = thread::spawn(move || indexer.shutdown(Shutdown::Abort));
        let waited = shutdown.wait_until_blocked().is_some();
        release.send(()).unwrap();
        drop(release); // a worker that starts page 2 after the abort fails at once
        let unindexed = shutdown.join().unwrap();
        assert!(waited, "shutdown(Abort) returned while page 1 was still being indexed");
        assert_eq!(*indexed.lock().unwrap(), [1], "the page in flight was not finished");
        assert_eq!(unindexed, [2, 3], "the queued pages were not handed back");
        assert_eq!(threads.not_joined(), 0, "shutdown returned without joining every worker");
    }

    #[test]
    fn draining_waits_for_the_page_in_flight_and_indexes_the_rest() {
        let threads = LiveThreads::track();
        let (indexer, indexed, release) = one_page_in_flight();
        let shutdown = thread::spawn(move || indexer.shutdown(Shutdown::Drain));
        let waited = shutdown.wait_until_blocked().is_some();
        (1..=3).for_each(|_| release.send(()).unwrap());
        let unindexed = shutdown.join().unwrap();
        assert!(waited, "shutdown(Drain) returned while page 1 was still being indexed");
        assert_eq!(unindexed, Vec::<u32>::new());
        assert_eq!(*indexed.lock().unwrap(), [1, 2, 3]);
        assert_eq!(threads.not_joined(), 0, "shutdown returned without joining every worker");
    }
}

#[cfg(all(test, loom))]
mod loom {
    use super::*;
    use kit::sync::atomic::{AtomicUsize, Ordering};

    #[test]
    fn aborting_returns_only_once_no_page_is_being_indexed() {
        kit::model::check(|| {
            let indexed = Arc::new(AtomicUsize::new(0));
            let indexer = {
                let indexed = Arc::clone(&indexed);
                Indexer::start(1, move |_page: u32| {
                    indexed.fetch_add(1, Ordering::SeqCst);
                })
            };
            indexer.submit(1);
            let unindexed = indexer.shutdown(Shutdown::Abort);
            let accounted_for = indexed.load(Ordering::SeqCst) + unindexed.len();
            assert_eq!(accounted_for, 1, "shutdown(Abort) returned while a worker held the page");
        });
    }

    #[test]
    fn draining_indexes_every_page_on_both_workers() {
        kit::model::check(|| {
            let indexed = Arc::new(AtomicUsize::new(0));
            let indexer = {
                let indexed = Arc::clone(&indexed);
                Indexer::start(2, move |_page: u32| {
                    indexed.fetch_add(1, Ordering::SeqCst);
                })
            };
            indexer.submit(1);
            indexer.submit(2);
            assert!(indexer.shutdown(Shutdown::Drain).is_empty());
            assert_eq!(indexed.load(Ordering::SeqCst), 2, "shutdown(Drain) returned too early");
        });
    }
}
