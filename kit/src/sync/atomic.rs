//! `std::sync::atomic`. Under loom, loom's atomics, each operation recorded with its ordering,
//! the value it read and the value it wrote, at the caller's line, for the trace of a failing
//! schedule.

pub use crate::facade::atomic::*;
