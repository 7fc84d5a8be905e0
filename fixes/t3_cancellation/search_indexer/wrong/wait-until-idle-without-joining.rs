// Abort waits until no worker is indexing, counted under the lock, but never joins them: worker threads outlive shutdown.
// caught by: test
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
    /// Pages being indexed right now.
    indexing: usize,
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
        let queue = Arc::new((
            Mutex::new(Queue { pages: VecDeque::new(), closed: false, indexing: 0 }),
            Condvar::new(),
        ));
        let workers = (0..workers)
            .map(|_| {
                let (queue, index) = (Arc::clone(&queue), Arc::clone(&index));
                thread::spawn(move || {
                    loop {
                        let (pages, changed) = &*queue;
                        let waiting = |q: &mut Queue<P>| q.pages.is_empty() && !q.closed;
                        let mut pages = changed.wait_while(pages.lock().unwrap(), waiting).unwrap();
                        let Some(page) = pages.pages.pop_front() else { return };
                        pages.indexing += 1;
                        drop(pages);
                        index(page);
                        queue.0.lock().unwrap().indexing -= 1;
                        changed.notify_all();
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
            let unindexed = queue.pages.drain(..).collect();
            // Then wait for the pages in flight.
            let _idle = changed.wait_while(queue, |q| q.indexing > 0).unwrap();
            return unindexed;
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
