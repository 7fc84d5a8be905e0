use super::{Cancel, Outcome};
use rustix::process::{Pid, Resource, Rlimit, Signal};
use std::collections::HashSet;
use std::io;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Mutex, PoisonError, mpsc};
use std::time::Duration;

/// Every live group this process started, so Ctrl-C can end them all.
static LIVE_GROUPS: Mutex<Option<HashSet<i32>>> = Mutex::new(None);

/// Time a process gets to exit after SIGTERM before SIGKILL.
const GRACE: Duration = Duration::from_millis(300);

/// Limits applied to a child with `setrlimit` before it runs.
#[derive(Debug, Clone, Copy, Default)]
pub struct ResourceLimits {
    /// Address space: a thread-per-job bomb fails to spawn instead of exhausting the machine.
    pub memory_bytes: Option<u64>,
    /// Largest file the process may write: its output goes to a file, so this caps the output.
    /// Past it the process gets SIGXFSZ.
    pub output_bytes: Option<u64>,
    /// CPU time, in seconds: unlike wall time, what a computation uses whatever else the
    /// machine runs. Past it the process gets SIGXCPU.
    pub cpu_seconds: Option<u64>,
    /// Namespaces of its own, where the OS lets us make them (Linux, as root or with unprivileged
    /// user namespaces): a network with loopback only, and a PID namespace, so that nothing the
    /// process starts outlives it (not even after `setsid`) and nothing in it can signal the
    /// processes outside. Elsewhere the process keeps both.
    pub isolate: bool,
}

/// How a process group's leader ended, when its work was not cancelled.
#[derive(Debug)]
pub enum Exit {
    Finished(ExitStatus),
    /// Killed at its time limit.
    TimedOut,
}

impl Exit {
    /// The signal that killed the process, if one did.
    pub fn signal(&self) -> Option<i32> {
        match self {
            Exit::Finished(status) => status.signal(),
            _ => None,
        }
    }
}

/// A child process leading a process group of its own.
#[derive(Debug)]
pub struct ProcessGroup {
    child: Child,
    group: i32,
    cancel: Cancel,
}

impl ProcessGroup {
    /// Starts `command` with stdin closed, in a new process group, under `limits`; nothing
    /// starts if `cancel` was already cancelled.
    pub fn start(
        command: &mut Command,
        limits: ResourceLimits,
        cancel: &Cancel,
    ) -> io::Result<Outcome<Self>> {
        command.stdin(Stdio::null()).process_group(0);
        if limits.memory_bytes.is_some() {
            // glibc reserves 64 MiB of address space per malloc arena, up to 8 per core: on a
            // many-core machine a test with a few dozen threads would exhaust the limit on
            // reservations alone. Two arenas keep the limit about what threads really use.
            command.env("MALLOC_ARENA_MAX", "2");
        }
        // SAFETY: the closure runs between fork and exec; it allocates nothing and makes only
        // async-signal-safe system calls: setrlimit (rustix's, a plain system call), and those
        // `isolate` lists.
        unsafe {
            command.pre_exec(move || {
                set_limit(Resource::Core, Some(0))?;
                set_limit(Resource::As, limits.memory_bytes)?;
                set_limit(Resource::Fsize, limits.output_bytes)?;
                set_limit(Resource::Cpu, limits.cpu_seconds)?;
                if limits.isolate {
                    #[cfg(target_os = "linux")]
                    super::linux_namespaces::isolate()?;
                }
                Ok(())
            });
        }
        // Both locks are held across the spawn, so a cancel or a Ctrl-C either sees the new group
        // or prevents it from starting: no child escapes in between.
        let mut live = LIVE_GROUPS.lock().unwrap_or_else(PoisonError::into_inner);
        let mut state = cancel.lock();
        if state.cancelled {
            return Ok(Outcome::Cancelled);
        }
        let child = command.spawn()?;
        let group = child.id() as i32;
        state.groups.insert(group);
        live.get_or_insert_with(HashSet::new).insert(group);
        Ok(Outcome::Finished(ProcessGroup { child, group, cancel: cancel.clone() }))
    }

