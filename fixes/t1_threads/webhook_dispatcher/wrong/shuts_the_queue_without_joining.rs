// Shuts the queue and returns at once: the workers stop on their own, maybe after the drop returned.
// caught by: test, loom-assert
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
        // Shut the queue: the workers finish the queued webhooks and stop on their own.
        drop(self.queue.take());
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
