use crate::hang;
use crate::raw::{self, Condvar, Mutex, MutexGuard};
use std::collections::{BTreeMap, VecDeque};
use std::fmt::Write;
use std::panic::Location;
use std::sync::mpsc::{RecvError, RecvTimeoutError, SendError, TryRecvError, TrySendError};
use std::time::{Duration, Instant};

/// Where a live Sender came from, for diagnoses.
#[derive(Clone, Copy)]
pub(super) struct SenderOrigin {
    pub(super) site: &'static Location<'static>,
    pub(super) cloned: bool,
}

/// The state shared by all the handles of one channel.
pub(super) struct Channel<T> {
    state: Mutex<State<T>>,
    /// The receiver waits here for a message, or for the last Sender to go.
    readable: Condvar,
    /// Senders wait here for room, for their rendezvous message to be taken, or for the Receiver
    /// to go.
    writable: Condvar,
    /// `None` for an unbounded channel; `Some(0)` for a rendezvous.
    capacity: Option<usize>,
    created_at: &'static Location<'static>,
}

struct State<T> {
    /// Each message with its ticket: the count of messages pushed before it.
    queue: VecDeque<(u64, T)>,
    pushed: u64,
    /// Messages taken by the receiver, in ticket order: the message with ticket `t` has been
    /// taken once `taken > t`.
    taken: u64,
    senders: BTreeMap<u64, SenderOrigin>,
    next_sender_id: u64,
    receiver_alive: bool,
    receivers_waiting: usize,
}

impl<T> State<T> {
    fn push(&mut self, message: T) -> u64 {
        let ticket = self.pushed;
        self.queue.push_back((ticket, message));
        self.pushed += 1;
        ticket
    }
}

impl<T> Channel<T> {
    pub(super) fn new(capacity: Option<usize>, created_at: &'static Location<'static>) -> Self {
        Channel {
            state: Mutex::new(State {
                queue: VecDeque::new(),
                pushed: 0,
                taken: 0,
                senders: BTreeMap::new(),
                next_sender_id: 0,
                receiver_alive: true,
                receivers_waiting: 0,
            }),
            readable: Condvar::new(),
            writable: Condvar::new(),
            capacity,
            created_at,
        }
    }

