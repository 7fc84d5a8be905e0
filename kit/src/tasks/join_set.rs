//! tokio's `JoinSet`, whose tasks are remembered by their spawn lines.

use super::waits::{self, Tracked};
use std::future::Future;
use std::panic::Location;
use tokio::task::{AbortHandle, JoinError};

/// Like [`tokio::task::JoinSet`]: a set of tasks, awaited as they finish; dropping the set aborts
/// every task still in it.
pub struct JoinSet<T> {
    inner: tokio::task::JoinSet<T>,
}

impl<T> Default for JoinSet<T> {
    fn default() -> Self {
        JoinSet::new()
    }
}

impl<T> std::fmt::Debug for JoinSet<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "JoinSet {{ len: {} }}", self.len())
    }
}

impl<T> JoinSet<T> {
    /// An empty set.
    pub fn new() -> Self {
        JoinSet { inner: tokio::task::JoinSet::new() }
    }

    /// How many tasks are in the set (finished ones count until they are joined).
    pub fn len(&self) -> usize {
        self.inner.len()
    }

    /// Whether the set has no task.
    pub fn is_empty(&self) -> bool {
        self.inner.is_empty()
    }
}

impl<T: 'static> JoinSet<T> {
    /// Aborts every task in the set; they are still to be joined.
    pub fn abort_all(&mut self) {
        self.inner.abort_all()
    }

    /// Lets every task go on without the set.
    pub fn detach_all(&mut self) {
        self.inner.detach_all()
    }

    /// Like [`tokio::task::JoinSet::spawn`]; the task is remembered by this line.
    #[track_caller]
    pub fn spawn<F>(&mut self, task: F) -> AbortHandle
    where
        F: Future<Output = T> + Send + 'static,
        T: Send,
    {
        self.inner.spawn(Tracked::new(Location::caller(), task))
    }

    /// Like [`tokio::task::JoinSet::join_next`]: the next task to finish, `None` once the set is
    /// empty.
    #[track_caller]
    pub fn join_next(&mut self) -> impl Future<Output = Option<Result<T, JoinError>>> + '_ {
        let site = Location::caller();
        async move {
            let left = self.inner.len();
            let _note = waits::note(move || {
                format!("in `join_next()` at {site}: {left} task(s) of the set still running")
            });
            self.inner.join_next().await
        }
    }

    /// Like [`tokio::task::JoinSet::try_join_next`]: never waits.
    pub fn try_join_next(&mut self) -> Option<Result<T, JoinError>> {
        self.inner.try_join_next()
    }

    /// Like [`tokio::task::JoinSet::join_all`]: waits for every task; panics if one panicked.
    pub async fn join_all(self) -> Vec<T> {
        self.inner.join_all().await
    }

    /// Like [`tokio::task::JoinSet::shutdown`]: aborts every task and waits until all ended.
    pub async fn shutdown(&mut self) {
        self.inner.shutdown().await
    }
}
