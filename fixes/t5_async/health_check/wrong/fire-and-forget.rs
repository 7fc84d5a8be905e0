// Compresses on the blocking pool but does not await it; the archives are pushed from there, after archive_all has returned.
// caught by: test
//! Health check
//!
//! A log archiver compresses bundles of logs one after another. Compression is CPU work that
//! takes seconds per bundle, done by a plain (blocking) function. Meanwhile the orchestrator
//! pings the archiver's health endpoint, served by another task of the same runtime, and
//! restarts any archiver that does not answer within a few seconds, losing its work.
//!
//! Done when: `archive_all` returns the compressed bundles in order, compresses one bundle at a
//! time, and health pings are answered while a bundle is being compressed.
//!
//! Checked by: tests on a paused-clock runtime (loom does not model tokio).
#![cfg_attr(loom, no_main)]
#![cfg(not(loom))]

use kit::tasks;
use kit::tasks::sync::{Arc, mpsc, oneshot};
use std::sync::atomic::{AtomicUsize, Ordering};

/// A health ping: answered with the number of bundles archived so far.
pub type Ping = oneshot::Sender<usize>;

/// Answers every ping until the pinger goes away.
async fn answer_pings(mut pings: mpsc::Receiver<Ping>, archived: Arc<AtomicUsize>) {
    while let Some(ping) = pings.recv().await {
        let _ = ping.send(archived.load(Ordering::SeqCst));
    }
}

/// Compresses every bundle with `compress`, one at a time, answering `pings` meanwhile.
pub async fn archive_all<C>(
    bundles: Vec<Vec<u8>>,
    compress: C,
    pings: mpsc::Receiver<Ping>,
) -> Vec<Vec<u8>>
where
    C: Fn(Vec<u8>) -> Vec<u8> + Send + Sync + 'static,
{
    let archived = Arc::new(AtomicUsize::new(0));
    let health = tasks::spawn(answer_pings(pings, Arc::clone(&archived)));
    let compress = Arc::new(compress);
    let archives = Arc::new(std::sync::Mutex::new(Vec::new()));
    for bundle in bundles {
        let (compress, archives, archived) =
            (Arc::clone(&compress), Arc::clone(&archives), Arc::clone(&archived));
        tasks::spawn_blocking(move || {
            let archive = compress(bundle);
            archives.lock().unwrap().push(archive);
            archived.fetch_add(1, Ordering::SeqCst);
        });
    }
    health.abort();
    let archives = archives.lock().unwrap().clone();
    archives
}

/// Run-length encoding: slow enough on a big bundle.
fn rle(bundle: Vec<u8>) -> Vec<u8> {
    let mut out = Vec::new();
    for run in bundle.chunk_by(|a, b| a == b) {
        for piece in run.chunks(255) {
            out.extend([piece.len() as u8, piece[0]]);
        }
    }
    out
}

fn main() {
    let bundles: Vec<Vec<u8>> = (0..4u8).map(|n| vec![n; 20_000_000]).collect();
    let answers = tasks::block_on(async {
        let (ping_tx, pings) = mpsc::channel::<Ping>(1);
        let pinger = tasks::spawn(async move {
            let mut answers = Vec::new();
            for _ in 0..3 {
                let (ping, answer) = oneshot::channel();
                let asked = std::time::Instant::now();
                if ping_tx.send(ping).await.is_err() {
                    break;
                }
                let Ok(done) = answer.await else { break };
                answers.push(format!("{done} archived, answered in {:?}", asked.elapsed()));
            }
            answers
        });
        let archives = archive_all(bundles, rle, pings).await;
        println!("{} bundles archived", archives.len());
        pinger.await.unwrap()
    });
    println!("health pings: {answers:?}");
}
