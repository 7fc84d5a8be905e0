// Sweeps every `forget_after`, dropping the buckets that hold a full burst, but reads their stored tokens without the refill: a key that spent one token is never full.
// caught by: test
//! API key limiter
//!
//! A public geocoding API gives each API key its own quota: 5 requests a second, in bursts of up
//! to 10. The gateway keeps a token bucket per key, made on the key's first request. A few steady
//! customers make most of the traffic, but the free tier and the map widget bring a stream of
//! one-off keys (trial accounts, scripts rotating keys) that make a request or two and never come
//! back. The gateway runs for weeks between deploys, and its memory climbs until it is killed.
//!
//! A key idle for `forget_after` has a full bucket again, so forgetting it takes nothing from
//! it: if it comes back, it starts with the full bucket it would have had anyway. The limiter
//! must forget such keys, so that its memory follows the number of keys in use, not the number of
//! keys ever seen. It has no thread of its own: it keeps house during its `allow` calls.
//!
//! Done when: under a stream of one-off keys the number of tracked keys stays bounded: a key idle
//! for more than twice `forget_after` is no longer tracked once a new key has made a request, and
//! keys in use keep their buckets (and so their quota).

use kit::sync::{Arc, Mutex};
use kit::thread;
use kit::time::{Clock, RealClock};
use std::collections::HashMap;
use std::time::{Duration, Instant};

#[derive(Debug, Clone, Copy)]
pub struct Quota {
    pub per_second: f64,
    pub burst: f64,
    /// How long a key must be idle before the limiter may forget it.
    pub forget_after: Duration,
}

struct Bucket {
    tokens: f64,
    updated: Instant,
}

struct State {
    buckets: HashMap<String, Bucket>,
    denied: u64,
    /// When idle buckets were last dropped.
    last_sweep: Instant,
}

/// A token bucket per API key, shared by the gateway's request handlers.
pub struct KeyLimiter<C: Clock> {
    clock: C,
    quota: Quota,
    state: Mutex<State>,
}

impl<C: Clock> KeyLimiter<C> {
    pub fn new(clock: C, quota: Quota) -> Self {
        let refill = Duration::from_secs_f64(quota.burst / quota.per_second);
        assert!(quota.forget_after >= refill, "a key would be forgotten before its bucket is full");
        let state = State { buckets: HashMap::new(), denied: 0, last_sweep: clock.now() };
        KeyLimiter { clock, quota, state: Mutex::new(state) }
    }

    /// Takes a token from `key`'s bucket: whether its request may go ahead.
    pub fn allow(&self, key: &str) -> bool {
        let now = self.clock.now();
        let mut state = self.state.lock().unwrap();
        if now.duration_since(state.last_sweep) >= self.quota.forget_after {
            let burst = self.quota.burst;
            state.buckets.retain(|_, bucket| bucket.tokens < burst);
            state.last_sweep = now;
        }
        let full = Bucket { tokens: self.quota.burst, updated: now };
        let bucket = state.buckets.entry(key.to_string()).or_insert(full);
        let refill = now.duration_since(bucket.updated).as_secs_f64() * self.quota.per_second;
        bucket.tokens = (bucket.tokens + refill).min(self.quota.burst);
        bucket.updated = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            true
        } else {
            state.denied += 1;
            false
        }
    }

    /// How many keys the limiter holds a bucket for.
    pub fn tracked_keys(&self) -> usize {
        self.state.lock().unwrap().buckets.len()
    }

    /// How many requests were turned away so far.
    pub fn denied(&self) -> u64 {
        self.state.lock().unwrap().denied
    }
}

fn main() {
    let quota = Quota { per_second: 5.0, burst: 5.0, forget_after: Duration::from_secs(1) };
    let limiter = Arc::new(KeyLimiter::new(RealClock, quota));
    let run_for = Duration::from_secs(3);
    let started = Instant::now();
    // Two steady customers try a request every 10 ms; the widget brings a new key every 10 ms.
    let clients: Vec<_> = ["acme-prod", "globex-eu", "widget"]
        .into_iter()
        .map(|client| {
            let limiter = Arc::clone(&limiter);
            thread::spawn(move || {
                let (mut requests, mut allowed) = (0, 0);
                while started.elapsed() < run_for {
                    let key = match client {
                        "widget" => format!("trial-{requests:05}"),
                        steady => steady.to_string(),
                    };
                    allowed += usize::from(limiter.allow(&key));
                    requests += 1;
                    RealClock.sleep(Duration::from_millis(10));
                }
                (client, requests, allowed)
            })
        })
        .collect();
    RealClock.sleep(run_for);
    for client in clients {
        let (client, requests, allowed) = client.join().unwrap();
        let secs = started.elapsed().as_secs_f64();
        let rate = (allowed as f64 - quota.burst) / secs;
        if client == "widget" {
            println!("{client:>9}: {requests} one-off keys, {allowed} allowed");
        } else {
            println!(
                "{client:>9}: {allowed} of {requests} allowed in {secs:.1} s: a burst of {}, \
                 then {rate:.1}/s (quota: {}/s)",
                quota.burst, quota.per_second
            );
        }
    }
    println!("{} requests denied", limiter.denied());
    println!(
        "keys tracked at the end: {} (keys idle for {:?} may be forgotten)",
        limiter.tracked_keys(),
        quota.forget_after
    );
}