    /// Waits for the leader to exit, for at most `limit`; a process still running then is ended
    /// with its group. Either way, anything left in the group is killed before this returns.
    /// Cancelled if its work was cancelled meanwhile, however it ended.
    pub fn wait(self, limit: Option<Duration>) -> io::Result<Outcome<Exit>> {
        let ProcessGroup { mut child, group, cancel } = self;
        let (exited, exit) = mpsc::channel();
        std::thread::spawn(move || exited.send(child.wait()));
        let status = match limit {
            None => exit.recv().ok(),
            Some(limit) => match exit.recv_timeout(limit) {
                Ok(status) => Some(status),
                Err(_) => {
                    signal_group(group, Signal::TERM);
                    if exit.recv_timeout(GRACE).is_err() {
                        signal_group(group, Signal::KILL);
                        let _ = exit.recv();
                    }
                    None
                }
            },
        };
        // A leader that exited may leave children behind in its group.
        signal_group(group, Signal::KILL);
        let cancelled = {
            let mut state = cancel.lock();
            state.groups.remove(&group);
            state.cancelled
        };
        if let Some(live) = &mut *LIVE_GROUPS.lock().unwrap_or_else(PoisonError::into_inner) {
            live.remove(&group);
        }
        match status {
            _ if cancelled => Ok(Outcome::Cancelled),
            Some(status) => Ok(Outcome::Finished(Exit::Finished(status?))),
            None => Ok(Outcome::Finished(Exit::TimedOut)),
        }
    }
}

/// Kills every process group this process started and has not reaped: for Ctrl-C and fatal exits.
pub fn end_all() {
    if let Some(live) = &*LIVE_GROUPS.lock().unwrap_or_else(PoisonError::into_inner) {
        for &group in live {
            signal_group(group, Signal::KILL);
        }
    }
}

pub(super) fn kill_group(group: i32) {
    signal_group(group, Signal::KILL);
}

fn signal_group(group: i32, signal: Signal) {
    // A group that is already gone gives ESRCH, which is what we want.
    if let Some(group) = Pid::from_raw(group) {
        let _ = rustix::process::kill_process_group(group, signal);
    }
}

fn set_limit(resource: Resource, value: Option<u64>) -> io::Result<()> {
    let Some(value) = value else { return Ok(()) };
    // At the CPU hard limit the kernel sends SIGKILL, before the soft limit's SIGXCPU when the
    // two are equal: a little headroom lets SIGXCPU say which limit ended the process.
    let headroom = if resource == Resource::Cpu { 5 } else { 0 };
    let limit = Rlimit { current: Some(value), maximum: Some(value.saturating_add(headroom)) };
    Ok(rustix::process::setrlimit(resource, limit)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_memory_limited_process_gets_the_address_space_limit_and_few_malloc_arenas() {
        let output = tempfile::NamedTempFile::new().unwrap();
        let mut command = Command::new("/bin/sh");
        command
            .args(["-c", "ulimit -v; printf %s \"$MALLOC_ARENA_MAX\""])
            .stdout(output.reopen().unwrap());
        let limits = ResourceLimits { memory_bytes: Some(1 << 30), ..ResourceLimits::default() };
        let group = ProcessGroup::start(&mut command, limits, &Cancel::new()).unwrap();
        let exit = group.into_result().unwrap().wait(Some(Duration::from_secs(10))).unwrap();
        let exit = exit.into_result().unwrap();
        let printed = std::fs::read_to_string(output.path()).unwrap();
        assert!(matches!(exit, Exit::Finished(status) if status.success()), "{exit:?}");
        assert_eq!(printed, "1048576\n2", "`ulimit -v` (KiB), then MALLOC_ARENA_MAX");
    }
}
