//! The live-thread gauge and the clocks.
#![cfg(not(loom))]

use kit::sync::mpsc;
use kit::sync::{Arc, Barrier, Condvar, Mutex};
use kit::thread::{self, LiveThreads};
use kit::time::{Clock, ManualClock};
use std::time::Duration;

#[test]
fn the_gauge_sees_the_peak_of_concurrent_threads_and_their_children() {
    let threads = LiveThreads::track();
    let barrier = Arc::new(Barrier::new(4));
    let handles: Vec<_> = (0..3)
        .map(|_| {
            let barrier = barrier.clone();
            thread::spawn(move || {
                barrier.wait();
                thread::spawn(|| ()).join().unwrap();
            })
        })
        .collect();
    barrier.wait();
    handles.into_iter().for_each(|h| h.join().unwrap());
    assert!(threads.peak() >= 3 && threads.peak() <= 6, "peak {}", threads.peak());
    assert_eq!(threads.spawned(), 6);
    assert_eq!(threads.live(), 0);
}

#[test]
fn the_gauge_counts_one_at_a_time_when_threads_are_joined_in_turn() {
    let threads = LiveThreads::track();
    for _ in 0..5 {
        thread::spawn(|| ()).join().unwrap();
    }
    assert_eq!(threads.peak(), 1);
    assert_eq!(threads.spawned(), 5);
}

#[test]
fn a_manual_clock_wakes_a_sleeper_exactly_when_advanced_past_its_deadline() {
    let clock = Arc::new(ManualClock::new());
    let start = clock.now();
    let (woke_tx, woke_rx) = mpsc::channel();
    let sleeper = {
        let clock = clock.clone();
        thread::spawn(move || {
            clock.sleep(Duration::from_secs(10));
            woke_tx.send(clock.now()).unwrap();
        })
    };
    clock.wait_for_sleepers(1);
    clock.advance(Duration::from_secs(9));
    assert!(woke_rx.try_recv().is_err(), "woke before its deadline");
    clock.advance(Duration::from_secs(1));
    assert_eq!(woke_rx.recv().unwrap() - start, Duration::from_secs(10));
    sleeper.join().unwrap();
}

#[test]
fn sleep_until_a_past_instant_returns_at_once() {
    let clock = ManualClock::new();
    let then = clock.now();
    clock.advance(Duration::from_secs(1));
    clock.sleep_until(then);
    assert_eq!(clock.elapsed(), Duration::from_secs(1));
}

#[test]
fn condvar_wait_while_returns_once_the_condition_is_met() {
    let pair = Arc::new((Mutex::new(0), Condvar::new()));
    let setter = {
        let pair = pair.clone();
        thread::spawn(move || {
            *pair.0.lock().unwrap() = 3;
            pair.1.notify_all();
        })
    };
    let guard = pair.1.wait_while(pair.0.lock().unwrap(), |n| *n < 3).unwrap();
    assert_eq!(*guard, 3);
    drop(guard);
    setter.join().unwrap();
}

#[test]
fn wait_until_blocked_reports_the_wait_the_thread_reached_then_its_end() {
    let (tx, rx) = mpsc::channel::<u32>();
    let worker = thread::spawn(move || rx.recv().ok());
    let blocked = worker.wait_until_blocked().expect("the worker is still running");
    assert!(blocked.starts_with("`recv()` at"), "{blocked}");
    tx.send(4).unwrap();
    let (done_tx, done_rx) = mpsc::channel();
    let finisher = thread::spawn(move || done_tx.send(()).unwrap());
    done_rx.recv().unwrap();
    assert_eq!(finisher.wait_until_blocked(), None, "finished threads block on nothing");
    assert_eq!(worker.join().unwrap(), Some(4));
    finisher.join().unwrap();
}

#[test]
fn a_sleeper_the_clock_has_woken_no_longer_counts_even_before_it_runs() {
    let clock = Arc::new(ManualClock::new());
    let sleeper = {
        let clock = clock.clone();
        thread::spawn(move || clock.sleep(Duration::from_secs(1)))
    };
    clock.wait_for_sleepers(1);
    clock.advance(Duration::from_secs(1));
    assert_eq!(clock.sleepers(), 0, "its time has come");
    sleeper.join().unwrap();
}

