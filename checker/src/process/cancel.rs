use std::collections::HashSet;
use std::sync::{Arc, Mutex, PoisonError};

/// Cancels one piece of work: every process group started under it is killed at once, and no new
/// one starts. Clones share the same state.
#[derive(Debug, Clone, Default)]
pub struct Cancel {
    state: Arc<Mutex<CancelState>>,
}

#[derive(Debug, Default)]
pub(super) struct CancelState {
    pub(super) cancelled: bool,
    pub(super) groups: HashSet<i32>,
}

impl Cancel {
    pub fn new() -> Self {
        Cancel::default()
    }

    /// Kills every process group started under this token, now and from now on.
    pub fn cancel(&self) {
        let mut state = self.lock();
        state.cancelled = true;
        for &group in &state.groups {
            super::unix::kill_group(group);
        }
    }

    pub fn is_cancelled(&self) -> bool {
        self.lock().cancelled
    }

    pub(super) fn lock(&self) -> std::sync::MutexGuard<'_, CancelState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}
