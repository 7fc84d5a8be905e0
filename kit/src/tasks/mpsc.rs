//! tokio's `mpsc` channels, with every live Sender remembered by the line that created or cloned
//! it, so that a `recv()` that can never end names the Senders that keep the channel open.

use super::waits;
use std::collections::BTreeMap;
use std::fmt::Write;
use std::panic::Location;
use std::sync::{Arc, Mutex};
pub use tokio::sync::mpsc::error;
use tokio::sync::mpsc::error::{SendError, TryRecvError, TrySendError};

/// The live Senders of one channel, by id: where each was made, and whether by `clone`.
#[derive(Default)]
struct Senders {
    live: Mutex<BTreeMap<u64, (&'static Location<'static>, bool)>>,
    next: Mutex<u64>,
}

impl Senders {
    fn add(self: &Arc<Self>, site: &'static Location<'static>, cloned: bool) -> SenderId {
        let mut next = self.next.lock().unwrap_or_else(|e| e.into_inner());
        *next += 1;
        self.live.lock().unwrap_or_else(|e| e.into_inner()).insert(*next, (site, cloned));
        SenderId { senders: Arc::clone(self), id: *next }
    }

    /// Why a receive still waits: every live Sender by its line.
    fn describe(&self, call: &str, site: &'static Location<'static>) -> String {
        let live = self.live.lock().unwrap_or_else(|e| e.into_inner());
        let mut text = format!("in `{call}` at {site}: no message came. ");
        if live.is_empty() {
            text.push_str("Every Sender is gone, so it will return None once woken.");
            return text;
        }
        let n = live.len();
        let _ = write!(
            text,
            "The channel stays open while any Sender is alive, and {n} still {}:",
            if n == 1 { "is" } else { "are" }
        );
        for (made_at, cloned) in live.values() {
            let how = if *cloned { "cloned" } else { "created" };
            let _ = write!(text, "\n  - the Sender {how} at {made_at}");
        }
        text.push_str("\n`recv()` returns None only once every Sender has been dropped.");
        text
    }
}

/// Removes its Sender from the live ones when dropped.
struct SenderId {
    senders: Arc<Senders>,
    id: u64,
}

impl Drop for SenderId {
    fn drop(&mut self) {
        self.senders.live.lock().unwrap_or_else(|e| e.into_inner()).remove(&self.id);
    }
}

/// Like [`tokio::sync::mpsc::channel`]: a channel that holds at most `capacity` messages; `send`
/// waits for room.
#[track_caller]
pub fn channel<T>(capacity: usize) -> (Sender<T>, Receiver<T>) {
    let (tx, rx) = tokio::sync::mpsc::channel(capacity);
    let senders = Arc::new(Senders::default());
    let id = senders.add(Location::caller(), false);
    (Sender { inner: tx, id, created_at: Location::caller() }, Receiver { inner: rx, senders })
}

/// Like [`tokio::sync::mpsc::unbounded_channel`]: `send` never waits, and the queue grows
/// without limit.
#[track_caller]
pub fn unbounded_channel<T>() -> (UnboundedSender<T>, UnboundedReceiver<T>) {
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    let senders = Arc::new(Senders::default());
    let id = senders.add(Location::caller(), false);
    (UnboundedSender { inner: tx, id }, UnboundedReceiver { inner: rx, senders })
}

/// Like [`tokio::sync::mpsc::Sender`].
pub struct Sender<T> {
    inner: tokio::sync::mpsc::Sender<T>,
    id: SenderId,
    created_at: &'static Location<'static>,
}

impl<T> Sender<T> {
    /// Like [`tokio::sync::mpsc::Sender::send`]: waits for room; fails once the Receiver is gone.
    #[track_caller]
    pub fn send(&self, message: T) -> impl Future<Output = Result<(), SendError<T>>> + '_ {
        let (site, created_at, capacity) =
            (Location::caller(), self.created_at, self.max_capacity());
        async move {
            let _note = waits::note(move || {
                format!(
                    "in `send()` at {site}: the channel created at {created_at} is full \
                     ({capacity} of {capacity} messages queued) and nothing takes one"
                )
            });
            self.inner.send(message).await
        }
    }

    /// Like [`tokio::sync::mpsc::Sender::try_send`]: never waits.
    pub fn try_send(&self, message: T) -> Result<(), TrySendError<T>> {
        self.inner.try_send(message)
    }

    /// How many more messages fit now.
    pub fn capacity(&self) -> usize {
        self.inner.capacity()
    }

    /// The capacity the channel was created with.
    pub fn max_capacity(&self) -> usize {
        self.inner.max_capacity()
    }

    /// Whether the Receiver is gone.
    pub fn is_closed(&self) -> bool {
        self.inner.is_closed()
    }

    /// Waits until the Receiver is gone.
    pub async fn closed(&self) {
        self.inner.closed().await
    }
}

