use super::Cancel;
use std::collections::HashSet;
use std::io;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Mutex, PoisonError, mpsc};
use std::time::Duration;

/// The type of `setrlimit`'s first argument differs between libcs.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
type Resource = libc::__rlimit_resource_t;
#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
type Resource = libc::c_int;

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
    /// A network namespace of its own, with loopback only, where the OS lets us make one (Linux,
    /// as root or with unprivileged user namespaces). Elsewhere the process keeps the network.
    pub isolate_network: bool,
}

/// How a process group's leader ended.
#[derive(Debug)]
pub enum Exit {
    Finished(ExitStatus),
    /// Killed at its time limit.
    TimedOut,
    /// Killed because its work was cancelled.
    Cancelled,
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
    /// Starts `command` with stdin closed, in a new process group, under `limits`. Fails with
    /// `ErrorKind::Interrupted` if `cancel` was already cancelled.
    pub fn start(
        command: &mut Command,
        limits: ResourceLimits,
        cancel: &Cancel,
    ) -> io::Result<Self> {
        command.stdin(Stdio::null()).process_group(0);
        if limits.memory_bytes.is_some() {
            // glibc reserves 64 MiB of address space per malloc arena, up to 8 per core: on a
            // many-core machine a test with a few dozen threads would exhaust the limit on
            // reservations alone. Two arenas keep the limit about what threads really use.
            command.env("MALLOC_ARENA_MAX", "2");
        }
        // SAFETY: the closure runs between fork and exec and calls only setrlimit, which is
        // async-signal-safe; it allocates nothing.
        unsafe {
            command.pre_exec(move || {
                if limits.isolate_network {
                    isolate_network();
                }
                set_limit(libc::RLIMIT_CORE, Some(0))?;
                set_limit(libc::RLIMIT_AS, limits.memory_bytes)?;
                set_limit(libc::RLIMIT_FSIZE, limits.output_bytes)
            });
        }
        // Both locks are held across the spawn, so a cancel or a Ctrl-C either sees the new group
        // or prevents it from starting: no child escapes in between.
        let mut live = LIVE_GROUPS.lock().unwrap_or_else(PoisonError::into_inner);
        let mut state = cancel.lock();
        if state.cancelled {
            return Err(io::Error::new(io::ErrorKind::Interrupted, "cancelled"));
        }
        let child = command.spawn()?;
        let group = child.id() as i32;
        state.groups.insert(group);
        live.get_or_insert_with(HashSet::new).insert(group);
        Ok(ProcessGroup { child, group, cancel: cancel.clone() })
    }

    /// Waits for the leader to exit, for at most `limit`; a process still running then is ended
    /// with its group. Either way, anything left in the group is killed before this returns.
    pub fn wait(self, limit: Option<Duration>) -> io::Result<Exit> {
        let ProcessGroup { mut child, group, cancel } = self;
        let (exited, exit) = mpsc::channel();
        std::thread::spawn(move || exited.send(child.wait()));
        let status = match limit {
            None => exit.recv().ok(),
            Some(limit) => match exit.recv_timeout(limit) {
                Ok(status) => Some(status),
                Err(_) => {
                    signal_group(group, libc::SIGTERM);
                    if exit.recv_timeout(GRACE).is_err() {
                        signal_group(group, libc::SIGKILL);
                        let _ = exit.recv();
                    }
                    None
                }
            },
        };
        // A leader that exited may leave children behind in its group.
        signal_group(group, libc::SIGKILL);
        let cancelled = {
            let mut state = cancel.lock();
            state.groups.remove(&group);
            state.cancelled
        };
        if let Some(live) = &mut *LIVE_GROUPS.lock().unwrap_or_else(PoisonError::into_inner) {
            live.remove(&group);
        }
        match status {
            _ if cancelled => Ok(Exit::Cancelled),
            Some(status) => Ok(Exit::Finished(status?)),
            None => Ok(Exit::TimedOut),
        }
    }
}

/// Kills every process group this process started and has not reaped: for Ctrl-C and fatal exits.
pub fn end_all() {
    if let Some(live) = &*LIVE_GROUPS.lock().unwrap_or_else(PoisonError::into_inner) {
        for &group in live {
            signal_group(group, libc::SIGKILL);
        }
    }
}

pub(super) fn kill_group(group: i32) {
    signal_group(group, libc::SIGKILL);
}

fn signal_group(group: i32, signal: i32) {
    // SAFETY: kill has no memory-safety preconditions; a group that is already gone gives ESRCH,
    // which is what we want.
    unsafe {
        libc::kill(-group, signal);
    }
}

/// Moves the calling process into a new network namespace and brings its loopback up, so
/// tests can still use 127.0.0.1. Best effort: where namespaces are not allowed, nothing changes.
/// Runs between fork and exec, so it makes only async-signal-safe system calls.
#[cfg(target_os = "linux")]
fn isolate_network() {
    // SAFETY: unshare, socket, ioctl and close are system calls without memory preconditions;
    // `request` is a valid ifreq for SIOCGIFFLAGS/SIOCSIFFLAGS.
    unsafe {
        if libc::unshare(libc::CLONE_NEWNET) != 0
            && libc::unshare(libc::CLONE_NEWUSER | libc::CLONE_NEWNET) != 0
        {
            return;
        }
        let socket = libc::socket(libc::AF_INET, libc::SOCK_DGRAM, 0);
        if socket < 0 {
            return;
        }
        let mut request: libc::ifreq = std::mem::zeroed();
        for (slot, byte) in request.ifr_name.iter_mut().zip(b"lo\0") {
            *slot = *byte as libc::c_char;
        }
        if libc::ioctl(socket, libc::SIOCGIFFLAGS, &mut request) == 0 {
            request.ifr_ifru.ifru_flags |= libc::IFF_UP as libc::c_short;
            libc::ioctl(socket, libc::SIOCSIFFLAGS, &request);
        }
        libc::close(socket);
    }
}

#[cfg(not(target_os = "linux"))]
fn isolate_network() {}

fn set_limit(resource: Resource, bytes: Option<u64>) -> io::Result<()> {
    let Some(bytes) = bytes else { return Ok(()) };
    let limit = libc::rlimit { rlim_cur: bytes as libc::rlim_t, rlim_max: bytes as libc::rlim_t };
    // SAFETY: `limit` is a valid rlimit for the duration of the call.
    if unsafe { libc::setrlimit(resource, &limit) } == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_memory_limited_process_gets_the_address_space_limit_and_few_malloc_arenas() {
        let output = std::env::temp_dir().join(format!("workbook-limits-{}", std::process::id()));
        let mut command = Command::new("/bin/sh");
        command
            .args(["-c", "ulimit -v; printf %s \"$MALLOC_ARENA_MAX\""])
            .stdout(std::fs::File::create(&output).unwrap());
        let limits = ResourceLimits {
            memory_bytes: Some(1 << 30),
            output_bytes: None,
            isolate_network: false,
        };
        let group = ProcessGroup::start(&mut command, limits, &Cancel::new()).unwrap();
        let exit = group.wait(Some(Duration::from_secs(10))).unwrap();
        let printed = std::fs::read_to_string(&output).unwrap();
        let _ = std::fs::remove_file(&output);
        assert!(matches!(exit, Exit::Finished(status) if status.success()), "{exit:?}");
        assert_eq!(printed, "1048576\n2", "`ulimit -v` (KiB), then MALLOC_ARENA_MAX");
    }
}