#[test]
fn sleep_until_an_instant_wakes_exactly_then_whenever_the_clock_moved() {
    let clock = Arc::new(ManualClock::new());
    let deadline = clock.now() + Duration::from_secs(3);
    clock.advance(Duration::from_secs(1));
    let (woke_tx, woke_rx) = mpsc::channel();
    let sleeper = {
        let clock = clock.clone();
        thread::spawn(move || {
            clock.sleep_until(deadline);
            woke_tx.send(clock.now()).unwrap();
        })
    };
    clock.wait_for_sleepers(1);
    clock.advance(Duration::from_secs(2));
    assert_eq!(woke_rx.recv().unwrap(), deadline);
    sleeper.join().unwrap();
}

/// A checkout that waits for a free connection at most `timeout` on `clock`.
fn wait_for_connection(
    pool: &(Mutex<usize>, Condvar),
    clock: &dyn Clock,
    timeout: Duration,
) -> (usize, bool) {
    let (free, returned) = pool;
    let (free, waited) =
        returned.wait_timeout_while_on(free.lock().unwrap(), timeout, clock, |n| *n == 0).unwrap();
    (*free, waited.timed_out())
}

#[test]
fn a_condvar_wait_bounded_by_a_manual_clock_times_out_exactly_at_its_deadline() {
    let clock = Arc::new(ManualClock::new());
    let pool = Arc::new((Mutex::new(0), Condvar::new()));
    let start = clock.now();
    let checkout = {
        let (clock, pool) = (clock.clone(), pool.clone());
        thread::spawn(move || {
            let result = wait_for_connection(&pool, &*clock, Duration::from_secs(10));
            (result, clock.now() - start)
        })
    };
    clock.wait_for_sleepers(1);
    clock.advance(Duration::from_secs(9));
    assert_eq!(clock.sleepers(), 1, "the checkout gave up before its deadline");
    clock.advance(Duration::from_secs(1));
    assert_eq!(checkout.join().unwrap(), ((0, true), Duration::from_secs(10)));
    assert_eq!(clock.sleepers(), 0);
}

#[test]
fn a_wait_whose_deadline_has_passed_on_the_clock_returns_at_once() {
    let clock = ManualClock::new();
    let pool = (Mutex::new(0), Condvar::new());
    assert_eq!(wait_for_connection(&pool, &clock, Duration::ZERO), (0, true));
    let deadline = clock.now() + Duration::from_secs(1);
    clock.advance(Duration::from_secs(2));
    let (free, returned) = &pool;
    let (guard, waited) =
        returned.wait_while_until_on(free.lock().unwrap(), deadline, &clock, |n| *n == 0).unwrap();
    assert!(waited.timed_out());
    drop(guard);
}

/// A notification ends the wait before its deadline. A waiter on a manual clock looks at the clock
/// every millisecond, outside its condvar wait, and a notification sent then must not be lost:
/// holding the lock longer than a look makes it fall in that gap every time (the outcome must not
/// depend on it either way).
#[test]
fn a_notification_ends_a_manual_clock_wait_even_while_the_waiter_looks_at_the_clock() {
    let clock = Arc::new(ManualClock::new());
    let pool = Arc::new((Mutex::new(0), Condvar::new()));
    let checkout = {
        let (clock, pool) = (clock.clone(), pool.clone());
        thread::spawn(move || wait_for_connection(&pool, &*clock, Duration::from_secs(10)))
    };
    clock.wait_for_sleepers(1);
    {
        let mut free = pool.0.lock().unwrap();
        std::thread::sleep(Duration::from_millis(20));
        *free = 1;
    }
    pool.1.notify_one();
    assert_eq!(checkout.join().unwrap(), (1, false));
    assert_eq!(clock.sleepers(), 0);
}

#[test]
fn a_condvar_wait_bounded_by_the_real_clock_times_out_in_real_time() {
    let pool = (Mutex::new(0), Condvar::new());
    let started = std::time::Instant::now();
    assert_eq!(
        wait_for_connection(&pool, &kit::time::RealClock, Duration::from_millis(20)),
        (0, true)
    );
    assert!(started.elapsed() >= Duration::from_millis(20));
}

#[test]
fn a_test_can_wait_for_the_threads_that_must_end() {
    let threads = LiveThreads::track();
    let (stop_tx, stop_rx) = mpsc::channel::<()>();
    let stays = thread::spawn(move || stop_rx.recv().ok());
    let (go_tx, go_rx) = mpsc::channel::<()>();
    let ends = thread::spawn(move || go_rx.recv().ok());
    go_tx.send(()).unwrap();
    threads.wait_for_live_at_most(1);
    assert_eq!(threads.live(), 1);
    assert!(stays.wait_until_blocked().is_some(), "`stays` is still waiting");
    drop(stop_tx);
    threads.wait_for_live_at_most(0);
    stays.join().unwrap();
    ends.join().unwrap();
}
