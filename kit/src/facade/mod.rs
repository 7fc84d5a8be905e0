//! The one place that chooses between the two builds of the kit, as tokio's `src/loom/` and
//! concurrent-queue's `sync.rs` do: `plain/` (std's primitives, with the kit's hang diagnosis
//! and instant deadlock verdicts) or, under `--cfg loom`, `modelled/` (loom's primitives, each
//! operation traced). Both export the same names (`raw`, `sync`, `atomic`, `thread`, `hang`,
//! `trace`, `Condvar`), and every other file of the kit imports them from here, the same in both
//! builds; `public` holds what only one build offers (`LiveThreads`, `model`).

#[cfg(loom)]
mod modelled;
#[cfg(not(loom))]
mod plain;

#[cfg(loom)]
pub use modelled::*;
#[cfg(not(loom))]
pub use plain::*;
