//! The workbook's sync kit.
//!
//! Exercises import threads and sync primitives from here instead of `std`, with the same names and
//! signatures. A plain build gets std's primitives, plus hang diagnosis: a wait that can never end
//! fails within a short bound and says why. A build with `--cfg loom` gets loom's primitives, so the
//! same file can be model-checked. The channels are the kit's own, built on its `Mutex` and
//! `Condvar`, because loom's `mpsc` does not model disconnection. In a plain build `Mutex`,
//! `RwLock` and `Condvar` are the kit's own too, so that a deadlock is reported the moment it
//! happens, naming every thread and the lines where each waits and took what it holds.

pub mod hang;
#[cfg(loom)]
pub mod model;
mod raw;
#[cfg(not(loom))]
mod registry;
pub mod sync;
#[cfg(not(loom))]
pub mod tasks;
pub mod thread;
pub mod time;
mod trace;
