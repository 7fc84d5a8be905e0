use super::channel::{Channel, SenderOrigin};
use crate::sync::Arc;
use crate::trace;
use std::fmt;
use std::panic::Location;
use std::sync::mpsc::{SendError, TrySendError};

/// One live sending handle: registered with the channel, so that diagnoses can name it.
struct Handle<T> {
    channel: Arc<Channel<T>>,
    id: u64,
}

impl<T> Handle<T> {
    fn new(channel: &Arc<Channel<T>>, site: &'static Location<'static>, cloned: bool) -> Self {
        let id = channel.add_sender(SenderOrigin { site, cloned });
        trace::record(Some(site), || {
            if cloned { "clone Sender" } else { "new channel" }.to_owned()
        });
        Handle { channel: Arc::clone(channel), id }
    }
}

impl<T> Handle<T> {
    fn send(&self, message: T, site: &'static Location<'static>) -> Result<(), SendError<T>> {
        let sent = self.channel.send(message, site);
        trace::record(Some(site), || {
            if sent.is_ok() { "send()" } else { "send() -> Err: the Receiver is gone" }.to_owned()
        });
        sent
    }
}

impl<T> Drop for Handle<T> {
    fn drop(&mut self) {
        self.channel.drop_sender(self.id);
        trace::record(None, || "drop Sender".to_owned());
    }
}

/// Like [`std::sync::mpsc::Sender`]: the sending half of an unbounded [`channel`](super::channel).
pub struct Sender<T> {
    handle: Handle<T>,
}

impl<T> Sender<T> {
    pub(super) fn new(
        channel: &Arc<Channel<T>>,
        site: &'static Location<'static>,
        cloned: bool,
    ) -> Self {
        Sender { handle: Handle::new(channel, site, cloned) }
    }

    /// Like [`std::sync::mpsc::Sender::send`]: fails only if the Receiver is gone.
    #[track_caller]
    pub fn send(&self, message: T) -> Result<(), SendError<T>> {
        self.handle.send(message, Location::caller())
    }
}

impl<T> Clone for Sender<T> {
    /// The clone is remembered by where it was made.
    #[track_caller]
    fn clone(&self) -> Self {
        Sender::new(&self.handle.channel, Location::caller(), true)
    }
}

impl<T> fmt::Debug for Sender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Sender { .. }")
    }
}

/// Like [`std::sync::mpsc::SyncSender`]: the sending half of a bounded
/// [`sync_channel`](super::sync_channel).
pub struct SyncSender<T> {
    handle: Handle<T>,
}

impl<T> SyncSender<T> {
    pub(super) fn new(
        channel: &Arc<Channel<T>>,
        site: &'static Location<'static>,
        cloned: bool,
    ) -> Self {
        SyncSender { handle: Handle::new(channel, site, cloned) }
    }

    /// Like [`std::sync::mpsc::SyncSender::send`]: waits for room (for a receiver, with bound 0).
    #[track_caller]
    pub fn send(&self, message: T) -> Result<(), SendError<T>> {
        self.handle.send(message, Location::caller())
    }

    /// Like [`std::sync::mpsc::SyncSender::try_send`]: never waits; a full channel hands the
    /// message back in [`TrySendError::Full`].
    pub fn try_send(&self, message: T) -> Result<(), TrySendError<T>> {
        self.handle.channel.try_send(message)
    }
}

impl<T> Clone for SyncSender<T> {
    /// The clone is remembered by where it was made.
    #[track_caller]
    fn clone(&self) -> Self {
        SyncSender::new(&self.handle.channel, Location::caller(), true)
    }
}

impl<T> fmt::Debug for SyncSender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SyncSender { .. }")
    }
}
