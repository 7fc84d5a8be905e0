//! What each task awaits: the kit's wrappers note every await that may wait, with its line, so
//! that a hang can be explained task by task.
//!
//! All of a current-thread runtime's tasks are polled on the thread that runs it, so the notes
//! live in a thread-local: tests that run side by side in one process never see each other's.

use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::future::Future;
use std::panic::Location;
use std::pin::Pin;
use std::task::{Context, Poll};

/// Describes an await afresh when a diagnosis is written: who holds a lock, which Senders live.
type Describe = Box<dyn Fn() -> String>;

struct Wait {
    task: Option<&'static Location<'static>>,
    describe: Describe,
}

thread_local! {
    static WAITS: RefCell<BTreeMap<u64, Wait>> = const { RefCell::new(BTreeMap::new()) };
    static NEXT: Cell<u64> = const { Cell::new(0) };
    /// The task being polled on this thread, by the line that spawned it; `None` for the
    /// future given to `test` or `block_on`.
    static CURRENT: Cell<Option<&'static Location<'static>>> = const { Cell::new(None) };
}

/// The task being polled now, by its spawn site; `None` for the test's own future.
pub(crate) fn current_task() -> Option<&'static Location<'static>> {
    CURRENT.with(Cell::get)
}

/// Names a task for a diagnosis.
pub(crate) fn task_name(task: Option<&'static Location<'static>>) -> String {
    match task {
        Some(site) => format!("the task spawned at {site}"),
        None => "the test's own future".to_owned(),
    }
}

/// An await in progress, noted until it completes or is dropped (cancelled).
pub(crate) struct Note(u64);

/// Notes that the current task awaits what `describe` says, until the note is dropped.
pub(crate) fn note(describe: impl Fn() -> String + 'static) -> Note {
    let id = NEXT.with(|next| {
        let id = next.get();
        next.set(id + 1);
        id
    });
    let wait = Wait { task: current_task(), describe: Box::new(describe) };
    WAITS.with(|waits| waits.borrow_mut().insert(id, wait));
    Note(id)
}

impl Drop for Note {
    fn drop(&mut self) {
        // `try_with`: a note may be dropped while the thread's locals are being destroyed.
        let _ = WAITS.try_with(|waits| waits.borrow_mut().remove(&self.0));
    }
}

/// Every await in progress on this thread, one line each, in the order they began.
pub(crate) fn pending() -> Vec<String> {
    WAITS.with(|waits| {
        let waits = waits.borrow();
        waits.values().map(|w| format!("{} waits {}", task_name(w.task), (w.describe)())).collect()
    })
}

/// A spawned task's future: while it is polled, the kit's notes are attributed to its spawn site.
pub(crate) struct Tracked<F> {
    site: &'static Location<'static>,
    inner: Pin<Box<F>>,
}

impl<F> Tracked<F> {
    pub(crate) fn new(site: &'static Location<'static>, inner: F) -> Self {
        Tracked { site, inner: Box::pin(inner) }
    }
}

impl<F: Future> Future for Tracked<F> {
    type Output = F::Output;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let outer = CURRENT.with(|current| current.replace(Some(self.site)));
        let _restore = Restore(outer);
        self.inner.as_mut().poll(cx)
    }
}

/// Puts back the task that was being polled before, even if the poll panics.
struct Restore(Option<&'static Location<'static>>);

impl Drop for Restore {
    fn drop(&mut self) {
        let _ = CURRENT.try_with(|current| current.set(self.0));
    }
}
