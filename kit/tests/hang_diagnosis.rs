//! Waits that can never end fail fast and say why, naming the exact source lines.
#![cfg(not(loom))]

mod support;

use kit::hang::DIAGNOSIS_MARKER;
use kit::sync::mpsc;
use kit::sync::{Arc, Condvar, Mutex};
use kit::thread;
use kit::time::{Clock, ManualClock};
use std::time::Duration;
use support::panic_message;

/// Short, so the suite stays fast; every wait here is meant to expire.
fn short_limit() {
    kit::hang::set_limit(Some(Duration::from_millis(150)));
}

fn here(line: u32) -> String {
    format!("{}:{line}:", file!())
}

#[test]
fn a_receiver_waiting_forever_names_every_live_sender() {
    short_limit();
    let (created, (tx, rx)) = (line!(), mpsc::channel::<u32>());
    let (cloned, clone) = (line!(), tx.clone());
    let message = panic_message(|| {
        rx.recv().unwrap();
    });
    assert!(message.starts_with(DIAGNOSIS_MARKER), "{message}");
    assert!(message.contains("`recv()` at"), "{message}");
    assert!(message.contains("2 still are"), "{message}");
    assert!(message.contains(&format!("Sender created at {}", here(created))), "{message}");
    assert!(message.contains(&format!("Sender cloned at {}", here(cloned))), "{message}");
    drop((tx, clone));
}

#[test]
fn a_dropped_sender_is_no_longer_named() {
    short_limit();
    let (tx, rx) = mpsc::channel::<u32>();
    let (kept_at, kept) = (line!(), tx.clone());
    drop(tx);
    let message = panic_message(|| for _ in &rx {});
    assert!(message.contains("1 still is"), "{message}");
    assert!(message.contains(&here(kept_at)), "{message}");
    drop(kept);
}

#[test]
fn a_rendezvous_send_with_no_receiver_says_so() {
    short_limit();
    let (created, (tx, _rx)) = (line!(), mpsc::sync_channel::<u32>(0));
    let message = panic_message(|| tx.send(1).unwrap());
    assert!(message.contains("capacity 0"), "{message}");
    assert!(message.contains(&here(created)), "{message}");
}

#[test]
fn a_full_channel_send_says_so() {
    short_limit();
    let (tx, _rx) = mpsc::sync_channel::<u32>(1);
    tx.send(1).unwrap();
    let message = panic_message(|| tx.send(2).unwrap());
    assert!(message.contains("waited") && message.contains("room"), "{message}");
}

#[test]
fn a_join_names_the_spawn_site_and_what_the_thread_is_blocked_on() {
    short_limit();
    let (tx, rx) = mpsc::channel::<u32>();
    let (started_tx, started_rx) = mpsc::channel();
    // recv_timeout is bounded by its caller, never by the hang limit, so only the join expires.
    let block = move || {
        started_tx.send(()).unwrap();
        rx.recv_timeout(Duration::from_secs(60))
    };
    let (spawned, worker) = (line!(), thread::spawn(block));
    started_rx.recv().unwrap();
    let message = panic_message(|| {
        let _ = worker.join();
    });
    assert!(message.contains(&format!("thread spawned at {}", here(spawned))), "{message}");
    assert!(message.contains("to finish, and it has not"), "{message}");
    assert!(message.contains("It is blocked in `recv_timeout()` at"), "{message}");
    drop(tx);
}

#[test]
fn a_condvar_wait_without_notify_fails() {
    short_limit();
    let pair = Arc::new((Mutex::new(false), Condvar::new()));
    let message = panic_message(|| {
        let (lock, ready) = &*pair;
        let _guard = ready.wait_while(lock.lock().unwrap(), |ready| !*ready).unwrap();
    });
    assert!(message.contains("`Condvar::wait_while()` at"), "{message}");
    assert!(!pair.0.is_poisoned(), "the diagnosis must not poison the user's mutex");
}

#[test]
fn sleeping_on_a_manual_clock_nobody_advances_says_so() {
    short_limit();
    let clock = ManualClock::new();
    let message = panic_message(|| clock.sleep(Duration::from_secs(5)));
    assert!(message.contains("ManualClock"), "{message}");
    assert!(message.contains("advance()"), "{message}");
    assert_eq!(clock.sleepers(), 0);
}

#[test]
fn a_condvar_wait_bounded_by_a_manual_clock_nobody_advances_says_so() {
    short_limit();
    let clock = ManualClock::new();
    let pair = (Mutex::new(false), Condvar::new());
    let message = panic_message(|| {
        let (lock, ready) = &pair;
        let guard = lock.lock().unwrap();
        let _ = ready.wait_timeout_while_on(guard, Duration::from_secs(5), &clock, |r| !*r);
    });
    assert!(message.starts_with(DIAGNOSIS_MARKER), "{message}");
    assert!(message.contains("`Condvar::wait_timeout_while_on()` at"), "{message}");
    assert!(message.contains("before the deadline 5s"), "{message}");
    assert!(!pair.0.is_poisoned(), "the diagnosis must not poison the user's mutex");
    assert_eq!(clock.sleepers(), 0, "a diagnosed wait no longer counts as asleep");
}

#[test]
fn waiting_for_threads_that_never_end_says_how_many_are_alive() {
    short_limit();
    let threads = kit::thread::LiveThreads::track();
    let (stop_tx, stop_rx) = std::sync::mpsc::channel::<()>();
    let stays = thread::spawn(move || stop_rx.recv().ok());
    let message = panic_message(|| threads.wait_for_live_at_most(0));
    assert!(message.starts_with(DIAGNOSIS_MARKER), "{message}");
    assert!(message.contains("`wait_for_live_at_most(0)` at"), "{message}");
    assert!(message.contains("1 of the threads counted is still alive"), "{message}");
    drop(stop_tx);
    stays.join().unwrap();
}

#[test]
fn a_lock_wait_past_the_limit_names_the_holder_and_its_line() {
    short_limit();
    let (created, stock) = (line!(), Arc::new(Mutex::new(0)));
    let (held_tx, held_rx) = std::sync::mpsc::channel();
    let (release_tx, release_rx) = std::sync::mpsc::channel::<()>();
    let holder_at = line!() + 3;
    let holder = {
        let stock = Arc::clone(&stock);
        thread::spawn(move || {
            let _held = stock.lock().unwrap();
            held_tx.send(()).unwrap();
            release_rx.recv().ok();
        })
    };
    held_rx.recv().unwrap();
    let message = panic_message(|| drop(stock.lock()));
    assert!(message.contains("waited 150ms"), "{message}");
    assert!(message.contains(&format!("Mutex created at {}", here(created))), "{message}");
    assert!(message.contains(&format!("thread spawned at {}", here(holder_at))), "{message}");
    assert!(message.contains(&format!("holds since {}", here(holder_at + 1))), "{message}");
    drop(release_tx);
    holder.join().unwrap();
}
