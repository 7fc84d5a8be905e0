//! A failing loom schedule is shown as the interleaving that broke it: one column per thread,
//! the exercise's own lines, the values each atomic operation read and wrote, and, for a
//! deadlock, what each thread waits for and holds.

mod support;

use std::path::Path;
use support::{COLD_BUILD, copy_workbook_with, line_containing, text, workbook};

/// The trace part of `workbook run NAME`'s output, with its rows' leading indent removed.
fn trace_of(root: &Path, name: &str) -> String {
    let output = workbook(root, &["run", name], COLD_BUILD);
    let stdout = text(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "{stdout}\n{}", text(&output.stderr));
    let start =
        stdout.find("How that schedule ran").unwrap_or_else(|| panic!("a trace:\n{stdout}"));
    stdout[start..].lines().map(str::trim).collect::<Vec<_>>().join("\n")
}

/// The rows of `trace` that are operations at `line` containing `op`, in order.
fn rows_at(trace: &str, line: usize, op: &str) -> Vec<usize> {
    let at = line.to_string();
    let rows = trace.lines().enumerate().filter(|(_, row)| {
        let row = row.trim_start_matches('»').trim_start();
        row.split_whitespace().next() == Some(at.as_str()) && row.contains(op)
    });
    rows.map(|(index, _)| index).collect()
}

/// A writer that publishes a value behind a flag, both `Relaxed`: the reader may see the flag
/// and still an old value.
const RELAXED_PUBLICATION: &str = r#"//! A value published behind a flag.
use kit::sync::atomic::{AtomicBool, AtomicU64, Ordering};

pub struct Slot {
    value: AtomicU64,
    ready: AtomicBool,
}

impl Slot {
    pub fn publish(&self, value: u64) {
        self.value.store(value, Ordering::Relaxed);
        self.ready.store(true, Ordering::Relaxed);
    }

    pub fn read(&self) -> Option<u64> {
        let ready = self.ready.load(Ordering::Relaxed);
        ready.then(|| self.value.load(Ordering::Relaxed))
    }
}

fn main() {}

#[cfg(all(test, not(loom)))]
mod tests {
    #[test]
    fn nothing_is_read_before_it_is_published() {
        let slot = super::Slot { value: 0.into(), ready: false.into() };
        assert_eq!(slot.read(), None);
    }
}

#[cfg(all(test, loom))]
mod loom {
    use super::*;
    use kit::sync::Arc;
    use kit::thread;

    #[test]
    fn a_published_value_is_read_whole() {
        kit::model::check(|| {
            let slot = Arc::new(Slot { value: AtomicU64::new(0), ready: AtomicBool::new(false) });
            let shared = Arc::clone(&slot);
            let writer = thread::spawn(move || shared.publish(7));
            if let Some(value) = slot.read() {
                assert_eq!(value, 7, "the flag was seen before the value");
            }
            writer.join().unwrap();
        });
    }
}
"#;

