//! Global deadlock verdicts: when every thread of a test is blocked in a kit wait that only another
//! of them could end, the test fails at once, naming each thread and what it waits on; a correct
//! program never gets one. Each scenario runs alone in a process of its own, as the workbook's
//! runner runs a test, with a hang limit of 10 s: a verdict well before it came from the check.
#![cfg(not(loom))]

use kit::hang::{DIAGNOSIS_MARKER, LIMIT_ENV, SOLE_TEST_ENV};
use kit::sync::{Arc, Condvar, Mutex, mpsc};
use kit::thread;
use std::process::Command;
use std::time::{Duration, Instant};

/// How a scenario ended when run alone.
struct Outcome {
    passed: bool,
    output: String,
    took: Duration,
}

fn run_alone(scenario: &str, sole_test: bool) -> Outcome {
    let mut command = Command::new(std::env::current_exe().expect("the test executable"));
    command
        .args(["--exact", scenario, "--ignored", "--nocapture", "--test-threads", "1"])
        .env(LIMIT_ENV, "10000")
        .env("RUST_BACKTRACE", "0");
    if sole_test {
        command.env(SOLE_TEST_ENV, "1");
    } else {
        command.env_remove(SOLE_TEST_ENV).env(LIMIT_ENV, "300");
    }
    let started = Instant::now();
    let output = command.output().expect("the scenario runs");
    let took = started.elapsed();
    let text = String::from_utf8_lossy(&output.stdout) + String::from_utf8_lossy(&output.stderr);
    Outcome { passed: output.status.success(), output: text.into_owned(), took }
}

/// Runs a scenario that must deadlock, and returns its diagnosis.
fn verdict_of(scenario: &str) -> String {
    let outcome = run_alone(scenario, true);
    assert!(!outcome.passed, "{}", outcome.output);
    assert!(outcome.took < Duration::from_secs(5), "not before the bound: {}", outcome.output);
    let start = outcome.output.find(DIAGNOSIS_MARKER).expect(&outcome.output);
    outcome.output[start..].to_owned()
}

fn here(line: u32) -> String {
    format!("{}:{line}:", file!())
}

#[test]
fn threads_receiving_from_each_other_are_reported_at_once_with_their_live_senders() {
    let message = verdict_of("receive_from_each_other");
    assert!(message.contains("deadlock: every thread is blocked"), "{message}");
    assert!(
        message.contains("the thread `receive_from_each_other` waits in `recv()` at"),
        "{message}"
    );
    assert!(message.contains(&format!("the thread spawned at {}", here(RECEIVERS))), "{message}");
    assert!(message.contains(&format!("Sender created at {}", here(RECEIVERS - 1))), "{message}");
}

const RECEIVERS: u32 = line!() + 6;
#[test]
#[ignore = "a scenario, run alone in a process of its own by the test that names it"]
fn receive_from_each_other() {
    let (to_worker, worker_inbox) = mpsc::channel::<u32>();
    let (to_test, test_inbox) = mpsc::channel::<u32>();
    let worker = thread::spawn(move || {
        let _reply = to_test;
        worker_inbox.recv().ok()
    });
    let _ = test_inbox.recv();
    drop((to_worker, worker));
}

#[test]
fn a_lock_wait_in_a_deadlock_names_the_holder_and_the_line_it_took_the_lock() {
    let message = verdict_of("lock_held_by_a_blocked_thread");
    assert!(message.contains(&format!("Mutex created at {}", here(HOLDER - 4))), "{message}");
    assert!(message.contains(&format!("the thread spawned at {}", here(HOLDER))), "{message}");
    assert!(message.contains(&format!("holds since {}", here(HOLDER + 1))), "{message}");
}

const HOLDER: u32 = line!() + 8;
#[test]
#[ignore = "a scenario, run alone in a process of its own by the test that names it"]
fn lock_held_by_a_blocked_thread() {
    let stock = Arc::new(Mutex::new(0));
    let (go, wait_for_go) = mpsc::channel::<()>();
    let (held, is_held) = mpsc::channel::<()>();
    let shared = Arc::clone(&stock);
    let worker = thread::spawn(move || {
        let _stock = shared.lock().unwrap();
        held.send(()).unwrap();
        wait_for_go.recv().ok()
    });
    is_held.recv().unwrap();
    let _ = stock.lock();
    drop((go, worker));
}

#[test]
fn joining_a_thread_that_nobody_will_notify_is_reported_at_once() {
    let message = verdict_of("join_a_thread_nobody_notifies");
    assert!(message.contains("`join()` at"), "{message}");
    assert!(message.contains("`Condvar::wait_while()` at"), "{message}");
}

#[test]
#[ignore = "a scenario, run alone in a process of its own by the test that names it"]
fn join_a_thread_nobody_notifies() {
    let pair = Arc::new((Mutex::new(false), Condvar::new()));
    let shared = Arc::clone(&pair);
    let worker = thread::spawn(move || {
        let (ready, changed) = &*shared;
        drop(changed.wait_while(ready.lock().unwrap(), |ready| !*ready));
    });
    let _ = worker.join();
}

