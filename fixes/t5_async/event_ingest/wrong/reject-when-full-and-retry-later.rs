// Bounds the queue and on a full queue spawns a retry that sends later, so submit returns at once.
// caught by: test
//! Event ingest
//!
//! An analytics endpoint takes click events from browsers and hands them to a writer task that
//! appends them to the warehouse, a few milliseconds each. On a campaign launch browsers send
//! events far faster than the warehouse takes them, and the endpoint must not buffer the
//! difference in memory: a client whose event cannot be queued waits (its request is slower)
//! until the writer catches up.
//!
//! Done when: every event is written, in the order submitted, and at no time do more than
//! `QUEUE_LIMIT` events wait in memory besides the one being written.
//!
//! Checked by: tests on a paused-clock runtime (loom does not model tokio).
#![cfg_attr(loom, no_main)]
#![cfg(not(loom))]

use kit::tasks::sync::{Arc, mpsc};
use kit::tasks::time::{Duration, sleep};
use kit::tasks::{self, JoinHandle};
use std::sync::Mutex;

/// The most events that may wait in memory for the writer.
pub const QUEUE_LIMIT: usize = 32;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    pub seq: u64,
    pub page: String,
}

/// The warehouse: appends an event in 5 ms.
#[derive(Default)]
pub struct Warehouse {
    rows: Mutex<Vec<Event>>,
}

impl Warehouse {
    async fn append(&self, event: Event) {
        sleep(Duration::from_millis(5)).await;
        self.rows.lock().unwrap().push(event);
    }

    /// How many events it holds.
    pub fn written(&self) -> usize {
        self.rows.lock().unwrap().len()
    }

    /// The sequence numbers of the events it holds, in order.
    pub fn seqs(&self) -> Vec<u64> {
        self.rows.lock().unwrap().iter().map(|e| e.seq).collect()
    }
}

/// The endpoint's side of the queue to the writer.
pub struct Ingest {
    queue: mpsc::Sender<Event>,
}

impl Ingest {
    /// Starts the writer task; it ends once the `Ingest` is dropped and every event is written.
    pub fn start(warehouse: Arc<Warehouse>) -> (Ingest, JoinHandle<()>) {
        let (queue, mut events) = mpsc::channel(QUEUE_LIMIT);
        let writer = tasks::spawn(async move {
            while let Some(event) = events.recv().await {
                warehouse.append(event).await;
            }
        });
        (Ingest { queue }, writer)
    }

    /// Queues one event for the writer.
    pub async fn submit(&self, event: Event) {
        if let Err(mpsc::error::TrySendError::Full(event)) = self.queue.try_send(event) {
            let queue = self.queue.clone();
            tasks::spawn(async move { queue.send(event).await.expect("the writer ended early") });
        }
    }
}

fn main() {
    let warehouse = Arc::new(Warehouse::default());
    let started = std::time::Instant::now();
    tasks::block_on(async {
        let (ingest, writer) = Ingest::start(Arc::clone(&warehouse));
        for seq in 0..500 {
            ingest.submit(Event { seq, page: "/launch".into() }).await;
        }
        println!("500 events submitted after {:?}", started.elapsed());
        drop(ingest);
        writer.await.unwrap();
    });
    println!("{} events written after {:?}", warehouse.written(), started.elapsed());
}
