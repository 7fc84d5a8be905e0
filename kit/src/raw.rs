//! The primitives the kit builds its own on (std's or loom's: [`crate::facade`] chooses), and
//! how the kit locks them.

pub(crate) use crate::facade::raw::{Condvar, Mutex, MutexGuard};

/// Locks `mutex`, ignoring poison: the kit's own state stays consistent even if a user's thread
/// panicked while a kit lock was held, because the kit never runs user code under its locks.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The guard of a wait, poisoned or not, for the kit's own state (see [`lock`]).
pub(crate) fn unpoisoned<G>(result: std::sync::LockResult<G>) -> G {
    result.unwrap_or_else(|poisoned| poisoned.into_inner())
}
