//! The operations of the loom execution in progress, and the locks each thread holds.

use crate::trace::Site;
use std::sync::Mutex;

/// One operation, as a row of the trace.
pub(super) struct Event {
    /// loom's number for the thread: 0 is the model's own, then in spawn order.
    pub(super) thread: usize,
    /// `None` for what happens without a call at a line, such as a guard dropped at a scope's end.
    pub(super) site: Option<Site>,
    pub(super) op: String,
}

/// A lock a thread holds, and since which line.
struct Held {
    object: usize,
    /// "the Mutex created at ...".
    what: String,
    thread: usize,
    since: Site,
}

/// The value an atomic was last given, in the order the trace shows.
struct Written {
    object: usize,
    value: String,
    thread: usize,
    site: Site,
}

#[derive(Default)]
struct Execution {
    events: Vec<Event>,
    held: Vec<Held>,
    written: Vec<Written>,
    /// loom's number for each thread seen, read once from its id's text: every operation
    /// recorded needs its thread's, and reading it costs more than the rest of the record.
    numbers: Vec<(loom::thread::ThreadId, usize)>,
}

impl Execution {
    /// `id`'s number. The id is read before the lock is taken: loom may panic reading it, and
    /// the panic hook takes the lock again to print the trace.
    fn number(&mut self, id: loom::thread::ThreadId) -> usize {
        if let Some(&(_, number)) = self.numbers.iter().find(|(seen, _)| *seen == id) {
            return number;
        }
        let number = number_of(id);
        self.numbers.push((id, number));
        number
    }
}

/// loom runs one execution at a time, its threads one at a time, so a std mutex is never
/// contended; it is outside the model, so recording adds no schedules.
static EXECUTION: Mutex<Execution> = Mutex::new(Execution {
    events: Vec::new(),
    held: Vec::new(),
    written: Vec::new(),
    numbers: Vec::new(),
});

fn execution() -> std::sync::MutexGuard<'static, Execution> {
    EXECUTION.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Forgets the previous execution: called as each schedule starts.
pub(crate) fn begin() {
    let mut execution = execution();
    execution.events.clear();
    execution.held.clear();
    execution.written.clear();
    execution.numbers.clear();
}

/// loom's number for the current thread, as its reports print it (`Id(n)`).
pub(crate) fn current_thread() -> usize {
    let id = loom::thread::current().id();
    execution().number(id)
}

/// loom's number for `thread`, as its reports print it (`Id(n)`).
pub(crate) fn thread_number(thread: &loom::thread::Thread) -> usize {
    number_of(thread.id())
}

fn number_of(id: loom::thread::ThreadId) -> usize {
    let id = format!("{id:?}");
    id.chars().filter(char::is_ascii_digit).collect::<String>().parse().unwrap_or(0)
}

/// How the trace and diagnoses name thread `number`.
pub(crate) fn thread_label(number: usize) -> String {
    if number == 0 { "main".to_owned() } else { format!("thread {number}") }
}

pub(crate) fn record(site: Option<Site>, op: impl FnOnce() -> String) {
    let id = loom::thread::current().id();
    let mut execution = execution();
    let thread = execution.number(id);
    execution.events.push(Event { thread, site, op: op() });
}

/// Records `op` at `site` for loom's thread `thread`: a call it has not returned from.
pub(crate) fn record_as(thread: usize, site: Site, op: String) {
    execution().events.push(Event { thread, site: Some(site), op });
}

/// Records an atomic operation on `object` that read `read` and wrote `wrote`. A read of
/// another value than the last one written is marked stale: loom, like the hardware, lets a
/// thread that has not synchronized see an older value.
pub(crate) fn record_atomic(
    site: Site,
    object: usize,
    op: String,
    read: Option<String>,
    wrote: Option<String>,
) {
    let id = loom::thread::current().id();
    let mut execution = execution();
    let thread = execution.number(id);
    let last = execution.written.iter().rfind(|written| written.object == object);
    let stale = match (read, last) {
        (Some(read), Some(last)) if read != last.value => format!(
            " (stale: {} wrote {} at {})",
            thread_label(last.thread),
            last.value,
            last.site.line()
        ),
        _ => String::new(),
    };
    if let Some(value) = wrote {
        execution.written.push(Written { object, value, thread, site });
    }
    execution.events.push(Event { thread, site: Some(site), op: op + &stale });
}

/// Notes that the current thread took the lock at `object`, `what`, at `since`.
pub(crate) fn held(object: usize, what: impl FnOnce() -> String, since: Site) {
    let id = loom::thread::current().id();
    let mut execution = execution();
    let thread = execution.number(id);
    execution.held.push(Held { object, what: what(), thread, since });
}

pub(crate) fn released(object: usize) {
    let id = loom::thread::current().id();
    let mut execution = execution();
    let thread = execution.number(id);
    let mine = |held: &Held| held.object == object && held.thread == thread;
    if let Some(index) = execution.held.iter().rposition(mine) {
        execution.held.remove(index);
    }
}

/// Who holds the lock at `object`, and since which line: "thread 2 holds since a.rs:30", or for
/// an `RwLock` read by several, "main holds since a.rs:12 and thread 2 holds since a.rs:30".
pub(crate) fn holder_of(object: usize) -> Option<String> {
    let execution = execution();
    let holders: Vec<String> = (execution.held.iter().filter(|held| held.object == object))
        .map(|held| format!("{} holds since {}", thread_label(held.thread), held.since))
        .collect();
    (!holders.is_empty()).then(|| holders.join(" and "))
}

/// Every lock held, one line each: "thread 2 holds the Mutex created at ... since ...".
pub(crate) fn holdings() -> Vec<String> {
    let execution = execution();
    let line = |held: &Held| {
        format!("{} holds {} since {}", thread_label(held.thread), held.what, held.since)
    };
    execution.held.iter().map(line).collect()
}

/// How the failing execution ran, in thread columns, ending with `failure`: the panic of the
/// current thread, or (`deadlock`) what each thread waits for.
pub(crate) fn failed(failure: &str, deadlock: bool) -> String {
    let failing = (!deadlock).then(current_thread);
    let execution = execution();
    super::render::columns(&execution.events, failing, failure)
}
