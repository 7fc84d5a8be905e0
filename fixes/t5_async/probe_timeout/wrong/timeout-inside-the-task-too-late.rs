// Puts the timeout inside the probe task as well, but around the answer only, after connecting with a second budget.
// caught by: test
//! Probe timeout
//!
//! A load balancer probes each backend before sending it traffic: a probe opens a connection,
//! sends `GET /health` and reads the answer, on a task of its own. A backend that does not answer
//! within the budget is marked down. Backends that hang are common (a stuck GC, a full disk), and
//! the balancer probes every few seconds, so a probe must never outlive its verdict.
//!
//! Done when: `probe` returns `Up` with the latency if the backend answers within the budget, and
//! `Down` as soon as the budget has passed otherwise, leaving no probe running and no connection
//! open after it returns.
//!
//! Checked by: tests on a paused-clock runtime (loom does not model tokio).
#![cfg_attr(loom, no_main)]
#![cfg(not(loom))]

use kit::tasks;
use kit::tasks::sync::Arc;
use kit::tasks::time::{Duration, Instant, sleep, timeout};
use std::sync::atomic::{AtomicUsize, Ordering};

#[derive(Debug, PartialEq, Eq)]
pub enum Health {
    Up(Duration),
    Down,
}

/// A backend that answers a health check after `latency`, counting the connections open to it.
pub struct Backend {
    pub name: &'static str,
    pub latency: Duration,
    open: AtomicUsize,
    answered: AtomicUsize,
}

impl Backend {
    pub fn new(name: &'static str, latency: Duration) -> Arc<Backend> {
        Arc::new(Backend {
            name,
            latency,
            open: AtomicUsize::new(0),
            answered: AtomicUsize::new(0),
        })
    }

    /// Connections open to it now.
    pub fn open_connections(&self) -> usize {
        self.open.load(Ordering::SeqCst)
    }

    /// Health checks it has answered.
    pub fn answered(&self) -> usize {
        self.answered.load(Ordering::SeqCst)
    }
}

/// An open connection; closing it (dropping it) frees the backend's socket.
struct Connection(Arc<Backend>);

impl Drop for Connection {
    fn drop(&mut self) {
        self.0.open.fetch_sub(1, Ordering::SeqCst);
    }
}

/// One health check: connect, ask, read the answer.
async fn check(backend: Arc<Backend>) -> Duration {
    let started = Instant::now();
    backend.open.fetch_add(1, Ordering::SeqCst);
    let connection = Connection(Arc::clone(&backend));
    sleep(backend.latency).await;
    backend.answered.fetch_add(1, Ordering::SeqCst);
    drop(connection);
    started.elapsed()
}

/// Probes `backend` on a task of its own; `Down` if it has not answered within `budget`.
pub async fn probe(backend: &Arc<Backend>, budget: Duration) -> Health {
    let task = tasks::spawn({
        let backend = Arc::clone(backend);
        async move { timeout(budget * 2, check(backend)).await }
    });
    match timeout(budget, task).await {
        Ok(Ok(Ok(latency))) => Health::Up(latency),
        _ => Health::Down,
    }
}

fn main() {
    let backends = [
        Backend::new("eu-1", Duration::from_millis(30)),
        Backend::new("eu-2", Duration::from_secs(5)),
    ];
    tasks::block_on(async {
        for backend in &backends {
            let health = probe(backend, Duration::from_millis(200)).await;
            println!("{}: {health:?}", backend.name);
        }
        for backend in &backends {
            println!("{}: {} connection(s) still open", backend.name, backend.open_connections());
        }
    });
}
