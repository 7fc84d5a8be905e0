// Gives each side its own condvar but signals only on the empty/full transitions, with `notify_one`: a second waiter of the same side is never woken.
// caught by: hang, loom-deadlock
//! Metrics buffer
//!
//! A web service measures every request it serves: each request handler records a latency sample
//! in a shared buffer, and shipper threads take the samples out and send them to the metrics
//! backend. The buffer holds a fixed number of samples. When the backend is slow and the buffer
//! fills up, `record` waits for room, so the handlers slow down rather than the service running
//! out of memory; a shipper with nothing to send waits in `take`.
//!
//! The buffer has a single `Condvar`, `changed`, signalled whenever a sample goes in or comes out:
//! handlers waiting for room and shippers waiting for samples all wait on it.
//!
//! Done when: every sample recorded is taken exactly once, in the order recorded, with any number
//! of handlers and shippers; no thread waits while it could go on; and the loom models pass.

use kit::sync::{Arc, Condvar, Mutex};
use kit::thread;
use std::collections::VecDeque;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sample {
    pub route: String,
    pub micros: u64,
}

/// A buffer of at most `capacity` samples between the request handlers and the shippers.
pub struct MetricsBuffer {
    samples: Mutex<VecDeque<Sample>>,
    capacity: usize,
    /// Signalled when the buffer stops being empty.
    not_empty: Condvar,
    /// Signalled when the buffer stops being full.
    not_full: Condvar,
}

impl MetricsBuffer {
    pub fn new(capacity: usize) -> Self {
        assert!(capacity > 0, "the buffer needs room for at least one sample");
        MetricsBuffer {
            samples: Mutex::new(VecDeque::with_capacity(capacity)),
            capacity,
            not_empty: Condvar::new(),
            not_full: Condvar::new(),
        }
    }

    /// Adds `sample`, waiting while the buffer is full.
    pub fn record(&self, sample: Sample) {
        let mut samples = self.samples.lock().unwrap();
        while samples.len() == self.capacity {
            samples = self.not_full.wait(samples).unwrap();
        }
        samples.push_back(sample);
        // Shippers wait only while the buffer is empty.
        if samples.len() == 1 {
            self.not_empty.notify_one();
        }
    }

    /// Takes the oldest sample, waiting while the buffer is empty.
    pub fn take(&self) -> Sample {
        let mut samples = self.samples.lock().unwrap();
        while samples.is_empty() {
            samples = self.not_empty.wait(samples).unwrap();
        }
        let sample = samples.pop_front().unwrap();
        // Handlers wait only while the buffer is full.
        if samples.len() == self.capacity - 1 {
            self.not_full.notify_one();
        }
        sample
    }

    /// How many samples are waiting to be shipped.
    pub fn pending(&self) -> usize {
        self.samples.lock().unwrap().len()
    }
}

fn main() {
    let buffer = Arc::new(MetricsBuffer::new(4));
    let handlers: Vec<_> = ["/login", "/search", "/checkout"]
        .into_iter()
        .map(|route| {
            let buffer = Arc::clone(&buffer);
            thread::spawn(move || {
                for n in 1..=10 {
                    buffer.record(Sample { route: route.to_string(), micros: 150 * n });
                }
            })
        })
        .collect();
    let shipper = {
        let buffer = Arc::clone(&buffer);
        thread::spawn(move || {
            let samples: Vec<Sample> = (0..30).map(|_| buffer.take()).collect();
            let total: u64 = samples.iter().map(|s| s.micros).sum();
            (samples.len(), total / samples.len() as u64)
        })
    };
    handlers.into_iter().for_each(|handler| handler.join().unwrap());
    let (shipped, mean) = shipper.join().unwrap();
    println!("shipped {shipped} samples, mean latency {mean} µs");
}
