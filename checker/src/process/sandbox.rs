//! The sandbox graded code is built and run in: bubblewrap (`bwrap`, as Flatpak uses), a
//! well-kept tool made for this. Inside: its own user (unprivileged, with no capabilities), PID,
//! network (loopback only), IPC and UTS namespaces; a read-only view of the system's programs and
//! libraries and of what the sandbox is given to read, nothing else of the machine's files; a
//! private /tmp; its own /proc; and only the folders it is given to write. It dies with the
//! process that started it, and everything it started dies with it.

use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus};

/// Where bubblewrap is, once it was seen to work here.
#[derive(Debug, Clone)]
pub struct Sandbox {
    bwrap: PathBuf,
}

/// What one sandboxed process may see.
#[derive(Debug, Clone, Default)]
pub struct View {
    read_only: Vec<PathBuf>,
    writable: Vec<PathBuf>,
}

impl View {
    /// `path` is visible, at the same path, read-only.
    pub fn read(mut self, path: impl Into<PathBuf>) -> Self {
        self.read_only.push(path.into());
        self
    }

    /// `path` is visible, at the same path, and writable.
    pub fn write(mut self, path: impl Into<PathBuf>) -> Self {
        self.writable.push(path.into());
        self
    }
}

/// The system folders every program needs, shown read-only.
/// (`/etc/alternatives` holds the links Debian's `cc`, the linker rustc calls, goes through.)
const SYSTEM: [&str; 8] =
    ["/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/etc/ld.so.cache", "/etc/alternatives"];

impl Sandbox {
    /// Finds bubblewrap and checks it can make a sandbox here; the error says what to do.
    pub fn find() -> Result<Self, String> {
        if !cfg!(target_os = "linux") {
            return Err("the sandbox (bubblewrap) needs Linux".to_owned());
        }
        let bwrap = std::env::var_os("PATH")
            .map(|paths| std::env::split_paths(&paths).map(|p| p.join("bwrap")).collect::<Vec<_>>())
            .unwrap_or_default()
            .into_iter()
            .find(|candidate| candidate.is_file())
            .ok_or("bubblewrap (bwrap) is not installed (Debian and Ubuntu: `apt-get install bubblewrap`; Fedora: `dnf install bubblewrap`)")?;
        let sandbox = Sandbox { bwrap };
        let mut probe = sandbox.command(Path::new("/bin/true"), &View::default(), Path::new("/"));
        match probe.output() {
            Ok(output) if output.status.success() => Ok(sandbox),
            Ok(output) => Err(format!(
                "bubblewrap cannot make a sandbox here ({}): user namespaces may be disabled \
                 (sysctl kernel.unprivileged_userns_clone, or an AppArmor policy)",
                String::from_utf8_lossy(&output.stderr).trim()
            )),
            Err(error) => Err(format!("bubblewrap would not start: {error}")),
        }
    }

    /// A command that runs `program` in the sandbox, in `work_dir`, seeing `view`. Arguments,
    /// environment and output are then set on it as on the program's own command.
    pub fn command(&self, program: &Path, view: &View, work_dir: &Path) -> Command {
        let mut command = Command::new(&self.bwrap);
        command.args(["--unshare-all", "--die-with-parent", "--new-session", "--cap-drop", "ALL"]);
        // Unprivileged inside: the files it is given appear as its own, and it holds no
        // capability over anything outside (no setns into the grader's namespaces).
        command.args(["--uid", "65534", "--gid", "65534"]);
        for path in SYSTEM.iter().map(Path::new) {
            match std::fs::read_link(path) {
                Ok(target) => {
                    command.arg("--symlink").arg(target).arg(path);
                }
                Err(_) if path.exists() => {
                    command.arg("--ro-bind").arg(path).arg(path);
                }
                Err(_) => {}
            }
        }
        command.args(["--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp"]);
        for (flag, paths) in [("--ro-bind", &view.read_only), ("--bind", &view.writable)] {
            for path in paths {
                command.arg(flag).arg(path).arg(path);
            }
        }
        command.arg("--chdir").arg(work_dir).current_dir(work_dir);
        command.arg("--").arg(program);
        command
    }
}

