//! Namespaces for untrusted code (Linux only): a test cannot reach the network, outlive its run,
//! or signal anything outside.

use std::io;

/// Moves the process about to exec into namespaces of its own: a network with only loopback up
/// (so tests can still use 127.0.0.1), and a PID namespace. Best effort: where namespaces are not
/// allowed, nothing changes. Runs between fork and exec, so it makes only async-signal-safe
/// system calls: unshare, socket, ioctl, close, pipe2, fork, prctl, waitpid, read, write, signal,
/// kill, _exit.
pub fn isolate() -> io::Result<()> {
    // SAFETY: system calls without memory preconditions; `request` is a valid ifreq for
    // SIOCGIFFLAGS/SIOCSIFFLAGS.
    unsafe {
        if libc::unshare(libc::CLONE_NEWNET) != 0
            && libc::unshare(libc::CLONE_NEWUSER | libc::CLONE_NEWNET) != 0
        {
            return Ok(());
        }
        let socket = libc::socket(libc::AF_INET, libc::SOCK_DGRAM, 0);
        if socket >= 0 {
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
        if libc::unshare(libc::CLONE_NEWPID) != 0 {
            return Ok(());
        }
        // unshare moves only this process's future children into the new namespace. Its first
        // child is the namespace's init, which the kernel shields from its own namespace's
        // signals (a test's abort() would not end it), so init only waits: the test runs as its
        // child, and init hands the test's wait status to this process through a pipe.
        let mut status_pipe = [0; 2];
        if libc::pipe2(status_pipe.as_mut_ptr(), libc::O_CLOEXEC) != 0 {
            return Err(io::Error::last_os_error());
        }
        let [from_init, to_supervisor] = status_pipe;
        match libc::fork() {
            -1 => Err(io::Error::last_os_error()),
            0 => {
                libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
                match libc::fork() {
                    -1 => Err(io::Error::last_os_error()),
                    0 => Ok(()),
                    test => init(test, to_supervisor),
                }
            }
            init => supervise(init, from_init),
        }
    }
}

/// Closes every descriptor from 3 up except `keep`: among them is the spawner's exec-error pipe,
/// which `spawn` reads until every copy is closed, and only the test's copy may stay (it closes
/// on exec).
unsafe fn close_inherited(keep: libc::c_int) {
    // SAFETY: closing descriptors this process owns.
    unsafe {
        for (first, last) in [(3, keep - 1), (keep + 1, libc::c_int::MAX)] {
            if first <= last
                && libc::syscall(libc::SYS_close_range, first as u32, last as u32, 0u32) != 0
            {
                (first..last.min(1024)).for_each(|fd| {
                    libc::close(fd);
                });
            }
        }
    }
}

/// The namespace's PID 1: waits for the test, reaping whatever else ends, and sends the test's
/// wait status to the supervisor. When it exits, the kernel kills all that is left in the
/// namespace.
unsafe fn init(test: libc::pid_t, to_supervisor: libc::c_int) -> ! {
    // SAFETY: async-signal-safe system calls on our own descriptors and children.
    unsafe {
        close_inherited(to_supervisor);
        let mut status = 0;
        loop {
            match libc::waitpid(-1, &mut status, 0) {
                pid if pid == test => break,
                -1 if *libc::__errno_location() != libc::EINTR => libc::_exit(127),
                _ => {}
            }
        }
        libc::write(to_supervisor, (&raw const status).cast(), size_of::<libc::c_int>());
        libc::_exit(0)
    }
}

/// The process the runner started: waits for the namespace's init, then ends the way the test
/// did, so the runner sees the test's own exit code or signal.
unsafe fn supervise(init: libc::pid_t, from_init: libc::c_int) -> ! {
    // SAFETY: async-signal-safe system calls on our own descriptors and processes.
    unsafe {
        close_inherited(from_init);
        let mut status: libc::c_int = 0;
        let got = libc::read(from_init, (&raw mut status).cast(), size_of::<libc::c_int>());
        let mut init_status = 0;
        while libc::waitpid(init, &mut init_status, 0) == -1
            && *libc::__errno_location() == libc::EINTR
        {}
        if got != size_of::<libc::c_int>() as isize {
            libc::_exit(127);
        }
        if libc::WIFSIGNALED(status) {
            let signal = libc::WTERMSIG(status);
            libc::signal(signal, libc::SIG_DFL);
            libc::kill(libc::getpid(), signal);
            libc::_exit(128 + signal);
        }
        libc::_exit(libc::WEXITSTATUS(status))
    }
}

#[cfg(test)]
mod tests {
    use crate::process::{Cancel, Exit, ProcessGroup, ResourceLimits};
    use std::process::Command;
    use std::time::Duration;

    fn run_isolated(script: &str, output: &std::path::Path) -> Exit {
        let mut command = Command::new("/bin/sh");
        command.args(["-c", script]).stdout(std::fs::File::create(output).unwrap());
        let limits = ResourceLimits { isolate: true, ..ResourceLimits::default() };
        let group = ProcessGroup::start(&mut command, limits, &Cancel::new()).unwrap();
        let exit = group.into_result().unwrap().wait(Some(Duration::from_secs(10))).unwrap();
        exit.into_result().unwrap()
    }

    /// Whether this process may make namespaces: as root here; CI runs as root.
    fn may_isolate() -> bool {
        cfg!(target_os = "linux") && rustix::process::geteuid().is_root()
    }

    #[test]
    fn an_isolated_process_leaves_nothing_running_even_after_setsid() {
        if !may_isolate() {
            eprintln!("skipped: namespaces need root here");
            return;
        }
        let output = tempfile::NamedTempFile::new().unwrap();
        let output = output.path();
        // The daemon's argument marks it, to look for it afterwards among all processes.
        let marker = format!("{}.{}", 1000 + std::process::id() % 1000, std::process::id());
        let exit = run_isolated(&format!("echo $$; setsid sleep {marker} & exit 3"), output);
        let printed = std::fs::read_to_string(output).unwrap();
        assert!(matches!(exit, Exit::Finished(status) if status.code() == Some(3)), "{exit:?}");
        assert_eq!(printed.trim(), "2", "the shell runs under the init of its own PID namespace");
        let survivors: Vec<_> = std::fs::read_dir("/proc")
            .unwrap()
            .flatten()
            .filter_map(|entry| std::fs::read(entry.path().join("cmdline")).ok())
            .filter(|cmdline| String::from_utf8_lossy(cmdline).contains(&marker))
            .collect();
        assert!(survivors.is_empty(), "a daemon outlived its test: {survivors:?}");
    }

    #[test]
    fn an_isolated_process_that_dies_of_a_signal_is_seen_dying_of_it() {
        let output = tempfile::NamedTempFile::new().unwrap();
        let exit = run_isolated("kill -ABRT $$", output.path());
        assert_eq!(exit.signal(), Some(libc::SIGABRT), "{exit:?}");
    }
}
