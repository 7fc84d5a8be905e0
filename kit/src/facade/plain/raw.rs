//! std's primitives for the kit's own state.

pub(crate) use std::sync::{Mutex, MutexGuard};

/// std's `Condvar` for the kit's own state, telling the registry what each notification ends.
#[derive(Debug, Default)]
pub(crate) struct Condvar {
    pub(crate) inner: std::sync::Condvar,
}

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
        super::registry::wake(self.object(), true);
        self.inner.notify_all();
    }
}
