//! The operations of the schedule being explored, and the failing one drawn in thread columns.

mod recorder;
mod render;

pub(crate) use recorder::{
    begin, current_thread, failed, held, holder_of, holdings, record, record_as, record_atomic,
    released, thread_label, thread_number,
};
