//! Download manager
//!
//! A download manager fetches a batch of files at once. The user can cancel one download (its own
//! Cancel button) or the whole batch ("Cancel all", or quitting the app). Every download runs under
//! a child of the batch's `CancelToken`: cancelling the batch cancels each download in it, while
//! cancelling one download leaves the batch and the other downloads alone. The fetching loop polls
//! `is_cancelled()` between chunks; the clean-up thread and the progress bar of each download
//! block in `wait()` until it is cancelled, then delete the partial file and close the bar.
//!
//! Done when: cancelling a token cancels it and every token below it, and nothing else; every
//! thread blocked in `wait()` on a cancelled token returns, whichever token was cancelled; and
//! the loom models pass.

use kit::sync::{Arc, Condvar, Mutex};
use kit::thread;
use kit::time::{Clock, RealClock};
use std::time::Duration;

struct State {
    cancelled: bool,
    /// The nodes of the tokens made with `child()`, cancelled along with this one.
    children: Vec<Arc<Node>>,
}

struct Node {
    state: Mutex<State>,
    /// Signalled when the token is cancelled.
    cancelled: Condvar,
}

impl Node {
    fn new(cancelled: bool) -> Arc<Node> {
        let state = State { cancelled, children: Vec::new() };
        Arc::new(Node { state: Mutex::new(state), cancelled: Condvar::new() })
    }

    /// Marks this node and every node below it cancelled.
    fn cancel_tree(&self) {
        let children = {
            let mut state = self.state.lock().unwrap();
            if state.cancelled {
                return;
            }
            state.cancelled = true;
            std::mem::take(&mut state.children)
        };
        // Wake the threads waiting for this token.
        self.cancelled.notify_all();
        for child in children {
            child.cancel_tree();
        }
    }
}

/// A cancellation signal. Clones share it; `child()` makes a token cancelled with this one.
#[derive(Clone)]
pub struct CancelToken {
    node: Arc<Node>,
}

impl Default for CancelToken {
    fn default() -> Self {
        Self::new()
    }
}

impl CancelToken {
    pub fn new() -> Self {
        CancelToken { node: Node::new(false) }
    }

    /// Cancels this token and every token below it. Cancelling twice does nothing more.
    pub fn cancel(&self) {
        self.node.cancel_tree();
    }

    pub fn is_cancelled(&self) -> bool {
        self.node.state.lock().unwrap().cancelled
    }

    /// Blocks until this token is cancelled.
    pub fn wait(&self) {
        let mut state = self.node.state.lock().unwrap();
        while !state.cancelled {
            state = self.node.cancelled.wait(state).unwrap();
        }
    }

    /// A token cancelled when this one is (at once, if it already is), and cancellable alone.
    pub fn child(&self) -> CancelToken {
        let mut state = self.node.state.lock().unwrap();
        let node = Node::new(state.cancelled);
        if !state.cancelled {
            state.children.push(Arc::clone(&node));
        }
        CancelToken { node }
    }
}

/// Fetches `chunks` chunks of a file, or fewer if `token` is cancelled; returns how many it got.
fn fetch(chunks: u32, token: &CancelToken, clock: &impl Clock) -> u32 {
    for chunk in 0..chunks {
        if token.is_cancelled() {
            return chunk;
        }
        clock.sleep(Duration::from_millis(10));
    }
    chunks
}

fn main() {
    let batch = CancelToken::new();
    let mut downloads = Vec::new();
    for file in ["ubuntu-24.04.iso", "keynote.mp4", "dataset.zip"] {
        let token = batch.child();
        let (fetching, watching) = (token.clone(), token.clone());
        let fetcher = thread::spawn(move || fetch(500, &fetching, &RealClock));
        let clean_up = thread::spawn(move || {
            watching.wait();
            println!("{file}: cancelled, partial file deleted");
        });
        downloads.push((file, token, fetcher, clean_up));
    }
    RealClock.sleep(Duration::from_millis(50));
    downloads[1].1.cancel();
    RealClock.sleep(Duration::from_millis(50));
    println!("one download cancelled; batch cancelled: {}", batch.is_cancelled());
    batch.cancel();
    for (file, _, fetcher, clean_up) in downloads {
        clean_up.join().unwrap();
        println!("{file}: stopped after {} of 500 chunks", fetcher.join().unwrap());
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn cancelling_the_batch_cancels_every_download_below_it() {
        let batch = CancelToken::new();
        let download = batch.child();
        let segment = download.child();
        assert!(!segment.is_cancelled());
        batch.cancel();
        for token in [&batch, &download, &segment, &batch.child()] {
            assert!(token.is_cancelled());
            token.wait(); // returns at once: the token is cancelled
        }
    }

    #[test]
    fn cancelling_one_download_leaves_the_batch_and_the_others_running() {
        let batch = CancelToken::new();
        let (first, second) = (batch.child(), batch.child());
        first.cancel();
        first.cancel();
        assert!(first.is_cancelled() && first.clone().is_cancelled());
        assert!(!batch.is_cancelled(), "cancelling a download cancelled its batch");
        assert!(!second.is_cancelled(), "cancelling a download cancelled another one");
    }

    #[test]
    fn cancelling_a_token_wakes_the_thread_waiting_on_it() {
        let download = CancelToken::new().child();
        let clean_up = {
            let download = download.clone();
            thread::spawn(move || download.wait())
        };
        assert!(clean_up.wait_until_blocked().is_some(), "wait() returned before any cancel");
        download.cancel();
        clean_up.join().unwrap();
    }
}

#[cfg(all(test, loom))]
mod loom {
    use super::*;

    #[test]
    fn cancelling_the_batch_wakes_everyone_waiting_below_it() {
        kit::model::check(|| {
            let batch = CancelToken::new();
            let download = batch.child();
            // Two levels down, and two waiters on one token: the clean-up thread and the bar.
            let segment = download.child();
            let waiters = [&download, &download, &segment].map(|token| {
                let token = token.clone();
                thread::spawn(move || token.wait())
            });
            batch.cancel();
            for waiter in waiters {
                waiter.join().unwrap();
            }
            assert!(download.is_cancelled() && segment.is_cancelled());
        });
    }
}
