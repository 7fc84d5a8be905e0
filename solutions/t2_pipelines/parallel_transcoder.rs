//! Parallel transcoder
//!
//! A video site re-encodes every upload before publishing it. The upload is cut into chunks of a
//! few seconds of video, and `transcode` encodes them on a pool of worker threads; a chunk full of
//! action takes far longer than a still one, so they finish in no particular order. The muxer
//! appends the encoded chunks to the output file, which must hold them in the order of the video.
//! It must not wait for the whole video either: viewers start watching the file while the rest is
//! still encoding, so each chunk is appended as soon as it and every chunk before it are encoded,
//! and only the chunks that finished early wait in memory. Meanwhile `progress` moves the progress
//! bar: it is told how many chunks are encoded so far, each time one more is.
//!
//! Done when: `transcode` appends every encoded chunk exactly once, in the order of the video; it
//! appends each one as soon as the chunks up to it are all encoded, while later ones may still be
//! encoding; it calls `progress` as each chunk is encoded; and every worker has been joined when
//! it returns.

use kit::sync::{Arc, Mutex, mpsc};
use kit::thread;
use std::collections::BTreeMap;

/// A stand-in for the codec: run-length encoding, as (count, byte) pairs.
pub fn encode(frames: &[u8]) -> Vec<u8> {
    let mut encoded: Vec<u8> = Vec::new();
    for &byte in frames {
        match encoded.as_mut_slice() {
            [.., count, last] if *last == byte && *count < u8::MAX => *count += 1,
            _ => encoded.extend([1, byte]),
        }
    }
    encoded
}

/// Encodes `chunks` with `encode` on `workers` threads, and passes each encoded chunk to `append`
/// in the order of `chunks`, each as early as that order allows. Calls `progress` with the count
/// encoded so far as each chunk is encoded.
pub fn transcode<E, A, P>(
    chunks: Vec<Vec<u8>>,
    workers: usize,
    encode: E,
    mut append: A,
    mut progress: P,
) where
    E: Fn(&[u8]) -> Vec<u8> + Send + Sync + 'static,
    A: FnMut(&[u8]),
    P: FnMut(usize),
{
    let encode = Arc::new(encode);
    let (jobs, queue) = mpsc::channel::<(usize, Vec<u8>)>();
    let queue = Arc::new(Mutex::new(queue));
    let (encoded, arrivals) = mpsc::channel();
    let mut pool = Vec::new();
    for _ in 0..workers.max(1) {
        let encode = Arc::clone(&encode);
        let queue = Arc::clone(&queue);
        let encoded = encoded.clone();
        pool.push(thread::spawn(move || {
            loop {
                let job = queue.lock().unwrap().recv();
                let Ok((index, frames)) = job else { break };
                encoded.send((index, encode(&frames))).expect("the muxer stopped early");
            }
        }));
    }
    drop(encoded);
    for job in chunks.into_iter().enumerate() {
        jobs.send(job).expect("every worker stopped early");
    }
    drop(jobs);
    // Chunks encoded ahead of their turn wait here, by index, until the ones before them are in.
    let mut waiting = BTreeMap::new();
    let mut next = 0;
    for (done, (index, chunk)) in arrivals.iter().enumerate() {
        progress(done + 1);
        waiting.insert(index, chunk);
        while let Some(chunk) = waiting.remove(&next) {
            append(&chunk);
            next += 1;
        }
    }
    for worker in pool {
        worker.join().unwrap();
    }
}

/// A made-up video: `count` chunks of raw frames, some very repetitive, some not at all.
fn upload(count: usize) -> Vec<Vec<u8>> {
    (0..count).map(|n| (0..240).map(|i| (i / (n % 7 + 1) * n) as u8).collect()).collect()
}