#[test]
fn failing_loom_schedules_show_the_racing_lines_in_the_order_that_breaks() {
    let root =
        copy_workbook_with("loom_trace", &["hit_counter", "pool_metrics", "download_manager"]);

    // hit_counter's lost update: two handlers read the same count before either writes it back,
    // as a real program can; never a `SeqCst` load reading a value older than the last write,
    // which loom alone would allow.
    let stub = root.join("exercises/t1_threads/hit_counter.rs");
    let (load, store) =
        (line_containing(&stub, "hits.load("), line_containing(&stub, "hits.store("));
    let trace = trace_of(&root, "hit_counter");
    let lost = (0..3).find(|seen| {
        let loads = rows_at(&trace, load, &format!("load(SeqCst) -> {seen}"));
        let stores = rows_at(&trace, store, &format!("store({}, SeqCst)", seen + 1));
        loads.len() >= 2 && stores.len() >= 2 && loads[1] < stores[0]
    });
    assert!(lost.is_some(), "two reads of one count, then both writes:\n{trace}");
    assert!(!trace.contains("(stale:"), "{trace}");
    let header = trace.lines().nth(1).unwrap_or_default();
    assert!(header.starts_with("line") && header.contains("main") && header.contains("thread 1"));
    assert!(trace.contains("a hit was lost"), "{trace}");
    assert!(trace.contains(&format!("{load} | let seen = self.hits.load(")), "{trace}");

    // pool_metrics: two workers each read the queued gauge, then store it decremented.
    let stub = root.join("exercises/t1_threads/pool_metrics.rs");
    let (load, store) =
        (line_containing(&stub, "self.queued.load("), line_containing(&stub, "self.queued.store("));
    let trace = trace_of(&root, "pool_metrics");
    let loads = rows_at(&trace, load, "load(Relaxed) -> 2");
    let stores = rows_at(&trace, store, "store(1, Relaxed)");
    assert_eq!((loads.len(), stores.len()), (2, 2), "both read 2 and both wrote 1:\n{trace}");
    assert!(loads[1] < stores[1], "{trace}");

    // A loom deadlock: what each thread waits for, at the exercise's lines.
    let stub = root.join("exercises/t3_cancellation/download_manager.rs");
    let trace = trace_of(&root, "download_manager");
    assert!(trace.contains("deadlock: every thread is blocked"), "{trace}");
    let wait = line_containing(&stub, ".wait(state)");
    assert!(
        trace.contains(&format!(
            "`Condvar::wait()` at exercises/t3_cancellation/download_manager.rs:{wait}:"
        )),
        "{trace}"
    );
    assert!(trace.contains("`join()` at"), "{trace}");

    // A Relaxed publication: the flag is read true, and the value read is the old one.
    std::fs::write(stub_path(&root), RELAXED_PUBLICATION).unwrap();
    let trace = trace_of(&root, "hit_counter");
    let file = stub_path(&root);
    let published =
        rows_at(&trace, line_containing(&file, "self.value.store("), "store(7, Relaxed)");
    let flagged =
        rows_at(&trace, line_containing(&file, "self.ready.store("), "store(true, Relaxed)");
    let seen = rows_at(&trace, line_containing(&file, "self.ready.load("), "load(Relaxed) -> true");
    let stale = rows_at(
        &trace,
        line_containing(&file, "self.value.load("),
        "load(Relaxed) -> 0 (stale: thread 1 wrote 7",
    );
    assert_eq!([published.len(), flagged.len(), seen.len(), stale.len()], [1, 1, 1, 1], "{trace}");
    assert!(published[0] < flagged[0] && flagged[0] < seen[0] && seen[0] < stale[0], "{trace}");

    // A Mutex and an RwLock taken in opposite orders: each thread's wait names the lock's
    // holder and the line it took it at, as it stands once both are blocked.
    std::fs::write(stub_path(&root), OPPOSITE_LOCK_ORDERS).unwrap();
    let trace = trace_of(&root, "hit_counter");
    let at = |needle: &str| {
        format!("exercises/t1_threads/hit_counter.rs:{}", line_containing(&file, needle))
    };
    let (left_first, right_then) = (
        at("let mut left = self.left.lock().unwrap(); // first"),
        at("let mut right = self.right.write().unwrap(); // then"),
    );
    let (right_first, left_then) = (
        at("let right = self.right.read().unwrap(); // first"),
        at("let left = self.left.lock().unwrap(); // then"),
    );
    let waits: Vec<&str> = trace.lines().filter(|line| line.contains("()` at")).collect();
    assert_eq!(waits.len(), 2, "{trace}");
    for (waits_at, holder_took) in [(&right_then, &right_first), (&left_then, &left_first)] {
        let wait = waits.iter().find(|wait| wait.contains(&format!("at {waits_at}:")));
        let wait = wait.unwrap_or_else(|| panic!("a wait at {waits_at}:\n{trace}"));
        assert!(wait.contains(&format!("holds since {holder_took}:")), "{wait}\n{trace}");
    }
    assert!(trace.contains("`write()` at") && trace.contains("for the RwLock created at"));
    // The calls they block in end their columns, so the table shows all four lines.
    let line_of = |site: &str| site.rsplit(':').next().unwrap().parse::<usize>().unwrap();
    assert_eq!(rows_at(&trace, line_of(&right_then), "write() (blocked)").len(), 1, "{trace}");
    assert_eq!(rows_at(&trace, line_of(&left_then), "lock() (blocked)").len(), 1, "{trace}");
}

