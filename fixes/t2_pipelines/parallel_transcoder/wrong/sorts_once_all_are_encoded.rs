// Collects every encoded chunk with its index and sorts them at the end: nothing is appended until the whole video is encoded.
// caught by: test
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
    let mut done = Vec::new();
    for (index, chunk) in arrivals.iter() {
        done.push((index, chunk));
        progress(done.len());
    }
    done.sort_by_key(|&(index, _)| index);
    for (_, chunk) in &done {
        append(chunk);
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
