//! Measures how long the kit takes from the last thread blocking to the deadlock verdict, for
//! `checker/bench/deadlock_latency.py`. Runs one scenario, named by the first argument, on a
//! thread of its own while the main thread only waits for it, as libtest runs a test; so run it
//! with `WORKBOOK_SOLE_TEST=1`. Prints `verdict after N us` when the verdict's panic starts.

// Under loom there are no real threads or time to measure: the example does nothing there.
fn main() {
    #[cfg(not(loom))]
    plain::main();
}

#[cfg(not(loom))]
mod plain {
    use kit::sync::{Arc, Barrier, Mutex, mpsc};
    use kit::thread;
    use std::sync::OnceLock;
    use std::time::{Duration, Instant};

    /// When the last thread began its blocking call.
    static LAST_BLOCKED: OnceLock<Instant> = OnceLock::new();

    fn blocks_last() {
        LAST_BLOCKED.set(Instant::now()).expect("one last thread");
    }

    /// The test's thread blocks last: its own wait proves the deadlock.
    fn test_thread_last() {
        let (to_worker, worker_inbox) = mpsc::channel::<()>();
        let (to_test, test_inbox) = mpsc::channel::<()>();
        let worker = thread::spawn(move || {
            let _reply = to_test;
            worker_inbox.recv().ok()
        });
        worker.wait_until_blocked();
        blocks_last();
        let _ = test_inbox.recv();
        drop((to_worker, worker));
    }

    /// A spawned thread blocks last: the verdict reaches the test's thread, which is already waiting.
    fn spawned_thread_last() {
        let (to_worker, worker_inbox) = mpsc::channel::<()>();
        let (to_test, test_inbox) = mpsc::channel::<()>();
        let worker = thread::spawn(move || {
            let _reply = to_test;
            // Long enough for the test's thread to be blocked: a std sleep, which the kit cannot see,
            // so no verdict comes before it ends.
            std::thread::sleep(Duration::from_millis(100));
            blocks_last();
            worker_inbox.recv().ok()
        });
        let _ = test_inbox.recv();
        drop((to_worker, worker));
    }

    /// The test's thread locks a Mutex held by a thread blocked on a channel the test feeds.
    fn lock_wait_last() {
        let stock = Arc::new(Mutex::new(0));
        let (go, wait_for_go) = mpsc::channel::<()>();
        let shared = Arc::clone(&stock);
        let worker = thread::spawn(move || {
            let _stock = shared.lock().unwrap();
            wait_for_go.recv().ok()
        });
        worker.wait_until_blocked();
        blocks_last();
        let _ = stock.lock();
        drop((go, worker));
    }

    /// Two threads take two locks in opposite orders; the second to wait closes the cycle.
    fn lock_cycle() {
        let (a, b) = (Arc::new(Mutex::new(())), Arc::new(Mutex::new(())));
        let both_hold_one = Arc::new(Barrier::new(2));
        let (go, wait_for_go) = std::sync::mpsc::channel::<()>();
        let first = {
            let (a, b, barrier) = (a.clone(), b.clone(), both_hold_one.clone());
            thread::spawn(move || {
                let _a = a.lock().unwrap();
                barrier.wait();
                let _b = b.lock();
            })
        };
        let second = thread::spawn(move || {
            let _b = b.lock().unwrap();
            both_hold_one.wait();
            wait_for_go.recv().unwrap();
            blocks_last();
            let _a = a.lock();
        });
        first.wait_until_blocked();
        go.send(()).unwrap();
        let _ = (first.join(), second.join());
    }

    /// A thread locks a Mutex it already holds.
    fn self_lock() {
        let counter = Mutex::new(0);
        let _held = counter.lock().unwrap();
        blocks_last();
        let _ = counter.lock();
    }

    pub fn main() {
        let scenario = std::env::args().nth(1).unwrap_or_default();
        let run: fn() = match scenario.as_str() {
            "test-thread-last" => test_thread_last,
            "spawned-thread-last" => spawned_thread_last,
            "lock-wait-last" => lock_wait_last,
            "lock-cycle" => lock_cycle,
            "self-lock" => self_lock,
            _ => {
                eprintln!(
                    "usage: deadlock_latency SCENARIO, one of test-thread-last, spawned-thread-last, \
                     lock-wait-last, lock-cycle, self-lock"
                );
                std::process::exit(2);
            }
        };
        let default_hook = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if let Some(blocked) = LAST_BLOCKED.get() {
                println!("verdict after {} us", blocked.elapsed().as_micros());
            }
            default_hook(info);
        }));
        let _ = std::thread::Builder::new().name("scenario".into()).spawn(run).unwrap().join();
    }
}
