//! tokio's `Mutex` and `Semaphore`, remembering who holds a lock since which line and where each
//! was created, so that a wait that can never end says what it waits for.

use super::waits;
use std::ops::{Deref, DerefMut};
use std::panic::Location;
use std::sync::{Arc, Mutex as StdMutex};
pub use tokio::sync::{AcquireError, OwnedSemaphorePermit, SemaphorePermit, TryAcquireError};

/// Who holds a lock: the task, and the line where it locked.
type Holder = Option<(Option<&'static Location<'static>>, &'static Location<'static>)>;

/// Like [`tokio::sync::Mutex`]: a lock whose guard may be held across an `.await`.
pub struct Mutex<T: ?Sized> {
    created_at: &'static Location<'static>,
    holder: Arc<StdMutex<Holder>>,
    inner: tokio::sync::Mutex<T>,
}

impl<T> Mutex<T> {
    /// Like [`tokio::sync::Mutex::new`]; the lock is remembered by where it was created.
    #[track_caller]
    pub fn new(value: T) -> Self {
        Mutex {
            created_at: Location::caller(),
            holder: Arc::default(),
            inner: tokio::sync::Mutex::new(value),
        }
    }

    /// The value, once no one can lock it any more.
    pub fn into_inner(self) -> T {
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
    /// Like [`tokio::sync::Mutex::lock`]: waits until the lock is free.
    #[track_caller]
    pub fn lock(&self) -> impl Future<Output = MutexGuard<'_, T>> + '_ {
        let site = Location::caller();
        async move {
            let (holder, created_at) = (Arc::clone(&self.holder), self.created_at);
            let note = waits::note(move || {
                let held = match *holder.lock().unwrap_or_else(|e| e.into_inner()) {
                    Some((task, since)) => {
                        format!("{} holds it, since {since}", waits::task_name(task))
                    }
                    None => "no one holds it".to_owned(),
                };
                format!("in `lock()` at {site} of the Mutex created at {created_at}: {held}")
            });
            let inner = self.inner.lock().await;
            drop(note);
            *self.holder.lock().unwrap_or_else(|e| e.into_inner()) =
                Some((waits::current_task(), site));
            MutexGuard { inner, holder: &self.holder }
        }
    }

    /// Like [`tokio::sync::Mutex::try_lock`]: never waits.
    #[track_caller]
    pub fn try_lock(&self) -> Result<MutexGuard<'_, T>, tokio::sync::TryLockError> {
        let inner = self.inner.try_lock()?;
        *self.holder.lock().unwrap_or_else(|e| e.into_inner()) =
            Some((waits::current_task(), Location::caller()));
        Ok(MutexGuard { inner, holder: &self.holder })
    }
}

/// Like [`tokio::sync::MutexGuard`]: the lock is held until it is dropped.
pub struct MutexGuard<'a, T: ?Sized> {
    inner: tokio::sync::MutexGuard<'a, T>,
    holder: &'a StdMutex<Holder>,
}

impl<T: ?Sized> Deref for MutexGuard<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.inner
    }
}

impl<T: ?Sized> DerefMut for MutexGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.inner
    }
}

impl<T: ?Sized> Drop for MutexGuard<'_, T> {
    fn drop(&mut self) {
        *self.holder.lock().unwrap_or_else(|e| e.into_inner()) = None;
    }
}

/// Like [`tokio::sync::Semaphore`]: permits handed out while a permit lives.
pub struct Semaphore {
    created_at: &'static Location<'static>,
    permits: usize,
    inner: Arc<tokio::sync::Semaphore>,
}

impl Semaphore {
    /// Like [`tokio::sync::Semaphore::new`]; remembered by where it was created.
    #[track_caller]
    pub fn new(permits: usize) -> Self {
        let inner = Arc::new(tokio::sync::Semaphore::new(permits));
        Semaphore { created_at: Location::caller(), permits, inner }
    }

    fn note(&self, site: &'static Location<'static>) -> waits::Note {
        let (inner, created_at, permits) = (Arc::clone(&self.inner), self.created_at, self.permits);
        waits::note(move || {
            format!(
                "in `acquire()` at {site} on the Semaphore created at {created_at}: {} of its {permits} \
                 permits free; a permit is given back when it is dropped",
                inner.available_permits()
            )
        })
    }

    /// Like [`tokio::sync::Semaphore::acquire`]: waits for a permit, held until it is dropped.
    #[track_caller]
    pub fn acquire(&self) -> impl Future<Output = Result<SemaphorePermit<'_>, AcquireError>> + '_ {
        let site = Location::caller();
        async move {
            let _note = self.note(site);
            self.inner.acquire().await
        }
    }

    /// Like [`tokio::sync::Semaphore::acquire_owned`]: a permit that owns its semaphore, to move
    /// into a task.
    #[track_caller]
    pub fn acquire_owned(
        self: Arc<Self>,
    ) -> impl Future<Output = Result<OwnedSemaphorePermit, AcquireError>> {
        let site = Location::caller();
        async move {
            let _note = self.note(site);
            Arc::clone(&self.inner).acquire_owned().await
        }
    }

    /// Like [`tokio::sync::Semaphore::try_acquire`]: never waits.
    pub fn try_acquire(&self) -> Result<SemaphorePermit<'_>, TryAcquireError> {
        self.inner.try_acquire()
    }

    /// How many permits are free now.
    pub fn available_permits(&self) -> usize {
        self.inner.available_permits()
    }

    /// Refuses every waiting and future `acquire`.
    pub fn close(&self) {
        self.inner.close()
    }
}

impl std::fmt::Debug for Semaphore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Semaphore {{ permits: {}, free: {} }}", self.permits, self.available_permits())
    }
}
