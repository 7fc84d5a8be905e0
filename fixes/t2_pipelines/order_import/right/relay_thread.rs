// Splits the bound between a channel of `capacity - 1` and a relay thread holding one order, which hands it to the writer by rendezvous.
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
    let (orders, relayed) = mpsc::sync_channel::<Order>(capacity - 1);
    // The relay holds the one order the channel has no room for, until the writer takes it.
    let (to_writer, parsed) = mpsc::sync_channel(0);
    let relay = thread::spawn(move || {
        for order in relayed {
            if to_writer.send(order).is_err() {
                break; // the writer gave up
            }
        }
    });
    let reader = thread::spawn(move || {
        let mut read = 0;
        for order in lines.filter_map(|line| Order::parse(&line)) {
            if orders.send(order).is_err() {
                break; // the writer gave up
            }
            read += 1;
        }
        drop(orders);
        relay.join().expect("the relay panicked");
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
