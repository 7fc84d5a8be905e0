//! The watch session's inputs, each on a thread of its own sending [`Event`](super::event::Event)s
//! on one channel: file changes, keys and resizes, and ticks for `--poll`.

pub mod file_watcher;
pub mod keys;
pub mod ticks;
