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

use kit::tasks::sync::{Arc, Semaphore};
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
    let permits = Arc::new(Semaphore::new(limit));
    let mut uploads = JoinSet::new();
    for file in files {
        let (permits, store) = (Arc::clone(&permits), Arc::clone(&store));
        uploads.spawn(async move {
            // Named, the permit lives to the end of the task; `_` would drop it at once.
            let _permit = permits.acquire().await.expect("the semaphore is never closed");
            store.put(file).await;
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

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use kit::tasks::time::Instant;

    fn files(sizes: &[u64]) -> Vec<File> {
        (1..)
            .zip(sizes)
            .map(|(n, &megabytes)| File { name: format!("f{n:02}"), megabytes })
            .collect()
    }

    fn names(files: &[File]) -> Vec<String> {
        files.iter().map(|f| f.name.clone()).collect()
    }

    #[test]
    fn never_more_uploads_in_flight_than_the_limit() {
        tasks::test(async {
            let files = files(&[4, 1, 7, 2, 2, 9, 1, 3, 5, 1]);
            let store = Arc::new(ObjectStore::default());
            upload_all(files.clone(), 3, Arc::clone(&store)).await;
            assert_eq!(store.stored(), names(&files), "every file is uploaded once");
            let peak = store.peak();
            assert!(peak <= 3, "{peak} uploads were in flight at once; the limit is 3");
            assert_eq!(peak, 3, "with ten files waiting, all 3 slots should be used");
        });
    }

    #[test]
    fn a_waiting_file_starts_as_soon_as_an_upload_ends() {
        tasks::test(async {
            // One slot uploads the big file for a second while the other does the small ones.
            let files = files(&[10, 1, 1, 1, 1]);
            let store = Arc::new(ObjectStore::default());
            let started = Instant::now();
            upload_all(files.clone(), 2, Arc::clone(&store)).await;
            assert_eq!(store.stored(), names(&files));
            assert_eq!(store.peak(), 2);
            assert_eq!(
                started.elapsed(),
                Duration::from_secs(1),
                "a slot stayed idle while files waited"
            );
        });
    }

    #[test]
    fn a_limit_of_one_uploads_one_at_a_time() {
        tasks::test(async {
            let files = files(&[2, 3, 1]);
            let store = Arc::new(ObjectStore::default());
            let started = Instant::now();
            upload_all(files.clone(), 1, Arc::clone(&store)).await;
            assert_eq!(store.stored(), names(&files));
            assert_eq!(store.peak(), 1, "two uploads were in flight with a limit of one");
            assert_eq!(started.elapsed(), Duration::from_millis(600));
        });
    }
}
