//! Building exercises' test executables with cargo, read from cargo's JSON messages.

use super::Limits;
use super::build_progress::wait_reporting;
use super::replay::RustcCache;
use super::rustc_command::rustc_command;
use crate::info::Source;
use crate::process::{Cancel, Exit, Outcome, ProcessGroup, ResourceLimits, finished};
use anyhow::{Context, Result, bail};
use cargo_metadata::diagnostic::{Diagnostic, DiagnosticLevel};
use cargo_metadata::{Message, TargetKind};
use std::collections::HashMap;
use std::path::PathBuf;
use std::process::Command;

/// Plain tests, or loom models.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BuildMode {
    Plain,
    /// `--cfg loom`, in the `loom` profile (see the workspace's Cargo.toml for why that profile).
    Loom,
}

/// What a build produced for one binary.
#[derive(Debug, Clone)]
pub enum Built {
    Executable(PathBuf),
    /// rustc's diagnostics, or cargo's complaint when rustc never ran.
    Failed(String),
}

/// The outcome of one cargo invocation over one or more binaries.
#[derive(Debug, Default)]
pub struct Builds {
    built: HashMap<String, Built>,
}

impl Builds {
    pub fn get(&self, bin: &str) -> Option<&Built> {
        self.built.get(bin)
    }
}

/// Where builds happen, and how they look.
#[derive(Debug, Clone)]
pub struct BuildSettings {
    pub root: PathBuf,
    pub target_dir: PathBuf,
    /// Where build and test logs go while they are read.
    pub scratch: PathBuf,
    pub color: bool,
    pub limits: Limits,
}

/// The cargo that runs this tool (`$CARGO` under `cargo workbook`), else the one on the PATH.
pub fn cargo() -> Command {
    Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
}

/// Builds the test executables of `bins` of `source` in one cargo run. A binary that fails to
/// compile does not stop the others (`--no-fail-fast` keeps cargo building). With `capture`,
/// remembers the rustc command of each binary built.
pub fn build(
    settings: &BuildSettings,
    source: Source,
    bins: &[&str],
    mode: BuildMode,
    cancel: &Cancel,
    capture: Option<&RustcCache>,
    on_progress: &mut dyn FnMut(&str),
) -> Result<Outcome<Builds>> {
    let mut command = cargo();
    command
        .current_dir(&settings.root)
        .args(["test", "--no-run", "--no-fail-fast", "--package"])
        .arg(source.dir())
        .arg("--message-format")
        .arg(if settings.color { "json-diagnostic-rendered-ansi" } else { "json" })
        .arg("--target-dir")
        .arg(&settings.target_dir)
        .env("CARGO_TERM_COLOR", "never")
        .env_remove("RUSTFLAGS");
    for bin in bins {
        command.args(["--bin", bin]);
    }
    if capture.is_some() {
        // Prints each rustc command it runs, with its environment, to remember.
        command.arg("-vv");
    }
    match mode {
        // No debug info: it is a third of an exercise's compile time, and nothing reads it
        // (panic and hang locations are compiled in; backtraces are off in test runs).
        BuildMode::Plain => command
            .env_remove("CARGO_ENCODED_RUSTFLAGS")
            .env("CARGO_PROFILE_DEV_DEBUG", "false")
            .env("CARGO_PROFILE_TEST_DEBUG", "false"),
        BuildMode::Loom => {
            command.args(["--profile", "loom"]).env("CARGO_ENCODED_RUSTFLAGS", "--cfg\x1floom")
        }
    };
    let log = |suffix| {
        tempfile::Builder::new()
            .prefix("build-")
            .suffix(suffix)
            .tempfile_in(&settings.scratch)
            .context("failed to create a build log")
    };
    let (stdout, stderr) = (log(".json")?, log(".err")?);
    command.stdout(stdout.reopen()?).stderr(stderr.reopen()?);
    let started = ProcessGroup::start(&mut command, ResourceLimits::default(), cancel)
        .context("failed to run cargo: is Rust installed?")?;
    let limit = settings.limits.build_time;
    let exit = wait_reporting(finished!(started), limit, stdout.path(), bins.len(), on_progress)
        .context("failed to wait for cargo")?;
    if let Exit::TimedOut = finished!(exit) {
        bail!("cargo did not finish within {:?}", settings.limits.build_time);
    }
    let messages = std::fs::read(stdout.path()).unwrap_or_default();
    let complaints = std::fs::read_to_string(stderr.path()).unwrap_or_default();

    let mut executables = HashMap::new();
    let mut errors: HashMap<String, Vec<String>> = HashMap::new();
    for message in Message::parse_stream(&messages[..]).map_while(Result::ok) {
        match message {
            Message::CompilerArtifact(artifact)
                if artifact.profile.test && artifact.target.is_kind(TargetKind::Bin) =>
            {
                if let Some(executable) = artifact.executable {
                    executables.insert(artifact.target.name, executable.into_std_path_buf());
                }
            }
            Message::CompilerMessage(message)
                if message.target.is_kind(TargetKind::Bin)
                    && message.message.level == DiagnosticLevel::Error =>
            {
                errors.entry(message.target.name).or_default().extend(message.message.rendered);
            }
            _ => {}
        }
    }
    if let Some(cache) = capture {
        for (bin, executable) in &executables {
            if let Some(mut command) = rustc_command(&complaints, bin) {
                command.executable = executable.clone();
                cache.insert((source, bin.clone(), mode), command);
            }
        }
    }
    let built = bins
        .iter()
        .map(|&bin| {
            let outcome = match (executables.remove(bin), errors.remove(bin)) {
                (Some(executable), _) => Built::Executable(executable),
                (None, Some(errors)) => Built::Failed(errors.concat().trim_end().to_owned()),
                // rustc never ran: cargo itself failed (a bad manifest, a missing dependency).
                (None, None) => Built::Failed(cargo_complaint(&complaints)),
            };
            (bin.to_owned(), outcome)
        })
        .collect();
    Ok(Outcome::Finished(Builds { built }))
}

/// rustc's rendered error messages, from the JSON diagnostics it writes to stderr.
pub fn rustc_errors(messages: &str) -> String {
    let errors: String = messages
        .lines()
        .filter_map(|line| serde_json::from_str::<Diagnostic>(line).ok())
        .filter(|diagnostic| diagnostic.level == DiagnosticLevel::Error)
        .filter_map(|diagnostic| diagnostic.rendered)
        .collect();
    errors.trim_end().to_owned()
}

/// Cargo's own error lines, without its progress chatter.
fn cargo_complaint(stderr: &str) -> String {
    let lines: Vec<&str> =
        stderr.lines().skip_while(|line| !line.trim_start().starts_with("error")).collect();
    if lines.is_empty() { stderr.trim().to_owned() } else { lines.join("\n") }
}
