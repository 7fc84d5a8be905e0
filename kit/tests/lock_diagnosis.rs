//! The kit's `Mutex` and `RwLock`: std's behaviour, and lock deadlocks named the moment they
//! happen, with the lines of each thread.
#![cfg(not(loom))]

mod support;

use kit::hang::DIAGNOSIS_MARKER;
use kit::sync::{Arc, Barrier, Condvar, Mutex, RwLock, TryLockError};
use kit::thread;
use support::{panic_message, text_of};

fn here(line: u32) -> String {
    format!("{}:{line}:", file!())
}

#[test]
fn locking_a_mutex_the_thread_already_holds_fails_at_once_with_both_lines() {
    let (created, counter) = (line!(), Mutex::new(0_u64));
    let message = panic_message(|| {
        let (taken, _held) = (line!(), counter.lock().unwrap());
        let (again, _) = (line!(), counter.lock());
        panic!("locked twice: taken at {taken}, again at {again}");
    });
    assert!(message.starts_with(DIAGNOSIS_MARKER), "{message}");
    assert!(message.contains("this same thread already holds"), "{message}");
    assert!(message.contains(&format!("Mutex created at {}", here(created))), "{message}");
    // The lines of both locks, in the order of the code: taken first, then locked again.
    let taken = message.find(&here(created + 2)).expect(&message);
    let again = message.find(&here(created + 3)).expect(&message);
    assert!(again < taken, "the wait comes first, then where it is held: {message}");
    assert!(counter.is_poisoned(), "the guard was dropped while panicking, as std poisons");
}

#[test]
fn two_threads_taking_two_locks_in_opposite_orders_are_named_as_a_cycle() {
    let (accounts_at, accounts) = (line!(), Arc::new(Mutex::new(())));
    let (audit_at, audit) = (line!(), Arc::new(Mutex::new(())));
    let both_hold_one = Arc::new(Barrier::new(2));
    let lines = |first: u32| (here(first), here(first + 3));
    let transfer_at = line!() + 3;
    let transfer = {
        let (accounts, audit, barrier) = (accounts.clone(), audit.clone(), both_hold_one.clone());
        thread::spawn(move || {
            let _accounts = accounts.lock().unwrap();
            barrier.wait();
            // Poisoned if the other thread failed while holding it.
            let _audit = audit.lock();
        })
    };
    let report_at = line!() + 3;
    let report = {
        let (accounts, audit, barrier) = (accounts.clone(), audit.clone(), both_hold_one.clone());
        thread::spawn(move || {
            let _audit = audit.lock().unwrap();
            barrier.wait();
            // Poisoned if the other thread failed while holding it.
            let _accounts = accounts.lock();
        })
    };
    let outcomes = [transfer.join(), report.join()];
    let failed: Vec<String> =
        outcomes.into_iter().filter_map(|outcome| outcome.err().map(text_of)).collect();
    assert_eq!(failed.len(), 1, "one thread closes the cycle and fails; the other goes on");
    let message = &failed[0];
    assert!(message.starts_with(DIAGNOSIS_MARKER), "{message}");
    assert!(message.contains("in a cycle"), "{message}");
    assert!(message.contains(&format!("Mutex created at {}", here(accounts_at))), "{message}");
    assert!(message.contains(&format!("Mutex created at {}", here(audit_at))), "{message}");
    for (took, waits) in [lines(transfer_at + 1), lines(report_at + 1)] {
        assert!(message.contains(&format!("holds since {took}")), "{took}: {message}");
        assert!(message.contains(&format!("`lock()` at {waits}")), "{waits}: {message}");
    }
}

#[test]
fn an_rwlock_write_while_the_same_thread_reads_fails_at_once() {
    let prices = RwLock::new(vec![1, 2]);
    let (read_at, _reading) = (line!(), prices.read().unwrap());
    let message = panic_message(|| drop(prices.write()));
    assert!(message.contains("this same thread already holds"), "{message}");
    assert!(message.contains(&here(read_at)), "{message}");
}

#[test]
fn an_rwlock_shares_reads_and_excludes_a_writer() {
    let prices = RwLock::new(1);
    let first = prices.read().unwrap();
    let second = prices.read().unwrap();
    assert_eq!(*first + *second, 2);
    assert!(matches!(prices.try_write(), Err(TryLockError::WouldBlock)));
    drop((first, second));
    *prices.write().unwrap() += 1;
    assert_eq!(prices.into_inner().unwrap(), 2);
}

#[test]
fn a_lock_held_elsewhere_is_waited_for_and_then_taken() {
    let stock = Arc::new(Mutex::new(0));
    let held = stock.lock().unwrap();
    let waiter = {
        let stock = Arc::clone(&stock);
        thread::spawn(move || *stock.lock().unwrap() += 1)
    };
    let blocked_on = waiter.wait_until_blocked();
    assert!(blocked_on.is_none() || !waiter.is_finished(), "it cannot finish while held");
    drop(held);
    waiter.join().unwrap();
    assert_eq!(*stock.lock().unwrap(), 1);
}

#[test]
fn a_poisoned_mutex_reports_it_and_still_gives_the_data() {
    let stock = Arc::new(Mutex::new(5));
    let poisoner = Arc::clone(&stock);
    let _ = thread::spawn(move || {
        let _held = poisoner.lock().unwrap();
        panic!("while holding the lock");
    })
    .join();
    let guard = stock.lock().expect_err("poisoned, as std's is").into_inner();
    assert_eq!(*guard, 5);
    drop(guard);
    stock.clear_poison();
    assert!(!stock.is_poisoned());
}

#[test]
fn a_condvar_wait_gives_the_lock_to_others_and_takes_it_back() {
    let pair = Arc::new((Mutex::new(false), Condvar::new()));
    let waiter = {
        let pair = Arc::clone(&pair);
        thread::spawn(move || {
            let (ready, changed) = &*pair;
            let guard = changed.wait_while(ready.lock().unwrap(), |ready| !*ready).unwrap();
            assert!(*guard);
            assert!(ready.try_lock().is_err(), "the wait returns with the lock held");
        })
    };
    waiter.wait_until_blocked();
    let (ready, changed) = &*pair;
    *ready.lock().unwrap() = true;
    changed.notify_one();
    waiter.join().unwrap();
}
