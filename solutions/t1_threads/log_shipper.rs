//! Log shipper
//!
//! A log shipper reads several log files at once, one reader thread per file, and forwards every
//! line to a single writer that batches them for the central log store. The writer must know
//! when all the readers are done, so it can flush the last batch and return.
//!
//! Done when: `ship` returns every line of every source (in any order) as soon as the readers are
//! done, and every reader thread has been joined.

use kit::sync::mpsc;
use kit::thread;

/// One log file's lines.
pub type Source = Vec<String>;

/// Reads every source on its own thread and gathers all their lines in one batch.
pub fn ship(sources: Vec<Source>) -> Vec<String> {
    let (lines, batch) = mpsc::channel();
    let mut readers = Vec::new();
    for source in sources {
        let lines = lines.clone();
        readers.push(thread::spawn(move || {
            for line in source {
                lines.send(line).expect("the writer stopped early");
            }
        }));
    }
    drop(lines);
    let shipped: Vec<String> = batch.iter().collect();
    for reader in readers {
        reader.join().unwrap();
    }
    shipped
}

fn main() {
    let sources = vec![
        vec!["GET /index.html 200".to_string(), "GET /style.css 200".to_string()],
        vec!["POST /login 302".to_string()],
        vec!["GET /missing 404".to_string(), "GET /favicon.ico 200".to_string()],
    ];
    let batch = ship(sources);
    println!("shipped {} lines:", batch.len());
    for line in batch {
        println!("  {line}");
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use kit::thread::LiveThreads;

    fn source(name: &str, lines: usize) -> Source {
        (0..lines).map(|n| format!("{name}:{n}")).collect()
    }

    #[test]
    fn ships_every_line_of_every_source_and_joins_every_reader() {
        let threads = LiveThreads::track();
        let mut shipped = ship(vec![source("api", 3), source("db", 1), source("web", 2)]);
        assert_eq!(threads.not_joined(), 0, "ship returned without joining every reader");
        shipped.sort();
        assert_eq!(shipped, ["api:0", "api:1", "api:2", "db:0", "web:0", "web:1"]);
    }

    #[test]
    fn no_sources_ship_nothing() {
        assert!(ship(Vec::new()).is_empty());
    }
}

#[cfg(all(test, loom))]
mod loom {
    use super::*;

    #[test]
    fn the_writer_finishes_once_both_readers_are_done() {
        kit::model::check(|| {
            let shipped = ship(vec![vec!["a".to_string()], vec!["b".to_string()]]);
            assert_eq!(shipped.len(), 2);
        });
    }
}
