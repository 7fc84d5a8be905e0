// Drops the Sender, and drops the joins too, reasoning that the loop ends once the readers are done.
// caught by: test
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
    for source in sources {
        let lines = lines.clone();
        thread::spawn(move || {
            for line in source {
                lines.send(line).expect("the writer stopped early");
            }
        });
    }
    drop(lines);
    batch.iter().collect()
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
