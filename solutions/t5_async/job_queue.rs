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

    // The feeder gets the only Sender: once it has sent every job and ends, the channel closes
    // and each worker's `recv()` returns None.
    tasks::spawn(async move {
        for job in jobs {
            if job_tx.send(job).await.is_err() {
                break;
            }
        }
    });

    let mut thumbnails = Vec::new();
    while let Some(thumbnail) = done_rx.recv().await {
        thumbnails.push(thumbnail);
    }
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

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use kit::tasks::time::Instant;

    fn jobs(widths: &[u32]) -> Vec<Job> {
        (1..).zip(widths).map(|(id, &width)| Job { id, width }).collect()
    }

    fn thumbnails_of(jobs: &[Job]) -> Vec<Thumbnail> {
        jobs.iter().map(|j| Thumbnail { id: j.id, width: j.width / 4 }).collect()
    }

    #[test]
    fn every_job_is_resized_and_every_worker_has_ended_when_it_returns() {
        tasks::test(async {
            // More jobs than the channel holds, and one that takes five seconds.
            let jobs = jobs(&[400, 5000, 300, 800, 200, 600, 700, 100, 900, 500]);
            let thumbnails = resize_all(jobs.clone(), 3).await;
            let still_running = tasks::alive_tasks();
            assert_eq!(thumbnails, thumbnails_of(&jobs), "one thumbnail per job, in job order");
            assert_eq!(
                still_running, 0,
                "{still_running} task(s) were still running when resize_all returned: it must \
                 return only once every worker has ended"
            );
        });
    }

    #[test]
    fn jobs_are_resized_as_many_at_a_time_as_there_are_workers() {
        tasks::test(async {
            let jobs = jobs(&[1000; 6]);
            let started = Instant::now();
            let thumbnails = resize_all(jobs.clone(), 3).await;
            assert_eq!(thumbnails, thumbnails_of(&jobs));
            assert_eq!(
                started.elapsed(),
                Duration::from_secs(2),
                "six one-second jobs on three workers take two seconds"
            );
        });
    }

    #[test]
    fn no_jobs_means_no_thumbnails_and_no_task_left() {
        tasks::test(async {
            assert_eq!(resize_all(Vec::new(), 2).await, Vec::new());
            assert_eq!(tasks::alive_tasks(), 0, "a worker was still running");
        });
    }
}
