//! How the workbook itself is verified (`workbook dev check`) and extended (`workbook dev new`).

mod consistency;
mod corpus;
mod dev_check;
mod finding;
mod lints;
mod scaffold;

pub use dev_check::{DevCheckOptions, dev_check};
pub use scaffold::new_exercise;
