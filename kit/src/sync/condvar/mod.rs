//! The kit's `Condvar`: std's names and signatures, plus waits bounded by a [`Clock`]
//! (`wait_timeout_while_on`, `wait_while_until_on`). In a plain build it is the kit's own, over
//! the kit's `Mutex`, with waits that take part in deadlock verdicts; under loom, loom's.
//!
//! [`Clock`]: crate::time::Clock

pub use crate::facade::Condvar;

use crate::sync::{LockResult, PoisonError};

/// Whether a timed wait returned because its time ran out, like std's type of the same name (which
/// only std can make).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WaitTimeoutResult(pub(crate) bool);

impl WaitTimeoutResult {
    /// True if the wait ended because its timeout passed.
    pub fn timed_out(&self) -> bool {
        self.0
    }
}

/// A timed wait's result, poisoned if the lock was poisoned at any point of the wait.
pub(crate) fn wrap<G>(
    guard: G,
    result: WaitTimeoutResult,
    poisoned: bool,
) -> LockResult<(G, WaitTimeoutResult)> {
    if poisoned { Err(PoisonError::new((guard, result))) } else { Ok((guard, result)) }
}
