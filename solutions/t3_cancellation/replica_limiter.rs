//! Replica limiter
//!
//! An analytics dashboard runs its reports on a read replica of the orders database. The replica
//! accepts only a few connections, so every report query must first get one of `connections`
//! permits from a counting `Semaphore`, and hold it while it runs: when all are taken, the next
//! query waits for one to be given back. Queries fail now and then (a typo in a saved report, a
//! statement timeout); the dashboard shows the error and carries on, and so must the limiter.
//!
//! Done when: at most `connections` queries run at once; a query that finds every permit taken
//! waits until one is given back; every query gives its permit back when it ends, whether it
//! returns rows or an error; and the loom models pass.

use kit::sync::{Arc, Condvar, Mutex};
use kit::thread;

/// A counting semaphore: `acquire` waits until one of its permits is free and takes it.
pub struct Semaphore {
    free: Mutex<usize>,
    given_back: Condvar,
}

/// One permit of a `Semaphore`, held from `acquire` until it is dropped or released.
pub struct Permit<'a> {
    semaphore: &'a Semaphore,
}

impl Semaphore {
    pub fn new(permits: usize) -> Self {
        Semaphore { free: Mutex::new(permits), given_back: Condvar::new() }
    }

    /// Takes a permit, waiting while none is free.
    pub fn acquire(&self) -> Permit<'_> {
        let mut free = self.free.lock().unwrap();
        while *free == 0 {
            free = self.given_back.wait(free).unwrap();
        }
        *free -= 1;
        Permit { semaphore: self }
    }

    /// Permits free right now.
    pub fn available(&self) -> usize {
        *self.free.lock().unwrap()
    }
}

impl Permit<'_> {
    /// Gives the permit back to its semaphore, waking one query waiting for it.
    pub fn release(self) {
        drop(self);
    }
}

impl Drop for Permit<'_> {
    /// Gives the permit back however its holder ends: `release`, an early `?` or a panic.
    fn drop(&mut self) {
        *self.semaphore.free.lock().unwrap() += 1;
        self.semaphore.given_back.notify_one();
    }
}

pub type Row = Vec<String>;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryError(pub String);

/// The dashboard's handle on the replica: runs each query with `run`, at most `connections` at
/// once.
pub struct Replica<R> {
    connections: Semaphore,
    run: R,
}

impl<R: Fn(&str) -> Result<Vec<Row>, QueryError>> Replica<R> {
    pub fn new(connections: usize, run: R) -> Self {
        Replica { connections: Semaphore::new(connections), run }
    }

    /// Runs `sql` on the replica once a connection is free.
    pub fn query(&self, sql: &str) -> Result<Vec<Row>, QueryError> {
        let connection = self.connections.acquire();
        let rows = (self.run)(sql)?;
        connection.release();
        Ok(rows)
    }

    /// Connections free right now.
    pub fn idle_connections(&self) -> usize {
        self.connections.available()
    }
}

/// A stand-in for the replica: answers `SELECT`s, rejects anything else.
fn run_on_replica(sql: &str) -> Result<Vec<Row>, QueryError> {
    match sql.strip_prefix("SELECT ") {
        Some(columns) => Ok(vec![columns.split(", ").map(String::from).collect()]),
        None => Err(QueryError(format!("syntax error at or near {sql:?}"))),
    }
}

