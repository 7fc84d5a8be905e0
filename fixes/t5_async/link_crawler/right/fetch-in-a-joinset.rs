// Stops once as many reports have come as pages were seen; spawns the fetch into a JoinSet of the check's own, which aborts it when dropped at the end of the check.
//! Link crawler
//!
//! Every night the docs team's crawler checks that no link of the docs site is broken. It starts
//! at the home page and follows the links it finds, up to `max_depth` clicks away, checking each
//! page once on a task of its own (which runs the fetch on a task of its own too). The site's
//! firewall bans a client that opens too many connections, so at most `limit` fetches may be in
//! flight at once; a page that has not answered within `PAGE_BUDGET` is given up and reported as
//! broken, like one that answers with an error status.
//!
//! Done when: `crawl` returns every broken link, with why it is broken, as soon as the last page
//! has been checked; the site never sees more than `limit` fetches at once, nor a fetch that goes
//! on past `PAGE_BUDGET`; and no fetch or task of the crawl is still running once it has returned.
//!
//! Checked by: tests on a paused-clock runtime (loom does not model tokio).
#![cfg_attr(loom, no_main)]
#![cfg(not(loom))]

use kit::tasks::sync::{Arc, Semaphore, mpsc};
use kit::tasks::time::{Duration, Instant, sleep, timeout};
use kit::tasks::{self, JoinSet};
use std::collections::{BTreeMap, HashSet};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

/// How long a page may take to answer before it is reported as broken.
pub const PAGE_BUDGET: Duration = Duration::from_secs(2);

/// Why a link is broken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Broken {
    /// The page answered with this HTTP error status.
    Status(u16),
    /// The page gave no answer within `PAGE_BUDGET`.
    NoAnswer,
}

/// A stand-in for the docs site: a page answers after its latency with the links on it, and a
/// URL it does not have answers 404. It counts the fetches in flight, and how long each stays
/// open: dropping a fetch before it is answered closes its connection.
pub struct Site {
    pages: BTreeMap<&'static str, (Duration, &'static [&'static str])>,
    in_flight: AtomicUsize,
    peak: AtomicUsize,
    longest_ns: AtomicU64,
}

impl Site {
    /// The site's pages: URL, latency in milliseconds, links.
    pub fn new(pages: &[(&'static str, u64, &'static [&'static str])]) -> Arc<Site> {
        let pages = pages.iter().map(|&(url, ms, links)| (url, (Duration::from_millis(ms), links)));
        let (in_flight, peak, longest_ns) = (0.into(), 0.into(), 0.into());
        Arc::new(Site { pages: pages.collect(), in_flight, peak, longest_ns })
    }

    /// Fetches in flight now.
    pub fn in_flight(&self) -> usize {
        self.in_flight.load(Ordering::SeqCst)
    }

    /// The most fetches that were ever in flight at once.
    pub fn peak_in_flight(&self) -> usize {
        self.peak.load(Ordering::SeqCst)
    }

    /// The longest a fetch stayed open, answered or not.
    pub fn longest_fetch(&self) -> Duration {
        Duration::from_nanos(self.longest_ns.load(Ordering::SeqCst))
    }

    /// Fetches `url`: the links on it, or the error status it answers with.
    pub async fn fetch(self: Arc<Self>, url: &'static str) -> Result<&'static [&'static str], u16> {
        let now = self.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        self.peak.fetch_max(now, Ordering::SeqCst);
        let _connection = Connection(Arc::clone(&self), Instant::now());
        let (latency, answer) = match self.pages.get(url) {
            Some(&(latency, links)) => (latency, Ok(links)),
            None => (Duration::from_millis(50), Err(404)),
        };
        sleep(latency).await;
        answer
    }
}

/// An open connection to the site since an instant, closed when dropped.
struct Connection(Arc<Site>, Instant);

impl Drop for Connection {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::SeqCst);
        let open = u64::try_from(self.1.elapsed().as_nanos()).unwrap_or(u64::MAX);
        self.0.longest_ns.fetch_max(open, Ordering::SeqCst);
    }
}

/// What checking a page found: the links on it, or why it is broken.
struct Checked {
    url: &'static str,
    depth: u32,
    outcome: Result<&'static [&'static str], Broken>,
}

/// Checks one page once a permit is free, and sends what it found to `done`.
async fn check(
    site: Arc<Site>,
    url: &'static str,
    depth: u32,
    permits: Arc<Semaphore>,
    done: mpsc::Sender<Checked>,
) {
    let Ok(_permit) = permits.acquire().await else { return };
    let mut fetch = JoinSet::new();
    fetch.spawn(site.fetch(url));
    let outcome = match timeout(PAGE_BUDGET, fetch.join_next()).await {
        Ok(Some(Ok(answer))) => answer.map_err(Broken::Status),
        Ok(_) | Err(_) => Err(Broken::NoAnswer),
    };
    drop(fetch); // aborts the fetch if it is still running
    let _ = done.send(Checked { url, depth, outcome }).await;
}

/// Crawls `site` from `root`, following links up to `max_depth` clicks away with at most `limit`
/// fetches in flight, and returns every broken link with why it is broken.
pub async fn crawl(
    site: &Arc<Site>,
    root: &'static str,
    max_depth: u32,
    limit: usize,
) -> BTreeMap<&'static str, Broken> {
    let permits = Arc::new(Semaphore::new(limit));
    let (done_tx, mut done_rx) = mpsc::channel::<Checked>(limit);
    let start = |url, depth| {
        tasks::spawn(check(Arc::clone(site), url, depth, Arc::clone(&permits), done_tx.clone()));
    };
    let mut seen = HashSet::from([root]);
    start(root, 0);
    let (mut broken, mut reported) = (BTreeMap::new(), 0);
    while reported < seen.len() {
        let Some(checked) = done_rx.recv().await else { break };
        reported += 1;
        match checked.outcome {
            Err(why) => {
                broken.insert(checked.url, why);
            }
            Ok(links) if checked.depth < max_depth => {
                for &link in links.iter().filter(|link| seen.insert(**link)) {
                    start(link, checked.depth + 1);
                }
            }
            Ok(_) => {} // as deep as the crawl goes
        }
    }
    broken
}

fn main() {
    let site = Site::new(&[
        ("/", 40, &["/guide", "/api", "/blog"]),
        ("/guide", 60, &["/guide/install", "/guide/upgrade", "/"]),
        ("/api", 5000, &["/api/v1"]),
        ("/guide/install", 30, &[]),
    ]);
    let started = std::time::Instant::now();
    let broken = tasks::block_on(crawl(&site, "/", 2, 2));
    println!("broken links: {broken:?}, found in {:?}", started.elapsed());
    let (peak, left) = (site.peak_in_flight(), site.in_flight());
    println!("at most {peak} fetches at once (limit 2); {left} still in flight after the crawl");
}
