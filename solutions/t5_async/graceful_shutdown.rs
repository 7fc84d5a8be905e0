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
        // Reap the handlers that are done, so a long-running server does not keep them all.
        while in_flight.try_join_next().is_some() {}
    }
    // Every request taken must be recorded before the process may exit.
    while let Some(handler) = in_flight.join_next().await {
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

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use kit::tasks::time::Instant;

    /// A ledger whose writes finish only once the test opens its gate.
    struct GatedLedger {
        gate: watch::Receiver<bool>,
        recorded: Mutex<Vec<u32>>,
    }

    impl Ledger for GatedLedger {
        async fn record(&self, id: u32, _cents: u64) {
            let _ = self.gate.clone().wait_for(|&open| open).await;
            self.recorded.lock().unwrap().push(id);
        }
    }

    struct Server {
        requests: mpsc::Sender<Payment>,
        stop: watch::Sender<bool>,
        open_gate: watch::Sender<bool>,
        ledger: Arc<GatedLedger>,
        serving: tasks::JoinHandle<()>,
    }

    fn start() -> Server {
        let (requests, rx) = mpsc::channel(16);
        let (stop, shutdown) = watch::channel(false);
        let (open_gate, gate) = watch::channel(false);
        let ledger = Arc::new(GatedLedger { gate, recorded: Mutex::new(Vec::new()) });
        let serving = tasks::spawn(serve(rx, shutdown, Arc::clone(&ledger)));
        Server { requests, stop, open_gate, ledger, serving }
    }

    async fn pay(server: &Server, id: u32) -> oneshot::Receiver<()> {
        let (ack, acked) = oneshot::channel();
        server.requests.send(Payment { id, cents: 100, ack }).await.unwrap();
        acked
    }

    #[test]
    fn serve_returns_only_once_every_payment_it_took_is_recorded() {
        tasks::test(async {
            let server = start();
            let mut acks = Vec::new();
            for id in 1..=3 {
                acks.push(pay(&server, id).await);
            }
            sleep(Duration::from_millis(1)).await; // serve takes all three; their writes wait
            server.stop.send(true).unwrap();
            sleep(Duration::from_secs(600)).await; // a slow database: ten minutes
            assert!(
                !server.serving.is_finished(),
                "serve returned while three payments it took were not yet recorded"
            );
            server.open_gate.send(true).unwrap();
            server.serving.await.unwrap();
            let mut recorded = server.ledger.recorded.lock().unwrap().clone();
            recorded.sort();
            assert_eq!(recorded, [1, 2, 3], "every payment taken must be in the ledger");
            for ack in acks {
                ack.await.expect("a payment was never acknowledged");
            }
        });
    }

    #[test]
    fn with_nothing_in_flight_serve_returns_at_once_and_takes_nothing_new() {
        tasks::test(async {
            let server = start();
            server.open_gate.send(true).unwrap();
            let first = pay(&server, 1).await;
            first.await.expect("payment 1 was never acknowledged");
            server.stop.send(true).unwrap();
            let late = pay(&server, 2).await;
            let stopped = Instant::now();
            server.serving.await.unwrap();
            assert_eq!(stopped.elapsed(), Duration::ZERO, "serve waited with nothing in flight");
            assert!(late.await.is_err(), "a payment sent after the shutdown signal was taken");
            assert_eq!(*server.ledger.recorded.lock().unwrap(), [1]);
        });
    }
}
