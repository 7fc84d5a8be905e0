//! tokio's `JoinHandle`, noting an await on it so that a hang says which task it waits for.

use super::waits::{self, Note};
use std::future::Future;
use std::panic::Location;
use std::pin::Pin;
use std::task::{Context, Poll};
use tokio::task::{AbortHandle, JoinError};

/// Like [`tokio::task::JoinHandle`]: awaiting it waits for the task's output; dropping it lets
/// the task run on, detached.
pub struct JoinHandle<T> {
    inner: tokio::task::JoinHandle<T>,
    spawned_at: &'static Location<'static>,
    awaited: Option<Note>,
}

impl<T> JoinHandle<T> {
    pub(super) fn new(
        inner: tokio::task::JoinHandle<T>,
        spawned_at: &'static Location<'static>,
    ) -> Self {
        JoinHandle { inner, spawned_at, awaited: None }
    }

    /// Like [`tokio::task::JoinHandle::abort`]: cancels the task at its next `.await`.
    pub fn abort(&self) {
        self.inner.abort()
    }

    /// Whether the task has ended.
    pub fn is_finished(&self) -> bool {
        self.inner.is_finished()
    }

    /// A handle that can abort the task without joining it.
    pub fn abort_handle(&self) -> AbortHandle {
        self.inner.abort_handle()
    }
}

impl<T> Future for JoinHandle<T> {
    type Output = Result<T, JoinError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let polled = Pin::new(&mut self.inner).poll(cx);
        if polled.is_ready() {
            self.awaited = None;
        } else if self.awaited.is_none() {
            let site = self.spawned_at;
            self.awaited = Some(waits::note(move || format!("for the task spawned at {site}")));
        }
        polled
    }
}

impl<T> std::fmt::Debug for JoinHandle<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "JoinHandle {{ spawned_at: {} }}", self.spawned_at)
    }
}
