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
    let (finished, reports) = mpsc::channel();
    for (source, hits) in sources {
        let browser = browser.clone();
        let finished = finished.clone();
        thread::spawn(move || {
            for hit in hits {
                if browser.send(Frame::Hit(hit)).is_err() {
                    return; // The browser has gone away.
                }
            }
            let _ = finished.send(source);
        });
    }
    drop(finished);
    // Wait for the forwarders, telling the page about each source as it finishes, then end.
    if let Ok(source) = reports.recv() {
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

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    fn hit(source: &str, title: &str) -> Hit {
        Hit { source: source.to_string(), title: title.to_string() }
    }

    /// The frames up to and including `End` (or until the connection closes).
    fn rest_of_response(frames: &Receiver<Frame>) -> Vec<Frame> {
        let mut rest = Vec::new();
        for frame in frames.iter() {
            let end = frame == Frame::End;
            rest.push(frame);
            if end {
                break;
            }
        }
        rest
    }

    #[test]
    fn the_response_ends_only_once_the_last_source_has_finished() {
        let (wiki, wiki_hits) = mpsc::channel();
        let (issues, issue_hits) = mpsc::channel::<Hit>();
        let (chat, chat_hits) = mpsc::channel();
        let (browser, frames) = mpsc::channel();
        let sources = vec![
            ("wiki".to_string(), wiki_hits),
            ("issues".to_string(), issue_hits),
            ("chat".to_string(), chat_hits),
        ];
        let handler = thread::spawn(move || merge(sources, &browser));

        chat.send(hit("chat", "no deploys on Friday")).unwrap();
        assert_eq!(frames.recv().unwrap(), Frame::Hit(hit("chat", "no deploys on Friday")));
        // The wiki finishes first, then the issue tracker, while the chat is still searching.
        wiki.send(hit("wiki", "Deploying to staging")).unwrap();
        drop(wiki);
        assert_eq!(frames.recv().unwrap(), Frame::Hit(hit("wiki", "Deploying to staging")));
        assert_eq!(frames.recv().unwrap(), Frame::Finished("wiki".to_string()));
        drop(issues);
        assert_eq!(
            frames.recv().unwrap(),
            Frame::Finished("issues".to_string()),
            "the wiki had finished, but the issue tracker and the chat had not"
        );
        // The chat finds one more hit, and only then finishes.
        chat.send(hit("chat", "deploy done")).unwrap();
        drop(chat);
        assert_eq!(
            rest_of_response(&frames),
            [
                Frame::Hit(hit("chat", "deploy done")),
                Frame::Finished("chat".to_string()),
                Frame::End
            ],
            "the wiki and the issue tracker had finished, but the chat was still searching"
        );
        handler.join().unwrap();
        assert_eq!(frames.recv().ok(), None, "the browser got a frame after the End");
    }

    #[test]
    fn a_source_is_announced_when_it_finishes_whatever_its_place() {
        let (wiki, wiki_hits) = mpsc::channel::<Hit>();
        let (chat, chat_hits) = mpsc::channel::<Hit>();
        let (browser, frames) = mpsc::channel();
        let sources = vec![("wiki".to_string(), wiki_hits), ("chat".to_string(), chat_hits)];
        let handler = thread::spawn(move || merge(sources, &browser));
        // The source listed last finishes first, while the first one is still searching.
        drop(chat);
        assert_eq!(frames.recv().unwrap(), Frame::Finished("chat".to_string()));
        handler.wait_until_blocked();
        assert!(!handler.is_finished(), "merge returned while the wiki was still searching");
        drop(wiki);
        assert_eq!(rest_of_response(&frames), [Frame::Finished("wiki".to_string()), Frame::End]);
        handler.join().unwrap();
    }

    #[test]
    fn one_source_streams_its_hits_then_ends() {
        let (wiki, wiki_hits) = mpsc::channel();
        let (browser, frames) = mpsc::channel();
        let handler = thread::spawn(move || merge(vec![("wiki".to_string(), wiki_hits)], &browser));
        wiki.send(hit("wiki", "Deploying to staging")).unwrap();
        assert_eq!(frames.recv().unwrap(), Frame::Hit(hit("wiki", "Deploying to staging")));
        drop(wiki);
        handler.join().unwrap();
        let rest: Vec<Frame> = frames.iter().collect();
        assert_eq!(rest, [Frame::Finished("wiki".to_string()), Frame::End]);
    }

    #[test]
    fn no_sources_make_an_empty_response() {
        let (browser, frames) = mpsc::channel();
        merge(Vec::new(), &browser);
        assert_eq!(frames.try_iter().collect::<Vec<_>>(), [Frame::End]);
    }
}

#[cfg(all(test, loom))]
mod loom {
    use super::*;

    #[test]
    fn the_end_comes_after_every_hit_and_every_finished_source() {
        kit::model::check(|| {
            let (wiki, wiki_hits) = mpsc::channel();
            let (chat, chat_hits) = mpsc::channel::<Hit>();
            wiki.send(Hit { source: "wiki".into(), title: "Deploying".into() }).unwrap();
            drop((wiki, chat));
            let (browser, frames) = mpsc::channel();
            merge(vec![("wiki".into(), wiki_hits), ("chat".into(), chat_hits)], &browser);
            let (mut hits, mut finished, mut ends) = (0, 0, 0);
            for frame in frames.try_iter() {
                match frame {
                    Frame::Hit(_) => hits += 1,
                    Frame::Finished(_) => finished += 1,
                    Frame::End => {
                        ends += 1;
                        assert_eq!((hits, finished), (1, 2), "the End came too early");
                    }
                }
            }
            assert_eq!(ends, 1, "merge returned before its End");
        });
    }
}
