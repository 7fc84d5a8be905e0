//! loom's atomics, each operation recorded with its ordering, the value it read and the value
//! it wrote, at the caller's line.

use crate::trace;
pub use loom::sync::atomic::{AtomicPtr, Ordering, fence};
use std::panic::Location;

/// Methods every atomic has: `$t` is the value's type.
macro_rules! common {
    ($name:ident, $t:ty) => {
        /// Like the std atomic of the same name; loom's underneath.
        #[derive(Debug)]
        pub struct $name {
            inner: loom::sync::atomic::$name,
            /// Whether every write so far was `SeqCst`: see [`Self::load`].
            only_seq_cst_writes: std::sync::atomic::AtomicBool,
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new(<$t>::default())
            }
        }

        impl From<$t> for $name {
            fn from(value: $t) -> Self {
                Self::new(value)
            }
        }

        impl $name {
            /// Records an operation that read `read` (a plain load, which may be stale) and
            /// wrote `wrote`.
            #[track_caller]
            fn record(&self, op: String, read: Option<$t>, wrote: Option<$t>) {
                let object = self as *const Self as usize;
                let (read, wrote) = (read.map(|v| v.to_string()), wrote.map(|v| v.to_string()));
                trace::record_atomic(Location::caller(), object, op, read, wrote);
            }

            /// Notes a write's ordering, for [`Self::load`].
            fn wrote_with(&self, order: Ordering) {
                if order != Ordering::SeqCst {
                    self.only_seq_cst_writes.store(false, std::sync::atomic::Ordering::Relaxed);
                }
            }

            /// Records a read-modify-write: what it read, and what it left.
            #[track_caller]
            fn rmw(&self, name: &str, value: $t, order: Ordering, old: $t, new: $t) {
                self.wrote_with(order);
                self.record(
                    format!("{name}({value}, {order:?}) -> {old}, now {new}"),
                    None,
                    Some(new),
                );
            }

            #[track_caller]
            pub fn new(value: $t) -> Self {
                Self {
                    inner: loom::sync::atomic::$name::new(value),
                    only_seq_cst_writes: std::sync::atomic::AtomicBool::new(true),
                }
            }

            /// loom's unsynchronized load.
            ///
            /// # Safety
            /// As loom's: no other thread may access the atomic meanwhile.
            #[track_caller]
            pub unsafe fn unsync_load(&self) -> $t {
                // SAFETY: the caller upholds loom's contract, which is this one's.
                unsafe { self.inner.unsync_load() }
            }

            #[track_caller]
            pub fn into_inner(self) -> $t {
                self.inner.into_inner()
            }

            /// loom models `SeqCst` as `AcqRel` (its documented limit), so its `SeqCst` load may
            /// read a value older than the last `SeqCst` write, which no real program can, and a
            /// trace would explain a race by a schedule that cannot happen. While every write was
            /// `SeqCst`, a read-modify-write that changes nothing reads what a real `SeqCst` load
            /// would: the last write. After any weaker write, the plain load keeps every stale
            /// value a real load may read.
            #[track_caller]
            pub fn load(&self, order: Ordering) -> $t {
                let sequential = order == Ordering::SeqCst
                    && self.only_seq_cst_writes.load(std::sync::atomic::Ordering::Relaxed);
                let value = if sequential {
                    self.inner.fetch_or(<$t>::default(), order)
                } else {
                    self.inner.load(order)
                };
                self.record(format!("load({order:?}) -> {value}"), Some(value), None);
                value
            }

            #[track_caller]
            pub fn store(&self, value: $t, order: Ordering) {
                self.wrote_with(order);
                self.inner.store(value, order);
                self.record(format!("store({value}, {order:?})"), None, Some(value));
            }

            #[track_caller]
            pub fn swap(&self, value: $t, order: Ordering) -> $t {
                let old = self.inner.swap(value, order);
                self.rmw("swap", value, order, old, value);
                old
            }

            #[track_caller]
            pub fn compare_exchange(
                &self,
                current: $t,
                new: $t,
                success: Ordering,
                failure: Ordering,
            ) -> Result<$t, $t> {
                self.wrote_with(success);
                let result = self.inner.compare_exchange(current, new, success, failure);
                let op = format!("compare_exchange({current}, {new}, {success:?}) -> {result:?}");
                self.record(op, result.err(), result.ok().map(|_| new));
                result
            }

            #[track_caller]
            pub fn compare_exchange_weak(
                &self,
                current: $t,
                new: $t,
                success: Ordering,
                failure: Ordering,
            ) -> Result<$t, $t> {
                self.wrote_with(success);
                let result = self.inner.compare_exchange_weak(current, new, success, failure);
                let op =
                    format!("compare_exchange_weak({current}, {new}, {success:?}) -> {result:?}");
                self.record(op, result.err(), result.ok().map(|_| new));
                result
            }

            #[track_caller]
            pub fn fetch_update<F>(
                &self,
                set: Ordering,
                fetch: Ordering,
                mut f: F,
            ) -> Result<$t, $t>
            where
                F: FnMut($t) -> Option<$t>,
            {
                self.wrote_with(set);
                let mut new = None;
                let result = self.inner.fetch_update(set, fetch, |value| {
                    new = f(value);
                    new
                });
                let now = result.ok().and(new);
                self.record(format!("fetch_update({set:?}) -> {result:?}, now {now:?}"), None, now);
                result
            }

            #[track_caller]
            pub fn fetch_and(&self, value: $t, order: Ordering) -> $t {
                let old = self.inner.fetch_and(value, order);
                self.rmw("fetch_and", value, order, old, old & value);
                old
            }

            #[track_caller]
            pub fn fetch_nand(&self, value: $t, order: Ordering) -> $t {
                let old = self.inner.fetch_nand(value, order);
                self.rmw("fetch_nand", value, order, old, !(old & value));
                old
            }

            #[track_caller]
            pub fn fetch_or(&self, value: $t, order: Ordering) -> $t {
                let old = self.inner.fetch_or(value, order);
                self.rmw("fetch_or", value, order, old, old | value);
                old
            }

            #[track_caller]
            pub fn fetch_xor(&self, value: $t, order: Ordering) -> $t {
                let old = self.inner.fetch_xor(value, order);
                self.rmw("fetch_xor", value, order, old, old ^ value);
                old
            }
        }
    };
}

