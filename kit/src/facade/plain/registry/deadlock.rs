//! Proving a deadlock from the registered waits, and saying what it is.

use super::Waiting;
use std::cell::Cell;
use std::sync::OnceLock;
use std::thread::ThreadId;

pub(super) fn enabled() -> bool {
    static ENABLED: OnceLock<bool> = OnceLock::new();
    *ENABLED
        .get_or_init(|| std::env::var(crate::hang::SOLE_TEST_ENV).is_ok_and(|value| value == "1"))
}

/// The operating system's id of the current thread, read once.
pub(super) fn current_tid() -> Option<u32> {
    thread_local! {
        static TID: Cell<Option<u32>> = const { Cell::new(None) };
    }
    TID.with(|tid| {
        if tid.get().is_none() {
            // "PID/task/TID"
            let link = std::fs::read_link("/proc/thread-self").ok()?;
            tid.set(link.file_name()?.to_str()?.parse().ok());
        }
        tid.get()
    })
}

/// Every thread of the process, by the operating system's ids.
fn process_threads() -> Option<Vec<u32>> {
    let entries = std::fs::read_dir("/proc/self/task").ok()?;
    entries.map(|entry| entry.ok()?.file_name().to_str()?.parse().ok()).collect()
}

/// Whether no thread can ever end any of the registered waits: every thread of the process but
/// libtest's main one is registered and blocked, none of the waits was ended or ends by itself, and the test's
/// own thread is one of them (so it can be given the verdict). A thread the kit cannot see (one
/// running, finishing, or blocked in I/O or a std primitive) is in the process but not
/// registered, and there is then no verdict.
pub(super) fn everyone_blocked(waits: &[Waiting], live_kit_threads: usize) -> bool {
    if !enabled()
        || waits
            .iter()
            .any(|wait| wait.woken || wait.timed || wait.on_its_way || wait.tid.is_none())
    {
        return false;
    }
    let kit_threads = waits.iter().filter(|wait| !wait.root).count();
    // Cheap necessary conditions first: the process's threads are only read when they hold.
    if kit_threads < live_kit_threads || kit_threads == waits.len() {
        return false;
    }
    let Some(threads) = process_threads() else {
        return false;
    };
    let main = std::process::id();
    threads.iter().all(|&tid| tid == main || waits.iter().any(|wait| wait.tid == Some(tid)))
}

/// The diagnosis of a proved deadlock: every thread and what it waits on.
pub(super) fn report(waits: &[Waiting]) -> String {
    let mut text = "deadlock: every thread is blocked, each in a wait that only another of them \
                    could end:"
        .to_owned();
    for wait in waits {
        text.push_str(&line(wait));
    }
    text
}

fn line(wait: &Waiting) -> String {
    format!("\n  - {} waits in {}", wait.who, wait.what.replace('\n', "\n    "))
}

/// The cycle of lock waits that the current thread's lock wait closes, if it closes one: each
/// thread waits for a lock that the next one holds, and the last holds the one the first waits
/// for. None of them can go on, whatever other threads do.
pub(super) fn lock_cycle(waits: &[Waiting], me: ThreadId) -> Option<String> {
    let mut path = vec![waits.iter().find(|wait| wait.thread == me)?];
    if !closes_cycle(waits, me, &mut path) {
        return None;
    }
    let mut text = "deadlock: these threads each wait for a lock that the next one holds, in a \
                    cycle, so none of them can go on:"
        .to_owned();
    for wait in path {
        text.push_str(&line(wait));
    }
    text.push_str(
        "\nTake the locks in the same order in every thread, or hold only one at a time.",
    );
    Some(text)
}

fn closes_cycle<'a>(waits: &'a [Waiting], me: ThreadId, path: &mut Vec<&'a Waiting>) -> bool {
    let last = path[path.len() - 1];
    for holder in last.holders.iter().flatten() {
        if holder.thread == me {
            return true;
        }
        let next = waits.iter().find(|wait| {
            wait.thread == holder.thread && !wait.woken && !wait.timed && wait.holders.is_some()
        });
        let Some(next) = next else { continue };
        if path.iter().any(|seen| seen.thread == next.thread) {
            continue;
        }
        path.push(next);
        if closes_cycle(waits, me, path) {
            return true;
        }
        path.pop();
    }
    false
}