    fn lock(&self) -> MutexGuard<'_, State<T>> {
        raw::lock(&self.state)
    }

    pub(super) fn add_sender(&self, origin: SenderOrigin) -> u64 {
        let mut state = self.lock();
        let id = state.next_sender_id;
        state.next_sender_id += 1;
        state.senders.insert(id, origin);
        id
    }

    pub(super) fn drop_sender(&self, id: u64) {
        let mut state = self.lock();
        state.senders.remove(&id);
        // Not only for the last Sender: a waiting receiver describes the live Senders afresh
        // when it wakes, so a diagnosis never names one that is gone.
        self.readable.notify_all();
    }

    pub(super) fn drop_receiver(&self) {
        let mut state = self.lock();
        state.receiver_alive = false;
        // A rendezvous sender takes its own message back as the `SendError`; in a buffered
        // channel the queued messages are dropped now, as std does.
        let dropped = if self.capacity == Some(0) {
            VecDeque::new()
        } else {
            std::mem::take(&mut state.queue)
        };
        self.writable.notify_all();
        drop(state);
        // Outside the lock: a message's own drop may use this channel.
        drop(dropped);
    }

    #[track_caller]
    pub(super) fn send(
        &self,
        message: T,
        site: &'static Location<'static>,
    ) -> Result<(), SendError<T>> {
        let mut state = self.lock();
        let watch = hang::Watch::start();
        let mut note = None;
        if let Some(capacity) = self.capacity.filter(|&c| c > 0) {
            while state.receiver_alive && state.queue.len() >= capacity {
                note.get_or_insert_with(|| hang::note_blocked(|| format!("`send()` at {site}")));
                let (woken, expired) = hang::wait(&self.writable, state, &watch);
                state = raw::unpoisoned(woken);
                if expired {
                    let diagnosis = self.full_diagnosis(&state, site, &watch);
                    drop(state);
                    hang::fail(diagnosis);
                }
            }
        }
        if !state.receiver_alive {
            return Err(SendError(message));
        }
        let ticket = state.push(message);
        self.readable.notify_one();
        if self.capacity != Some(0) {
            return Ok(());
        }
        loop {
            if !state.receiver_alive {
                return match state.queue.iter().position(|(t, _)| *t == ticket) {
                    Some(index) => Err(SendError(state.queue.remove(index).expect("indexed").1)),
                    None => Ok(()),
                };
            }
            if state.taken > ticket {
                return Ok(());
            }
            note.get_or_insert_with(|| hang::note_blocked(|| format!("`send()` at {site}")));
            let (woken, expired) = hang::wait(&self.writable, state, &watch);
            state = raw::unpoisoned(woken);
            if expired {
                let diagnosis = format!(
                    "`send()` at {site} waited {} for a receiver to take its message. The channel \
                     created at {} has capacity 0: a send completes only when another thread \
                     receives, and no thread received.",
                    hang::seconds(watch.limit()),
                    self.created_at
                );
                drop(state);
                hang::fail(diagnosis);
            }
        }
    }

    pub(super) fn try_send(&self, message: T) -> Result<(), TrySendError<T>> {
        let mut state = self.lock();
        if !state.receiver_alive {
            return Err(TrySendError::Disconnected(message));
        }
        let has_room = match self.capacity {
            None => true,
            // A rendezvous succeeds only if a receiver is already waiting for this message.
            Some(0) => state.receivers_waiting > state.queue.len(),
            Some(capacity) => state.queue.len() < capacity,
        };
        if !has_room {
            return Err(TrySendError::Full(message));
        }
        state.push(message);
        self.readable.notify_one();
        Ok(())
    }

    fn take(&self, state: &mut State<T>) -> Option<T> {
        let (_, message) = state.queue.pop_front()?;
        state.taken += 1;
        self.writable.notify_all();
        Some(message)
    }

    /// `call` names the operation as the user wrote it (`recv()`, or the loop over `iter()`).
    #[track_caller]
    pub(super) fn recv(
        &self,
        call: &str,
        site: &'static Location<'static>,
    ) -> Result<T, RecvError> {
        let mut state = self.lock();
        let watch = hang::Watch::start();
        loop {
            if let Some(message) = self.take(&mut state) {
                return Ok(message);
            }
            if state.senders.is_empty() {
                return Err(RecvError);
            }
            // Described afresh at every wait: the live Senders change while it waits.
            let _note = hang::note_blocked(|| Self::recv_blocked_on(&state, call, site));
            state.receivers_waiting += 1;
            let (woken, expired) = hang::wait(&self.readable, state, &watch);
            state = raw::unpoisoned(woken);
            state.receivers_waiting -= 1;
            if expired && state.queue.is_empty() && !state.senders.is_empty() {
                let diagnosis = format!(
                    "{call} at {site} waited {} and no message came. {}",
                    hang::seconds(watch.limit()),
                    Self::live_senders(&state)
                );
                drop(state);
                hang::fail(diagnosis);
            }
        }
    }

    pub(super) fn try_recv(&self) -> Result<T, TryRecvError> {
        let mut state = self.lock();
        match self.take(&mut state) {
            Some(message) => Ok(message),
            None if state.senders.is_empty() => Err(TryRecvError::Disconnected),
            None => Err(TryRecvError::Empty),
        }
    }

    /// Not bounded by the hang limit: the caller bounded it already. Under loom, where there is no
    /// time, it waits like `recv`.
    pub(super) fn recv_timeout(
        &self,
        timeout: Duration,
        site: &'static Location<'static>,
    ) -> Result<T, RecvTimeoutError> {
        let deadline = Instant::now() + timeout;
        let mut state = self.lock();
        let mut note = None;
        loop {
            if let Some(message) = self.take(&mut state) {
                return Ok(message);
            }
            if state.senders.is_empty() {
                return Err(RecvTimeoutError::Disconnected);
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(RecvTimeoutError::Timeout);
            }
            note.get_or_insert_with(|| {
                hang::note_blocked(|| format!("`recv_timeout()` at {site}"))
            });
            state.receivers_waiting += 1;
            let (woken, _) = raw::unpoisoned(self.readable.wait_timeout(state, left));
            state = woken;
            state.receivers_waiting -= 1;
        }
    }

    fn recv_blocked_on(state: &State<T>, call: &str, site: &Location<'_>) -> String {
        format!("{call} at {site}, waiting for a message. {}", Self::live_senders(state))
    }

    /// Why the channel is still open: the Senders alive, and where each came from.
    fn live_senders(state: &State<T>) -> String {
        let alive = state.senders.len();
        let mut text = format!(
            "The channel stays open while any Sender is alive, and {alive} still {}:",
            if alive == 1 { "is" } else { "are" }
        );
        for origin in state.senders.values() {
            let made = if origin.cloned { "cloned" } else { "created" };
            let _ = write!(text, "\n  - the Sender {made} at {}", origin.site);
        }
        text.push_str(
            "\nA receive loop such as `for message in receiver` ends only once every Sender has \
             been dropped.",
        );
        text
    }

    fn full_diagnosis(&self, state: &State<T>, site: &Location<'_>, watch: &hang::Watch) -> String {
        format!(
            "`send()` at {site} waited {} for room in the channel created at {}, and none came: \
             it holds {} messages, its capacity, and no thread received one.",
            hang::seconds(watch.limit()),
            self.created_at,
            state.queue.len()
        )
    }
}
