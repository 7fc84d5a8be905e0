//! Async tasks on tokio, for the async track: tokio's API under the kit's names, so that an
//! exercise differs from a tokio program by its import line (`use kit::tasks::...` for
//! `use tokio::...`), plus hang diagnosis.
//!
//! Tests run on [`test`]: a current-thread runtime whose clock starts paused, so time-based code
//! is tested in microseconds and in the same order under any load, and a test whose tasks all
//! wait for each other fails at once with a diagnosis instead of hanging. The channels, `Mutex`
//! and `Semaphore` are tokio's, wrapped to note every await that may wait, by its line (and for a
//! channel, the live Senders by the lines that made them; for a lock, who holds it since which
//! line); [`spawn`] and [`JoinSet::spawn`] remember each task by its spawn line. Everything else
//! is tokio's own, byte streams ([`io`]) included. loom does not model tokio, so this exists only
//! in a plain build.

mod join_handle;
mod join_set;
mod lock;
mod mpsc;
mod runtime;
mod waits;

pub use join_handle::JoinHandle;
pub use join_set::JoinSet;
pub use runtime::{HANG_AFTER, block_on, test};
pub use tokio::task::{AbortHandle, JoinError, yield_now};
pub use tokio::{join, select, try_join};

use std::future::Future;
use std::panic::Location;

/// Like [`tokio::spawn`]: runs `future` as a task of its own; the task is remembered by the line
/// that spawned it.
#[track_caller]
pub fn spawn<F>(future: F) -> JoinHandle<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    let site = Location::caller();
    JoinHandle::new(tokio::spawn(waits::Tracked::new(site, future)), site)
}

/// How many tasks of the current runtime have not ended yet (a task that ended counts no more,
/// whether or not it was joined): after a function returns, the tasks it left running.
pub fn alive_tasks() -> usize {
    tokio::runtime::Handle::current().metrics().num_alive_tasks()
}

/// Like [`tokio::task::spawn_blocking`]: runs `work` on a thread of the runtime's blocking pool,
/// so the tasks go on meanwhile.
#[track_caller]
pub fn spawn_blocking<F, R>(work: F) -> JoinHandle<R>
where
    F: FnOnce() -> R + Send + 'static,
    R: Send + 'static,
{
    JoinHandle::new(tokio::task::spawn_blocking(work), Location::caller())
}

/// Like `tokio::sync`: the channels, `Mutex` and `Semaphore` note their waits for diagnoses.
pub mod sync {
    pub use super::lock::{
        AcquireError, Mutex, MutexGuard, OwnedSemaphorePermit, Semaphore, SemaphorePermit,
        TryAcquireError,
    };
    pub use std::sync::Arc;
    pub use tokio::sync::{Notify, oneshot, watch};

    /// Like `tokio::sync::mpsc`: Senders are remembered by the line that made them.
    pub mod mpsc {
        pub use super::super::mpsc::{
            Receiver, Sender, UnboundedReceiver, UnboundedSender, channel, error, unbounded_channel,
        };
    }
}

/// Like `tokio::io`: byte streams, with `AsyncReadExt`/`AsyncWriteExt` for `read_exact`, `read_buf`,
/// `write_all` and the rest. `duplex` gives both ends of an in-memory connection, as a test's
/// stand-in for a socket. A read or write that waits is tokio's own, not noted: a hang diagnosis
/// does not list a task that waits for bytes.
pub mod io {
    pub use tokio::io::{
        AsyncBufRead, AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt,
        BufReader, BufWriter, DuplexStream, Error, ErrorKind, ReadBuf, ReadHalf, Result, WriteHalf,
        duplex, split,
    };
}

/// Like `tokio::time`: on [`test`]'s runtime the clock is paused and moves only when every task
/// waits, straight to the next timer.
pub mod time {
    pub use std::time::Duration;
    pub use tokio::time::{
        Instant, Interval, MissedTickBehavior, Sleep, Timeout, advance, error, interval,
        interval_at, sleep, sleep_until, timeout, timeout_at,
    };
}
