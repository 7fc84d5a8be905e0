// Gives the repository a budget of its own, ignoring the request's: a context past its parent's deadline keeps querying.
// caught by: test
//! Order export
//!
//! The shop's API exports a customer's order history as CSV. The handler gives each request a
//! budget (the client gives up after that anyway) and passes a `Context` down the call chain, to
//! the repository that reads the orders from the database one page at a time: big customers have
//! thousands of orders. Once the budget is spent no layer may start new work: the repository stops
//! querying, the error travels back up with `?`, and the client gets `504 Gateway Timeout` at once,
//! instead of the database grinding on for an answer nobody will read.
//!
//! Done when: an export that fits in its budget returns every order; an export whose deadline
//! passes part-way starts no database query after the deadline and answers 504; and a context
//! expires at the earliest of its own deadline and its parent's.

use kit::time::{Clock, RealClock};
use std::fmt::Write;
use std::time::{Duration, Instant};

/// How long the export endpoint may take.
pub const EXPORT_BUDGET: Duration = Duration::from_millis(500);

/// Why a request stopped early, like Go's `context.DeadlineExceeded`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeadlineExceeded;

pub type Result<T, E = DeadlineExceeded> = std::result::Result<T, E>;

/// What a request may still spend, passed down to every layer that does work for it.
#[derive(Clone, Copy)]
pub struct Context<'a> {
    clock: &'a dyn Clock,
    deadline: Option<Instant>,
}

impl<'a> Context<'a> {
    /// A context that never expires: the root the server derives each request's context from.
    pub fn background(clock: &'a dyn Clock) -> Self {
        Context { clock, deadline: None }
    }

    /// A child context expiring `timeout` from now, or with this one if that is earlier.
    pub fn with_timeout(&self, timeout: Duration) -> Self {
        let at = self.clock.now() + timeout;
        let deadline = self.deadline.map_or(at, |parent| parent.min(at));
        Context { clock: self.clock, deadline: Some(deadline) }
    }

    pub fn deadline(&self) -> Option<Instant> {
        self.deadline
    }

    /// `Err` once the deadline has passed: `ctx.check()?` before doing more work.
    pub fn check(&self) -> Result<()> {
        match self.deadline {
            Some(at) if self.clock.now() >= at => Err(DeadlineExceeded),
            _ => Ok(()),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Order {
    pub id: u64,
    pub cents: u64,
}

/// The orders table: one query returns one page of a customer's orders, empty past the last.
pub trait OrderTable {
    fn query_page(&self, customer: &str, page: u32) -> Vec<Order>;
}

/// The repository: every order of `customer`, page after page.
pub fn load_orders(ctx: &Context, table: &impl OrderTable, customer: &str) -> Result<Vec<Order>> {
    let mut orders = Vec::new();
    // The repository's own budget, so it never runs past the export's.
    let ctx = Context::background(ctx.clock).with_timeout(EXPORT_BUDGET);
    for page in 0.. {
        ctx.check()?;
        let rows = table.query_page(customer, page);
        if rows.is_empty() {
            break;
        }
        orders.extend(rows);
    }
    Ok(orders)
}

/// The service: the order history as CSV.
pub fn export_csv(ctx: &Context, table: &impl OrderTable, customer: &str) -> Result<String> {
    let mut csv = String::from("order,total\n");
    for Order { id, cents } in load_orders(ctx, table, customer)? {
        writeln!(csv, "{id},{}.{:02}", cents / 100, cents % 100).unwrap();
    }
    Ok(csv)
}

/// The handler of `GET /customers/{customer}/orders.csv`: a status and a body.
pub fn handle_export(server: &Context, table: &impl OrderTable, customer: &str) -> (u16, String) {
    let ctx = server.with_timeout(EXPORT_BUDGET);
    match export_csv(&ctx, table, customer) {
        Ok(csv) => (200, csv),
        Err(DeadlineExceeded) => (504, "export timed out: narrow the date range".to_string()),
    }
}

/// A database answering each query in 20 ms; every customer has 10 orders a page.
struct Database;

impl OrderTable for Database {
    fn query_page(&self, customer: &str, page: u32) -> Vec<Order> {
        RealClock.sleep(Duration::from_millis(20));
        let pages = if customer == "wholesale" { 100 } else { 3 };
        let first = u64::from(page) * 10;
        (first..first + 10).filter(|_| page < pages).map(|id| Order { id, cents: 1999 }).collect()
    }
}

fn main() {
    let server = Context::background(&RealClock);
    for customer in ["alice", "wholesale"] {
        let started = Instant::now();
        let (status, body) = handle_export(&server, &Database, customer);
        let ms = started.elapsed().as_millis();
        println!("{customer}: {status} after {ms} ms, {} lines", body.lines().count());
    }
}
