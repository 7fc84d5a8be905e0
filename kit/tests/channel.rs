//! The kit's channels keep std::sync::mpsc's contract.
#![cfg(not(loom))]

use kit::sync::mpsc::{self, RecvTimeoutError, TryRecvError, TrySendError};
use kit::thread;
use std::time::Duration;

#[test]
fn messages_arrive_in_order_and_the_loop_ends_with_the_last_sender() {
    let (tx, rx) = mpsc::channel();
    let tx2 = tx.clone();
    let first = thread::spawn(move || (0..3).for_each(|n| tx.send(n).unwrap()));
    first.join().unwrap();
    let second = thread::spawn(move || (3..6).for_each(|n| tx2.send(n).unwrap()));
    second.join().unwrap();
    assert_eq!(rx.iter().collect::<Vec<_>>(), vec![0, 1, 2, 3, 4, 5]);
}

#[test]
fn recv_fails_only_once_empty_and_disconnected() {
    let (tx, rx) = mpsc::channel();
    tx.send(1).unwrap();
    drop(tx);
    assert_eq!(rx.recv(), Ok(1));
    assert_eq!(rx.recv(), Err(mpsc::RecvError));
    assert_eq!(rx.try_recv(), Err(TryRecvError::Disconnected));
}

#[test]
fn send_fails_and_returns_the_message_once_the_receiver_is_gone() {
    let (tx, rx) = mpsc::channel();
    drop(rx);
    assert_eq!(tx.send(7).unwrap_err().0, 7);
    let (tx, rx) = mpsc::sync_channel(1);
    drop(rx);
    assert_eq!(tx.try_send(8), Err(TrySendError::Disconnected(8)));
}

#[test]
fn a_bounded_channel_holds_at_most_its_capacity() {
    let (tx, rx) = mpsc::sync_channel(2);
    tx.try_send(1).unwrap();
    tx.try_send(2).unwrap();
    assert_eq!(tx.try_send(3), Err(TrySendError::Full(3)));
    assert_eq!(rx.try_recv(), Ok(1));
    tx.try_send(3).unwrap();
    assert_eq!(rx.try_iter().collect::<Vec<_>>(), vec![2, 3]);
}

#[test]
fn a_blocked_bounded_send_completes_when_room_is_made() {
    let (tx, rx) = mpsc::sync_channel(1);
    tx.send(1).unwrap();
    let (started_tx, started_rx) = mpsc::channel();
    let sender = thread::spawn(move || {
        started_tx.send(()).unwrap();
        tx.send(2).unwrap();
    });
    started_rx.recv().unwrap();
    assert_eq!(rx.recv(), Ok(1));
    assert_eq!(rx.recv(), Ok(2));
    sender.join().unwrap();
}

#[test]
fn a_rendezvous_send_returns_only_after_the_message_is_taken() {
    let (tx, rx) = mpsc::sync_channel(0);
    assert_eq!(tx.try_send(0), Err(TrySendError::Full(0)), "nobody is receiving yet");
    let (done_tx, done_rx) = mpsc::channel();
    let sender = thread::spawn(move || {
        tx.send(1).unwrap();
        done_tx.send(()).unwrap();
    });
    assert_eq!(rx.recv(), Ok(1));
    done_rx.recv().unwrap();
    sender.join().unwrap();
}

#[test]
fn a_rendezvous_send_gets_its_message_back_when_the_receiver_goes() {
    let (tx, rx) = mpsc::sync_channel::<u32>(0);
    let (ready_tx, ready_rx) = mpsc::channel();
    let sender = thread::spawn(move || {
        ready_tx.send(()).unwrap();
        tx.send(5)
    });
    ready_rx.recv().unwrap();
    drop(rx);
    assert_eq!(sender.join().unwrap().unwrap_err().0, 5);
}

#[test]
fn a_shared_receiver_feeds_several_workers_until_the_senders_go() {
    let (tx, rx) = mpsc::channel();
    let rx = kit::sync::Arc::new(kit::sync::Mutex::new(rx));
    let workers: Vec<_> = (0..3)
        .map(|_| {
            let rx = rx.clone();
            thread::spawn(move || {
                let mut sum = 0;
                while let Ok(n) = rx.lock().unwrap().recv() {
                    sum += n;
                }
                sum
            })
        })
        .collect();
    (1..=100).for_each(|n| tx.send(n).unwrap());
    drop(tx);
    let total: u32 = workers.into_iter().map(|w| w.join().unwrap()).sum();
    assert_eq!(total, 5050);
}

#[test]
fn recv_timeout_times_out_then_sees_disconnection() {
    let (tx, rx) = mpsc::channel::<()>();
    assert_eq!(rx.recv_timeout(Duration::from_millis(10)), Err(RecvTimeoutError::Timeout));
    drop(tx);
    assert_eq!(rx.recv_timeout(Duration::from_millis(10)), Err(RecvTimeoutError::Disconnected));
}

#[test]
fn buffered_messages_are_dropped_with_the_receiver() {
    let (tx, rx) = mpsc::channel();
    let marker = std::sync::Arc::new(());
    tx.send(marker.clone()).unwrap();
    assert_eq!(std::sync::Arc::strong_count(&marker), 2);
    drop(rx);
    assert_eq!(std::sync::Arc::strong_count(&marker), 1);
}
