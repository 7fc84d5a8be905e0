//! The workbook's sync kit.
//!
//! Exercises import threads and sync primitives from here instead of `std`, with the same names and
//! signatures. A plain build gets std's primitives, plus hang diagnosis: a wait that can never end
//! fails within a short bound and says why. A build with `--cfg loom` gets loom's primitives, so the
//! same file can be model-checked. The channels are the kit's own, built on its `Mutex` and
//! `Condvar`, because loom's `mpsc` does not model disconnection. In a plain build `Mutex`,
//! `RwLock` and `Condvar` are the kit's own too, so that a deadlock is reported the moment it
//! happens, naming every thread and the lines where each waits and took what it holds.

mod facade;
pub mod hang;
mod raw;
pub mod sync;
#[cfg(not(loom))]
pub mod tasks;
pub mod thread;
pub mod time;
mod trace;

// `model` under loom; nothing in a plain build (its `LiveThreads` is in `thread`).
#[allow(unused_imports)]
pub use facade::public::*;
