//! Under loom: loom's `Mutex`, with each lock and unlock recorded for the trace of a failing
//! schedule, and who holds it since which line, for a deadlock's report.

use super::hang;
use crate::raw;
use crate::sync::{LockResult, PoisonError, TryLockError, TryLockResult};
use crate::trace::{self, Site};
use std::ops::{Deref, DerefMut};
use std::panic::Location;

/// Like [`std::sync::Mutex`]; loom's underneath.
#[derive(Debug)]
pub struct Mutex<T: ?Sized> {
    created_at: Site,
    inner: loom::sync::Mutex<T>,
}

/// Like [`std::sync::MutexGuard`]. Empty only while a condvar wait has the lock released.
#[derive(Debug)]
pub struct MutexGuard<'a, T: ?Sized> {
    inner: Option<loom::sync::MutexGuard<'a, T>>,
    lock: &'a Mutex<T>,
}

impl<T> Mutex<T> {
    /// Like [`std::sync::Mutex::new`].
    #[track_caller]
    pub fn new(value: T) -> Self {
        Mutex { created_at: Location::caller(), inner: loom::sync::Mutex::new(value) }
    }

    /// Like [`std::sync::Mutex::into_inner`].
    pub fn into_inner(self) -> LockResult<T> {
        self.inner.into_inner()
    }
}

impl<T: Default> Default for Mutex<T> {
    #[track_caller]
    fn default() -> Self {
        Mutex::new(T::default())
    }
}

impl<T: ?Sized> Mutex<T> {
    fn note_held(&self, object: usize, since: Site) {
        trace::held(object, || format!("the Mutex created at {}", self.created_at), since);
    }

    fn object(&self) -> usize {
        self as *const Self as *const u8 as usize
    }

    /// Like [`std::sync::Mutex::lock`].
    #[track_caller]
    pub fn lock(&self) -> LockResult<MutexGuard<'_, T>> {
        let site = Location::caller();
        let object = self.object();
        let note = hang::note_blocked_on_lock(object, "lock()", site, || {
            format!("`lock()` at {site}, for the Mutex created at {}", self.created_at)
        });
        let locked = self.inner.lock();
        drop(note);
        self.took(site, "lock()");
        match locked {
            Ok(inner) => Ok(MutexGuard { inner: Some(inner), lock: self }),
            Err(poisoned) => {
                Err(PoisonError::new(MutexGuard { inner: Some(poisoned.into_inner()), lock: self }))
            }
        }
    }

    /// Like [`std::sync::Mutex::try_lock`].
    #[track_caller]
    pub fn try_lock(&self) -> TryLockResult<MutexGuard<'_, T>> {
        let site = Location::caller();
        match self.inner.try_lock() {
            Ok(inner) => {
                self.took(site, "try_lock() -> locked");
                Ok(MutexGuard { inner: Some(inner), lock: self })
            }
            Err(TryLockError::Poisoned(poisoned)) => {
                self.took(site, "try_lock() -> locked, poisoned");
                let guard = MutexGuard { inner: Some(poisoned.into_inner()), lock: self };
                Err(TryLockError::Poisoned(PoisonError::new(guard)))
            }
            Err(TryLockError::WouldBlock) => {
                trace::record(Some(site), || "try_lock() -> WouldBlock".to_owned());
                Err(TryLockError::WouldBlock)
            }
        }
    }

    /// Like [`std::sync::Mutex::get_mut`].
    pub fn get_mut(&mut self) -> LockResult<&mut T> {
        self.inner.get_mut()
    }

    fn took(&self, site: Site, op: &str) {
        self.note_held(self.object(), site);
        trace::record(Some(site), || op.to_owned());
    }
}

impl<'a, T: ?Sized> MutexGuard<'a, T> {
    /// The loom guard, for a condvar wait that releases the lock: recorded as released.
    pub(crate) fn release_for_wait(mut self) -> (raw::MutexGuard<'a, T>, &'a Mutex<T>) {
        let inner = self.inner.take().expect("a guard holds its lock until dropped");
        trace::released(self.lock.object());
        (inner, self.lock)
    }

    /// A guard again for the lock a condvar wait took back, at the wait's line.
    pub(crate) fn retaken(inner: raw::MutexGuard<'a, T>, lock: &'a Mutex<T>, site: Site) -> Self {
        lock.note_held(lock.object(), site);
        MutexGuard { inner: Some(inner), lock }
    }
}

impl<T: ?Sized> Deref for MutexGuard<'_, T> {
    type Target = T;

    fn deref(&self) -> &T {
        self.inner.as_deref().expect("a guard holds its lock until dropped")
    }
}

impl<T: ?Sized> DerefMut for MutexGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        self.inner.as_deref_mut().expect("a guard holds its lock until dropped")
    }
}

impl<T: ?Sized> Drop for MutexGuard<'_, T> {
    fn drop(&mut self) {
        if let Some(inner) = self.inner.take() {
            drop(inner);
            trace::released(self.lock.object());
            trace::record(None, || "unlock".to_owned());
        }
    }
}
