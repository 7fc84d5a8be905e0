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
        for line in lines {
            let fields: Vec<&str> = line.split_whitespace().collect();
            let [ip, path, status] = fields[..] else { continue };
            let Ok(status) = status.parse() else { continue };
            let hit =
                Hit { ip: ip.to_string(), path: path.to_string(), status, country: country(ip) };
            if out.send(hit).is_err() {
                return; // the sink stopped: nobody wants more hits
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

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use kit::thread::LiveThreads;

    fn request(n: u32) -> String {
        format!("10.0.0.{} /page/{n} 200", n % 256)
    }

    /// A store that accepts `room` hits, then fails, and must not be called again.
    fn store_with_room(
        room: usize,
        stored: &mut Vec<String>,
    ) -> impl FnMut(Hit) -> Result<(), StoreError> + '_ {
        let mut refused = false;
        move |hit| {
            assert!(!refused, "the store was handed a hit after it had failed");
            if stored.len() == room {
                refused = true;
                return Err(StoreError("disk full".to_string()));
            }
            stored.push(hit.path);
            Ok(())
        }
    }

    #[test]
    fn loads_every_request_of_a_log_that_ends() {
        let log = vec![
            "200.1.2.3 /a 200".to_string(),
            "garbage".to_string(),
            "9.9.9.9 /b 404".to_string(),
        ];
        let mut stored = Vec::new();
        assert_eq!(run(log, store_with_room(10, &mut stored)), Ok(2));
        assert_eq!(stored, ["/a", "/b"]);
    }

    #[test]
    fn hits_are_enriched_with_the_country() {
        let (hits, enricher) = enrich(follow(vec!["70.1.1.1 /cart 302".to_string()]).0);
        let hit = hits.recv().unwrap();
        assert_eq!(
            hit,
            Hit { ip: "70.1.1.1".into(), path: "/cart".into(), status: 302, country: "DE" }
        );
        drop(hits);
        enricher.join().unwrap();
    }

    #[test]
    fn a_store_failure_on_a_short_log_is_returned() {
        let mut stored = Vec::new();
        let result = run((0..40).map(request), store_with_room(3, &mut stored));
        assert_eq!(result, Err(StoreError("disk full".to_string())));
        assert_eq!(stored, ["/page/0", "/page/1", "/page/2"]);
    }

    #[test]
    fn a_store_failure_stops_every_stage_of_an_endless_log() {
        let threads = LiveThreads::track();
        let mut stored = Vec::new();
        let result = run((0..).map(request), store_with_room(3, &mut stored));
        assert_eq!(result, Err(StoreError("disk full".to_string())), "the store's error is lost");
        assert_eq!(stored.len(), 3, "hits were stored after the store failed");
        assert_eq!(threads.not_joined(), 0, "`run` returned before joining every stage");
    }

    #[test]
    fn the_enricher_stops_at_the_first_hit_nobody_takes() {
        let (log, lines) = mpsc::channel();
        let (hits, enricher) = enrich(lines);
        log.send(request(1)).unwrap();
        assert_eq!(hits.recv().unwrap().path, "/page/1");
        drop(hits);
        // The log stays open: only the failed send of this hit can tell the enricher to stop.
        log.send(request(2)).unwrap();
        enricher.join().unwrap();
    }

    #[test]
    fn the_enricher_waits_for_a_slow_sink_instead_of_dropping_hits() {
        let (log, lines) = mpsc::channel();
        for n in 0..40 {
            log.send(request(n)).unwrap();
        }
        drop(log);
        let (hits, enricher) = enrich(lines);
        // Nobody has taken a hit yet: the enricher is waiting for room, or done.
        enricher.wait_until_blocked();
        assert_eq!(hits.iter().count(), 40, "hits were lost while the sink was busy");
        enricher.join().unwrap();
    }
}
