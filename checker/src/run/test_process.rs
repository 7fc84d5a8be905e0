//! Running a libtest executable: listing its tests, and running one test in a process of its own.

use super::Limits;
use super::build::unique;
use crate::process::{Cancel, Exit, ProcessGroup, ResourceLimits, Sandbox, View, program_status};
use anyhow::{Context, Result};
use std::io::Read;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

/// The most output kept for display: the start and the end, which is where panics are.
const KEPT_OUTPUT: usize = 64 * 1024;

/// What one test process did.
#[derive(Debug)]
pub struct TestRun {
    pub exit: Exit,
    pub output: String,
    /// What libtest itself recorded (`--logfile`): `ok NAME` for a pass. Test code cannot fake
    /// it by printing a summary and exiting, as it could the output.
    pub recorded: String,
    pub duration: Duration,
}

/// Where test processes run.
#[derive(Debug, Clone, Copy)]
pub struct TestHost<'a> {
    /// Where their logs go.
    pub scratch: &'a Path,
    /// Their working folder.
    pub work_dir: &'a Path,
    /// For untrusted code: they see only their executable and, writable, these two folders.
    pub sandbox: Option<&'a Sandbox>,
}

impl TestHost<'_> {
    fn command(&self, executable: &Path) -> Command {
        match self.sandbox {
            Some(sandbox) => {
                let view =
                    View::default().read(executable).write(self.work_dir).write(self.scratch);
                sandbox.command(executable, &view, self.work_dir)
            }
            None => {
                let mut command = Command::new(executable);
                command.current_dir(self.work_dir);
                command
            }
        }
    }
}

/// Lists the tests of `executable`; `Err` carries the listing run when the executable failed.
pub fn list_tests(
    executable: &Path,
    limits: &Limits,
    cancel: &Cancel,
    host: &TestHost<'_>,
) -> Result<Result<Vec<String>, TestRun>> {
    let mut command = host.command(executable);
    command.args(["--list", "--format", "terse"]);
    let run = run_process(command, limits, cancel, host)?;
    if !matches!(&run.exit, Exit::Finished(status) if status.success()) {
        return Ok(Err(run));
    }
    Ok(Ok(run
        .output
        .lines()
        .filter_map(|line| line.strip_suffix(": test"))
        .map(str::to_owned)
        .collect()))
}

/// Runs the test `name` alone, its output unbuffered into a file.
pub fn run_test(
    executable: &Path,
    name: &str,
    limits: &Limits,
    cancel: &Cancel,
    host: &TestHost<'_>,
) -> Result<TestRun> {
    let recorded = host.scratch.join(format!("test-{}.result", unique()));
    let mut command = host.command(executable);
    command
        .args(["--exact", name, "--nocapture", "--test-threads", "1", "--logfile"])
        .arg(&recorded)
        .env(kit::hang::LIMIT_ENV, limits.hang.as_millis().to_string())
        // One test alone, so the kit may report a deadlock the moment it happens.
        .env(kit::hang::SOLE_TEST_ENV, "1")
        .env("RUST_BACKTRACE", "0")
        .env_remove("LOOM_MAX_PREEMPTIONS");
    let mut run = run_process(command, limits, cancel, host)?;
    run.recorded = std::fs::read_to_string(&recorded).unwrap_or_default();
    let _ = std::fs::remove_file(&recorded);
    Ok(run)
}

fn run_process(
    mut command: Command,
    limits: &Limits,
    cancel: &Cancel,
    host: &TestHost<'_>,
) -> Result<TestRun> {
    let log = host.scratch.join(format!("test-{}.log", unique()));
    let file = std::fs::File::create(&log).context("failed to create a test log")?;
    command
        .stdout(file.try_clone().context("failed to share the test log")?)
        .stderr(file)
        .env("NO_COLOR", "1");
    let resources = ResourceLimits {
        memory_bytes: Some(limits.memory_bytes),
        output_bytes: Some(limits.output_bytes),
        isolate: limits.isolate,
        cpu_seconds: None,
    };
    let started = Instant::now();
    let exit = match ProcessGroup::start(&mut command, resources, cancel) {
        Ok(group) => group.wait(Some(limits.test_time)).context("failed to wait for a test")?,
        Err(error) if error.kind() == std::io::ErrorKind::Interrupted => Exit::Cancelled,
        Err(error) => {
            let _ = std::fs::remove_file(&log);
            return Err(error)
                .with_context(|| format!("failed to start {}", command.get_program().display()));
        }
    };
    let exit = match exit {
        Exit::Finished(status) if host.sandbox.is_some() => Exit::Finished(program_status(status)),
        exit => exit,
    };
    let duration = started.elapsed();
    let output = read_kept(&log);
    let _ = std::fs::remove_file(&log);
    Ok(TestRun { exit, output, recorded: String::new(), duration })
}

/// The file's text, or its start and end when it is long.
fn read_kept(path: &Path) -> String {
    let mut bytes = Vec::new();
    if let Ok(mut file) = std::fs::File::open(path) {
        let _ = file.read_to_end(&mut bytes);
    }
    if bytes.len() <= KEPT_OUTPUT {
        return String::from_utf8_lossy(&bytes).into_owned();
    }
    let half = KEPT_OUTPUT / 2;
    format!(
        "{}\n[... {} bytes of output left out ...]\n{}",
        String::from_utf8_lossy(&bytes[..half]),
        bytes.len() - KEPT_OUTPUT,
        String::from_utf8_lossy(&bytes[bytes.len() - half..])
    )
}
