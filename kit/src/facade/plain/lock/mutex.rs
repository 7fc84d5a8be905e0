use super::LockState;
use crate::facade::registry::{Registry, Site};
use std::fmt;
use std::ops::{Deref, DerefMut};
use std::panic::Location;
use std::sync::{LockResult, PoisonError, TryLockError, TryLockResult};

/// Like [`std::sync::Mutex`]. Locking it again from the thread that holds it fails at once with a
/// diagnosis naming both lines, as does a cycle of threads waiting for each other's locks; a
/// wait for it is bounded by the hang limit like every kit wait.
pub struct Mutex<T: ?Sized> {
    state: LockState,
    inner: std::sync::Mutex<T>,
}

/// Like [`std::sync::MutexGuard`].
#[must_use = "if unused the Mutex will immediately unlock"]
pub struct MutexGuard<'a, T: ?Sized + 'a> {
    lock: &'a Mutex<T>,
    /// `None` only once a condvar wait has unlocked it.
    inner: Option<std::sync::MutexGuard<'a, T>>,
}

impl<T> Mutex<T> {
    /// Like [`std::sync::Mutex::new`]; diagnoses name the line that created it.
    #[track_caller]
    pub fn new(value: T) -> Self {
        Mutex {
            state: LockState::new("Mutex", Location::caller()),
            inner: std::sync::Mutex::new(value),
        }
    }

    /// Like [`std::sync::Mutex::into_inner`].
    pub fn into_inner(self) -> LockResult<T> {
        self.inner.into_inner()
    }
}

impl<T: ?Sized> Mutex<T> {
    /// Like [`std::sync::Mutex::lock`].
    #[track_caller]
    pub fn lock(&self) -> LockResult<MutexGuard<'_, T>> {
        self.lock_at(Location::caller())
    }

    #[track_caller]
    pub(crate) fn lock_at(&self, site: Site) -> LockResult<MutexGuard<'_, T>> {
        self.state.refuse_self_deadlock("`lock()`", site, true);
        let locked = match self.try_inner() {
            Some(locked) => locked,
            None => self.state.wait_until("`lock()`", site, || self.try_inner()),
        };
        self.state.acquired(site, true);
        match locked {
            Ok(inner) => Ok(MutexGuard { lock: self, inner: Some(inner) }),
            Err(poisoned) => {
                Err(PoisonError::new(MutexGuard { lock: self, inner: Some(poisoned.into_inner()) }))
            }
        }
    }

    fn try_inner(&self) -> Option<LockResult<std::sync::MutexGuard<'_, T>>> {
        match self.inner.try_lock() {
            Ok(inner) => Some(Ok(inner)),
            Err(TryLockError::Poisoned(poisoned)) => Some(Err(poisoned)),
            Err(TryLockError::WouldBlock) => None,
        }
    }

    /// Like [`std::sync::Mutex::try_lock`].
    #[track_caller]
    pub fn try_lock(&self) -> TryLockResult<MutexGuard<'_, T>> {
        let site = Location::caller();
        let locked = self.try_inner().ok_or(TryLockError::WouldBlock)?;
        self.state.acquired(site, true);
        match locked {
            Ok(inner) => Ok(MutexGuard { lock: self, inner: Some(inner) }),
            Err(poisoned) => Err(TryLockError::Poisoned(PoisonError::new(MutexGuard {
                lock: self,
                inner: Some(poisoned.into_inner()),
            }))),
        }
    }

    /// Like [`std::sync::Mutex::is_poisoned`].
    pub fn is_poisoned(&self) -> bool {
        self.inner.is_poisoned()
    }

    /// Like [`std::sync::Mutex::clear_poison`].
    pub fn clear_poison(&self) {
        self.inner.clear_poison()
    }

    /// Like [`std::sync::Mutex::get_mut`].
    pub fn get_mut(&mut self) -> LockResult<&mut T> {
        self.inner.get_mut()
    }
}

impl<'a, T: ?Sized> MutexGuard<'a, T> {
    /// Unlocks for a condvar wait, with the registry locked so that the wait is registered and
    /// the lock's waiters woken in one step; returns the Mutex to lock again.
    pub(crate) fn unlock_in(mut self, registry: &mut Registry) -> &'a Mutex<T> {
        self.lock.state.released();
        drop(self.inner.take());
        self.lock.state.wake_waiters_in(registry);
        self.lock
    }
}

impl<T: ?Sized> Drop for MutexGuard<'_, T> {
    fn drop(&mut self) {
        if let Some(inner) = self.inner.take() {
            self.lock.state.released();
            drop(inner);
            self.lock.state.wake_waiters();
        }
    }
}

impl<T: ?Sized> Deref for MutexGuard<'_, T> {
    type Target = T;

    fn deref(&self) -> &T {
        self.inner.as_ref().expect("a guard is unlocked only while a condvar wait owns it")
    }
}

impl<T: ?Sized> DerefMut for MutexGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        self.inner.as_mut().expect("a guard is unlocked only while a condvar wait owns it")
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for MutexGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

impl<T: ?Sized + fmt::Display> fmt::Display for MutexGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&**self, f)
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for Mutex<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.inner, f)
    }
}

impl<T: Default> Default for Mutex<T> {
    #[track_caller]
    fn default() -> Self {
        Mutex::new(T::default())
    }
}

impl<T> From<T> for Mutex<T> {
    #[track_caller]
    fn from(value: T) -> Self {
        Mutex::new(value)
    }
}
