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
        for item in items {
            results.push(fetch(item));
            // The API allows one call per interval.
            self.clock.sleep(self.interval);
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

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use kit::sync::{Arc, Condvar, Mutex};
    use kit::thread;
    use kit::time::ManualClock;

    /// The clock in the tests: a ManualClock that moves only when the test says, and that keeps
    /// track of who sleeps until when, and of when each request started.
    struct TestClock {
        manual: ManualClock,
        timeline: Mutex<Timeline>,
        changed: Condvar,
    }

    #[derive(Default)]
    struct Timeline {
        naps: Vec<Instant>,
        starts: Vec<Instant>,
        in_call: bool,
        finished: bool,
    }

    impl Clock for TestClock {
        fn now(&self) -> Instant {
            self.manual.now()
        }

        fn sleep(&self, duration: Duration) {
            self.sleep_until(self.now() + duration);
        }

        fn sleep_until(&self, deadline: Instant) {
            let mut timeline = self.timeline.lock().unwrap();
            timeline.naps.push(deadline);
            self.changed.notify_all();
            while self.now() < deadline {
                timeline = self.changed.wait(timeline).unwrap();
            }
            let nap = timeline.naps.iter().position(|&until| until == deadline).unwrap();
            timeline.naps.swap_remove(nap);
        }
    }

    impl TestClock {
        fn mark(&self, change: impl FnOnce(&mut Timeline)) {
            change(&mut self.timeline.lock().unwrap());
            self.changed.notify_all();
        }
    }

    /// Marks the sync finished when its thread ends, even by a panic.
    struct Finished(Arc<TestClock>);

    impl Drop for Finished {
        fn drop(&mut self) {
            self.0.mark(|timeline| timeline.finished = true);
        }
    }

    /// Syncs one product per entry of `calls_ms` at 5 a second, where request k takes
    /// `calls_ms[k]` ms of the test's clock, and the pacer's wait before request k ends
    /// `late_ms[k]` ms after the instant it asked for, as on a busy machine; returns when each
    /// request started, in ms.
    fn start_times(calls_ms: &[u64], late_ms: &[u64]) -> Vec<u128> {
        let clock = Arc::new(TestClock {
            manual: ManualClock::new(),
            timeline: Mutex::new(Timeline::default()),
            changed: Condvar::new(),
        });
        let origin = clock.now();
        let pacer = Pacer::per_second(Arc::clone(&clock), 5);
        let calls: Vec<Duration> = calls_ms.iter().map(|&ms| Duration::from_millis(ms)).collect();
        let finished = Finished(Arc::clone(&clock));
        let syncing = thread::spawn(move || {
            let clock = &finished.0;
            pacer.run(calls, |took| {
                let now = clock.now();
                clock.mark(|timeline| {
                    timeline.starts.push(now);
                    timeline.in_call = true;
                });
                clock.sleep(took);
                clock.mark(|timeline| timeline.in_call = false);
            });
        });
        // The sync runs on one thread, so the test moves the clock only while that thread sleeps:
        // to the end of a call, or to the end of the pacer's wait before request k, plus
        // `late_ms[k]` the first time.
        let mut late_given = 0;
        let mut timeline = clock.timeline.lock().unwrap();
        while !timeline.finished {
            let now = clock.now();
            let next_wake = timeline.naps.iter().copied().filter(|&until| until > now).min();
            let Some(wake) = next_wake else {
                timeline = clock.changed.wait(timeline).unwrap();
                continue;
            };
            let next = timeline.starts.len();
            let mut to = wake;
            if !timeline.in_call && next >= late_given {
                to += Duration::from_millis(late_ms.get(next).copied().unwrap_or(0));
                late_given = next + 1;
            }
            clock.manual.advance(to - now);
            clock.changed.notify_all();
        }
        let starts = timeline.starts.iter().map(|&at| (at - origin).as_millis()).collect();
        drop(timeline);
        syncing.join().expect("the sync panicked");
        starts
    }

    #[test]
    fn requests_start_on_a_fixed_schedule_whatever_they_take() {
        let calls_ms = [30, 120, 0, 190, 50, 80];
        assert_eq!(
            start_times(&calls_ms, &[]),
            [0, 200, 400, 600, 800, 1000],
            "at 5 requests a second, request k must start at k * 200 ms, whatever the requests \
             before it took (here {calls_ms:?} ms)"
        );
    }

    #[test]
    fn instant_requests_still_go_out_one_per_interval() {
        assert_eq!(start_times(&[0, 0, 0, 0], &[]), [0, 200, 400, 600]);
    }

    #[test]
    fn a_late_wake_up_delays_only_its_own_request() {
        let (calls_ms, late_ms) = ([30, 120, 0, 100, 50, 80], [0, 70, 0, 90, 0, 10]);
        assert_eq!(
            start_times(&calls_ms, &late_ms),
            [0, 270, 400, 690, 800, 1010],
            "requests taking {calls_ms:?} ms, with waits ending {late_ms:?} ms late: each later \
             request must still start on the schedule, at k * 200 ms"
        );
    }
}
