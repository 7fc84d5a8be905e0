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
    let task = tasks::spawn(check(Arc::clone(backend)));
    match timeout(budget, task).await {
        Ok(Ok(latency)) => Health::Up(latency),
        Ok(Err(_)) | Err(_) => Health::Down,
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

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    const BUDGET: Duration = Duration::from_millis(200);

    #[test]
    fn a_backend_that_answers_in_time_is_up_with_its_latency() {
        tasks::test(async {
            let backend = Backend::new("fast", Duration::from_millis(30));
            assert_eq!(probe(&backend, BUDGET).await, Health::Up(Duration::from_millis(30)));
            assert_eq!(backend.answered(), 1);
            assert_eq!(backend.open_connections(), 0, "the probe's connection was left open");
        });
    }

    #[test]
    fn a_hung_backend_is_down_once_the_budget_passes_and_its_probe_is_stopped() {
        tasks::test(async {
            let backend = Backend::new("hung", Duration::from_secs(5));
            let asked = Instant::now();
            assert_eq!(probe(&backend, BUDGET).await, Health::Down);
            assert_eq!(asked.elapsed(), BUDGET, "the verdict must come when the budget passes");
            sleep(Duration::from_millis(1)).await; // an aborted task is dropped when next run
            assert_eq!(
                backend.open_connections(),
                0,
                "the probe's connection to the hung backend was still open after the verdict"
            );
            assert_eq!(tasks::alive_tasks(), 0, "the probe's task was still running");
            sleep(Duration::from_secs(10)).await;
            assert_eq!(
                backend.answered(),
                0,
                "the probe went on after the backend was marked down"
            );
        });
    }

    #[test]
    fn probing_a_hung_backend_every_second_leaves_nothing_behind() {
        tasks::test(async {
            let backend = Backend::new("hung", Duration::from_secs(30));
            for _ in 0..20 {
                assert_eq!(probe(&backend, BUDGET).await, Health::Down);
                sleep(Duration::from_millis(800)).await;
            }
            assert_eq!(backend.open_connections(), 0, "connections piled up on the hung backend");
        });
    }
}
