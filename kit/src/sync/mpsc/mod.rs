//! Channels with [`std::sync::mpsc`]'s API, built on the kit's `Mutex` and `Condvar` so that loom
//! sees every wait, and so that disconnection is modelled: a receive loop ends when the last
//! Sender goes, under loom too.
//!
//! Every Sender remembers where it was created or cloned. In a plain build, a receiver that waits
//! past the hang limit names the Senders still alive, which is why a receive loop never ends.

mod channel;
mod receiver;
mod sender;

pub use receiver::{IntoIter, Iter, Receiver, TryIter};
pub use sender::{Sender, SyncSender};
pub use std::sync::mpsc::{RecvError, RecvTimeoutError, SendError, TryRecvError, TrySendError};

use crate::sync::Arc;
use channel::Channel;
use std::panic::Location;

/// Like [`std::sync::mpsc::channel`]: an unbounded channel.
#[track_caller]
pub fn channel<T>() -> (Sender<T>, Receiver<T>) {
    let channel = Arc::new(Channel::new(None, Location::caller()));
    (Sender::new(&channel, Location::caller(), false), Receiver::new(channel))
}

/// Like [`std::sync::mpsc::sync_channel`]: a channel that holds at most `bound` messages. With a
/// bound of 0 it is a rendezvous: `send` returns only once a receiver has taken the message.
#[track_caller]
pub fn sync_channel<T>(bound: usize) -> (SyncSender<T>, Receiver<T>) {
    let channel = Arc::new(Channel::new(Some(bound), Location::caller()));
    (SyncSender::new(&channel, Location::caller(), false), Receiver::new(channel))
}
