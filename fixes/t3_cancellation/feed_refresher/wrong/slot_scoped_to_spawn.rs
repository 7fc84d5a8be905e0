// Takes the slot before spawning but keeps it in the loop, so it is given back as soon as the thread is spawned.
// caught by: test
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
            let f = Arc::clone(&f);
            let _slot = slots.acquire();
            thread::spawn(move || f(item))
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
