//! Naming threads in diagnoses: by where the kit spawned them, or by name.

use super::Site;
use std::thread::{Thread, ThreadId};

/// A thread holding a lock, and the line where it took it.
#[derive(Clone)]
pub(crate) struct Holder {
    pub(crate) thread: ThreadId,
    spawned_at: Option<Site>,
    handle: Thread,
    pub(crate) since: Site,
    /// Held to write (a Mutex, or an RwLock's write lock), rather than to read.
    pub(crate) exclusive: bool,
}

impl Holder {
    /// The current thread, holding a lock since `since`.
    pub(crate) fn current(since: Site, exclusive: bool) -> Self {
        let handle = std::thread::current();
        let spawned_at = crate::facade::thread::spawned_at();
        Holder { thread: handle.id(), spawned_at, handle, since, exclusive }
    }

    pub(crate) fn who(&self) -> String {
        describe(self.spawned_at, &self.handle)
    }
}

/// How diagnoses name the current thread, and whether the kit did not spawn it.
pub(crate) fn who_am_i() -> (String, bool) {
    let spawned_at = crate::facade::thread::spawned_at();
    (describe(spawned_at, &std::thread::current()), spawned_at.is_none())
}

fn describe(spawned_at: Option<Site>, handle: &Thread) -> String {
    match (spawned_at, handle.name()) {
        (Some(site), _) => format!("the thread spawned at {site}"),
        (None, Some(name)) => format!("the thread `{name}`"),
        (None, None) => "a thread the kit did not spawn".to_owned(),
    }
}
