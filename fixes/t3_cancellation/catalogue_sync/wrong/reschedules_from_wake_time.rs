// Sleeps until a deadline, but sets the next one from the time it woke: a late wake-up moves every later request.
// caught by: test
//! Catalogue sync
//!
//! Every night the shop pulls each product of its supplier's catalogue from the supplier's API.
//! The API allows 5 requests per second per client and answers "429 Too Many Requests" beyond
//! that, so the sync paces its requests, as Go code does with
//! `limiter := time.Tick(200 * time.Millisecond)` and a `<-limiter` before each request. 18,000
//! products at 5 per second take exactly the one-hour maintenance window, yet the sync overruns
//! it every night, although the API answers every request well within its 200 ms.
//!
//! The pacer keeps a fixed schedule: the k-th request starts at `start + k * interval`, however
//! long the requests before it took (each takes less than the interval), and never earlier. The
//! first request goes out at once.
//!
//! Done when: request k starts exactly `k * interval` after the first, whatever the requests' own
//! durations (a wait that ends late, on a busy machine, delays only the request right after it),
//! and `main` reports the configured rate as the achieved one.

use kit::time::{Clock, RealClock};
use std::time::{Duration, Instant};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Product {
    pub sku: String,
    pub price_cents: u64,
}

/// Paces the calls to one API: one call per `interval`, on a fixed schedule.
pub struct Pacer<C: Clock> {
    clock: C,
    interval: Duration,
}

impl<C: Clock> Pacer<C> {
    /// A pacer that allows `per_second` calls a second.
    pub fn per_second(clock: C, per_second: u32) -> Self {
        Pacer { clock, interval: Duration::from_secs(1) / per_second }
    }

    pub fn interval(&self) -> Duration {
        self.interval
    }

    /// Calls `fetch` on each item, in order and paced; returns the results in the same order.
    pub fn run<T, R>(
        &self,
        items: impl IntoIterator<Item = T>,
        mut fetch: impl FnMut(T) -> R,
    ) -> Vec<R> {
        let mut results = Vec::new();
        let mut next = self.clock.now();
        for item in items {
            self.clock.sleep_until(next);
            next = self.clock.now() + self.interval;
            results.push(fetch(item));
        }
        results
    }
}

/// The supplier's API, simulated: it answers in 20 to 80 ms, depending on the product.
fn fetch_product(sku: String) -> Product {
    let digits: u64 = sku.bytes().map(u64::from).sum();
    RealClock.sleep(Duration::from_millis(20 + digits % 7 * 10));
    Product { sku, price_cents: 990 + digits % 50 * 100 }
}

fn main() {
    let pacer = Pacer::per_second(RealClock, 10);
    let skus: Vec<String> = (1..=16).map(|n| format!("SKU-{n:05}")).collect();
    let started = Instant::now();
    let mut starts = Vec::new();
    let products = pacer.run(skus, |sku| {
        starts.push(started.elapsed());
        fetch_product(sku)
    });
    for (product, at) in products.iter().zip(&starts).take(4) {
        println!("{:>6} ms  {}  {} cents", at.as_millis(), product.sku, product.price_cents);
    }
    println!("...");
    let span = (starts[starts.len() - 1] - starts[0]).as_secs_f64();
    let configured = 1.0 / pacer.interval().as_secs_f64();
    let achieved = (starts.len() - 1) as f64 / span;
    println!("{} products synced", products.len());
    println!("configured: {configured:.1} requests/s, achieved: {achieved:.1} requests/s");
}
