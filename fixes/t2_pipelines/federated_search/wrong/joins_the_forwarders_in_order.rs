// Joins the forwarders in the order of the sources and announces each as it is joined: a source that finishes early waits for the ones before it.
// caught by: hang
//! Federated search
//!
//! The search box of a company intranet asks several sources at once (fan-out): the wiki, the
//! issue tracker and the chat archive each have a worker that streams its hits on a channel of its
//! own as it finds them, and closes that channel when it has looked everywhere. `merge` gathers
//! them all onto the browser's connection (fan-in): each hit as soon as its source finds it, a
//! `Frame::Finished` when a source's channel closes (the page stops that source's spinner), and one
//! `Frame::End` once every source's channel has closed. The connection stays open for the next
//! search, so the page knows a response is complete only by its `End`; and the connection's
//! handler thread, which calls `merge`, takes the next search once `merge` returns.
//!
//! Done when: the browser gets every hit of every source, a `Finished` for each source after its
//! hits, then exactly one `End`, as soon as the last source's channel has closed and not before.

use kit::sync::mpsc::{self, Receiver, Sender};
use kit::thread;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    pub source: String,
    pub title: String,
}

/// What the browser receives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Frame {
    Hit(Hit),
    Finished(String),
    End,
}

/// Forwards the hits of every named source onto `browser` as they come, each source on a thread
/// of its own, and ends the response once all the sources have finished. Returns when it has.
pub fn merge(sources: Vec<(String, Receiver<Hit>)>, browser: &Sender<Frame>) {
    // Each forwarder reports here, with its source's name, when that source's channel has closed.
    let mut forwarders = Vec::new();
    for (source, hits) in sources {
        let browser = browser.clone();
        forwarders.push(thread::spawn(move || {
            for hit in hits {
                if browser.send(Frame::Hit(hit)).is_err() {
                    return source; // The browser has gone away.
                }
            }
            source
        }));
    }
    // Tell the page about each source once its forwarder is done, then end.
    for forwarder in forwarders {
        let source = forwarder.join().unwrap();
        let _ = browser.send(Frame::Finished(source));
    }
    let _ = browser.send(Frame::End);
}

/// A stand-in for one source's search worker: streams the titles that mention `query`.
fn search(source: &'static str, titles: &'static [&str], query: &'static str) -> Receiver<Hit> {
    let (hits, found) = mpsc::channel();
    thread::spawn(move || {
        for title in titles.iter().filter(|title| title.to_lowercase().contains(query)) {
            let _ = hits.send(Hit { source: source.to_string(), title: title.to_string() });
        }
    });
    found
}

fn main() {
    let query = "deploy";
    let sources = vec![
        ("wiki".to_string(), search("wiki", &["Deploying to staging", "Holidays 2025"], query)),
        ("issues".to_string(), search("issues", &["#412 deploy fails on ARM"], query)),
        ("chat".to_string(), search("chat", &["no deploys on Friday", "deploy done"], query)),
    ];
    let (browser, frames) = mpsc::channel();
    let handler = thread::spawn(move || merge(sources, &browser));
    for frame in frames.iter() {
        match frame {
            Frame::Hit(hit) => println!("[{}] {}", hit.source, hit.title),
            Frame::Finished(source) => println!("-- {source} finished"),
            Frame::End => break,
        }
    }
    handler.join().unwrap();
    println!("search complete");
}
