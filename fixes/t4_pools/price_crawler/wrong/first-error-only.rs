// Keeps the first error, but asks the token only before the loop: a worker woken from its token wait still sends its request.
// caught by: test
//! Price crawler
//!
//! A price-comparison site crawls each supplier's catalogue every night: a pool of workers takes
//! page numbers from a shared queue, and each request first takes a token from a `Limiter` (the
//! supplier allows a burst of `burst` requests, then `per_second` a second). One failed page makes
//! the night's crawl worthless, so the first failure cancels the crawl's `CancelToken` (as does the
//! app when it shuts down): from then on no request goes out, and workers waiting for a token stop.
//!
//! Done when: `crawl` returns every page's prices in page order, never faster than the limiter
//! allows; and once a page fails, it sends no further request and returns that first failure (the
//! cause, not what followed), only after every worker has stopped.

use kit::sync::atomic::{AtomicU32, Ordering};
use kit::sync::{Arc, Condvar, Mutex};
use kit::thread;
use kit::time::{Clock, RealClock};
use std::time::{Duration, Instant};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CrawlError {
    /// The supplier answered a page with an HTTP error status.
    Status { page: u32, code: u16 },
    /// The crawl was cancelled before this worker was done.
    Cancelled,
}

/// Stops a crawl. Clones share the same signal.
#[derive(Clone, Default)]
pub struct CancelToken {
    shared: Arc<(Mutex<bool>, Condvar)>,
}

impl CancelToken {
    pub fn cancel(&self) {
        *self.shared.0.lock().unwrap() = true;
        self.shared.1.notify_all();
    }

    pub fn is_cancelled(&self) -> bool {
        *self.shared.0.lock().unwrap()
    }

    /// Sleeps on `clock` until `deadline`, or less if the token is cancelled meanwhile.
    fn sleep_until(&self, deadline: Instant, clock: &impl Clock) {
        let (flag, changed) = &*self.shared;
        let guard = flag.lock().unwrap();
        drop(changed.wait_while_until_on(guard, deadline, clock, |cancelled| !*cancelled).unwrap());
    }
}

/// A token bucket: `burst` requests at once, then `per_second` a second.
pub struct Limiter<C: Clock> {
    clock: C,
    per_second: f64,
    burst: f64,
    /// The tokens in the bucket (below zero: taken ahead of time), and when they were counted.
    bucket: Mutex<(f64, Instant)>,
}

impl<C: Clock> Limiter<C> {
    pub fn new(clock: C, per_second: f64, burst: u32) -> Self {
        let bucket = Mutex::new((f64::from(burst), clock.now()));
        Limiter { clock, per_second, burst: f64::from(burst), bucket }
    }

    /// Takes the next token and waits until it is due; stops waiting if `cancel` is cancelled.
    pub fn acquire(&self, cancel: &CancelToken) {
        let due = {
            let mut bucket = self.bucket.lock().unwrap();
            let now = self.clock.now();
            let earned = (now - bucket.1).as_secs_f64() * self.per_second;
            let tokens = (bucket.0 + earned).min(self.burst) - 1.0;
            *bucket = (tokens, now);
            // Below zero, the token was taken ahead of time: it is due once the bucket earns it.
            now + Duration::from_secs_f64((-tokens).max(0.0) / self.per_second)
        };
        cancel.sleep_until(due, &self.clock);
    }
}

/// Crawls pages `0..pages` with `workers` threads, each request paced by `limiter`, and returns
/// every page's prices in page order, or the first error. The first failure cancels `cancel`.
pub fn crawl<C: Clock + 'static>(
    pages: u32,
    workers: usize,
    limiter: Limiter<C>,
    cancel: &CancelToken,
    fetch: impl Fn(u32) -> Result<Vec<u32>, CrawlError> + Send + Sync + 'static,
) -> Result<Vec<Vec<u32>>, CrawlError> {
    let queue = Arc::new(Mutex::new(0..pages));
    let prices = Arc::new(Mutex::new(vec![Vec::new(); pages as usize]));
    let failure = Arc::new(Mutex::new(None)); // the crawl's error, if a worker fails
    let (limiter, fetch) = (Arc::new(limiter), Arc::new(fetch));
    let pool: Vec<_> = (0..workers)
        .map(|_| {
            let (queue, prices, failure) = (queue.clone(), prices.clone(), failure.clone());
            let (limiter, fetch, cancel) = (limiter.clone(), fetch.clone(), cancel.clone());
            thread::spawn(move || {
                let work = || -> Result<(), CrawlError> {
                    if cancel.is_cancelled() {
                        return Err(CrawlError::Cancelled);
                    }
                    loop {
                        let Some(page) = queue.lock().unwrap().next() else { return Ok(()) };
                        limiter.acquire(&cancel);
                        let page_prices = fetch(page)?;
                        prices.lock().unwrap()[page as usize] = page_prices;
                    }
                };
                if let Err(error) = work() {
                    failure.lock().unwrap().get_or_insert(error);
                    cancel.cancel();
                }
            })
        })
        .collect();
    for worker in pool {
        worker.join().expect("a worker panicked");
    }
    match failure.lock().unwrap().take() {
        Some(error) => Err(error),
        None => Ok(std::mem::take(&mut *prices.lock().unwrap())),
    }
}

/// A stand-in for a catalogue page: its items' prices, in cents.
fn price_list(page: u32) -> Vec<u32> {
    (0..4).map(|item| 199 + 100 * item + page % 7).collect()
}

/// The supplier's answer to a request while it is down.
fn unavailable(page: u32) -> Result<Vec<u32>, CrawlError> {
    Err(CrawlError::Status { page, code: 503 })
}

fn main() {
    for failing in [None, Some(23)] {
        let sent = Arc::new(AtomicU32::new(0));
        let counter = Arc::clone(&sent);
        let supplier = move |page| {
            counter.fetch_add(1, Ordering::Relaxed);
            RealClock.sleep(Duration::from_millis(30)); // the supplier's answer on the network
            if failing == Some(page) { unavailable(page) } else { Ok(price_list(page)) }
        };
        let (started, limiter) = (Instant::now(), Limiter::new(RealClock, 50.0, 5));
        let crawled = crawl(40, 4, limiter, &CancelToken::default(), supplier).map(|p| p.len());
        let (sent, ms) = (sent.load(Ordering::Relaxed), started.elapsed().as_millis());
        println!("{crawled:?}: {sent} of 40 pages requested in {ms} ms (5 at once, then 50/s)");
    }
}
