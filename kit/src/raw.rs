//! The one place that chooses between std and loom for the primitives the kit builds on.

#[cfg(loom)]
pub(crate) use loom::sync::{Condvar, Mutex, MutexGuard};
#[cfg(not(loom))]
pub(crate) use std::sync::{Mutex, MutexGuard};

/// std's `Condvar` for the kit's own state, telling the registry what each notification ends.
#[cfg(not(loom))]
#[derive(Debug, Default)]
pub(crate) struct Condvar {
    pub(crate) inner: std::sync::Condvar,
}

#[cfg(not(loom))]
impl Condvar {
    pub(crate) fn new() -> Self {
        Condvar { inner: std::sync::Condvar::new() }
    }

    /// Its address, which names its waits in the registry.
    pub(crate) fn object(&self) -> usize {
        self as *const Self as usize
    }

    /// Wakes every waiter: the kit's own waits re-check their condition anyway, and the registry
    /// can then mark exactly the waits that end.
    pub(crate) fn notify_one(&self) {
        self.notify_all();
    }

    /// A wait its caller bounded: it ends by itself, so it is not registered, and a thread in it
    /// keeps any deadlock from being proved.
    pub(crate) fn wait_timeout<'a, T>(
        &self,
        guard: MutexGuard<'a, T>,
        timeout: std::time::Duration,
    ) -> std::sync::LockResult<(MutexGuard<'a, T>, std::sync::WaitTimeoutResult)> {
        self.inner.wait_timeout(guard, timeout)
    }

    pub(crate) fn notify_all(&self) {
        crate::registry::wake(self.object(), true);
        self.inner.notify_all();
    }
}

/// Locks `mutex`, ignoring poison: the kit's own state stays consistent even if a user's thread
/// panicked while a kit lock was held, because the kit never runs user code under its locks.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The guard of a wait, poisoned or not, for the kit's own state (see [`lock`]).
pub(crate) fn unpoisoned<G>(result: std::sync::LockResult<G>) -> G {
    result.unwrap_or_else(|poisoned| poisoned.into_inner())
}