impl<T> Clone for Sender<T> {
    /// The clone is remembered by where it was made.
    #[track_caller]
    fn clone(&self) -> Self {
        let id = self.id.senders.add(Location::caller(), true);
        Sender { inner: self.inner.clone(), id, created_at: self.created_at }
    }
}

impl<T> std::fmt::Debug for Sender<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Sender { .. }")
    }
}

/// Like [`tokio::sync::mpsc::Receiver`].
pub struct Receiver<T> {
    inner: tokio::sync::mpsc::Receiver<T>,
    senders: Arc<Senders>,
}

impl<T> Receiver<T> {
    /// Like [`tokio::sync::mpsc::Receiver::recv`]: the next message, or `None` once the channel
    /// is empty and every Sender is gone.
    #[track_caller]
    pub fn recv(&mut self) -> impl Future<Output = Option<T>> + '_ {
        let site = Location::caller();
        async move {
            let senders = Arc::clone(&self.senders);
            let _note = waits::note(move || senders.describe("recv()", site));
            self.inner.recv().await
        }
    }

    /// Like [`tokio::sync::mpsc::Receiver::try_recv`]: never waits.
    pub fn try_recv(&mut self) -> Result<T, TryRecvError> {
        self.inner.try_recv()
    }

    /// How many messages are queued.
    pub fn len(&self) -> usize {
        self.inner.len()
    }

    /// Whether no message is queued.
    pub fn is_empty(&self) -> bool {
        self.inner.is_empty()
    }

    /// Refuses new messages; the queued ones can still be received.
    pub fn close(&mut self) {
        self.inner.close()
    }
}

/// Like [`tokio::sync::mpsc::UnboundedSender`].
pub struct UnboundedSender<T> {
    inner: tokio::sync::mpsc::UnboundedSender<T>,
    id: SenderId,
}

impl<T> UnboundedSender<T> {
    /// Like [`tokio::sync::mpsc::UnboundedSender::send`]: never waits; fails once the Receiver
    /// is gone.
    pub fn send(&self, message: T) -> Result<(), SendError<T>> {
        self.inner.send(message)
    }

    /// Whether the Receiver is gone.
    pub fn is_closed(&self) -> bool {
        self.inner.is_closed()
    }
}

impl<T> Clone for UnboundedSender<T> {
    /// The clone is remembered by where it was made.
    #[track_caller]
    fn clone(&self) -> Self {
        let id = self.id.senders.add(Location::caller(), true);
        UnboundedSender { inner: self.inner.clone(), id }
    }
}

impl<T> std::fmt::Debug for UnboundedSender<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("UnboundedSender { .. }")
    }
}

/// Like [`tokio::sync::mpsc::UnboundedReceiver`].
pub struct UnboundedReceiver<T> {
    inner: tokio::sync::mpsc::UnboundedReceiver<T>,
    senders: Arc<Senders>,
}

impl<T> UnboundedReceiver<T> {
    /// Like [`tokio::sync::mpsc::UnboundedReceiver::recv`].
    #[track_caller]
    pub fn recv(&mut self) -> impl Future<Output = Option<T>> + '_ {
        let site = Location::caller();
        async move {
            let senders = Arc::clone(&self.senders);
            let _note = waits::note(move || senders.describe("recv()", site));
            self.inner.recv().await
        }
    }

    /// Like [`tokio::sync::mpsc::UnboundedReceiver::try_recv`]: never waits.
    pub fn try_recv(&mut self) -> Result<T, TryRecvError> {
        self.inner.try_recv()
    }

    /// How many messages are queued.
    pub fn len(&self) -> usize {
        self.inner.len()
    }

    /// Whether no message is queued.
    pub fn is_empty(&self) -> bool {
        self.inner.is_empty()
    }
}
