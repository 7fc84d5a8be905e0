//! The loom build: loom's primitives, so the same exercise is model-checked, with every
//! operation recorded at the exercise's line for the trace of a failing schedule.

pub(crate) mod atomic;
mod condvar;
pub(crate) mod hang;
pub mod model;
mod mutex;
mod rwlock;
pub(crate) mod thread;
pub(crate) mod trace;

pub use condvar::Condvar;

/// The primitives the kit builds its own on.
pub(crate) mod raw {
    pub(crate) use loom::sync::{Condvar, Mutex, MutexGuard};
}

/// `kit::sync`'s names that differ between the builds.
pub(crate) mod sync {
    pub use super::mutex::{Mutex, MutexGuard};
    pub use super::rwlock::{RwLock, RwLockReadGuard, RwLockWriteGuard};
    pub use loom::sync::{Arc, Barrier};
}

/// The public names only this build has.
pub(crate) mod public {
    pub use super::model;
}
