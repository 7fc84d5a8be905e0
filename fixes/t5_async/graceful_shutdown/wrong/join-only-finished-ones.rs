// Keeps the handlers in a JoinSet but at shutdown collects only those already finished.
// caught by: test
//! Graceful shutdown
//!
//! A payment webhook receiver takes requests off its listener's queue and handles each on a task
//! of its own: it records the payment in the ledger, which takes a while, then acknowledges. On a
//! deploy, the orchestrator signals shutdown and the process exits as soon as `serve` returns.
//! A payment acknowledged to the caller but not yet in the ledger is money lost.
//!
//! Done when: after the shutdown signal `serve` takes no new request, and returns only once
//! every request it took has been recorded in the ledger, however long that takes.
//!
//! Checked by: tests on a paused-clock runtime (loom does not model tokio).
#![cfg_attr(loom, no_main)]
#![cfg(not(loom))]

use kit::tasks::sync::{Arc, mpsc, oneshot, watch};
use kit::tasks::time::{Duration, sleep};
use kit::tasks::{self, JoinSet};
use std::sync::Mutex;

#[derive(Debug)]
pub struct Payment {
    pub id: u32,
    pub cents: u64,
    /// Answered once the payment is recorded.
    pub ack: oneshot::Sender<()>,
}

/// Where payments are recorded; `record` takes as long as the ledger's database does.
pub trait Ledger: Send + Sync + 'static {
    fn record(&self, id: u32, cents: u64) -> impl Future<Output = ()> + Send;
}

/// Takes payments off `requests` until `shutdown` turns true, each on a task of its own.
pub async fn serve<L: Ledger>(
    mut requests: mpsc::Receiver<Payment>,
    mut shutdown: watch::Receiver<bool>,
    ledger: Arc<L>,
) {
    let mut in_flight = JoinSet::new();
    loop {
        let payment = tasks::select! {
            biased;
            _ = shutdown.wait_for(|&stop| stop) => break,
            payment = requests.recv() => match payment {
                Some(payment) => payment,
                None => break,
            },
        };
        let ledger = Arc::clone(&ledger);
        in_flight.spawn(async move {
            ledger.record(payment.id, payment.cents).await;
            let _ = payment.ack.send(());
        });
    }
    while let Some(handler) = in_flight.try_join_next() {
        handler.expect("a payment handler panicked");
    }
}

/// A ledger on a database that takes 50 ms per write.
#[derive(Default)]
struct SlowLedger(Mutex<Vec<u32>>);

impl Ledger for SlowLedger {
    async fn record(&self, id: u32, _cents: u64) {
        sleep(Duration::from_millis(50)).await;
        self.0.lock().unwrap().push(id);
    }
}

fn main() {
    let ledger = Arc::new(SlowLedger::default());
    tasks::block_on(async {
        let (tx, rx) = mpsc::channel(16);
        let (stop, shutdown) = watch::channel(false);
        let server = tasks::spawn(serve(rx, shutdown, Arc::clone(&ledger)));
        for id in 1..=5 {
            let (ack, _acked) = oneshot::channel();
            tx.send(Payment { id, cents: 100 * u64::from(id), ack }).await.unwrap();
        }
        tasks::yield_now().await;
        stop.send(true).unwrap();
        server.await.unwrap();
    });
    println!("serve returned with {:?} in the ledger (5 were taken)", ledger.0.lock().unwrap());
}