fn main() {
    let replica = Arc::new(Replica::new(2, run_on_replica));
    let reports = ["SELECT region, revenue", "SELEC sku, returns", "SELECT day, orders"];
    let running: Vec<_> = reports
        .into_iter()
        .map(|sql| {
            let replica = Arc::clone(&replica);
            thread::spawn(move || (sql, replica.query(sql)))
        })
        .collect();
    for report in running {
        let (sql, result) = report.join().unwrap();
        println!("{sql:<24} -> {result:?}");
    }
    println!("{} of 2 connections idle", replica.idle_connections());
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use std::sync::mpsc as gate;

    #[test]
    fn a_query_returns_the_replicas_rows() {
        let replica = Replica::new(2, run_on_replica);
        assert_eq!(replica.query("SELECT id, total"), Ok(vec![vec!["id".into(), "total".into()]]));
        assert_eq!(replica.idle_connections(), 2, "the connection was not given back exactly once");
    }

    #[test]
    fn a_failed_query_reports_the_replicas_error() {
        let replica = Replica::new(1, run_on_replica);
        let error = replica.query("DROP TABLE orders").unwrap_err();
        assert!(error.0.contains("DROP TABLE orders"), "unexpected error: {error:?}");
    }

    #[test]
    fn a_query_waits_while_every_connection_is_taken() {
        // The first query is held on the replica until the test lets it go.
        let (started, has_started) = gate::channel::<()>();
        let (release, held) = gate::channel::<()>();
        let held = std::sync::Mutex::new(held);
        let replica = Arc::new(Replica::new(1, move |sql: &str| {
            if sql.contains("slow") {
                started.send(()).unwrap();
                held.lock().unwrap().recv().expect("the test stopped early");
            }
            run_on_replica(sql)
        }));
        let query = |sql: &'static str| {
            let replica = Arc::clone(&replica);
            thread::spawn(move || replica.query(sql))
        };
        let slow = query("SELECT slow");
        has_started.recv().unwrap(); // the slow query holds the only connection
        let fast = query("SELECT fast");
        let waited = fast.wait_until_blocked().is_some();
        release.send(()).unwrap();
        assert_eq!(slow.join().unwrap(), Ok(vec![vec!["slow".into()]]));
        assert_eq!(fast.join().unwrap(), Ok(vec![vec!["fast".into()]]));
        assert!(waited, "a query ran while the only connection was taken");
        assert_eq!(replica.idle_connections(), 1);
    }
}

#[cfg(all(test, loom))]
mod loom {
    use super::*;
    use kit::sync::atomic::{AtomicUsize, Ordering};

    #[test]
    fn one_connection_serves_one_query_at_a_time() {
        kit::model::check(|| {
            let running = Arc::new(AtomicUsize::new(0));
            let replica = {
                let running = Arc::clone(&running);
                Arc::new(Replica::new(1, move |sql: &str| {
                    let others = running.fetch_add(1, Ordering::SeqCst);
                    assert_eq!(others, 0, "two queries ran at once on one connection");
                    running.fetch_sub(1, Ordering::SeqCst);
                    run_on_replica(sql)
                }))
            };
            let other = {
                let replica = Arc::clone(&replica);
                thread::spawn(move || replica.query("SELECT a").is_ok())
            };
            assert!(replica.query("SELECT b").is_ok());
            assert!(other.join().unwrap());
            assert_eq!(
                replica.idle_connections(),
                1,
                "the connection was not given back exactly once"
            );
        });
    }

    #[test]
    fn the_dashboard_carries_on_after_a_failed_query() {
        kit::model::check(|| {
            let replica = Arc::new(Replica::new(1, run_on_replica));
            let dashboards = ["SELEC typo", "SELECT revenue"].map(|sql| {
                let replica = Arc::clone(&replica);
                thread::spawn(move || replica.query(sql).is_ok())
            });
            let succeeded = dashboards.map(|dashboard| dashboard.join().unwrap());
            assert_eq!(succeeded, [false, true]);
        });
    }

    #[test]
    fn every_permit_given_back_wakes_a_query_waiting_for_one() {
        kit::model::check(|| {
            let connections = Arc::new(Semaphore::new(2));
            let (first, second) = (connections.acquire(), connections.acquire());
            // Two queries wait for a connection while both are taken; both are then given back.
            let waiting = [(); 2].map(|_| {
                let connections = Arc::clone(&connections);
                thread::spawn(move || connections.acquire().release())
            });
            first.release();
            second.release();
            for query in waiting {
                query.join().unwrap();
            }
            assert_eq!(connections.available(), 2);
        });
    }
}
