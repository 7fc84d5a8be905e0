// Wakes a waiting checkout when a broken connection is discarded, but leaves it counted in `open`: the checkout finds no room and waits on.
// caught by: test, loom-deadlock
//! Inventory pool
//!
//! Product pages ask the inventory database how many of each item are in stock. The database takes
//! only a few connections, so the service keeps `max` of them open in a `Pool`. `checkout` lends an
//! idle connection, or opens one while fewer than `max` are open, or waits for one to be given back
//! and fails with `PoolTimedOut` once `timeout` has passed on the pool's clock. A `Pooled`
//! connection goes back when dropped, however its page ends (done, an early `?`, a panic). When the
//! database fails over to its standby, it closes every connection open at the time: a query on one
//! fails with `ConnectionReset`, and the pool must never lend it again.
//!
//! Done when: never more than `max` connections are open; a checkout gets a connection given back
//! while it waits, or times out exactly `timeout` after it began; however many connections break,
//! the pool still lends `max` working ones at once; and the loom model passes.

use kit::sync::atomic::{AtomicUsize, Ordering};
use kit::sync::{Arc, Condvar, Mutex};
use kit::time::{Clock, RealClock};
use std::time::Duration;

/// How long a page waits for a connection before it gives up.
pub const CHECKOUT_TIMEOUT: Duration = Duration::from_millis(200);

#[derive(Debug, PartialEq, Eq)]
pub enum DbError {
    PoolTimedOut,
    ConnectionReset,
    UnknownItem,
}

/// A stand-in for the inventory database.
#[derive(Default)]
pub struct Database {
    opened: AtomicUsize,
    failovers: AtomicUsize,
}

impl Database {
    /// Switches to the standby, which closes every connection open now.
    pub fn fail_over(&self) {
        self.failovers.fetch_add(1, Ordering::SeqCst);
    }
}

pub struct Connection {
    /// Numbered from 1, in the order the database opened them.
    pub id: usize,
    db: Arc<Database>,
    failovers: usize,
}

impl Connection {
    pub fn open(db: &Arc<Database>) -> Self {
        let id = db.opened.fetch_add(1, Ordering::SeqCst) + 1;
        Connection { id, db: Arc::clone(db), failovers: db.failovers.load(Ordering::SeqCst) }
    }

    /// Whether the database has closed this connection.
    pub fn is_broken(&self) -> bool {
        self.failovers != self.db.failovers.load(Ordering::SeqCst)
    }

    pub fn stock_of(&self, item: &str) -> Result<u32, DbError> {
        if self.is_broken() {
            return Err(DbError::ConnectionReset);
        }
        let stock = [("tent", 4), ("stove", 0), ("lantern", 12)];
        stock.iter().find(|(name, _)| *name == item).map(|&(_, n)| n).ok_or(DbError::UnknownItem)
    }
}

/// The pool's connections: `open` counts the idle ones and the lent ones.
struct Slots {
    idle: Vec<Connection>,
    open: usize,
}

pub struct Pool<C> {
    db: Arc<Database>,
    max: usize,
    clock: C,
    slots: Mutex<Slots>,
    given_back: Condvar,
}

/// A connection lent by a `Pool`, given back when dropped.
pub struct Pooled<'a, C> {
    pool: &'a Pool<C>,
    connection: Option<Connection>,
}

impl<C: Clock> Pool<C> {
    pub fn new(db: Arc<Database>, max: usize, clock: C) -> Self {
        let idle = (0..max).map(|_| Connection::open(&db)).collect();
        let slots = Mutex::new(Slots { idle, open: max });
        Pool { db, max, clock, slots, given_back: Condvar::new() }
    }

    pub fn checkout(&self, timeout: Duration) -> Result<Pooled<'_, C>, DbError> {
        let busy = |slots: &mut Slots| slots.idle.is_empty() && slots.open == self.max;
        let slots = self.slots.lock().unwrap();
        let (mut slots, waited) =
            self.given_back.wait_timeout_while_on(slots, timeout, &self.clock, busy).unwrap();
        if waited.timed_out() {
            return Err(DbError::PoolTimedOut);
        }
        let connection = slots.idle.pop().unwrap_or_else(|| {
            slots.open += 1;
            Connection::open(&self.db)
        });
        Ok(Pooled { pool: self, connection: Some(connection) })
    }
}

impl<C> std::ops::Deref for Pooled<'_, C> {
    type Target = Connection;
    fn deref(&self) -> &Connection {
        self.connection.as_ref().unwrap()
    }
}

impl<C> Drop for Pooled<'_, C> {
    fn drop(&mut self) {
        let connection = self.connection.take().unwrap();
        if !connection.is_broken() {
            self.pool.slots.lock().unwrap().idle.push(connection);
        }
        // Closed by the database or not, a waiting checkout should try again.
        self.pool.given_back.notify_one();
    }
}

/// The stock of each item on a product page.
pub fn stock_levels<C: Clock>(pool: &Pool<C>, items: &[&str]) -> Result<Vec<u32>, DbError> {
    let connection = pool.checkout(CHECKOUT_TIMEOUT)?;
    items.iter().map(|item| connection.stock_of(item)).collect()
}

fn main() {
    let db = Arc::new(Database::default());
    let pool = Pool::new(Arc::clone(&db), 2, RealClock);
    let show_page = |page| println!("page {page}: {:?}", stock_levels(&pool, &["tent", "lantern"]));
    show_page(1);
    println!("-- the database fails over to its standby --");
    db.fail_over();
    (2..=5).for_each(show_page);
}
