//! Webhook dispatcher
//!
//! A payments service tells its merchants about payments through webhooks. `Dispatcher` delivers
//! them on a fixed pool of worker threads, so that a slow merchant never holds up the request that
//! triggered its webhook: `dispatch` queues the webhook and returns at once. When the service shuts
//! down it drops the dispatcher, and no webhook already dispatched may be lost: dropping it waits
//! until every queued webhook has been delivered, then the workers stop and the drop returns.
//!
//! Done when: dropping a `Dispatcher` delivers every webhook dispatched before, then returns, and
//! leaves no worker thread running.

use kit::sync::{Arc, Mutex, mpsc};
use kit::thread;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Webhook {
    pub merchant: String,
    pub event: String,
}

/// Delivers webhooks on a fixed pool of threads.
pub struct Dispatcher {
    queue: Option<mpsc::Sender<Webhook>>,
    workers: Vec<thread::JoinHandle<()>>,
}

impl Dispatcher {
    /// Starts `workers` threads that deliver each dispatched webhook with `deliver`.
    pub fn new<D>(workers: usize, deliver: D) -> Self
    where
        D: Fn(Webhook) + Send + Sync + 'static,
    {
        assert!(workers > 0, "a dispatcher needs at least one worker");
        let deliver = Arc::new(deliver);
        let (queue, pending) = mpsc::channel::<Webhook>();
        let pending = Arc::new(Mutex::new(pending));
        let workers = (0..workers)
            .map(|_| {
                let deliver = Arc::clone(&deliver);
                let pending = Arc::clone(&pending);
                thread::spawn(move || {
                    loop {
                        // The lock is let go before delivering, so the others can take the next.
                        let next = pending.lock().unwrap().recv();
                        match next {
                            Ok(webhook) => deliver(webhook),
                            Err(_) => break,
                        }
                    }
                })
            })
            .collect();
        Dispatcher { queue: Some(queue), workers }
    }

    /// Queues `webhook` for delivery and returns at once.
    pub fn dispatch(&self, webhook: Webhook) {
        let queue = self.queue.as_ref().expect("the dispatcher is running");
        queue.send(webhook).expect("every worker has stopped");
    }
}

impl Drop for Dispatcher {
    fn drop(&mut self) {
        // Shut the queue: nothing more will be dispatched.
        drop(self.queue.take());
        for worker in self.workers.drain(..) {
            worker.join().expect("a delivery worker panicked");
        }
    }
}

fn main() {
    let dispatcher = Dispatcher::new(2, |webhook: Webhook| {
        println!("POST https://{}.example/hooks  {}", webhook.merchant, webhook.event);
    });
    for (merchant, event) in
        [("bakery", "payment.succeeded"), ("bikes", "refund.created"), ("books", "payment.failed")]
    {
        dispatcher.dispatch(Webhook { merchant: merchant.into(), event: event.into() });
    }
    drop(dispatcher);
    println!("every webhook delivered; dispatcher stopped");
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use kit::sync::{Arc, Mutex, mpsc};
    use kit::thread;
    use kit::thread::LiveThreads;

    fn webhook(n: usize) -> Webhook {
        Webhook { merchant: format!("shop-{n}"), event: "payment.succeeded".into() }
    }

    #[test]
    fn dropping_delivers_every_webhook_and_joins_every_worker() {
        let threads = LiveThreads::track();
        let delivered = Arc::new(Mutex::new(Vec::new()));
        let dispatcher = {
            let delivered = Arc::clone(&delivered);
            Dispatcher::new(3, move |webhook| delivered.lock().unwrap().push(webhook))
        };
        (0..5).for_each(|n| dispatcher.dispatch(webhook(n)));
        drop(dispatcher);
        let mut delivered = delivered.lock().unwrap().clone();
        delivered.sort_by(|a, b| a.merchant.cmp(&b.merchant));
        assert_eq!(delivered, (0..5).map(webhook).collect::<Vec<_>>());
        assert_eq!(threads.not_joined(), 0, "the drop returned without joining every worker");
    }

    #[test]
    fn dropping_waits_for_the_webhooks_still_queued() {
        // One worker, held inside the first delivery until the test lets it go: the second
        // webhook is still queued when the dispatcher is dropped.
        let (release, held) = mpsc::channel::<()>();
        let held = Mutex::new(held);
        let delivered = Arc::new(Mutex::new(Vec::new()));
        let dispatcher = {
            let delivered = Arc::clone(&delivered);
            Dispatcher::new(1, move |webhook| {
                held.lock().unwrap().recv().expect("the test stopped early");
                delivered.lock().unwrap().push(webhook);
            })
        };
        dispatcher.dispatch(webhook(1));
        dispatcher.dispatch(webhook(2));
        let shutdown = thread::spawn(move || drop(dispatcher));
        assert!(
            shutdown.wait_until_blocked().is_some(),
            "the drop returned while webhooks were still waiting to be delivered"
        );
        release.send(()).unwrap();
        release.send(()).unwrap();
        shutdown.join().unwrap();
        assert_eq!(*delivered.lock().unwrap(), [webhook(1), webhook(2)]);
    }
}

#[cfg(all(test, loom))]
mod loom {
    use super::*;
    use kit::sync::Arc;
    use kit::sync::atomic::{AtomicUsize, Ordering};

    #[test]
    fn dropping_delivers_the_queued_webhook_and_stops_both_workers() {
        kit::model::check(|| {
            let delivered = Arc::new(AtomicUsize::new(0));
            let dispatcher = {
                let delivered = Arc::clone(&delivered);
                Dispatcher::new(2, move |_| {
                    delivered.fetch_add(1, Ordering::SeqCst);
                })
            };
            dispatcher
                .dispatch(Webhook { merchant: "shop".into(), event: "payment.failed".into() });
            drop(dispatcher);
            assert_eq!(delivered.load(Ordering::SeqCst), 1, "the webhook was not delivered");
        });
    }
}
