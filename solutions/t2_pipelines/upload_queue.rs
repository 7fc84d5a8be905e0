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
        // Wake the idle uploaders, so that they see the queue is closed and stop, and the pushes
        // waiting for room, so that they hand their photos back.
        self.photo_queued.notify_all();
        self.room.notify_all();
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

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use std::time::{Duration, Instant};

    /// Waits until `thread` waits on a condvar. `wait_until_blocked` also returns while a thread
    /// is blocked for a moment on the lock, still held by another thread starting its own wait:
    /// acting then would let it see the change without waiting to be woken for it.
    fn wait_until_in_condvar_wait<T>(thread: &thread::JoinHandle<T>, returned: &str) {
        let give_up = Instant::now() + kit::hang::limit().unwrap_or(Duration::from_secs(2));
        loop {
            match thread.wait_until_blocked() {
                Some(wait) if wait.contains("Condvar") => return,
                Some(wait) => assert!(Instant::now() < give_up, "still blocked in {wait}"),
                None => panic!("{returned}"),
            }
            std::thread::yield_now();
        }
    }

    /// A folder watcher pushing photo `n` on a thread of its own.
    fn push_on_a_thread(queue: &Arc<UploadQueue>, n: u32) -> thread::JoinHandle<Result<(), Photo>> {
        let queue = Arc::clone(queue);
        thread::spawn(move || queue.push(photo(n)))
    }

    #[test]
    fn a_closed_queue_hands_out_what_it_holds_then_none() {
        let queue = UploadQueue::new(4);
        queue.push(photo(1)).unwrap();
        queue.push(photo(2)).unwrap();
        queue.close();
        assert_eq!(queue.push(photo(3)), Err(photo(3)), "a closed queue must refuse a push");
        assert_eq!(queue.pop(), Some(photo(1)));
        assert_eq!(queue.pop(), Some(photo(2)));
        assert_eq!(queue.pop(), None);
    }

    #[test]
    fn a_push_waits_for_room_while_the_queue_is_open() {
        let queue = Arc::new(UploadQueue::new(1));
        queue.push(photo(1)).unwrap();
        let watcher = push_on_a_thread(&queue, 2);
        assert!(watcher.wait_until_blocked().is_some(), "push returned with the queue full");
        assert_eq!(queue.pop(), Some(photo(1)));
        assert_eq!(watcher.join().unwrap(), Ok(()));
        assert_eq!(queue.pop(), Some(photo(2)));
    }

    #[test]
    fn an_idle_uploader_stops_when_the_queue_closes() {
        let queue = Arc::new(UploadQueue::new(2));
        let uploader = {
            let queue = Arc::clone(&queue);
            thread::spawn(move || queue.pop())
        };
        assert!(uploader.wait_until_blocked().is_some(), "pop returned from an open, empty queue");
        queue.close();
        assert_eq!(uploader.join().unwrap(), None);
    }

    #[test]
    fn closing_hands_back_the_photos_waiting_for_room() {
        let queue = Arc::new(UploadQueue::new(1));
        queue.push(photo(1)).unwrap();
        let watchers = [push_on_a_thread(&queue, 2), push_on_a_thread(&queue, 3)];
        for watcher in &watchers {
            wait_until_in_condvar_wait(watcher, "push returned with the queue full");
        }
        queue.close();
        let pushed = watchers.map(|watcher| watcher.join().unwrap());
        assert_eq!(pushed, [Err(photo(2)), Err(photo(3))]);
        assert_eq!(queue.pop(), Some(photo(1)), "the photo queued before close was lost");
        assert_eq!(queue.pop(), None);
    }
}

#[cfg(all(test, loom))]
mod loom {
    use super::*;

    #[test]
    fn closing_releases_the_pushes_waiting_for_room() {
        kit::model::check(|| {
            let queue = Arc::new(UploadQueue::new(1));
            queue.push(photo(1)).unwrap();
            let watchers = [2, 3].map(|n| {
                let queue = Arc::clone(&queue);
                thread::spawn(move || queue.push(photo(n)))
            });
            queue.close();
            let pushed = watchers.map(|watcher| watcher.join().unwrap());
            assert_eq!(pushed, [Err(photo(2)), Err(photo(3))]);
            assert_eq!(queue.pop(), Some(photo(1)));
            assert_eq!(queue.pop(), None);
        });
    }

    #[test]
    fn an_uploader_drains_the_queue_then_stops() {
        kit::model::check(|| {
            let queue = Arc::new(UploadQueue::new(1));
            let uploader = {
                let queue = Arc::clone(&queue);
                thread::spawn(move || std::iter::from_fn(|| queue.pop()).count())
            };
            queue.push(photo(1)).unwrap();
            queue.push(photo(2)).unwrap();
            queue.close();
            assert_eq!(uploader.join().unwrap(), 2, "a photo queued before close was not uploaded");
        });
    }
}
