// Makes room for the waiting pushes by emptying the queue on close: the photos already queued are never uploaded.
// caught by: test, loom-assert
//! Upload queue
//!
//! A photo-sync client uploads new photos in the background. The folder watcher pushes each new
//! photo onto a bounded upload queue (waiting for room when the uploaders fall behind), and
//! uploader threads pop photos and send them. When the user signs out, the client closes the queue:
//! the uploaders finish the photos already queued and then stop, and every push is refused and
//! hands its photo back, to be kept for the next session, even one already waiting for room.
//!
//! Done when: after `close`, `pop` hands out every photo still queued and then `None`; every push,
//! whether it starts before or after `close`, either queues its photo or returns it in `Err`, and
//! none waits forever; and the loom models pass.

use kit::sync::{Arc, Condvar, Mutex};
use kit::thread;
use std::collections::VecDeque;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Photo {
    pub path: String,
}

pub fn photo(n: u32) -> Photo {
    Photo { path: format!("DCIM/IMG_{n:04}.jpg") }
}

struct State {
    photos: VecDeque<Photo>,
    closed: bool,
}

/// A queue of at most `capacity` photos between the folder watcher and the uploaders.
pub struct UploadQueue {
    state: Mutex<State>,
    capacity: usize,
    /// Signalled when a photo is queued, or the queue closes.
    photo_queued: Condvar,
    /// Signalled when a photo leaves the queue.
    room: Condvar,
}

impl UploadQueue {
    pub fn new(capacity: usize) -> Self {
        assert!(capacity > 0, "the queue needs room for at least one photo");
        UploadQueue {
            state: Mutex::new(State { photos: VecDeque::new(), closed: false }),
            capacity,
            photo_queued: Condvar::new(),
            room: Condvar::new(),
        }
    }

    /// Queues `photo`, waiting while the queue is full. Once the queue is closed, hands the photo
    /// back instead.
    pub fn push(&self, photo: Photo) -> Result<(), Photo> {
        let mut state = self.state.lock().unwrap();
        while !state.closed && state.photos.len() == self.capacity {
            state = self.room.wait(state).unwrap();
        }
        if state.closed {
            return Err(photo);
        }
        state.photos.push_back(photo);
        self.photo_queued.notify_one();
        Ok(())
    }

    /// Takes the next photo to upload, waiting while the queue is empty and open. Returns `None`
    /// once the queue is closed and every queued photo has been taken.
    pub fn pop(&self) -> Option<Photo> {
        let mut state = self.state.lock().unwrap();
        while !state.closed && state.photos.is_empty() {
            state = self.photo_queued.wait(state).unwrap();
        }
        let photo = state.photos.pop_front()?;
        self.room.notify_one();
        Some(photo)
    }

    /// Refuses every push from now on; the uploaders finish what is queued, then stop.
    pub fn close(&self) {
        let mut state = self.state.lock().unwrap();
        state.closed = true;
        // Make room, so that the pushes waiting for it wake up and see the queue is closed.
        state.photos.clear();
        self.room.notify_all();
        // Wake the idle uploaders, so that they see the queue is closed and stop.
        self.photo_queued.notify_all();
    }
}

fn main() {
    let queue = Arc::new(UploadQueue::new(2));
    let uploader = {
        let queue = Arc::clone(&queue);
        let uploads = std::iter::from_fn(move || queue.pop());
        thread::spawn(move || uploads.map(|photo| println!("uploaded {}", photo.path)).count())
    };
    (1..=4).for_each(|n| queue.push(photo(n)).expect("the queue is open"));
    queue.close();
    if let Err(photo) = queue.push(photo(5)) {
        println!("signed out: {} kept for the next session", photo.path);
    }
    println!("{} photos uploaded before signing out", uploader.join().unwrap());
}
