//! Under loom: loom's `RwLock`, with each lock and unlock recorded for the trace of a failing
//! schedule, and who holds it since which line, for a deadlock's report, as for the `Mutex`.

use super::hang;
use crate::sync::{LockResult, PoisonError, TryLockError, TryLockResult};
use crate::trace::{self, Site};
use std::fmt;
use std::ops::{Deref, DerefMut};
use std::panic::Location;

/// Like [`std::sync::RwLock`]; loom's underneath.
#[derive(Debug)]
pub struct RwLock<T: ?Sized> {
    created_at: Site,
    inner: loom::sync::RwLock<T>,
}

/// Like [`std::sync::RwLockReadGuard`].
#[must_use = "if unused the RwLock will immediately unlock"]
pub struct RwLockReadGuard<'a, T: ?Sized> {
    inner: Option<loom::sync::RwLockReadGuard<'a, T>>,
    lock: &'a RwLock<T>,
}

/// Like [`std::sync::RwLockWriteGuard`].
#[must_use = "if unused the RwLock will immediately unlock"]
pub struct RwLockWriteGuard<'a, T: ?Sized> {
    inner: Option<loom::sync::RwLockWriteGuard<'a, T>>,
    lock: &'a RwLock<T>,
}

impl<T> RwLock<T> {
    /// Like [`std::sync::RwLock::new`].
    #[track_caller]
    pub fn new(value: T) -> Self {
        RwLock { created_at: Location::caller(), inner: loom::sync::RwLock::new(value) }
    }

    /// Like [`std::sync::RwLock::into_inner`].
    pub fn into_inner(self) -> LockResult<T> {
        self.inner.into_inner()
    }
}

impl<T: Default> Default for RwLock<T> {
    #[track_caller]
    fn default() -> Self {
        RwLock::new(T::default())
    }
}

/// Wraps loom's guard, poisoned or not, in the kit's.
fn wrapped<G, K>(locked: LockResult<G>, wrap: impl FnOnce(G) -> K) -> LockResult<K> {
    match locked {
        Ok(guard) => Ok(wrap(guard)),
        Err(poisoned) => Err(PoisonError::new(wrap(poisoned.into_inner()))),
    }
}

impl<T: ?Sized> RwLock<T> {
    fn object(&self) -> usize {
        self as *const Self as *const u8 as usize
    }

    /// Blocks in `take` with the wait noted for a deadlock's report, then notes the lock held.
    fn take<G>(&self, call: &'static str, site: Site, take: impl FnOnce() -> G) -> G {
        let note = hang::note_blocked_on_lock(self.object(), call, site, || {
            format!("`{call}` at {site}, for the RwLock created at {}", self.created_at)
        });
        let taken = take();
        drop(note);
        self.took(site, call);
        taken
    }

    /// Notes the lock held since `site`, taken by `op`: a read or a write, as `op` names it.
    fn took(&self, site: Site, op: &str) {
        let how = if op.contains("read") { "read" } else { "write" };
        let what = || format!("the RwLock created at {} ({how})", self.created_at);
        trace::held(self.object(), what, site);
        trace::record(Some(site), || op.to_owned());
    }

    /// Like [`std::sync::RwLock::read`].
    #[track_caller]
    pub fn read(&self) -> LockResult<RwLockReadGuard<'_, T>> {
        let locked = self.take("read()", Location::caller(), || self.inner.read());
        wrapped(locked, |inner| RwLockReadGuard { inner: Some(inner), lock: self })
    }

    /// Like [`std::sync::RwLock::write`].
    #[track_caller]
    pub fn write(&self) -> LockResult<RwLockWriteGuard<'_, T>> {
        let locked = self.take("write()", Location::caller(), || self.inner.write());
        wrapped(locked, |inner| RwLockWriteGuard { inner: Some(inner), lock: self })
    }

    /// Like [`std::sync::RwLock::try_read`].
    #[track_caller]
    pub fn try_read(&self) -> TryLockResult<RwLockReadGuard<'_, T>> {
        let tried = self.inner.try_read();
        self.tried(Location::caller(), "try_read()", tried.is_ok());
        tried_wrapped(tried, |inner| RwLockReadGuard { inner: Some(inner), lock: self })
    }

    /// Like [`std::sync::RwLock::try_write`].
    #[track_caller]
    pub fn try_write(&self) -> TryLockResult<RwLockWriteGuard<'_, T>> {
        let tried = self.inner.try_write();
        self.tried(Location::caller(), "try_write()", tried.is_ok());
        tried_wrapped(tried, |inner| RwLockWriteGuard { inner: Some(inner), lock: self })
    }

    fn tried(&self, site: Site, call: &str, locked: bool) {
        match locked {
            true => self.took(site, &format!("{call} -> locked")),
            false => trace::record(Some(site), || format!("{call} -> WouldBlock")),
        }
    }

    /// Like [`std::sync::RwLock::get_mut`].
    pub fn get_mut(&mut self) -> LockResult<&mut T> {
        self.inner.get_mut()
    }

    /// Notes this thread's hold released, when one of its guards is dropped.
    fn released(&self) {
        trace::released(self.object());
        trace::record(None, || "unlock".to_owned());
    }
}

fn tried_wrapped<G, K>(tried: TryLockResult<G>, wrap: impl FnOnce(G) -> K) -> TryLockResult<K> {
    match tried {
        Ok(guard) => Ok(wrap(guard)),
        Err(TryLockError::Poisoned(poisoned)) => {
            Err(TryLockError::Poisoned(PoisonError::new(wrap(poisoned.into_inner()))))
        }
        Err(TryLockError::WouldBlock) => Err(TryLockError::WouldBlock),
    }
}

impl<T: ?Sized> Deref for RwLockReadGuard<'_, T> {
    type Target = T;

    fn deref(&self) -> &T {
        self.inner.as_deref().expect("a guard holds its lock until dropped")
    }
}

impl<T: ?Sized> Drop for RwLockReadGuard<'_, T> {
    fn drop(&mut self) {
        drop(self.inner.take());
        self.lock.released();
    }
}

impl<T: ?Sized> Deref for RwLockWriteGuard<'_, T> {
    type Target = T;

    fn deref(&self) -> &T {
        self.inner.as_deref().expect("a guard holds its lock until dropped")
    }
}

impl<T: ?Sized> DerefMut for RwLockWriteGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        self.inner.as_deref_mut().expect("a guard holds its lock until dropped")
    }
}

impl<T: ?Sized> Drop for RwLockWriteGuard<'_, T> {
    fn drop(&mut self) {
        drop(self.inner.take());
        self.lock.released();
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for RwLockReadGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        (**self).fmt(f)
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for RwLockWriteGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        (**self).fmt(f)
    }
}
