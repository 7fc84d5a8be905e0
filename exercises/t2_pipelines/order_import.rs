//! Order import
//!
//! Every night the shop imports the day's orders from a CSV export into its database. A reader
//! thread parses the export line by line and hands each order to the writer, which inserts it.
//! The reader is fast; the writer is slow (a database round trip per commit). An export can hold
//! millions of orders, so few may wait parsed but not inserted: once `capacity` orders wait for
//! the writer, the reader must wait for room before it parses more.
//!
//! `cargo run -p exercises --bin order_import` imports the same export with an unbounded queue
//! and with `import`, each in a fresh process, and prints their peak memory (VmHWM in
//! /proc/self/status). Once fixed, a debug build on a busy 2-core Linux VM printed (the
//! unbounded peak moves with the machine's load, 50 to 85 MiB; the gap does not):
//!
//!     200000 orders, capacity 1000:
//!       unbounded: 200000 orders in  1483 ms, peak memory   80.9 MiB
//!          import: 200000 orders in  1603 ms, peak memory    3.2 MiB
//!
//! Done when: at no moment do more than `capacity` parsed orders wait for the writer (plus the
//! one the reader is handing over), and `import` still inserts every order, in export order.

use kit::sync::mpsc;
use kit::sync::mpsc::Receiver;
use kit::thread::{self, JoinHandle};
use std::process::Command;
use std::time::{Duration, Instant};

/// One line of the export, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Order {
    pub id: u64,
    pub customer: String,
    pub address: String,
    pub items: Vec<String>,
}

impl Order {
    /// Parses `id,customer,address,item;item;...`; `None` for a line that is not an order.
    pub fn parse(line: &str) -> Option<Order> {
        let mut fields = line.splitn(4, ',');
        let id = fields.next()?.trim().parse().ok()?;
        let customer = fields.next()?.to_string();
        let address = fields.next()?.to_string();
        let items = fields.next()?.split(';').map(str::to_string).collect();
        Some(Order { id, customer, address, items })
    }
}

/// Starts the reader: it parses `lines` and sends each order to the returned Receiver, letting
/// at most `capacity` orders wait there. It returns how many orders it read.
pub fn start_reader<L>(lines: L, capacity: usize) -> (Receiver<Order>, JoinHandle<u64>)
where
    L: Iterator<Item = String> + Send + 'static,
{
    assert!(capacity > 0, "the writer needs room for at least one waiting order");
    let (orders, parsed) = mpsc::channel();
    let reader = thread::spawn(move || {
        let mut read = 0;
        for order in lines.filter_map(|line| Order::parse(&line)) {
            if orders.send(order).is_err() {
                break; // the writer gave up
            }
            read += 1;
        }
        read
    });
    (parsed, reader)
}

/// Imports every order of `lines`, calling `insert` for each on the current thread.
pub fn import<L, I>(lines: L, capacity: usize, mut insert: I) -> u64
where
    L: Iterator<Item = String> + Send + 'static,
    I: FnMut(Order),
{
    let (parsed, reader) = start_reader(lines, capacity);
    let mut imported = 0;
    for order in parsed {
        insert(order);
        imported += 1;
    }
    let read = reader.join().expect("the reader panicked");
    assert_eq!(read, imported, "orders were lost between the reader and the writer");
    imported
}

const ORDERS: u64 = 200_000;
const CAPACITY: usize = 1000;

/// A line of tonight's export: a few hundred bytes.
fn export_line(id: u64) -> String {
    let address = "12 Harbour Road, Flat 4, Port Elsewhere, PE1 2AB";
    let items = "SKU-100234 garden hose 25m;SKU-200981 hose reel;SKU-310077 spray nozzle;\
                 SKU-400012 tap connector;SKU-551203 watering can 10l;SKU-660918 gloves";
    format!("{id},customer-{:06},{address},{items}", id % 9973)
}

/// The writer: it commits every 500 orders, a few milliseconds of database round trip each.
fn database_writer() -> impl FnMut(Order) {
    let mut pending = 0;
    move |_: Order| {
        pending += 1;
        if pending == 500 {
            std::thread::sleep(Duration::from_millis(3));
            pending = 0;
        }
    }
}

