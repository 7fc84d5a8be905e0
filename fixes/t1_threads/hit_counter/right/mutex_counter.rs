// Guards a plain u64 with a Mutex instead of using an atomic.
//! Hit counter
//!
//! A web server handles each request on one of several threads, and every handler records a hit
//! on a shared counter. The dashboard reads the total, and the operations team bills customers
//! from it, so not one hit may be lost, however the handlers' threads interleave.
//!
//! Done when: `HitCounter` counts every `record()` exactly once, from any number of threads at
//! the same time, and its loom model passes.

use kit::sync::{Arc, Mutex};
use kit::thread;

/// Counts hits from many threads at once.
#[derive(Debug, Default)]
pub struct HitCounter {
    hits: Mutex<u64>,
}

impl HitCounter {
    pub fn new() -> Self {
        HitCounter { hits: Mutex::new(0) }
    }

    /// Records one hit.
    pub fn record(&self) {
        *self.hits.lock().unwrap() += 1;
    }

    /// The hits recorded so far.
    pub fn total(&self) -> u64 {
        *self.hits.lock().unwrap()
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
