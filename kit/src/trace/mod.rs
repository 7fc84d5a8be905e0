//! Under `--cfg loom`: the operations of the schedule being explored, each at the line of the
//! exercise that called it, so that a failing schedule is shown as the interleaving that broke
//! it. A plain build records nothing: [`record`] compiles to nothing there.

#[cfg(loom)]
mod recorder;
#[cfg(loom)]
mod render;

#[cfg(loom)]
pub(crate) use recorder::{
    begin, current_thread, failed, held, holder_of, holdings, record, record_atomic, released,
    thread_label,
};

/// Where an operation was called: a line of the exercise, never one inside the kit.
pub(crate) type Site = &'static std::panic::Location<'static>;

/// Records an operation of the current thread: nothing in a plain build.
#[cfg(not(loom))]
#[inline(always)]
pub(crate) fn record(_site: Option<Site>, _op: impl FnOnce() -> String) {}
