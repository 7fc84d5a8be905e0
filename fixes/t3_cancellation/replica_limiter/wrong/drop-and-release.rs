// Adds a Drop that gives the permit back but keeps release() doing it too: a query that succeeds gives back two.
// caught by: test, loom-assert
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

/// One permit of a `Semaphore`, held from `acquire` until `release`.
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
        *self.semaphore.free.lock().unwrap() += 1;
        self.semaphore.given_back.notify_one();
    }
}

/// A permit dropped on an early return is given back too.
impl Drop for Permit<'_> {
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