/// How the sandboxed program ended: bubblewrap exits with 128 + N for a program killed by
/// signal N, and the runner's verdicts read signals.
pub fn program_status(status: ExitStatus) -> ExitStatus {
    match status.code() {
        Some(code) if code > 128 && code < 128 + 65 => ExitStatus::from_raw(code - 128),
        _ => status,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs `script` with bash in the sandbox, seeing `view`; returns its exit code and output.
    fn run(script: &str, view: &View) -> (Option<i32>, String) {
        let sandbox = Sandbox::find().expect("the sandbox is installed (.ci/run installs it)");
        let output = sandbox
            .command(Path::new("/bin/bash"), view, Path::new("/tmp"))
            .args(["-c", script])
            .output()
            .unwrap();
        let text =
            String::from_utf8_lossy(&output.stdout) + String::from_utf8_lossy(&output.stderr);
        (program_status(output.status).code(), text.into_owned())
    }

    #[test]
    fn sees_only_what_it_is_given_and_writes_only_where_it_may() {
        let outside = tempfile::tempdir().unwrap();
        let (readable, writable) =
            (outside.path().join("readable"), outside.path().join("writable"));
        std::fs::create_dir_all(&readable).unwrap();
        std::fs::create_dir_all(&writable).unwrap();
        std::fs::write(outside.path().join("secret"), "the solutions").unwrap();
        let view = View::default().read(&readable).write(&writable);
        let script = format!(
            "cat {secret}; touch {readable}/x; touch {writable}/ok; touch /tmp/mine; id -u",
            secret = outside.path().join("secret").display(),
            readable = readable.display(),
            writable = writable.display(),
        );
        let (_, output) = run(&script, &view);
        assert!(!output.contains("the solutions"), "{output}");
        assert!(!readable.join("x").exists(), "wrote into a read-only folder: {output}");
        assert!(writable.join("ok").exists(), "{output}");
        assert!(!Path::new("/tmp/mine").exists(), "its /tmp is its own");
        assert!(output.lines().any(|line| line == "65534"), "runs unprivileged: {output}");
    }

    #[test]
    fn has_no_network_no_view_of_other_processes_and_nothing_outlives_it() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let marker = format!("{}.{}", 3000 + std::process::id() % 1000, std::process::id());
        let script = format!(
            "(echo hi > /dev/tcp/127.0.0.1/{port}) 2>/dev/null && echo CONNECTED; \
             ls /proc | grep -c '^[0-9]'; setsid sleep {marker} & disown; exit 7"
        );
        let (code, output) = run(&script, &View::default());
        assert_eq!(code, Some(7), "{output}");
        assert!(!output.contains("CONNECTED"), "reached the host's loopback: {output}");
        let processes: usize = output.lines().last().unwrap().trim().parse().unwrap();
        assert!(processes < 10, "saw {processes} processes: the machine's, not its own");
        let survivors = std::fs::read_dir("/proc")
            .unwrap()
            .flatten()
            .filter_map(|entry| std::fs::read(entry.path().join("cmdline")).ok())
            .filter(|cmdline| String::from_utf8_lossy(cmdline).contains(&marker))
            .count();
        assert_eq!(survivors, 0, "a daemon outlived the sandbox");
    }

    #[test]
    fn a_program_killed_by_a_signal_is_seen_so() {
        let sandbox = Sandbox::find().unwrap();
        let status = sandbox
            .command(Path::new("/bin/bash"), &View::default(), Path::new("/tmp"))
            .args(["-c", "kill -ABRT $$"])
            .status()
            .unwrap();
        assert_eq!(program_status(status).signal(), Some(libc::SIGABRT));
    }
}