/// What `main` measures `import` against: the same import with nothing to bound the queue.
fn import_unbounded(lines: impl Iterator<Item = String> + Send + 'static) -> u64 {
    let (orders, parsed) = std::sync::mpsc::channel();
    let reader = std::thread::spawn(move || {
        lines.filter_map(|l| Order::parse(&l)).for_each(|o| orders.send(o).unwrap())
    });
    let mut insert = database_writer();
    let imported = parsed.iter().map(&mut insert).count() as u64;
    reader.join().unwrap();
    imported
}

/// The most resident memory this process has used (VmHWM), where Linux reports it.
fn peak_memory() -> String {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let line = status.lines().find(|line| line.starts_with("VmHWM:"));
    let kib = line.and_then(|line| line.split_whitespace().nth(1)?.parse::<f64>().ok());
    kib.map_or("unknown".to_string(), |kib| format!("{:.1} MiB", kib / 1024.0))
}

fn main() {
    // A measurement run: one way of importing, in a process of its own.
    if let Some(way) = std::env::args().nth(1) {
        let export = (0..ORDERS).map(export_line);
        let started = Instant::now();
        let imported = match way.as_str() {
            "import" => import(export, CAPACITY, database_writer()),
            _ => import_unbounded(export),
        };
        let ms = started.elapsed().as_millis();
        println!("{way:>11}: {imported} orders in {ms:5} ms, peak memory {:>10}", peak_memory());
        return;
    }
    println!("{ORDERS} orders, capacity {CAPACITY}:");
    let me = std::env::current_exe().expect("cannot find this program to measure it");
    for way in ["unbounded", "import"] {
        let status = Command::new(&me).arg(way).status().expect("cannot start a measurement");
        assert!(status.success(), "the {way} measurement failed: {status}");
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU64, Ordering};

    /// An export of `orders` lines that counts how many lines the reader has taken from it.
    fn counted_export(orders: u64) -> (impl Iterator<Item = String> + Send, Arc<AtomicU64>) {
        let taken = Arc::new(AtomicU64::new(0));
        let counter = Arc::clone(&taken);
        let lines = (1..=orders).map(move |id| {
            counter.fetch_add(1, Ordering::SeqCst);
            format!("{id},customer {id},{id} Main Street,book;lamp")
        });
        (lines, taken)
    }

    #[test]
    fn imports_every_order_in_export_order() {
        let (export, _) = counted_export(30);
        let mut ids = Vec::new();
        assert_eq!(import(export, 4, |order| ids.push(order.id)), 30, "orders were lost");
        assert_eq!(ids, (1..=30).collect::<Vec<_>>());
    }

    #[test]
    fn never_more_than_capacity_orders_wait_for_the_writer() {
        const CAPACITY: u64 = 4;
        let (export, taken) = counted_export(40);
        let (parsed, reader) = start_reader(export, CAPACITY as usize);
        // The writer takes one order at a time, and only once the reader can get no further:
        // blocked waiting for room, or done. Whatever the reader has parsed and the writer has
        // not taken is waiting in memory.
        let mut written = 0;
        loop {
            reader.wait_until_blocked();
            let waiting = taken.load(Ordering::SeqCst) - written;
            assert!(
                waiting <= CAPACITY + 1,
                "{waiting} parsed orders were waiting for the writer, with capacity {CAPACITY} \
                 (plus the one being handed over)"
            );
            match parsed.recv() {
                Ok(_) => written += 1,
                Err(_) => break,
            }
        }
        assert_eq!(written, 40);
        assert_eq!(reader.join().unwrap(), 40);
    }

    #[test]
    fn the_reader_parses_up_to_capacity_orders_ahead_of_a_busy_writer() {
        const CAPACITY: u64 = 4;
        let (export, taken) = counted_export(40);
        let (parsed, reader) = start_reader(export, CAPACITY as usize);
        // The writer is busy with an earlier order: the reader should fill the room it has.
        reader.wait_until_blocked();
        let ahead = taken.load(Ordering::SeqCst);
        assert!(
            ahead >= CAPACITY,
            "the reader waited with only {ahead} orders parsed ahead, though {CAPACITY} may wait"
        );
        assert_eq!(parsed.iter().count(), 40);
        assert_eq!(reader.join().unwrap(), 40);
    }
}