#[test]
fn without_the_runner_a_deadlock_waits_for_the_bound_as_before() {
    let message = verdict_of("receive_what_only_this_thread_could_send");
    assert!(message.contains("deadlock: every thread is blocked"), "{message}");
    let outcome = run_alone("receive_what_only_this_thread_could_send", false);
    assert!(!outcome.passed);
    assert!(outcome.output.contains("waited 300ms"), "{}", outcome.output);
    assert!(!outcome.output.contains("every thread is blocked"), "{}", outcome.output);
}

/// One thread only, so the outcome cannot turn on which of two bounds passes first.
#[test]
#[ignore = "a scenario, run alone in a process of its own by the test that names it"]
fn receive_what_only_this_thread_could_send() {
    let (sender, inbox) = mpsc::channel::<u32>();
    let _ = inbox.recv();
    drop(sender);
}

#[test]
fn correct_programs_with_many_blocking_waits_are_never_reported() {
    for scenario in [
        "many_blocking_waits",
        "waiters_seen_blocked_then_woken",
        "a_thread_the_kit_cannot_see",
        "a_wait_that_times_out",
    ] {
        let outcome = run_alone(scenario, true);
        assert!(outcome.passed, "{scenario}: {}", outcome.output);
    }
}

/// Pipelines, lock contention, condvar hand-offs and joins, where every thread blocks often and
/// at some moments all but one are blocked.
#[test]
#[ignore = "a scenario, run alone in a process of its own by the test that names it"]
fn many_blocking_waits() {
    for round in 0..200_u64 {
        let (jobs, inbox) = mpsc::sync_channel::<u64>(1);
        let inbox = Arc::new(Mutex::new(inbox));
        let (results, outbox) = mpsc::channel();
        let total = Arc::new(Mutex::new(0));
        let turn = Arc::new((Mutex::new(0_u64), Condvar::new()));
        let workers: Vec<_> = (0..3)
            .map(|index| {
                let (inbox, results) = (Arc::clone(&inbox), results.clone());
                let (total, turn) = (Arc::clone(&total), Arc::clone(&turn));
                thread::spawn(move || {
                    loop {
                        let job = inbox.lock().unwrap().recv();
                        let Ok(job) = job else { break };
                        *total.lock().unwrap() += job;
                        results.send(job * 2).unwrap();
                    }
                    let (next, changed) = &*turn;
                    let mut next =
                        changed.wait_while(next.lock().unwrap(), |n| *n != index).unwrap();
                    *next += 1;
                    changed.notify_all();
                })
            })
            .collect();
        drop(results);
        let producer =
            thread::spawn(move || (0..20).for_each(|job| jobs.send(round + job).unwrap()));
        let doubled: u64 = outbox.iter().sum();
        producer.join().unwrap();
        workers.into_iter().for_each(|worker| worker.join().unwrap());
        assert_eq!(doubled, 2 * *total.lock().unwrap());
        assert_eq!(*turn.0.lock().unwrap(), 3);
    }
}

/// A test that acts the moment `wait_until_blocked` shows each waiter blocked: a waiter is
/// registered before it is shown blocked, and the test's own wait in that gap must not make
/// every thread look blocked.
#[test]
#[ignore = "a scenario, run alone in a process of its own by the test that names it"]
fn waiters_seen_blocked_then_woken() {
    for _ in 0..300 {
        let pair = Arc::new((Mutex::new(false), Condvar::new()));
        let waiters: Vec<_> = (0..3)
            .map(|_| {
                let shared = Arc::clone(&pair);
                thread::spawn(move || {
                    let (open, changed) = &*shared;
                    let mut open = open.lock().unwrap();
                    while !*open {
                        open = changed.wait(open).unwrap();
                    }
                })
            })
            .collect();
        for waiter in &waiters {
            assert!(waiter.wait_until_blocked().is_some());
        }
        *pair.0.lock().unwrap() = true;
        pair.1.notify_all();
        waiters.into_iter().for_each(|waiter| waiter.join().unwrap());
    }
}

#[test]
#[ignore = "a scenario, run alone in a process of its own by the test that names it"]
fn a_thread_the_kit_cannot_see() {
    let (tx, rx) = mpsc::channel();
    let unseen = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(50));
        tx.send(7).unwrap();
    });
    assert_eq!(rx.recv(), Ok(7));
    unseen.join().unwrap();
}

#[test]
#[ignore = "a scenario, run alone in a process of its own by the test that names it"]
fn a_wait_that_times_out() {
    let (tx, rx) = mpsc::channel();
    let pair = Arc::new((Mutex::new(()), Condvar::new()));
    let shared = Arc::clone(&pair);
    let worker = thread::spawn(move || {
        let (lock, never) = &*shared;
        let (_, waited) =
            never.wait_timeout(lock.lock().unwrap(), Duration::from_millis(50)).unwrap();
        tx.send(waited.timed_out()).unwrap();
    });
    assert_eq!(rx.recv(), Ok(true));
    worker.join().unwrap();
}
