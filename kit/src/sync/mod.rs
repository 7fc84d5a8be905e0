//! `std::sync`'s names: loom's primitives under `--cfg loom`; in a plain build std's, with the
//! kit's own `Mutex`, `RwLock` and `Condvar` for diagnosis; and the kit's channels in both.

mod condvar;
#[cfg(not(loom))]
mod lock;
pub mod mpsc;

pub use condvar::{Condvar, WaitTimeoutResult};

#[cfg(not(loom))]
pub use lock::{Mutex, MutexGuard, RwLock, RwLockReadGuard, RwLockWriteGuard};
#[cfg(loom)]
pub use loom::sync::{Arc, Barrier, Mutex, MutexGuard, RwLock, RwLockReadGuard, RwLockWriteGuard};
#[cfg(not(loom))]
pub use std::sync::{Arc, Barrier};
pub use std::sync::{LockResult, PoisonError, TryLockError, TryLockResult};

/// `std::sync::atomic`, or loom's.
pub mod atomic {
    #[cfg(loom)]
    pub use loom::sync::atomic::*;
    #[cfg(not(loom))]
    pub use std::sync::atomic::*;
}
