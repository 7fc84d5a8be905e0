//! `std::thread`'s `spawn` and `JoinHandle`, or loom's under `--cfg loom`.
//!
//! In a plain build, a kit thread remembers where it was spawned and what it is blocked on, so a
//! `join()` that would wait forever fails with a diagnosis; and [`LiveThreads`] counts live
//! threads so tests can assert that concurrency stayed bounded.

// The build's `spawn`, `JoinHandle`, `Thread`, `ThreadId`, `current` and `yield_now`.
pub use crate::facade::thread::*;
// The machine's, in both builds: loom has none, and a pool sized by it compiles under loom too.
pub use std::thread::{Result, available_parallelism};
