//! The async kit: a paused clock that costs no real time, and a hang that is a verdict at once,
//! saying what each task awaits.
#![cfg(not(loom))]

mod support;

use kit::hang::DIAGNOSIS_MARKER;
use kit::tasks::io::{self, AsyncReadExt, AsyncWriteExt};
use kit::tasks::sync::{Arc, Mutex, Semaphore, mpsc};
use kit::tasks::time::{Duration, Instant, sleep};
use kit::tasks::{self, JoinSet};
use support::panic_message;

fn here(line: u32) -> String {
    format!("{}:{line}:", file!())
}

#[test]
fn a_receive_that_can_never_end_names_the_live_sender_at_once() {
    let started = std::time::Instant::now();
    let created = line!() + 3;
    let message = panic_message(|| {
        tasks::test(async {
            let (tx, mut rx) = mpsc::channel::<u32>(4);
            let worker = tasks::spawn(async move { while rx.recv().await.is_some() {} });
            tx.send(1).await.unwrap();
            worker.await.unwrap();
            drop(tx);
        })
    });
    assert!(started.elapsed() < Duration::from_secs(1), "took {:?}", started.elapsed());
    assert!(message.starts_with(DIAGNOSIS_MARKER), "{message}");
    assert!(message.contains(&format!("the task spawned at {}", here(created + 1))), "{message}");
    assert!(message.contains("`recv()` at"), "{message}");
    assert!(message.contains("1 still is"), "{message}");
    assert!(message.contains(&format!("Sender created at {}", here(created))), "{message}");
}

#[test]
fn a_dropped_sender_is_no_longer_named_and_a_clone_is() {
    let line = line!() + 6;
    let message = panic_message(|| {
        tasks::test(async {
            let (tx, mut rx) = mpsc::unbounded_channel::<u32>();
            let clone = tx.clone();
            drop(tx);
            rx.recv().await;
            drop(clone);
        })
    });
    assert!(message.contains("the test's own future waits in `recv()`"), "{message}");
    assert!(!message.contains("Sender created at"), "{message}");
    assert!(message.contains(&format!("Sender cloned at {}", here(line - 2))), "{message}");
    assert!(message.contains(&format!("`recv()` at {}", here(line))), "{message}");
}

#[test]
fn a_lock_held_across_an_await_that_needs_it_names_the_holder() {
    let line = line!() + 6;
    let message = panic_message(|| {
        tasks::test(async {
            let sessions = Arc::new(Mutex::new(0u32));
            let refresher = Arc::clone(&sessions);
            let task = tasks::spawn(async move {
                let mut held = refresher.lock().await;
                sleep(Duration::from_secs(1)).await;
                *held += 1;
                let again = Arc::clone(&refresher);
                tasks::spawn(async move { *again.lock().await += 1 }).await.unwrap();
            });
            task.await.unwrap();
            drop(sessions);
        })
    });
    assert!(message.starts_with(DIAGNOSIS_MARKER), "{message}");
    let holder = format!("the task spawned at {}", here(line - 1));
    assert!(message.contains(&format!("{holder}24 holds it, since {}", here(line))), "{message}");
    assert!(message.contains(&format!("{holder}24 waits for the task spawned at")), "{message}");
    assert!(message.contains(&format!("`lock()` at {}", here(line + 4))), "{message}");
}

#[test]
fn a_semaphore_wait_says_how_many_permits_are_free() {
    let message = panic_message(|| {
        tasks::test(async {
            let limit = Semaphore::new(1);
            let _held = limit.acquire().await.unwrap();
            let _never = limit.acquire().await.unwrap();
        })
    });
    assert!(message.contains("`acquire()` at"), "{message}");
    assert!(message.contains("0 of its 1 permits free"), "{message}");
}

#[test]
fn a_correct_program_with_timers_passes_and_55_paused_minutes_cost_no_real_time() {
    let started = std::time::Instant::now();
    let total = tasks::test(async {
        let t0 = Instant::now();
        let (tx, mut rx) = mpsc::channel(1);
        let mut set = JoinSet::new();
        for n in 1..=3u64 {
            let tx = tx.clone();
            set.spawn(async move {
                sleep(Duration::from_secs(600 * n)).await;
                tx.send(n).await.unwrap();
            });
        }
        drop(tx);
        let mut total = 0;
        while let Some(n) = rx.recv().await {
            total += n;
        }
        while set.join_next().await.is_some() {}
        assert_eq!(t0.elapsed(), Duration::from_secs(1800), "virtual time moved by the sleeps");
        sleep(Duration::from_secs(1500)).await; // 55 minutes in all, under the hang limit
        total
    });
    assert_eq!(total, 6);
    assert!(started.elapsed() < Duration::from_secs(1), "took {:?}", started.elapsed());
}

#[test]
fn a_cancelled_wait_is_no_longer_noted() {
    let message = panic_message(|| {
        tasks::test(async {
            let (_tx, mut rx) = mpsc::channel::<u32>(1);
            let limit = Semaphore::new(0);
            let _ = tasks::time::timeout(Duration::from_secs(5), rx.recv()).await;
            let _ = limit.acquire().await;
        })
    });
    assert!(message.contains("`acquire()`"), "{message}");
    assert!(!message.contains("`recv()`"), "{message}");
}

#[test]
fn a_byte_stream_carries_what_is_written_in_pieces_on_the_paused_clock() {
    let started = std::time::Instant::now();
    tasks::test(async {
        let (mut near, far) = io::duplex(64);
        let (mut hears, mut says) = io::split(far);
        let t0 = Instant::now();
        let writer = tasks::spawn(async move {
            says.write_all(b"len:").await.unwrap();
            sleep(Duration::from_secs(30)).await;
            says.write_all(b"body").await.unwrap();
            says.shutdown().await.unwrap();
        });
        let mut frame = [0; 8];
        near.read_exact(&mut frame).await.unwrap();
        assert_eq!(&frame, b"len:body");
        assert_eq!(t0.elapsed(), Duration::from_secs(30), "the read waited for the second piece");
        assert_eq!(near.read_u8().await.unwrap_err().kind(), io::ErrorKind::UnexpectedEof);
        near.write_all(b"ack").await.unwrap();
        let mut ack = [0; 3];
        hears.read_exact(&mut ack).await.unwrap();
        assert_eq!(&ack, b"ack");
        writer.await.unwrap();
    });
    assert!(started.elapsed() < Duration::from_secs(1), "took {:?}", started.elapsed());
}

#[test]
fn a_read_that_can_never_end_is_a_hang_whose_diagnosis_says_streams_are_not_noted() {
    let message = panic_message(|| {
        tasks::test(async {
            let (mut near, _far) = io::duplex(64);
            let _ = near.read_u8().await;
        })
    });
    assert!(message.starts_with(DIAGNOSIS_MARKER), "{message}");
    assert!(message.contains("a byte stream (`io`) is not noted"), "{message}");
}