/// A transfer and an audit that take the same two locks in opposite orders.
const OPPOSITE_LOCK_ORDERS: &str = r#"//! Two accounts, each behind its own lock.
use kit::sync::{Mutex, RwLock};

pub struct Accounts {
    pub left: Mutex<u64>,
    pub right: RwLock<u64>,
}

impl Accounts {
    pub fn left_to_right(&self) {
        let mut left = self.left.lock().unwrap(); // first
        let mut right = self.right.write().unwrap(); // then
        *left -= 1;
        *right += 1;
    }

    pub fn total(&self) -> u64 {
        let right = self.right.read().unwrap(); // first
        let left = self.left.lock().unwrap(); // then
        *left + *right
    }
}

fn main() {}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn a_transfer_moves_one() {
        let accounts = Accounts { left: Mutex::new(5), right: RwLock::new(5) };
        accounts.left_to_right();
        assert_eq!((*accounts.left.lock().unwrap(), *accounts.right.read().unwrap()), (4, 6));
    }
}

#[cfg(all(test, loom))]
mod loom {
    use super::*;
    use kit::sync::Arc;
    use kit::thread;

    #[test]
    fn a_transfer_beside_a_total_finishes() {
        kit::model::check(|| {
            let accounts = Arc::new(Accounts { left: Mutex::new(5), right: RwLock::new(5) });
            let shared = Arc::clone(&accounts);
            let other = thread::spawn(move || shared.total());
            accounts.left_to_right();
            assert_eq!(other.join().unwrap(), 10);
        });
    }
}
"#;

fn stub_path(root: &Path) -> std::path::PathBuf {
    root.join("exercises/t1_threads/hit_counter.rs")
}

/// Two threads each raise their own flag, then read the other's, all `SeqCst`: one of them must
/// see the other's flag. loom alone models `SeqCst` as `AcqRel` and would condemn this correct
/// program on a schedule no real one can take.
const STORE_BUFFERING: &str = r#"//! Two flags, each raised by one thread and read by the other.
use kit::sync::atomic::{AtomicBool, Ordering};

pub fn raise_then_look(mine: &AtomicBool, theirs: &AtomicBool) -> bool {
    mine.store(true, Ordering::SeqCst);
    theirs.load(Ordering::SeqCst)
}

fn main() {}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn a_flag_not_raised_is_not_seen() {
        assert!(!raise_then_look(&AtomicBool::new(false), &AtomicBool::new(false)));
    }
}

#[cfg(all(test, loom))]
mod loom {
    use super::*;
    use kit::sync::Arc;
    use kit::thread;

    #[test]
    fn one_of_two_raised_flags_is_always_seen() {
        kit::model::check(|| {
            let flags = Arc::new([AtomicBool::new(false), AtomicBool::new(false)]);
            let shared = Arc::clone(&flags);
            let other = thread::spawn(move || raise_then_look(&shared[1], &shared[0]));
            let seen_here = raise_then_look(&flags[0], &flags[1]);
            let seen_there = other.join().unwrap();
            assert!(seen_here || seen_there, "neither thread saw the other's flag");
        });
    }
}
"#;

#[test]
fn a_seq_cst_program_is_never_condemned_by_a_schedule_it_cannot_take() {
    let root = copy_workbook_with("loom_seq_cst", &["hit_counter"]);
    std::fs::write(stub_path(&root), STORE_BUFFERING).unwrap();
    let output = workbook(&root, &["run", "hit_counter"], COLD_BUILD);
    let stdout = text(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{stdout}\n{}", text(&output.stderr));
    assert!(stdout.contains("✓ loom"), "{stdout}");
}
