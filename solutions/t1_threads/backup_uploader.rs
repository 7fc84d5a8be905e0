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
    let scanner = thread::spawn(move || {
        handoff.send(Entry::Manifest { files: folder.len() }).expect("the uploader stopped early");
        for file in folder {
            let size = file.contents.len();
            let checksum = checksum(&file.contents);
            handoff
                .send(Entry::File { path: file.path, size, checksum })
                .expect("the uploader stopped early");
        }
    });
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

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use kit::thread::LiveThreads;

    fn folder() -> Vec<File> {
        ["a.txt", "b.txt", "c.txt"]
            .iter()
            .enumerate()
            .map(|(n, path)| File { path: path.to_string(), contents: vec![b'x'; n * 10] })
            .collect()
    }

    #[test]
    fn checksums_are_adler32() {
        assert_eq!(checksum(b"Wikipedia"), 0x11e6_0398);
        assert_eq!(checksum(b""), 1);
    }

    #[test]
    fn uploads_the_manifest_then_every_file_in_order_and_joins_every_thread() {
        let threads = LiveThreads::track();
        let mut uploaded = Vec::new();
        let count = back_up(folder(), |entry| uploaded.push(entry));
        assert_eq!(threads.not_joined(), 0, "back_up returned without joining every thread");
        let mut expected = vec![Entry::Manifest { files: 3 }];
        for file in folder() {
            let (size, checksum) = (file.contents.len(), checksum(&file.contents));
            expected.push(Entry::File { path: file.path, size, checksum });
        }
        assert_eq!(uploaded, expected);
        assert_eq!(count, 4, "back_up should count the manifest and the 3 files");
    }

    #[test]
    fn an_empty_folder_still_gets_a_manifest() {
        let mut uploaded = Vec::new();
        assert_eq!(back_up(Vec::new(), |entry| uploaded.push(entry)), 1);
        assert_eq!(uploaded, [Entry::Manifest { files: 0 }]);
    }
}

#[cfg(all(test, loom))]
mod loom {
    use super::*;

    #[test]
    fn the_manifest_goes_up_first_then_the_file() {
        kit::model::check(|| {
            let mut uploaded = Vec::new();
            let folder = vec![File { path: "a.txt".into(), contents: b"hi".to_vec() }];
            assert_eq!(back_up(folder, |entry| uploaded.push(entry)), 2);
            assert_eq!(uploaded[0], Entry::Manifest { files: 1 }, "the manifest must go first");
        });
    }
}
