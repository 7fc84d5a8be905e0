// Inlines the refill and the check under one lock, but releases it and takes the token under a second one.
// caught by: loom-assert
//! Partner API quota
//!
//! A price-comparison crawler fetches offers from a partner's API on several threads at once. The
//! partner allows the whole crawler 20 requests a second, with bursts of up to 20, and suspends
//! the API key for an hour at the first request over quota. So every fetch thread shares one
//! `Quota`, a token bucket on the crawler's clock: a thread calls `try_acquire` before each
//! request, and when it is refused it puts the page back on the frontier for later. The crawler's
//! dashboard shows how many requests are left right now with `remaining`.
//!
//! Done when: the quota never grants more than its burst plus what its rate has earned, however
//! many threads ask for a token at the same moment, and the loom model passes.

use kit::sync::atomic::{AtomicU32, Ordering};
use kit::sync::{Arc, Mutex};
use kit::thread;
use kit::time::{Clock, RealClock};
use std::time::{Duration, Instant};

/// The bucket's state, behind the quota's lock.
struct Bucket {
    tokens: f64,
    last_refill: Instant,
}

/// A token bucket shared by every fetch thread: at most `burst` requests at once, and
/// `per_second` more each second.
pub struct Quota<C: Clock> {
    clock: C,
    per_second: f64,
    burst: f64,
    bucket: Mutex<Bucket>,
}

impl<C: Clock> Quota<C> {
    /// A quota with its whole burst available.
    pub fn new(clock: C, per_second: f64, burst: u32) -> Self {
        assert!(per_second > 0.0 && burst > 0, "a quota must allow something");
        let bucket = Bucket { tokens: f64::from(burst), last_refill: clock.now() };
        Quota { clock, per_second, burst: f64::from(burst), bucket: Mutex::new(bucket) }
    }

    /// How many requests the quota would grant right now.
    pub fn remaining(&self) -> u32 {
        let mut bucket = self.bucket.lock().unwrap();
        self.refill(&mut bucket);
        bucket.tokens as u32
    }

    /// Takes a token for one request if the quota allows it; never waits.
    pub fn try_acquire(&self) -> bool {
        let has_token = {
            let mut bucket = self.bucket.lock().unwrap();
            self.refill(&mut bucket);
            bucket.tokens >= 1.0
        };
        if !has_token {
            return false;
        }
        self.bucket.lock().unwrap().tokens -= 1.0;
        true
    }

    /// Adds the tokens earned since the last refill, up to the burst.
    fn refill(&self, bucket: &mut Bucket) {
        let now = self.clock.now();
        let earned = (now - bucket.last_refill).as_secs_f64() * self.per_second;
        bucket.tokens = (bucket.tokens + earned).min(self.burst);
        bucket.last_refill = now;
    }
}

fn main() {
    let (per_second, burst) = (20.0, 20);
    let quota = Arc::new(Quota::new(RealClock, per_second, burst));
    let granted = Arc::new(AtomicU32::new(0));
    let crawl_for = Duration::from_millis(1500);
    let started = Instant::now();
    let fetchers: Vec<_> = (0..4)
        .map(|_| {
            let (quota, granted) = (Arc::clone(&quota), Arc::clone(&granted));
            thread::spawn(move || {
                while started.elapsed() < crawl_for {
                    if quota.try_acquire() {
                        granted.fetch_add(1, Ordering::Relaxed);
                    } else {
                        RealClock.sleep(Duration::from_millis(1));
                    }
                }
            })
        })
        .collect();
    for fetcher in fetchers {
        fetcher.join().unwrap();
    }
    let seconds = started.elapsed().as_secs_f64();
    let after_burst = f64::from(granted.load(Ordering::Relaxed).saturating_sub(burst));
    println!(
        "4 fetchers: {} requests in {seconds:.1} s, the burst of {burst} then {:.1}/s \
         (configured {per_second}/s)",
        granted.load(Ordering::Relaxed),
        after_burst / seconds
    );
}
