//! `std::sync`'s names: std's primitives in a plain build, loom's under `--cfg loom`, plus the kit's
//! own `Condvar` wrapper and channels.

mod condvar;
pub mod mpsc;

pub use condvar::{Condvar, WaitTimeoutResult};

#[cfg(loom)]
pub use loom::sync::{Arc, Barrier, Mutex, MutexGuard, RwLock, RwLockReadGuard, RwLockWriteGuard};
#[cfg(not(loom))]
pub use std::sync::{Arc, Barrier, Mutex, MutexGuard, RwLock, RwLockReadGuard, RwLockWriteGuard};
pub use std::sync::{LockResult, PoisonError, TryLockError, TryLockResult};

/// `std::sync::atomic`, or loom's.
pub mod atomic {
    #[cfg(loom)]
    pub use loom::sync::atomic::*;
    #[cfg(not(loom))]
    pub use std::sync::atomic::*;
}
