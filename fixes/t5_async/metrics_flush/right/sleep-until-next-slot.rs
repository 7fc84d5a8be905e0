// Sleeps until a period after the last flush started, or not at all if that moment has passed.
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
use kit::tasks::time::{Duration, Instant, sleep_until};
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
    let mut next = Instant::now();
    loop {
        sleep_until(next).await;
        let started = Instant::now();
        next = started + PERIOD;
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
