//! The one place that chooses between std and loom for the primitives the kit builds on.

#[cfg(loom)]
pub(crate) use loom::sync::{Condvar, Mutex, MutexGuard};
#[cfg(not(loom))]
pub(crate) use std::sync::{Condvar, Mutex, MutexGuard};

/// Locks `mutex`, ignoring poison: the kit's own state stays consistent even if a user's thread
/// panicked while a kit lock was held, because the kit never runs user code under its locks.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The guard of a wait, poisoned or not, for the kit's own state (see [`lock`]).
pub(crate) fn unpoisoned<G>(result: std::sync::LockResult<G>) -> G {
    result.unwrap_or_else(|poisoned| poisoned.into_inner())
}
