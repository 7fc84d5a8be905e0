// Feeds from resize_all itself, joined with the gathering loop, moving the one Sender into the feeding future.
//! Job queue
//!
//! An image service resizes uploads on a few worker tasks. `resize_all` starts the workers, feeds
//! them the jobs over a bounded channel from a feeder task, and gathers what they send back over
//! a second channel, until every worker is done.
//!
//! Done when: `resize_all` returns one result per job (in job order) and returns only after every
//! worker has ended, with the jobs resized `workers` at a time.
//!
//! Checked by: tests on a paused-clock runtime (loom does not model tokio).
#![cfg_attr(loom, no_main)]
#![cfg(not(loom))]

use kit::tasks::sync::{Arc, Mutex, mpsc};
use kit::tasks::time::{Duration, sleep};
use kit::tasks::{self, JoinHandle};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Job {
    pub id: u32,
    pub width: u32,
}

#[derive(Debug, PartialEq, Eq)]
pub struct Thumbnail {
    pub id: u32,
    pub width: u32,
}

/// Resizes one image: a second of work per 1000 pixels of width.
async fn resize(job: Job) -> Thumbnail {
    sleep(Duration::from_millis(u64::from(job.width))).await;
    Thumbnail { id: job.id, width: job.width / 4 }
}

/// Resizes every job on `workers` worker tasks; returns the thumbnails in job order.
pub async fn resize_all(jobs: Vec<Job>, workers: usize) -> Vec<Thumbnail> {
    let (job_tx, job_rx) = mpsc::channel::<Job>(4);
    let job_rx = Arc::new(Mutex::new(job_rx));
    let (done_tx, mut done_rx) = mpsc::channel::<Thumbnail>(4);

    let mut pool: Vec<JoinHandle<()>> = Vec::new();
    for _ in 0..workers {
        let (job_rx, done_tx) = (Arc::clone(&job_rx), done_tx.clone());
        pool.push(tasks::spawn(async move {
            loop {
                let next = job_rx.lock().await.recv().await;
                let Some(job) = next else { break };
                if done_tx.send(resize(job).await).await.is_err() {
                    break;
                }
            }
        }));
    }
    drop(done_tx);

    let feed = async move {
        for job in jobs {
            if job_tx.send(job).await.is_err() {
                break;
            }
        }
    };
    let gather = async {
        let mut thumbnails = Vec::new();
        while let Some(thumbnail) = done_rx.recv().await {
            thumbnails.push(thumbnail);
        }
        thumbnails
    };
    let ((), mut thumbnails) = tasks::join!(feed, gather);
    for worker in pool {
        worker.await.expect("a worker panicked");
    }
    thumbnails.sort_by_key(|t| t.id);
    thumbnails
}

fn main() {
    let jobs: Vec<Job> = (1..=6).map(|id| Job { id, width: 200 * id }).collect();
    let started = std::time::Instant::now();
    let thumbnails = tasks::block_on(resize_all(jobs, 3));
    for t in &thumbnails {
        println!("job {}: thumbnail {} px wide", t.id, t.width);
    }
    println!("{} thumbnails in {:?}", thumbnails.len(), started.elapsed());
}
