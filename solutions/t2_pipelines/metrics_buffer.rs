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
    /// Signalled whenever a sample is recorded or taken.
    changed: Condvar,
}

impl MetricsBuffer {
    pub fn new(capacity: usize) -> Self {
        assert!(capacity > 0, "the buffer needs room for at least one sample");
        MetricsBuffer {
            samples: Mutex::new(VecDeque::with_capacity(capacity)),
            capacity,
            changed: Condvar::new(),
        }
    }

    /// Adds `sample`, waiting while the buffer is full.
    pub fn record(&self, sample: Sample) {
        let mut samples = self.samples.lock().unwrap();
        while samples.len() == self.capacity {
            samples = self.changed.wait(samples).unwrap();
        }
        samples.push_back(sample);
        self.changed.notify_all();
    }

    /// Takes the oldest sample, waiting while the buffer is empty.
    pub fn take(&self) -> Sample {
        let mut samples = self.samples.lock().unwrap();
        while samples.is_empty() {
            samples = self.changed.wait(samples).unwrap();
        }
        let sample = samples.pop_front().unwrap();
        self.changed.notify_all();
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

    fn sample(micros: u64) -> Sample {
        Sample { route: "/api".to_string(), micros }
    }

    #[test]
    fn samples_come_out_in_the_order_they_were_recorded() {
        let buffer = MetricsBuffer::new(3);
        [30, 10, 20].into_iter().for_each(|micros| buffer.record(sample(micros)));
        assert_eq!(buffer.pending(), 3);
        let taken: Vec<u64> = (0..3).map(|_| buffer.take().micros).collect();
        assert_eq!(taken, [30, 10, 20]);
    }

    #[test]
    fn a_shipper_waits_for_a_sample() {
        let buffer = Arc::new(MetricsBuffer::new(2));
        let shipper = {
            let buffer = Arc::clone(&buffer);
            thread::spawn(move || buffer.take())
        };
        assert!(shipper.wait_until_blocked().is_some(), "take returned from an empty buffer");
        buffer.record(sample(5));
        assert_eq!(shipper.join().unwrap(), sample(5));
    }

    #[test]
    fn record_waits_while_the_buffer_is_full() {
        let buffer = Arc::new(MetricsBuffer::new(1));
        buffer.record(sample(1));
        let handler = {
            let buffer = Arc::clone(&buffer);
            thread::spawn(move || buffer.record(sample(2)))
        };
        assert!(handler.wait_until_blocked().is_some(), "record returned with the buffer full");
        assert_eq!(buffer.pending(), 1, "the buffer holds more samples than its capacity");
        assert_eq!(buffer.take(), sample(1));
        handler.join().unwrap();
        assert_eq!(buffer.take(), sample(2));
    }

    #[test]
    fn many_samples_pass_through_a_small_buffer() {
        let buffer = Arc::new(MetricsBuffer::new(2));
        let handler = {
            let buffer = Arc::clone(&buffer);
            thread::spawn(move || (0..200).for_each(|micros| buffer.record(sample(micros))))
        };
        let taken: Vec<u64> = (0..200).map(|_| buffer.take().micros).collect();
        handler.join().unwrap();
        assert_eq!(taken, (0..200).collect::<Vec<_>>());
    }

    #[test]
    fn every_idle_shipper_is_woken_for_a_sample() {
        // Room for every sample: the later ones are recorded into a buffer that is not empty.
        // With four shippers, a shipper woken after each sample is a race the code cannot win
        // every time.
        let buffer = Arc::new(MetricsBuffer::new(4));
        let shippers: Vec<_> = (0..4)
            .map(|_| {
                let buffer = Arc::clone(&buffer);
                let shipper = thread::spawn(move || buffer.take().micros);
                wait_until_in_condvar_wait(&shipper, "take returned from an empty buffer");
                shipper
            })
            .collect();
        (1..=4).for_each(|micros| buffer.record(sample(micros)));
        let mut taken: Vec<u64> = shippers.into_iter().map(|s| s.join().unwrap()).collect();
        taken.sort_unstable();
        assert_eq!(taken, [1, 2, 3, 4]);
    }

    #[test]
    fn every_handler_waiting_for_room_gets_it() {
        let buffer = Arc::new(MetricsBuffer::new(4));
        (1..=4).for_each(|micros| buffer.record(sample(micros)));
        let handlers: Vec<_> = (5..=8)
            .map(|micros| {
                let buffer = Arc::clone(&buffer);
                let handler = thread::spawn(move || buffer.record(sample(micros)));
                wait_until_in_condvar_wait(&handler, "record returned with the buffer full");
                handler
            })
            .collect();
        // Four samples out, one after the other: room for every handler.
        let taken: Vec<u64> = (0..4).map(|_| buffer.take().micros).collect();
        assert_eq!(taken, [1, 2, 3, 4]);
        handlers.into_iter().for_each(|handler| handler.join().unwrap());
        let mut rest: Vec<u64> = (0..4).map(|_| buffer.take().micros).collect();
        rest.sort_unstable();
        assert_eq!(rest, [5, 6, 7, 8]);
    }
}

#[cfg(all(test, loom))]
mod loom {
    use super::*;

    fn sample(micros: u64) -> Sample {
        Sample { route: "/api".to_string(), micros }
    }

    #[test]
    fn two_shippers_take_what_one_handler_records() {
        kit::model::check(|| {
            let buffer = Arc::new(MetricsBuffer::new(1));
            let shippers: Vec<_> = (0..2)
                .map(|_| {
                    let buffer = Arc::clone(&buffer);
                    thread::spawn(move || buffer.take().micros)
                })
                .collect();
            buffer.record(sample(1));
            buffer.record(sample(2));
            let mut taken: Vec<u64> = shippers.into_iter().map(|s| s.join().unwrap()).collect();
            taken.sort_unstable();
            assert_eq!(taken, [1, 2]);
        });
    }

    #[test]
    fn two_shippers_take_what_one_handler_records_with_room_to_spare() {
        kit::model::check(|| {
            // Room for both samples: the second can be recorded while the first still waits.
            let buffer = Arc::new(MetricsBuffer::new(2));
            let shippers: Vec<_> = (0..2)
                .map(|_| {
                    let buffer = Arc::clone(&buffer);
                    thread::spawn(move || buffer.take().micros)
                })
                .collect();
            buffer.record(sample(1));
            buffer.record(sample(2));
            let mut taken: Vec<u64> = shippers.into_iter().map(|s| s.join().unwrap()).collect();
            taken.sort_unstable();
            assert_eq!(taken, [1, 2]);
        });
    }

    #[test]
    fn one_shipper_takes_what_two_handlers_record() {
        kit::model::check(|| {
            let buffer = Arc::new(MetricsBuffer::new(1));
            buffer.record(sample(0));
            let handlers: Vec<_> = [1, 2]
                .into_iter()
                .map(|micros| {
                    let buffer = Arc::clone(&buffer);
                    thread::spawn(move || buffer.record(sample(micros)))
                })
                .collect();
            let mut taken: Vec<u64> = (0..3).map(|_| buffer.take().micros).collect();
            handlers.into_iter().for_each(|handler| handler.join().unwrap());
            taken.sort_unstable();
            assert_eq!(taken, [0, 1, 2]);
        });
    }
}
