// Runs `limit` upload workers that take files from a shared queue, without a semaphore.
//! Upload limiter
//!
//! A backup agent uploads a folder's files to object storage, each on a task of its own. The
//! storage account allows a fixed number of uploads in flight at once and answers any more with
//! errors, so the agent takes a permit from a semaphore for each upload.
//!
//! Done when: every file is uploaded once, never more than `limit` at once, and a waiting file
//! starts as soon as an upload ends (no slot stays idle while files wait).
//!
//! Checked by: tests on a paused-clock runtime (loom does not model tokio).
#![cfg_attr(loom, no_main)]
#![cfg(not(loom))]

use kit::tasks::sync::Arc;
use kit::tasks::time::{Duration, sleep};
use kit::tasks::{self, JoinSet};
use std::sync::Mutex;

#[derive(Debug, Clone)]
pub struct File {
    pub name: String,
    pub megabytes: u64,
}

/// The object store: counts the uploads in flight, and the most there ever were.
#[derive(Default)]
pub struct ObjectStore {
    state: Mutex<StoreState>,
}

#[derive(Default)]
struct StoreState {
    in_flight: usize,
    peak: usize,
    stored: Vec<String>,
}

impl ObjectStore {
    /// Uploads one file: 100 ms per megabyte.
    pub async fn put(&self, file: File) {
        {
            let mut state = self.state.lock().unwrap();
            state.in_flight += 1;
            state.peak = state.peak.max(state.in_flight);
        }
        sleep(Duration::from_millis(100 * file.megabytes)).await;
        let mut state = self.state.lock().unwrap();
        state.in_flight -= 1;
        state.stored.push(file.name);
    }

    /// The most uploads that were ever in flight at once.
    pub fn peak(&self) -> usize {
        self.state.lock().unwrap().peak
    }

    /// The names stored, sorted.
    pub fn stored(&self) -> Vec<String> {
        let mut names = self.state.lock().unwrap().stored.clone();
        names.sort();
        names
    }
}

/// Uploads every file, at most `limit` at once.
pub async fn upload_all(files: Vec<File>, limit: usize, store: Arc<ObjectStore>) {
    let queue = Arc::new(Mutex::new(files.into_iter()));
    let mut uploads = JoinSet::new();
    for _ in 0..limit {
        let (queue, store) = (Arc::clone(&queue), Arc::clone(&store));
        uploads.spawn(async move {
            loop {
                let next = queue.lock().unwrap().next();
                let Some(file) = next else { break };
                store.put(file).await;
            }
        });
    }
    while let Some(upload) = uploads.join_next().await {
        upload.expect("an upload panicked");
    }
}

fn main() {
    let files: Vec<File> =
        (1..=8).map(|n| File { name: format!("photo-{n}.jpg"), megabytes: n }).collect();
    let store = Arc::new(ObjectStore::default());
    let started = std::time::Instant::now();
    tasks::block_on(upload_all(files, 3, Arc::clone(&store)));
    println!("uploaded {} files in {:?}", store.stored().len(), started.elapsed());
    println!("at most {} uploads were in flight at once (the limit is 3)", store.peak());
}
