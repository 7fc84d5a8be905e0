// Retries the compare-exchange once instead of looping: a hit lost twice in a row is dropped.
// caught by: loom-assert
//! Hit counter
//!
//! A web server handles each request on one of several threads, and every handler records a hit
//! on a shared counter. The dashboard reads the total, and the operations team bills customers
//! from it, so not one hit may be lost, however the handlers' threads interleave.
//!
//! Done when: `HitCounter` counts every `record()` exactly once, from any number of threads at
//! the same time, and its loom model passes.

use kit::sync::Arc;
use kit::sync::atomic::{AtomicU64, Ordering};
use kit::thread;

/// Counts hits from many threads at once.
#[derive(Debug, Default)]
pub struct HitCounter {
    hits: AtomicU64,
}

impl HitCounter {
    pub fn new() -> Self {
        HitCounter { hits: AtomicU64::new(0) }
    }

    /// Records one hit.
    pub fn record(&self) {
        let seen = self.hits.load(Ordering::SeqCst);
        if let Err(now) =
            self.hits.compare_exchange(seen, seen + 1, Ordering::SeqCst, Ordering::SeqCst)
        {
            // Someone else got in first: count on top of theirs.
            let _ = self.hits.compare_exchange(now, now + 1, Ordering::SeqCst, Ordering::SeqCst);
        }
    }

    /// The hits recorded so far.
    pub fn total(&self) -> u64 {
        self.hits.load(Ordering::SeqCst)
    }
}

fn main() {
    let counter = Arc::new(HitCounter::new());
    let handlers: Vec<_> = (0..4)
        .map(|_| {
            let counter = Arc::clone(&counter);
            thread::spawn(move || (0..100_000).for_each(|_| counter.record()))
        })
        .collect();
    for handler in handlers {
        handler.join().unwrap();
    }
    println!("{} hits recorded out of 400000", counter.total());
}
