//! The plain build: std's primitives under the kit's own `Mutex`, `RwLock`, `Condvar` and
//! threads, which register every wait so a hang is diagnosed and a deadlock proved.

mod condvar;
pub(crate) mod hang;
mod live;
mod lock;
pub(crate) mod raw;
pub(crate) mod registry;
pub(crate) mod thread;

pub use condvar::Condvar;

/// `kit::sync`'s names that differ between the builds.
pub(crate) mod sync {
    pub use super::lock::{Mutex, MutexGuard, RwLock, RwLockReadGuard, RwLockWriteGuard};
    pub use std::sync::{Arc, Barrier};
}

/// `kit::sync::atomic`: std's.
pub(crate) mod atomic {
    pub use std::sync::atomic::*;
}

/// The trace of a schedule: a plain build has no schedules, and records nothing.
pub(crate) mod trace {
    /// Records an operation of the current thread: nothing, in a plain build.
    #[inline(always)]
    pub(crate) fn record(_site: Option<crate::trace::Site>, _op: impl FnOnce() -> String) {}
}

/// The crate's public names only this build has: none (its `LiveThreads` is in `kit::thread`).
pub(crate) mod public {}
