//! Feed refresher
//!
//! A podcast app refreshes every subscribed feed when it starts. A fetch spends nearly all its
//! time waiting on the network, so each feed is fetched on a thread of its own, by
//! `parallel_map`. But some users follow eight hundred podcasts, and eight hundred threads (each
//! with its stack and its socket) would swamp a phone: `parallel_map` takes a `limit` and hands
//! out that many slots with a counting `Semaphore`. A feed's thread must hold a slot for as long as
//! it exists, so that no more than `limit` of them are ever started and unfinished at once.
//!
//! Done when: `parallel_map(items, limit, f)` returns `f(item)` for every item, in the order of
//! `items`, never has more than `limit` threads started whose item is not done yet, keeps `limit`
//! fetches going while items are left (a slow feed holds up only its own slot), and has joined
//! every thread it started when it returns.

use kit::sync::{Arc, Condvar, Mutex};
use kit::thread;

/// A counting semaphore; its clones share the same permits.
#[derive(Clone)]
pub struct Semaphore {
    shared: Arc<(Mutex<usize>, Condvar)>,
}

/// A permit taken from a `Semaphore`; dropping it gives it back.
pub struct Permit {
    semaphore: Semaphore,
}

impl Semaphore {
    pub fn new(permits: usize) -> Self {
        Semaphore { shared: Arc::new((Mutex::new(permits), Condvar::new())) }
    }

    /// Takes a permit, waiting while none is free.
    pub fn acquire(&self) -> Permit {
        let (free, given_back) = &*self.shared;
        let mut free = free.lock().unwrap();
        while *free == 0 {
            free = given_back.wait(free).unwrap();
        }
        *free -= 1;
        Permit { semaphore: self.clone() }
    }
}

impl Drop for Permit {
    fn drop(&mut self) {
        let (free, given_back) = &*self.semaphore.shared;
        *free.lock().unwrap() += 1;
        given_back.notify_one();
    }
}

/// Runs `f` on every item, each on a thread of its own, with at most `limit` of those threads
/// running at once, and returns the results in the order of `items`.
pub fn parallel_map<T, R, F>(items: Vec<T>, limit: usize, f: F) -> Vec<R>
where
    T: Send + 'static,
    R: Send + 'static,
    F: Fn(T) -> R + Send + Sync + 'static,
{
    assert!(limit > 0, "parallel_map needs room for at least one thread");
    let slots = Semaphore::new(limit);
    let f = Arc::new(f);
    let running: Vec<_> = items
        .into_iter()
        .map(|item| {
            let (slots, f) = (slots.clone(), Arc::clone(&f));
            thread::spawn(move || {
                let _slot = slots.acquire();
                f(item)
            })
        })
        .collect();
    running.into_iter().map(|thread| thread.join().expect("a fetch panicked")).collect()
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Feed {
    pub url: String,
    pub new_episodes: usize,
}

/// A stand-in for fetching and parsing a feed.
fn fetch(url: String) -> Feed {
    let new_episodes = url.bytes().map(usize::from).sum::<usize>() % 4;
    Feed { url, new_episodes }
}

fn main() {
    let subscriptions = ["hardcore-history", "radiolab", "the-daily", "99pi", "reply-all"]
        .map(|show| format!("https://feeds.example.com/{show}.xml"));
    for feed in parallel_map(subscriptions.to_vec(), 2, fetch) {
        println!("{:<48} {} new episode(s)", feed.url, feed.new_episodes);
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use kit::sync::atomic::{AtomicUsize, Ordering};
    use kit::thread::LiveThreads;

    #[test]
    fn returns_every_feed_in_order_fetching_at_most_limit_at_once() {
        let threads = LiveThreads::track();
        let (fetching, most) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
        let urls: Vec<String> = (0..12).map(|n| format!("https://feeds.example.com/{n}")).collect();
        let feeds = {
            let (fetching, most) = (Arc::clone(&fetching), Arc::clone(&most));
            parallel_map(urls.clone(), 3, move |url| {
                most.fetch_max(fetching.fetch_add(1, Ordering::SeqCst) + 1, Ordering::SeqCst);
                let feed = fetch(url);
                fetching.fetch_sub(1, Ordering::SeqCst);
                feed
            })
        };
        assert_eq!(feeds, urls.into_iter().map(fetch).collect::<Vec<_>>());
        let most = most.load(Ordering::SeqCst);
        assert!(most <= 3, "{most} feeds were fetched at once, with a limit of 3");
        let not_joined = threads.not_joined();
        assert_eq!(not_joined, 0, "parallel_map returned with {not_joined} thread(s) not joined");
    }

    #[test]
    fn a_slow_feed_holds_up_only_its_own_slot() {
        // Feed 0 answers only once every other feed is fetched: with a limit of 2, the other
        // slot must serve all of them meanwhile, whatever order the threads are joined in.
        let (release, gate) = kit::sync::mpsc::channel::<()>();
        let (fetched, done) = kit::sync::mpsc::channel();
        let (gate, fetched) = (Mutex::new(gate), Mutex::new(fetched));
        let refresh = thread::spawn(move || {
            parallel_map((0..6).collect(), 2, move |n: u32| {
                match n {
                    0 => gate.lock().unwrap().recv().unwrap(),
                    _ => fetched.lock().unwrap().send(n).unwrap(),
                }
                n * 10
            })
        });
        let mut others: Vec<u32> = (1..6).map(|_| done.recv().unwrap()).collect();
        others.sort_unstable();
        assert_eq!(others, [1, 2, 3, 4, 5]);
        release.send(()).unwrap();
        assert_eq!(refresh.join().unwrap(), (0..6).map(|n| n * 10).collect::<Vec<_>>());
    }

    #[test]
    fn no_feeds_no_threads() {
        let threads = LiveThreads::track();
        assert_eq!(parallel_map(Vec::<String>::new(), 4, fetch), []);
        assert_eq!(threads.spawned(), 0);
    }

    #[test]
    fn never_starts_more_threads_than_the_limit() {
        const LIMIT: usize = 2;
        // Every fetch waits at a gate that opens only once `parallel_map` is itself waiting, so
        // every thread it has started by then is still alive, however fast the machine.
        let gate = Arc::new((std::sync::Mutex::new(false), std::sync::Condvar::new()));
        let threads = LiveThreads::track();
        let refresh = {
            let gate = Arc::clone(&gate);
            thread::spawn(move || {
                parallel_map((0..8).collect(), LIMIT, move |n: u32| {
                    let (open, opened) = &*gate;
                    drop(opened.wait_while(open.lock().unwrap(), |open| !*open).unwrap());
                    n * 10
                })
            })
        };
        refresh.wait_until_blocked();
        // `refresh` is one of the threads counted; the others are parallel_map's, and none of
        // them has finished yet.
        let started = threads.peak() - 1;
        *gate.0.lock().unwrap() = true;
        gate.1.notify_all();
        assert_eq!(refresh.join().unwrap(), (0..8).map(|n| n * 10).collect::<Vec<_>>());
        assert!(started <= LIMIT, "{started} threads were alive at once, with a limit of {LIMIT}");
    }
}
