//! loom's threads, each spawn and join traced.

use crate::trace;
pub use loom::thread::{Thread, ThreadId, current, yield_now};
use std::panic::Location;

/// Like [`std::thread::spawn`].
#[track_caller]
pub fn spawn<F, T>(f: F) -> JoinHandle<T>
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    let inner = loom::thread::spawn(f);
    let spawned = trace::thread_number(inner.thread());
    trace::record(Some(Location::caller()), || format!("spawn {}", trace::thread_label(spawned)));
    JoinHandle { inner }
}

/// Like [`std::thread::JoinHandle`].
#[derive(Debug)]
pub struct JoinHandle<T> {
    inner: loom::thread::JoinHandle<T>,
}

impl<T> JoinHandle<T> {
    /// Like [`std::thread::JoinHandle::join`].
    #[track_caller]
    pub fn join(self) -> std::thread::Result<T> {
        let site = std::panic::Location::caller();
        let joined = trace::thread_number(self.inner.thread());
        let note = crate::hang::note_blocked(|| {
            format!("`join()` at {site}, for {}", trace::thread_label(joined))
        });
        let result = self.inner.join();
        drop(note);
        let how = if result.is_ok() { "finished" } else { "panicked" };
        trace::record(Some(site), || format!("join {} -> {how}", trace::thread_label(joined)));
        result
    }

    /// Like [`std::thread::JoinHandle::thread`].
    pub fn thread(&self) -> &loom::thread::Thread {
        self.inner.thread()
    }
}
