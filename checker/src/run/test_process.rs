//! Running a libtest executable: listing its tests, and running one test in a process of its own.

use super::Limits;
use crate::process::{
    Cancel, Exit, Outcome, ProcessGroup, ResourceLimits, Sandbox, View, finished, program_status,
};
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

/// What listing an executable's tests gave.
#[derive(Debug)]
pub enum Listing {
    Tests(Vec<String>),
    /// The executable failed to list them: its run says how.
    Failed(TestRun),
}

/// Lists the tests of `executable`.
pub fn list_tests(
    executable: &Path,
    limits: &Limits,
    cancel: &Cancel,
    host: &TestHost<'_>,
) -> Result<Outcome<Listing>> {
    let mut command = host.command(executable);
    command.args(["--list", "--format", "terse"]);
    let run = finished!(run_process(command, limits, cancel, host)?);
    if !matches!(&run.exit, Exit::Finished(status) if status.success()) {
        return Ok(Outcome::Finished(Listing::Failed(run)));
    }
    let names =
        run.output.lines().filter_map(|line| line.strip_suffix(": test")).map(str::to_owned);
    Ok(Outcome::Finished(Listing::Tests(names.collect())))
}

/// Runs the test `name` alone, its output unbuffered into a file.
pub fn run_test(
    executable: &Path,
    name: &str,
    limits: &Limits,
    cancel: &Cancel,
    host: &TestHost<'_>,
) -> Result<Outcome<TestRun>> {
    let recorded = scratch_file(host, ".result")?;
    let mut command = host.command(executable);
    command
        .args(["--exact", name, "--nocapture", "--test-threads", "1", "--logfile"])
        .arg(recorded.path())
        .env(kit::hang::LIMIT_ENV, limits.hang.as_millis().to_string())
        // One test alone, so the kit may report a deadlock the moment it happens.
        .env(kit::hang::SOLE_TEST_ENV, "1")
        .env("RUST_BACKTRACE", "0")
        .env_remove("LOOM_MAX_PREEMPTIONS");
    let mut run = finished!(run_process(command, limits, cancel, host)?);
    run.recorded = std::fs::read_to_string(recorded.path()).unwrap_or_default();
    Ok(Outcome::Finished(run))
}

/// A file for a test's logs in the scratch folder, removed when dropped.
fn scratch_file(host: &TestHost<'_>, suffix: &str) -> Result<tempfile::NamedTempFile> {
    tempfile::Builder::new()
        .prefix("test-")
        .suffix(suffix)
        .tempfile_in(host.scratch)
        .context("failed to create a test log")
}

fn run_process(
    mut command: Command,
    limits: &Limits,
    cancel: &Cancel,
    host: &TestHost<'_>,
) -> Result<Outcome<TestRun>> {
    let log = scratch_file(host, ".log")?;
    let file = log.reopen().context("failed to open a test log")?;
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
    let group = ProcessGroup::start(&mut command, resources, cancel)
        .with_context(|| format!("failed to start {}", command.get_program().display()))?;
    let waited = finished!(group).wait(Some(limits.test_time));
    let exit = finished!(waited.context("failed to wait for a test")?);
    let exit = match exit {
        Exit::Finished(status) if host.sandbox.is_some() => Exit::Finished(program_status(status)),
        exit => exit,
    };
    let duration = started.elapsed();
    let output = read_kept(log.path());
    Ok(Outcome::Finished(TestRun { exit, output, recorded: String::new(), duration }))
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
