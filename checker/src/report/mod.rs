//! How results are shown: on a terminal, and as JSON.

pub mod json;
pub mod style;
pub mod terminal;
