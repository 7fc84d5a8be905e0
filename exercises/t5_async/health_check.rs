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
    let mut archives = Vec::new();
    for bundle in bundles {
        let archive = compress(bundle);
        archives.push(archive);
        archived.fetch_add(1, Ordering::SeqCst);
    }
    health.abort();
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

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use kit::hang::DIAGNOSIS_MARKER;
    use std::sync::Mutex;
    use std::sync::mpsc as gate;
    use std::time::Duration;

    /// Archives `bundles` with a compressor that, once started on a bundle, waits until a health
    /// ping has been answered; returns the archives, the answers and the most compressions that
    /// ran at once.
    async fn archive_while_pinged(bundles: Vec<Vec<u8>>) -> (Vec<Vec<u8>>, Vec<usize>, usize) {
        let (started, mut compressing) = mpsc::unbounded_channel::<()>();
        let (answered, pinged) = gate::channel::<()>();
        let pinged = Mutex::new(pinged);
        let (running, peak) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
        let (running_c, peak_c) = (Arc::clone(&running), Arc::clone(&peak));
        let compress = move |bundle: Vec<u8>| {
            let now = running_c.fetch_add(1, Ordering::SeqCst) + 1;
            peak_c.fetch_max(now, Ordering::SeqCst);
            started.send(()).unwrap();
            // Only code that blocks the runtime's thread waits this long: no real time is spent
            // otherwise.
            let limit = kit::hang::limit().unwrap_or(Duration::from_secs(2));
            match pinged.lock().unwrap().recv_timeout(limit) {
                Ok(()) => {}
                Err(gate::RecvTimeoutError::Timeout) => panic!(
                    "{DIAGNOSIS_MARKER}a compression blocked the runtime's thread for {limit:?}: \
                     no other task ran meanwhile, so the health ping sent while it ran was never \
                     answered"
                ),
                Err(gate::RecvTimeoutError::Disconnected) => panic!("compressed after the test"),
            }
            running_c.fetch_sub(1, Ordering::SeqCst);
            bundle.into_iter().rev().collect()
        };
        let (ping_tx, pings) = mpsc::channel::<Ping>(1);
        let pinger = tasks::spawn(async move {
            let mut answers = Vec::new();
            while compressing.recv().await.is_some() {
                let (ping, answer) = oneshot::channel();
                ping_tx.send(ping).await.expect("the health task is gone");
                answers.push(answer.await.expect("the health task dropped a ping"));
                let _ = answered.send(());
            }
            answers
        });
        let expected = bundles.len();
        let archives = archive_all(bundles, compress, pings).await;
        assert_eq!(archives.len(), expected, "archive_all returned before every bundle was done");
        let answers = pinger.await.unwrap();
        (archives, answers, peak.load(Ordering::SeqCst))
    }

    #[test]
    fn health_pings_are_answered_while_a_bundle_is_compressed() {
        tasks::test(async {
            let bundles = vec![vec![1, 2, 3], vec![4, 5], vec![6]];
            let (archives, answers, peak) = archive_while_pinged(bundles).await;
            assert_eq!(archives, [vec![3, 2, 1], vec![5, 4], vec![6]], "the archives, in order");
            assert_eq!(answers, [0, 1, 2], "each ping answered with the bundles archived so far");
            assert_eq!(peak, 1, "{peak} bundles were compressed at once; one at a time, please");
        });
    }

    #[test]
    fn no_bundles_means_no_archives() {
        tasks::test(async {
            let (archives, answers, _) = archive_while_pinged(Vec::new()).await;
            assert!(archives.is_empty() && answers.is_empty());
        });
    }
}