fn main() {
    let chunks = upload(12);
    let total = chunks.len();
    let raw: usize = chunks.iter().map(Vec::len).sum();
    let mut file = Vec::new();
    transcode(
        chunks,
        4,
        encode,
        |chunk| {
            file.extend_from_slice(chunk);
            println!(
                "appended a chunk of {} bytes: the file has {} bytes",
                chunk.len(),
                file.len()
            );
        },
        |done| println!("encoded {done}/{total}"),
    );
    println!("{raw} raw bytes became {} encoded bytes", file.len());
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use kit::thread::LiveThreads;
    use std::collections::HashMap;

    /// Chunk `n` is eight frames of byte `n`, so it encodes to `[8, n]`.
    fn video(chunks: u8) -> Vec<Vec<u8>> {
        (0..chunks).map(|n| vec![n; 8]).collect()
    }

    #[test]
    fn each_chunk_is_appended_in_order_as_soon_as_the_chunks_before_it_are_encoded() {
        // Each chunk's encoding waits until the test lets it finish; they finish in the order
        // 2, 0, 4, 1, 3, on three workers. After each, the test waits for `progress` to report it
        // and for `transcode` to wait for the next chunk, then looks at what was appended.
        let mut gates = HashMap::new();
        let mut finish = Vec::new();
        for n in 0..5u8 {
            let (open, gate) = std::sync::mpsc::channel::<()>();
            gates.insert(n, gate);
            finish.push(open);
        }
        let gates = Mutex::new(gates);
        let (encoded, reports) = mpsc::channel();
        let (appended, file) = mpsc::channel();
        let threads = LiveThreads::track();
        let muxer = thread::spawn(move || {
            let slow_encode = move |frames: &[u8]| {
                let gate = gates.lock().unwrap().remove(&frames[0]).expect("encoded twice");
                let _ = gate.recv(); // An error: the test has failed and stopped.
                encode(frames)
            };
            let append = move |chunk: &[u8]| {
                let _ = appended.send(chunk.to_vec());
            };
            let progress = move |done| {
                let _ = encoded.send(done);
            };
            transcode(video(5), 3, slow_encode, append, progress);
        });
        muxer.wait_until_blocked();
        assert!(threads.peak() <= 1 + 3, "more than three workers encode at once");
        let steps: [(usize, &[u8], &str); 4] = [
            (2, &[], "chunk 0 is still encoding"),
            (0, &[0], "it is the first chunk"),
            (4, &[], "chunk 1 is still encoding"),
            (1, &[1, 2], "chunks 0 to 2 are encoded now, chunk 3 is not"),
        ];
        for (step, (chunk, expected, why)) in steps.into_iter().enumerate() {
            finish[chunk].send(()).unwrap();
            assert_eq!(reports.recv().unwrap(), step + 1, "progress reported a wrong count");
            muxer.wait_until_blocked();
            let appended: Vec<u8> = file.try_iter().map(|encoded| encoded[1]).collect();
            assert_eq!(
                appended, expected,
                "chunk {chunk} was just encoded ({why}); appended since"
            );
        }
        finish[3].send(()).unwrap();
        assert_eq!(reports.recv().unwrap(), 5, "progress reported a wrong count");
        muxer.join().unwrap();
        let appended: Vec<u8> = file.try_iter().map(|encoded| encoded[1]).collect();
        assert_eq!(appended, [3, 4], "chunk 3 was just encoded (the last one); appended since");
        assert_eq!(threads.not_joined(), 0, "transcode returned before joining every worker");
    }

    #[test]
    fn one_worker_transcodes_the_whole_video() {
        let chunks = upload(9);
        let expected: Vec<u8> = chunks.iter().flat_map(|chunk| encode(chunk)).collect();
        let (mut file, mut reported) = (Vec::new(), Vec::new());
        transcode(chunks, 1, encode, |chunk| file.extend_from_slice(chunk), |n| reported.push(n));
        assert_eq!(file, expected);
        assert_eq!(reported, (1..=9).collect::<Vec<_>>());
    }

    #[test]
    fn the_codec_encodes_runs() {
        assert_eq!(encode(&[7, 7, 7, 1, 7]), [3, 7, 1, 1, 1, 7]);
        assert_eq!(encode(&[]), [] as [u8; 0]);
    }

    #[test]
    fn an_empty_upload_appends_nothing() {
        transcode(Vec::new(), 3, encode, |_| panic!("nothing to append"), |_| panic!("no chunk"));
    }
}
