//! `std::sync`'s names: loom's primitives under `--cfg loom` (the atomics, `Mutex` and `Condvar`
//! wrapped so that a failing schedule can be shown operation by operation); in a plain build
//! std's, with the kit's own `Mutex`, `RwLock` and `Condvar` for diagnosis; and the kit's
//! channels in both.

pub mod atomic;
mod condvar;
#[cfg(not(loom))]
mod lock;
pub mod mpsc;
#[cfg(loom)]
mod traced_mutex;

pub use condvar::{Condvar, WaitTimeoutResult};

#[cfg(not(loom))]
pub use lock::{Mutex, MutexGuard, RwLock, RwLockReadGuard, RwLockWriteGuard};
#[cfg(loom)]
pub use loom::sync::{Arc, Barrier, RwLock, RwLockReadGuard, RwLockWriteGuard};
#[cfg(not(loom))]
pub use std::sync::{Arc, Barrier};
pub use std::sync::{LockResult, PoisonError, TryLockError, TryLockResult};
#[cfg(loom)]
pub use traced_mutex::{Mutex, MutexGuard};
