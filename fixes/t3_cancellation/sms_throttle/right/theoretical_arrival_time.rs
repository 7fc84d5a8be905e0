// A GCRA instead of a bucket: keeps the time the next token is due and grants while that is at most a burst ahead of now.
//! SMS throttle
//!
//! A notification service sends text messages through an SMS provider whose contract allows 2.5
//! messages per second on average, with bursts of up to 5. Messages over the limit are rejected
//! and billed anyway, and messages held back needlessly arrive late, so the service throttles
//! itself with a token bucket: the bucket holds at most `burst` tokens, earns `per_second` tokens
//! a second (a rate that need not be whole), and every message spends one. The outbox is polled
//! a few times a second and sends as many messages as `try_acquire` allows. The bucket reads time
//! from a `Clock`, so the tests can run days of traffic on a manual clock in a blink.
//!
//! Done when: over any stretch of time, the throttle grants exactly what the configured rate and
//! burst allow (not one token more, and none fewer), however often or rarely it is asked.

use kit::sync::Mutex;
use kit::time::{Clock, RealClock};
use std::time::{Duration, Instant};

/// The throttle's state, behind its lock.
struct Bucket {
    /// The clock's instant the throttle started at.
    origin: Instant,
    /// Seconds after `origin` by which every token granted so far will have been earned.
    paid_until: f64,
}

/// A token bucket: at most `burst` tokens, refilled at `per_second` tokens a second.
pub struct Throttle<C: Clock> {
    clock: C,
    per_second: f64,
    burst: u32,
    bucket: Mutex<Bucket>,
}

impl<C: Clock> Throttle<C> {
    /// A throttle with a full bucket.
    pub fn new(clock: C, per_second: f64, burst: u32) -> Self {
        assert!(per_second > 0.0 && burst > 0, "a throttle must let something through");
        let bucket = Bucket { origin: clock.now(), paid_until: f64::NEG_INFINITY };
        Throttle { clock, per_second, burst, bucket: Mutex::new(bucket) }
    }

    /// Takes a token if one is available; never waits.
    pub fn try_acquire(&self) -> bool {
        let mut bucket = self.bucket.lock().unwrap();
        let now = (self.clock.now() - bucket.origin).as_secs_f64();
        // Time earned beyond a full bucket is lost: the debt never starts before `now - burst`.
        let start = bucket.paid_until.max(now - f64::from(self.burst) / self.per_second);
        let paid_until = start + 1.0 / self.per_second;
        if paid_until > now + 1e-9 {
            return false;
        }
        bucket.paid_until = paid_until;
        true
    }
}

fn main() {
    let (per_second, burst) = (2.5, 5);
    let throttle = Throttle::new(RealClock, per_second, burst);
    while throttle.try_acquire() {} // The first burst goes out at once; measure what follows.
    let poll = Duration::from_millis(300);
    let started = Instant::now();
    let mut sent = 0;
    for _ in 0..8 {
        RealClock.sleep(poll);
        while throttle.try_acquire() {
            sent += 1;
        }
    }
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "polling every {} ms: sent {sent} messages in {seconds:.1} s, {:.2}/s (configured {per_second}/s)",
        poll.as_millis(),
        f64::from(sent) / seconds
    );
}
