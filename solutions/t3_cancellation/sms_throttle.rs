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

/// The bucket's state, behind the throttle's lock.
struct Bucket {
    tokens: u32,
    /// The instant up to which earned time has been turned into tokens.
    last_refill: Instant,
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
        let bucket = Bucket { tokens: burst, last_refill: clock.now() };
        Throttle { clock, per_second, burst, bucket: Mutex::new(bucket) }
    }

    /// Takes a token if one is available; never waits.
    pub fn try_acquire(&self) -> bool {
        let mut bucket = self.bucket.lock().unwrap();
        self.refill(&mut bucket, self.clock.now());
        if bucket.tokens == 0 {
            return false;
        }
        bucket.tokens -= 1;
        true
    }

    /// Adds the tokens earned since the last refill.
    fn refill(&self, bucket: &mut Bucket, now: Instant) {
        if bucket.tokens == self.burst {
            // A full bucket earns nothing: start counting from now.
            bucket.last_refill = now;
            return;
        }
        let earned = (now - bucket.last_refill).as_secs_f64() * self.per_second;
        let whole = earned as u32;
        if whole > 0 {
            bucket.tokens = bucket.tokens.saturating_add(whole).min(self.burst);
            // Keep the part of a token already earned: move the mark on only by the time the
            // whole tokens cost, unless they filled the bucket, which earns nothing more.
            if bucket.tokens == self.burst {
                bucket.last_refill = now;
            } else {
                bucket.last_refill += Duration::from_secs_f64(f64::from(whole) / self.per_second);
            }
        }
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

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use kit::time::ManualClock;

    fn drain<C: Clock>(throttle: &Throttle<C>) -> u32 {
        let mut granted = 0;
        while throttle.try_acquire() {
            granted += 1;
        }
        granted
    }

    #[test]
    fn a_full_bucket_lets_a_burst_through_then_refuses() {
        let throttle = Throttle::new(ManualClock::new(), 2.5, 5);
        assert_eq!(drain(&throttle), 5);
        assert!(!throttle.try_acquire());
    }

    #[test]
    fn a_token_comes_back_after_one_token_time() {
        let clock = ManualClock::new();
        let throttle = Throttle::new(&clock, 2.5, 5);
        drain(&throttle);
        clock.advance(Duration::from_millis(300));
        assert!(!throttle.try_acquire(), "at 2.5/s a token takes 400 ms to earn");
        clock.advance(Duration::from_millis(200));
        assert_eq!(drain(&throttle), 1, "after 500 ms exactly one token is earned");
    }

    #[test]
    fn an_idle_bucket_holds_no_more_than_its_burst() {
        let clock = ManualClock::new();
        let throttle = Throttle::new(&clock, 2.5, 5);
        drain(&throttle);
        // An hour and 300 ms: 9000.75 tokens earned, all but the burst of them lost for good.
        clock.advance(Duration::from_millis(3_600_300));
        assert_eq!(drain(&throttle), 5);
        clock.advance(Duration::from_millis(300));
        assert!(!throttle.try_acquire(), "the time a full bucket overflowed with was paid out");
        clock.advance(Duration::from_millis(100));
        assert_eq!(drain(&throttle), 1, "400 ms after the burst exactly one token is earned");
    }

    #[test]
    fn the_long_run_rate_is_the_configured_rate() {
        // Ten thousand seconds of an outbox that is never empty, polled every 250 ms.
        const STEP: Duration = Duration::from_millis(250);
        const STEPS: u32 = 40_000;
        for per_second in [2.5, 0.7] {
            let clock = ManualClock::new();
            let throttle = Throttle::new(&clock, per_second, 5);
            let mut granted = drain(&throttle);
            for _ in 0..STEPS {
                clock.advance(STEP);
                granted += drain(&throttle);
            }
            let seconds = (STEP * STEPS).as_secs_f64();
            let allowed = 5 + (per_second * seconds).round() as u32;
            assert!(
                granted.abs_diff(allowed) <= 1,
                "at {per_second}/s with a burst of 5, polling every 250 ms for {seconds} s should \
                 grant {allowed} tokens, but {granted} were granted"
            );
        }
    }
}
