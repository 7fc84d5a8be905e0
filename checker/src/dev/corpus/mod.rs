//! The corpus of known fixes under `fixes/<dir>/<exercise>/`: wrong fixes a learner could
//! plausibly write, each of which must fail the way it declares, and other correct fixes, each of
//! which must pass. `dev check` proves them all with the exercise's current tests.

mod discover;
mod fix;
mod prove;

pub use discover::{CORPUS_DIR, discover};
pub use prove::{FixReport, prove};
