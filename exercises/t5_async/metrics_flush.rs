//! Metrics flush
//!
//! A service counts requests in memory and a flusher task sends the count to the metrics
//! collector every 10 seconds, on an `interval`. The collector is sometimes slow: during its
//! nightly compaction one flush can take half a minute. The collector rate-limits clients, and a
//! client that sends twice within 10 seconds is throttled.
//!
//! Done when: a flush starts every 10 seconds from the first (the schedule does not drift when
//! flushes take time), no two flushes ever start less than 10 seconds apart, even after a slow
//! one, and every request counted is flushed exactly once.
//!
//! Checked by: tests on a paused-clock runtime (loom does not model tokio).
#![cfg_attr(loom, no_main)]
#![cfg(not(loom))]

use kit::tasks;
use kit::tasks::sync::Arc;
use kit::tasks::time::{Duration, interval};
use std::sync::atomic::{AtomicU64, Ordering};

/// How often the count is flushed.
pub const PERIOD: Duration = Duration::from_secs(10);

/// Where the counts go.
pub trait Collector: Send + Sync + 'static {
    fn send(&self, count: u64) -> impl Future<Output = ()> + Send;
}

/// Requests counted since the last flush.
#[derive(Default)]
pub struct Counter(AtomicU64);

impl Counter {
    pub fn record(&self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

/// Flushes `counter` to `collector` every `PERIOD`, forever.
pub async fn flush_forever<C: Collector>(counter: Arc<Counter>, collector: Arc<C>) {
    let mut ticks = interval(PERIOD);
    loop {
        ticks.tick().await;
        let count = counter.0.swap(0, Ordering::SeqCst);
        collector.send(count).await;
    }
}

/// A collector that prints what it gets.
struct Stdout(std::time::Instant);

impl Collector for Stdout {
    async fn send(&self, count: u64) {
        println!("{:>5.1}s: {count} requests", self.0.elapsed().as_secs_f64());
    }
}

fn main() {
    let counter = Arc::new(Counter::default());
    let collector = Arc::new(Stdout(std::time::Instant::now()));
    tasks::block_on(async {
        let flusher = tasks::spawn(flush_forever(Arc::clone(&counter), collector));
        for _ in 0..25 {
            counter.record();
            tasks::time::sleep(Duration::from_millis(100)).await;
        }
        flusher.abort();
    });
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use kit::tasks::time::{Instant, sleep};
    use std::sync::Mutex;

    /// A collector whose n-th flush takes `slow[n]` (1 s if not listed), noting when each flush
    /// started (in seconds since the test began) and the counts it fully received.
    struct Scripted {
        began: Instant,
        slow: Vec<u64>,
        starts: Mutex<Vec<u64>>,
        received: Mutex<Vec<u64>>,
    }

    impl Collector for Scripted {
        async fn send(&self, count: u64) {
            let n = {
                let mut starts = self.starts.lock().unwrap();
                starts.push(self.began.elapsed().as_secs());
                starts.len() - 1
            };
            sleep(Duration::from_secs(self.slow.get(n).copied().unwrap_or(1))).await;
            self.received.lock().unwrap().push(count);
        }
    }

    /// Runs the flusher for `seconds` while a request is recorded every second (at x.5 s);
    /// returns the flushes' start times and whether every request was flushed exactly once.
    async fn run(slow: Vec<u64>, seconds: u64) -> (Vec<u64>, u64, u64) {
        let began = Instant::now();
        let collector = Arc::new(Scripted {
            began,
            slow,
            starts: Mutex::new(Vec::new()),
            received: Mutex::new(Vec::new()),
        });
        let counter = Arc::new(Counter::default());
        let flusher = tasks::spawn(flush_forever(Arc::clone(&counter), Arc::clone(&collector)));
        sleep(Duration::from_millis(500)).await;
        for _ in 0..seconds {
            counter.record();
            sleep(Duration::from_secs(1)).await;
        }
        flusher.abort();
        let _ = flusher.await;
        let flushed: u64 = collector.received.lock().unwrap().iter().sum();
        let left = counter.0.load(Ordering::SeqCst);
        let starts = collector.starts.lock().unwrap().clone();
        (starts, flushed + left, seconds)
    }

    #[test]
    fn quick_flushes_start_every_ten_seconds_without_drifting() {
        tasks::test(async {
            let (starts, counted, recorded) = run(Vec::new(), 45).await;
            assert_eq!(starts, [0, 10, 20, 30, 40], "flush start times, in seconds");
            assert_eq!(counted, recorded, "every request is flushed exactly once");
        });
    }

    #[test]
    fn after_a_slow_flush_the_next_ones_are_still_ten_seconds_apart() {
        tasks::test(async {
            // The second flush takes 35 s: it starts at 10 s and ends at 45 s.
            let (starts, counted, recorded) = run(vec![1, 35], 79).await;
            assert_eq!(
                starts,
                [0, 10, 45, 55, 65, 75],
                "flush start times, in seconds: after the slow one, one flush at once, then \
                 every 10 s from it (never two within 10 s)"
            );
            assert_eq!(counted, recorded, "every request is flushed exactly once");
        });
    }
}
