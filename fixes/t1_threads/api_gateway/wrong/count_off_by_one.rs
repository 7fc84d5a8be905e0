// Counts waiting requests itself but lets one more in than the queue holds, so that send waits.
// caught by: hang, loom-deadlock
//! API gateway
//!
//! An API gateway passes each request to a fixed pool of backend workers through a bounded queue.
//! When the backends fall behind and the queue fills up, the gateway must not wait for room: it
//! sheds load, answering "503 Service Unavailable" at once, and for that it needs the request
//! back. `try_submit` queues a request if the queue has room, and otherwise hands it straight back.
//!
//! Done when: `try_submit` never waits: it queues the request while the queue has room, returns
//! it intact in `Err` when the queue is full, and every queued request is served before
//! `shutdown` returns.

use kit::sync::atomic::{AtomicUsize, Ordering};
use kit::sync::{Arc, Mutex, mpsc};
use kit::thread;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub id: u64,
    pub path: String,
}

/// A fixed pool of backend workers behind a bounded queue.
pub struct Gateway {
    queue: mpsc::SyncSender<Request>,
    workers: Vec<thread::JoinHandle<Vec<u64>>>,
    pending: Arc<AtomicUsize>,
    capacity: usize,
}

impl Gateway {
    /// Starts `workers` backend workers that serve requests with `handler`, behind a queue that
    /// holds at most `capacity` requests waiting for a worker.
    pub fn new<H>(workers: usize, capacity: usize, handler: H) -> Self
    where
        H: Fn(&Request) + Send + Sync + 'static,
    {
        let (queue, backlog) = mpsc::sync_channel(capacity);
        let backlog = Arc::new(Mutex::new(backlog));
        let handler = Arc::new(handler);
        let pending = Arc::new(AtomicUsize::new(0));
        let workers = (0..workers.max(1))
            .map(|_| {
                let backlog = Arc::clone(&backlog);
                let handler = Arc::clone(&handler);
                let pending = Arc::clone(&pending);
                thread::spawn(move || {
                    let mut served = Vec::new();
                    loop {
                        let next = backlog.lock().unwrap().recv();
                        let Ok(request) = next else { return served };
                        pending.fetch_sub(1, Ordering::SeqCst);
                        handler(&request);
                        served.push(request.id);
                    }
                })
            })
            .collect();
        Gateway { queue, workers, pending, capacity }
    }

    /// Queues `request` for a backend if the queue has room; if it is full, hands the request
    /// back at once, so the caller can answer 503.
    pub fn try_submit(&self, request: Request) -> Result<(), Request> {
        // Refuse once more than `capacity` requests wait.
        if self.pending.load(Ordering::SeqCst) > self.capacity {
            return Err(request);
        }
        self.pending.fetch_add(1, Ordering::SeqCst);
        self.queue.send(request).map_err(|mpsc::SendError(request)| request)
    }

    /// Stops taking requests, lets the workers serve what is queued, and returns the ids of every
    /// request served, in increasing order.
    pub fn shutdown(self) -> Vec<u64> {
        drop(self.queue);
        let mut served: Vec<u64> = Vec::new();
        for worker in self.workers {
            served.extend(worker.join().expect("a backend worker panicked"));
        }
        served.sort_unstable();
        served
    }
}

fn main() {
    use kit::time::{Clock, RealClock};
    use std::time::Duration;

    let gateway = Gateway::new(1, 2, |request: &Request| {
        RealClock.sleep(Duration::from_millis(20));
        println!("200 {} (request {})", request.path, request.id);
    });
    for id in 1..=6 {
        let request = Request { id, path: format!("/api/orders/{id}") };
        if let Err(request) = gateway.try_submit(request) {
            println!("503 {} (request {}): try again later", request.path, request.id);
        }
    }
    let served = gateway.shutdown();
    println!("served {} of 6 requests", served.len());
}
