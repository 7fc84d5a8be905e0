// Starts the scanner first and then sends the manifest from the calling thread, which still receives only later.
// caught by: hang, loom-deadlock
//! Backup uploader
//!
//! A backup tool checksums every file of a folder and uploads it to cloud storage. Checksumming
//! (CPU) and uploading (network) overlap: a scanner thread checksums the files and hands each one
//! to the uploader, the calling thread, over a rendezvous channel (capacity 0), so a checksummed
//! file never piles up in memory: the scanner reads the next file only once the uploader has taken
//! the last one. The storage opens a backup when it receives the manifest, which says how many
//! files follow, so the manifest must be uploaded before any file.
//!
//! Done when: `back_up` uploads the manifest, then every file in the folder's order with its size
//! and checksum, returns how many entries it uploaded, and has joined the scanner.

use kit::sync::mpsc;
use kit::thread;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct File {
    pub path: String,
    pub contents: Vec<u8>,
}

/// What the storage receives, in order: one manifest, then the files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    Manifest { files: usize },
    File { path: String, size: usize, checksum: u32 },
}

/// Adler-32, the checksum the storage verifies.
pub fn checksum(bytes: &[u8]) -> u32 {
    let (mut a, mut b) = (1u32, 0u32);
    for &byte in bytes {
        a = (a + u32::from(byte)) % 65_521;
        b = (b + a) % 65_521;
    }
    (b << 16) | a
}

/// Uploads the manifest, then every file of `folder` in order, checksummed on a scanner thread.
/// Returns how many entries were uploaded.
pub fn back_up<U>(folder: Vec<File>, mut upload: U) -> usize
where
    U: FnMut(Entry),
{
    let (handoff, incoming) = mpsc::sync_channel(0);
    let files = folder.len();
    let manifest = handoff.clone();
    let scanner = thread::spawn(move || {
        for file in folder {
            let size = file.contents.len();
            let checksum = checksum(&file.contents);
            handoff
                .send(Entry::File { path: file.path, size, checksum })
                .expect("the uploader stopped early");
        }
    });
    manifest.send(Entry::Manifest { files }).expect("the uploader stopped early");
    drop(manifest);
    let mut uploaded = 0;
    for entry in incoming {
        upload(entry);
        uploaded += 1;
    }
    scanner.join().expect("the scanner panicked");
    uploaded
}

fn main() {
    let folder = vec![
        File { path: "notes/todo.txt".into(), contents: b"renew the passport".to_vec() },
        File { path: "photos/cat.jpg".into(), contents: vec![0xff, 0xd8, 0xff, 0xe0, 0, 16] },
        File { path: "taxes/2024.pdf".into(), contents: b"%PDF-1.7".to_vec() },
    ];
    let uploaded = back_up(folder, |entry| match entry {
        Entry::Manifest { files } => println!("opening a backup of {files} files"),
        Entry::File { path, size, checksum } => {
            println!("uploaded {path} ({size} bytes, adler32 {checksum:08x})")
        }
    });
    println!("{uploaded} entries uploaded");
}
