#![cfg(not(loom))]
//! What tests build their verdicts on: whether each thread was joined, and that a thread shown
//! as waiting really waits.

use kit::sync::mpsc;
use kit::sync::{Arc, Condvar, Mutex};
use kit::thread::{self, LiveThreads};

#[test]
fn a_thread_whose_handle_was_dropped_counts_as_not_joined_even_once_it_finished() {
    let threads = LiveThreads::track();
    let (done, finished) = mpsc::channel();
    let dropped = thread::spawn(move || done.send(()).unwrap());
    drop(dropped);
    let joined = thread::spawn(|| ());
    assert_eq!(threads.not_joined(), 2);
    finished.recv().unwrap();
    threads.wait_for_live_at_most(0);
    assert_eq!(threads.live(), 0, "both threads have finished");
    joined.join().unwrap();
    assert_eq!(threads.not_joined(), 1, "the dropped handle's thread was never joined");
}

#[test]
fn a_joined_thread_that_panicked_counts_as_joined() {
    let threads = LiveThreads::track();
    let panicking = thread::spawn(|| std::panic::panic_any("planned"));
    assert!(panicking.join().is_err());
    assert_eq!(threads.not_joined(), 0);
}

/// A waiter is shown as blocked only once a notification would reach it: notified the moment
/// `wait_until_blocked` returns, without the mutex, it always wakes.
#[test]
fn a_notification_sent_as_soon_as_the_waiter_shows_as_blocked_is_never_lost() {
    for _ in 0..300 {
        let pair = Arc::new((Mutex::new(()), Condvar::new()));
        let waiter = {
            let pair = Arc::clone(&pair);
            thread::spawn(move || {
                let (lock, woken) = &*pair;
                drop(woken.wait(lock.lock().unwrap()).unwrap());
            })
        };
        assert!(waiter.wait_until_blocked().is_some());
        pair.1.notify_one();
        waiter.join().unwrap();
    }
}
