//! Under `--cfg loom`: the operations of the schedule being explored, each at the line of the
//! exercise that called it, so that a failing schedule is shown as the interleaving that broke
//! it. A plain build records nothing: its `record` compiles to nothing.

pub(crate) use crate::facade::trace::*;

/// Where an operation was called: a line of the exercise, never one inside the kit.
pub(crate) type Site = &'static std::panic::Location<'static>;
