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
        self.hits.fetch_add(1, Ordering::SeqCst);
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

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn starts_at_zero() {
        assert_eq!(HitCounter::new().total(), 0);
    }

    #[test]
    fn counts_hits_from_one_thread() {
        let counter = HitCounter::new();
        (0..5).for_each(|_| counter.record());
        assert_eq!(counter.total(), 5);
    }
}

#[cfg(all(test, loom))]
mod loom {
    use super::*;
    use kit::sync::Arc;
    use kit::thread;

    #[test]
    fn three_handlers_recording_at_once_lose_no_hit() {
        // Three, not two: an update retried only once is lost when a second handler writes
        // between the first failure and the retry.
        kit::model::check(|| {
            let counter = Arc::new(HitCounter::new());
            let others: Vec<_> = (0..2)
                .map(|_| {
                    let counter = Arc::clone(&counter);
                    thread::spawn(move || counter.record())
                })
                .collect();
            counter.record();
            for other in others {
                other.join().unwrap();
            }
            assert_eq!(counter.total(), 3, "a hit was lost");
        });
    }
}
