// Stops sending when the sink is gone but then drains the remaining lines so the follower is not left blocked: the log never ends.
// caught by: hang
//! Log enricher
//!
//! The analytics service follows the web server's access log as it grows and loads every request
//! into its store, with the client's country added. It is a three-stage pipeline:
//!
//!     follow(log) --lines--> enrich(lines) --hits--> load(hits, store)
//!
//! `follow` and `enrich` each run on a thread of their own; `load`, the sink, runs on the caller's
//! thread. A followed log never ends by itself: the pipeline runs until the store refuses a hit
//! (disk full, connection lost). Then `run` must stop everything and report the store's error. A
//! stage left running would keep reading the log for nobody, for as long as the service lives.
//!
//! Done when: `run` returns the store's first error as soon as the store fails, and only once
//! every stage's thread has ended; on a log that ends, it loads every request and returns how
//! many it loaded.

use kit::sync::mpsc;
use kit::thread;

/// How many lines, and how many hits, may wait between two stages.
const BACKLOG: usize = 16;

/// One request of the log, enriched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    pub ip: String,
    pub path: String,
    pub status: u16,
    pub country: &'static str,
}

/// Why the store refused a hit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreError(pub String);

/// The country of an IPv4 address: a stand-in for a GeoIP database.
fn country(ip: &str) -> &'static str {
    match ip.split('.').next().and_then(|octet| octet.parse::<u8>().ok()) {
        Some(0..=63) => "US",
        Some(64..=127) => "DE",
        Some(128..=191) => "JP",
        Some(_) => "BR",
        None => "??",
    }
}

/// Stage 1: sends each line of the log as it appears.
pub fn follow<L>(log: L) -> (mpsc::Receiver<String>, thread::JoinHandle<()>)
where
    L: IntoIterator<Item = String>,
    L::IntoIter: Send + 'static,
{
    let log = log.into_iter();
    let (out, lines) = mpsc::sync_channel(BACKLOG);
    let follower = thread::spawn(move || {
        for line in log {
            if out.send(line).is_err() {
                return; // the enricher is gone
            }
        }
    });
    (lines, follower)
}

/// Stage 2: parses each `ip path status` line and adds the client's country. Lines that are not
/// requests are skipped.
pub fn enrich(lines: mpsc::Receiver<String>) -> (mpsc::Receiver<Hit>, thread::JoinHandle<()>) {
    let (out, hits) = mpsc::sync_channel(BACKLOG);
    let enricher = thread::spawn(move || {
        for line in lines.iter() {
            let fields: Vec<&str> = line.split_whitespace().collect();
            let [ip, path, status] = fields[..] else { continue };
            let Ok(status) = status.parse() else { continue };
            let hit =
                Hit { ip: ip.to_string(), path: path.to_string(), status, country: country(ip) };
            if out.send(hit).is_err() {
                // The sink is gone: let the follower finish its lines.
                for _ in lines.iter() {}
                return;
            }
        }
    });
    (hits, enricher)
}

/// Stage 3, the sink: stores each hit, and stops at the first one the store refuses.
pub fn load<S>(hits: mpsc::Receiver<Hit>, mut store: S) -> Result<u64, StoreError>
where
    S: FnMut(Hit) -> Result<(), StoreError>,
{
    let mut loaded = 0;
    for hit in hits {
        store(hit)?;
        loaded += 1;
    }
    Ok(loaded)
}

/// Runs the pipeline until the log ends or the store fails, and returns once every stage has
/// ended.
pub fn run<L, S>(log: L, store: S) -> Result<u64, StoreError>
where
    L: IntoIterator<Item = String>,
    L::IntoIter: Send + 'static,
    S: FnMut(Hit) -> Result<(), StoreError>,
{
    let (lines, follower) = follow(log);
    let (hits, enricher) = enrich(lines);
    let loaded = load(hits, store);
    enricher.join().expect("the enricher panicked");
    follower.join().expect("the follower panicked");
    loaded
}

fn main() {
    // The web server's log, as `tail -f` would show it: it never ends.
    let log = (1u32..).map(|n| format!("{}.{}.0.7 /products/{} 200", n * 37 % 256, n % 256, n));
    let mut stored = 0;
    let result = run(log, |hit| {
        if stored == 5 {
            return Err(StoreError("disk full".to_string()));
        }
        stored += 1;
        println!("stored {} {} {} ({})", hit.ip, hit.path, hit.status, hit.country);
        Ok(())
    });
    match result {
        Ok(loaded) => println!("the log ended after {loaded} hits"),
        Err(StoreError(why)) => println!("stopped after {stored} hits: the store failed: {why}"),
    }
}