/// The integers' arithmetic on top of [`common`].
macro_rules! integer {
    ($name:ident, $t:ty) => {
        common!($name, $t);

        impl $name {
            #[track_caller]
            pub fn with_mut<R>(&mut self, f: impl FnOnce(&mut $t) -> R) -> R {
                self.inner.with_mut(f)
            }

            #[track_caller]
            pub fn fetch_add(&self, value: $t, order: Ordering) -> $t {
                let old = self.inner.fetch_add(value, order);
                self.rmw("fetch_add", value, order, old, old.wrapping_add(value));
                old
            }

            #[track_caller]
            pub fn fetch_sub(&self, value: $t, order: Ordering) -> $t {
                let old = self.inner.fetch_sub(value, order);
                self.rmw("fetch_sub", value, order, old, old.wrapping_sub(value));
                old
            }

            #[track_caller]
            pub fn fetch_max(&self, value: $t, order: Ordering) -> $t {
                let old = self.inner.fetch_max(value, order);
                self.rmw("fetch_max", value, order, old, old.max(value));
                old
            }

            #[track_caller]
            pub fn fetch_min(&self, value: $t, order: Ordering) -> $t {
                let old = self.inner.fetch_min(value, order);
                self.rmw("fetch_min", value, order, old, old.min(value));
                old
            }
        }
    };
}

common!(AtomicBool, bool);
integer!(AtomicU8, u8);
integer!(AtomicU16, u16);
integer!(AtomicU32, u32);
integer!(AtomicU64, u64);
integer!(AtomicUsize, usize);
integer!(AtomicI8, i8);
integer!(AtomicI16, i16);
integer!(AtomicI32, i32);
integer!(AtomicI64, i64);
integer!(AtomicIsize, isize);
