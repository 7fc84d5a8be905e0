//! The workbook's sync kit.
//!
//! Exercises import threads and sync primitives from here instead of `std`, with the same names and
//! signatures. A plain build gets std's primitives, plus hang diagnosis: a wait that can never end
//! fails within a short bound and says why. A build with `--cfg loom` gets loom's primitives, so the
//! same file can be model-checked. The channels are the kit's own, built on its `Mutex` and
//! `Condvar`, because loom's `mpsc` does not model disconnection.

pub mod hang;
#[cfg(loom)]
pub mod model;
mod raw;
pub mod sync;
pub mod thread;
pub mod time;
