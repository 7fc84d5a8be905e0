use super::channel::Channel;
use crate::sync::Arc;
use crate::trace;
use std::cell::Cell;
use std::fmt;
use std::marker::PhantomData;
use std::panic::Location;
use std::sync::mpsc::{RecvError, RecvTimeoutError, TryRecvError};
use std::time::Duration;

/// Like [`std::sync::mpsc::Receiver`]: the receiving half of a channel. `Send` but not `Sync`, as
/// std's: share it between threads behind a `Mutex`.
pub struct Receiver<T> {
    channel: Arc<Channel<T>>,
    not_sync: PhantomData<Cell<()>>,
}

/// A receive, recorded for the trace of a failing loom schedule.
fn traced_recv<T>(
    channel: &Channel<T>,
    call: &str,
    site: &'static Location<'static>,
) -> Result<T, RecvError> {
    let received = channel.recv(call, site);
    let call = if call.starts_with('`') { call.trim_matches('`') } else { "recv() (loop)" };
    trace::record(Some(site), || match received {
        Ok(_) => format!("{call} -> a message"),
        Err(_) => format!("{call} -> Err: every Sender is gone"),
    });
    received
}

impl<T> Receiver<T> {
    pub(super) fn new(channel: Arc<Channel<T>>) -> Self {
        Receiver { channel, not_sync: PhantomData }
    }

    /// Like [`std::sync::mpsc::Receiver::recv`]: waits for a message; fails once the channel is
    /// empty and every Sender is gone.
    #[track_caller]
    pub fn recv(&self) -> Result<T, RecvError> {
        traced_recv(&self.channel, "`recv()`", Location::caller())
    }

    /// Like [`std::sync::mpsc::Receiver::try_recv`].
    pub fn try_recv(&self) -> Result<T, TryRecvError> {
        self.channel.try_recv()
    }

    /// Like [`std::sync::mpsc::Receiver::recv_timeout`]. Under loom the timeout never elapses.
    #[track_caller]
    pub fn recv_timeout(&self, timeout: Duration) -> Result<T, RecvTimeoutError> {
        self.channel.recv_timeout(timeout, Location::caller())
    }

    /// Like [`std::sync::mpsc::Receiver::iter`]: messages until every Sender is gone.
    #[track_caller]
    pub fn iter(&self) -> Iter<'_, T> {
        Iter { receiver: self, site: Location::caller() }
    }

    /// Like [`std::sync::mpsc::Receiver::try_iter`]: the messages that are already there.
    pub fn try_iter(&self) -> TryIter<'_, T> {
        TryIter { receiver: self }
    }
}

impl<T> Drop for Receiver<T> {
    fn drop(&mut self) {
        self.channel.drop_receiver();
    }
}

impl<T> fmt::Debug for Receiver<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Receiver { .. }")
    }
}

/// Like [`std::sync::mpsc::Iter`]. Diagnoses name the line where the loop began, since `next`
/// is often called from inside std (`collect`, `sum`...).
#[derive(Debug)]
pub struct Iter<'a, T> {
    receiver: &'a Receiver<T>,
    site: &'static Location<'static>,
}

impl<T> Iterator for Iter<'_, T> {
    type Item = T;

    fn next(&mut self) -> Option<T> {
        traced_recv(&self.receiver.channel, RECEIVE_LOOP, self.site).ok()
    }
}

const RECEIVE_LOOP: &str = "the receive loop";

/// Like [`std::sync::mpsc::TryIter`].
#[derive(Debug)]
pub struct TryIter<'a, T> {
    receiver: &'a Receiver<T>,
}

impl<T> Iterator for TryIter<'_, T> {
    type Item = T;

    fn next(&mut self) -> Option<T> {
        self.receiver.try_recv().ok()
    }
}

/// Like [`std::sync::mpsc::IntoIter`].
#[derive(Debug)]
pub struct IntoIter<T> {
    receiver: Receiver<T>,
    site: &'static Location<'static>,
}

impl<T> Iterator for IntoIter<T> {
    type Item = T;

    fn next(&mut self) -> Option<T> {
        traced_recv(&self.receiver.channel, RECEIVE_LOOP, self.site).ok()
    }
}

impl<T> IntoIterator for Receiver<T> {
    type Item = T;
    type IntoIter = IntoIter<T>;

    #[track_caller]
    fn into_iter(self) -> IntoIter<T> {
        IntoIter { receiver: self, site: Location::caller() }
    }
}

impl<'a, T> IntoIterator for &'a Receiver<T> {
    type Item = T;
    type IntoIter = Iter<'a, T>;

    #[track_caller]
    fn into_iter(self) -> Iter<'a, T> {
        self.iter()
    }
}
