//! What the kit's diagnosis tests share: the message a failing wait or lock panics with.

#![allow(dead_code)] // Each test file uses its own part of this module.

use std::panic::{AssertUnwindSafe, catch_unwind};

/// The panic message of `run`, which must panic.
pub fn panic_message(run: impl FnOnce()) -> String {
    let payload = catch_unwind(AssertUnwindSafe(run)).expect_err("the wait should have failed");
    text_of(payload)
}

/// A panic payload's text.
pub fn text_of(payload: Box<dyn std::any::Any + Send>) -> String {
    match payload.downcast::<String>() {
        Ok(text) => *text,
        Err(payload) => payload.downcast_ref::<&str>().unwrap_or(&"?").to_string(),
    }
}
