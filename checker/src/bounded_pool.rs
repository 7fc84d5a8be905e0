//! Running indexed work on a bounded number of threads.

use anyhow::Result;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, PoisonError};

/// How many things run at once: as asked (`--jobs`), else one per core; at least one.
pub fn jobs(asked: Option<usize>) -> usize {
    asked.unwrap_or_else(|| std::thread::available_parallelism().map_or(2, |n| n.get())).max(1)
}

/// Runs `work(index)` for every index below `count`, at most `jobs` at a time, and returns the
/// results in index order. After the first error no new work starts, and that error is returned.
pub fn map<T: Send>(
    count: usize,
    jobs: usize,
    work: impl Fn(usize) -> Result<T> + Sync,
) -> Result<Vec<T>> {
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<T>>> = Mutex::new((0..count).map(|_| None).collect());
    let failure: Mutex<Option<anyhow::Error>> = Mutex::new(None);
    std::thread::scope(|scope| {
        for _ in 0..jobs.clamp(1, count.max(1)) {
            scope.spawn(|| {
                loop {
                    if failure.lock().unwrap_or_else(PoisonError::into_inner).is_some() {
                        return;
                    }
                    let index = next.fetch_add(1, Ordering::SeqCst);
                    if index >= count {
                        return;
                    }
                    match work(index) {
                        Ok(result) => {
                            results.lock().unwrap_or_else(PoisonError::into_inner)[index] =
                                Some(result)
                        }
                        Err(error) => {
                            failure
                                .lock()
                                .unwrap_or_else(PoisonError::into_inner)
                                .get_or_insert(error);
                            return;
                        }
                    }
                }
            });
        }
    });
    if let Some(error) = failure.into_inner().unwrap_or_else(PoisonError::into_inner) {
        return Err(error);
    }
    Ok(results.into_inner().unwrap_or_else(PoisonError::into_inner).into_iter().flatten().collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;

    #[test]
    fn keeps_index_order_and_never_exceeds_the_bound() {
        let running = AtomicUsize::new(0);
        let peak = AtomicUsize::new(0);
        let squares = map(20, 3, |index| {
            let now = running.fetch_add(1, Ordering::SeqCst) + 1;
            peak.fetch_max(now, Ordering::SeqCst);
            running.fetch_sub(1, Ordering::SeqCst);
            Ok(index * index)
        })
        .unwrap();
        assert_eq!(squares, (0..20).map(|i| i * i).collect::<Vec<_>>());
        assert!(peak.load(Ordering::SeqCst) <= 3);
    }

    #[test]
    fn returns_the_error_and_stops_handing_out_work() {
        let started = AtomicUsize::new(0);
        let result = map(100, 1, |index| {
            started.fetch_add(1, Ordering::SeqCst);
            if index == 2 { anyhow::bail!("job 2 failed") } else { Ok(index) }
        });
        assert_eq!(result.unwrap_err().to_string(), "job 2 failed");
        assert_eq!(started.load(Ordering::SeqCst), 3);
    }
}
