//! `std::sync`'s names: loom's primitives under `--cfg loom` (the atomics, `Mutex` and `Condvar`
//! wrapped so that a failing schedule can be shown operation by operation); in a plain build
//! std's, with the kit's own `Mutex`, `RwLock` and `Condvar` for diagnosis; and the kit's
//! channels in both. [`crate::facade`] chooses.

pub mod atomic;
pub(crate) mod condvar;
pub mod mpsc;

pub use crate::facade::sync::*;
pub use condvar::{Condvar, WaitTimeoutResult};
pub use std::sync::{LockResult, PoisonError, TryLockError, TryLockResult};
