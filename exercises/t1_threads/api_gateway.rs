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
        let workers = (0..workers.max(1))
            .map(|_| {
                let backlog = Arc::clone(&backlog);
                let handler = Arc::clone(&handler);
                thread::spawn(move || {
                    let mut served = Vec::new();
                    loop {
                        let next = backlog.lock().unwrap().recv();
                        let Ok(request) = next else { return served };
                        handler(&request);
                        served.push(request.id);
                    }
                })
            })
            .collect();
        Gateway { queue, workers }
    }

    /// Queues `request` for a backend if the queue has room; if it is full, hands the request
    /// back at once, so the caller can answer 503.
    pub fn try_submit(&self, request: Request) -> Result<(), Request> {
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

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use kit::sync::{Mutex, mpsc};

    fn request(id: u64) -> Request {
        Request { id, path: format!("/api/items/{id}") }
    }

    #[test]
    fn queues_and_serves_requests_while_there_is_room() {
        let gateway = Gateway::new(1, 4, |_: &Request| {});
        for id in 1..=3 {
            assert_eq!(gateway.try_submit(request(id)), Ok(()), "request {id} found no room");
        }
        assert_eq!(gateway.shutdown(), [1, 2, 3]);
    }

    #[test]
    fn a_full_queue_hands_the_request_back_at_once() {
        // Request 1 holds the only backend until the test opens the gate, so once requests 2 and
        // 3 are queued, the queue (capacity 2) is certainly full. The gate is a std channel: the
        // backend may wait on it as long as the test needs, and only the gateway's own waits are
        // timed.
        let (started, backend_busy) = mpsc::channel();
        let (open, gate) = std::sync::mpsc::channel::<()>();
        let gate = Mutex::new(gate);
        let gateway = Gateway::new(1, 2, move |request: &Request| {
            if request.id == 1 {
                started.send(()).unwrap();
                let _ = gate.lock().unwrap().recv();
            }
        });
        assert_eq!(gateway.try_submit(request(1)), Ok(()));
        backend_busy.recv().unwrap();
        assert_eq!(gateway.try_submit(request(2)), Ok(()));
        assert_eq!(gateway.try_submit(request(3)), Ok(()));
        assert_eq!(gateway.try_submit(request(4)), Err(request(4)), "a full queue must refuse");
        assert_eq!(gateway.try_submit(request(5)), Err(request(5)), "a full queue must refuse");
        open.send(()).unwrap();
        assert_eq!(gateway.shutdown(), [1, 2, 3], "exactly the queued requests are served");
    }

    #[test]
    fn no_requests_means_nothing_served() {
        assert!(Gateway::new(2, 1, |_: &Request| {}).shutdown().is_empty());
    }
}

#[cfg(all(test, loom))]
mod loom {
    use super::*;
    use kit::sync::{Arc, Mutex, mpsc};
    use kit::thread;

    fn request(id: u64) -> Request {
        Request { id, path: format!("/api/items/{id}") }
    }

    #[test]
    fn two_callers_at_once_get_the_last_place_once() {
        kit::model::check(|| {
            // The backend is busy with request 0 until the gate opens, so the queue (capacity 1)
            // has room for exactly one of the two requests submitted at once.
            let (started, backend_busy) = mpsc::channel();
            let (open, gate) = mpsc::channel::<()>();
            let gate = Mutex::new(gate);
            let gateway = Arc::new(Gateway::new(1, 1, move |request: &Request| {
                if request.id == 0 {
                    started.send(()).unwrap();
                    let _ = gate.lock().unwrap().recv();
                }
            }));
            assert_eq!(gateway.try_submit(request(0)), Ok(()));
            backend_busy.recv().unwrap();
            let callers: Vec<_> = [1, 2]
                .into_iter()
                .map(|id| {
                    let gateway = Arc::clone(&gateway);
                    thread::spawn(move || gateway.try_submit(request(id)).is_ok())
                })
                .collect();
            let joined = callers.into_iter().map(|caller| caller.join().unwrap());
            let accepted = joined.filter(|&got_in| got_in).count();
            assert_eq!(accepted, 1, "one place left and two callers at once: {accepted} got it");
            open.send(()).unwrap();
            let Ok(gateway) = Arc::try_unwrap(gateway) else { panic!("a caller kept the gateway") };
            assert_eq!(gateway.shutdown().len(), 2, "request 0 and the one accepted are served");
        });
    }
}
