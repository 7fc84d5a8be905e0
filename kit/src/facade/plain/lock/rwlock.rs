use super::LockState;
use std::fmt;
use std::ops::{Deref, DerefMut};
use std::panic::Location;
use std::sync::{LockResult, PoisonError, TryLockError, TryLockResult};

/// Like [`std::sync::RwLock`], diagnosed as the kit's [`Mutex`](super::Mutex) is: taking the
/// write lock while the same thread holds it in any way, or the read lock while it holds the
/// write lock, fails at once. A waiting writer does not hold back new readers.
pub struct RwLock<T: ?Sized> {
    state: LockState,
    inner: std::sync::RwLock<T>,
}

/// Like [`std::sync::RwLockReadGuard`].
#[must_use = "if unused the RwLock will immediately unlock"]
pub struct RwLockReadGuard<'a, T: ?Sized + 'a> {
    lock: &'a RwLock<T>,
    inner: Option<std::sync::RwLockReadGuard<'a, T>>,
}

/// Like [`std::sync::RwLockWriteGuard`].
#[must_use = "if unused the RwLock will immediately unlock"]
pub struct RwLockWriteGuard<'a, T: ?Sized + 'a> {
    lock: &'a RwLock<T>,
    inner: Option<std::sync::RwLockWriteGuard<'a, T>>,
}

/// std's outcome of a try, as a poisoned-or-not guard, or `None` to wait.
fn tried<G>(result: TryLockResult<G>) -> Option<LockResult<G>> {
    match result {
        Ok(guard) => Some(Ok(guard)),
        Err(TryLockError::Poisoned(poisoned)) => Some(Err(poisoned)),
        Err(TryLockError::WouldBlock) => None,
    }
}

/// Wraps std's guard, poisoned or not, in the kit's.
fn wrapped<G, K>(locked: LockResult<G>, wrap: impl FnOnce(G) -> K) -> LockResult<K> {
    match locked {
        Ok(guard) => Ok(wrap(guard)),
        Err(poisoned) => Err(PoisonError::new(wrap(poisoned.into_inner()))),
    }
}

fn wrapped_try<G, K>(locked: Option<LockResult<G>>, wrap: impl FnOnce(G) -> K) -> TryLockResult<K> {
    match locked {
        None => Err(TryLockError::WouldBlock),
        Some(locked) => wrapped(locked, wrap).map_err(TryLockError::Poisoned),
    }
}

impl<T> RwLock<T> {
    /// Like [`std::sync::RwLock::new`]; diagnoses name the line that created it.
    #[track_caller]
    pub fn new(value: T) -> Self {
        RwLock {
            state: LockState::new("RwLock", Location::caller()),
            inner: std::sync::RwLock::new(value),
        }
    }

    /// Like [`std::sync::RwLock::into_inner`].
    pub fn into_inner(self) -> LockResult<T> {
        self.inner.into_inner()
    }
}

impl<T: ?Sized> RwLock<T> {
    /// Like [`std::sync::RwLock::read`].
    #[track_caller]
    pub fn read(&self) -> LockResult<RwLockReadGuard<'_, T>> {
        let site = Location::caller();
        self.state.refuse_self_deadlock("`read()`", site, false);
        let locked = match tried(self.inner.try_read()) {
            Some(locked) => locked,
            None => self.state.wait_until("`read()`", site, || tried(self.inner.try_read())),
        };
        self.state.acquired(site, false);
        wrapped(locked, |inner| RwLockReadGuard { lock: self, inner: Some(inner) })
    }

    /// Like [`std::sync::RwLock::write`].
    #[track_caller]
    pub fn write(&self) -> LockResult<RwLockWriteGuard<'_, T>> {
        let site = Location::caller();
        self.state.refuse_self_deadlock("`write()`", site, true);
        let locked = match tried(self.inner.try_write()) {
            Some(locked) => locked,
            None => self.state.wait_until("`write()`", site, || tried(self.inner.try_write())),
        };
        self.state.acquired(site, true);
        wrapped(locked, |inner| RwLockWriteGuard { lock: self, inner: Some(inner) })
    }

    /// Like [`std::sync::RwLock::try_read`].
    #[track_caller]
    pub fn try_read(&self) -> TryLockResult<RwLockReadGuard<'_, T>> {
        let locked = tried(self.inner.try_read());
        if locked.is_some() {
            self.state.acquired(Location::caller(), false);
        }
        wrapped_try(locked, |inner| RwLockReadGuard { lock: self, inner: Some(inner) })
    }

    /// Like [`std::sync::RwLock::try_write`].
    #[track_caller]
    pub fn try_write(&self) -> TryLockResult<RwLockWriteGuard<'_, T>> {
        let locked = tried(self.inner.try_write());
        if locked.is_some() {
            self.state.acquired(Location::caller(), true);
        }
        wrapped_try(locked, |inner| RwLockWriteGuard { lock: self, inner: Some(inner) })
    }

    /// Like [`std::sync::RwLock::is_poisoned`].
    pub fn is_poisoned(&self) -> bool {
        self.inner.is_poisoned()
    }

    /// Like [`std::sync::RwLock::clear_poison`].
    pub fn clear_poison(&self) {
        self.inner.clear_poison()
    }

    /// Like [`std::sync::RwLock::get_mut`].
    pub fn get_mut(&mut self) -> LockResult<&mut T> {
        self.inner.get_mut()
    }
}

impl<T: ?Sized> Drop for RwLockReadGuard<'_, T> {
    fn drop(&mut self) {
        if let Some(inner) = self.inner.take() {
            self.lock.state.released();
            drop(inner);
            self.lock.state.wake_waiters();
        }
    }
}

impl<T: ?Sized> Drop for RwLockWriteGuard<'_, T> {
    fn drop(&mut self) {
        if let Some(inner) = self.inner.take() {
            self.lock.state.released();
            drop(inner);
            self.lock.state.wake_waiters();
        }
    }
}

const HELD: &str = "a guard holds its lock until it is dropped";

impl<T: ?Sized> Deref for RwLockReadGuard<'_, T> {
    type Target = T;

    fn deref(&self) -> &T {
        self.inner.as_ref().expect(HELD)
    }
}

impl<T: ?Sized> Deref for RwLockWriteGuard<'_, T> {
    type Target = T;

    fn deref(&self) -> &T {
        self.inner.as_ref().expect(HELD)
    }
}

impl<T: ?Sized> DerefMut for RwLockWriteGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        self.inner.as_mut().expect(HELD)
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for RwLock<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.inner, f)
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for RwLockReadGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for RwLockWriteGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

impl<T: Default> Default for RwLock<T> {
    #[track_caller]
    fn default() -> Self {
        RwLock::new(T::default())
    }
}
