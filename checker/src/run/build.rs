//! Building exercises' test executables with cargo.

use super::Limits;
use super::build_progress::wait_reporting;
use super::rustc_command::{RustcCommand, rustc_command};
use crate::info::Source;
use crate::process::{Cancel, Exit, ProcessGroup, ResourceLimits};
use anyhow::{Context, Result, bail};
use serde::Deserialize;
use std::collections::HashMap;
use std::path::PathBuf;
use std::process::Command;
use std::sync::Mutex;

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

#[derive(Deserialize)]
struct Message {
    reason: String,
    target: Option<Target>,
    profile: Option<Profile>,
    executable: Option<PathBuf>,
    message: Option<Diagnostic>,
}

#[derive(Deserialize)]
struct Target {
    name: String,
    kind: Vec<String>,
}

#[derive(Deserialize)]
struct Profile {
    test: bool,
}

#[derive(Deserialize)]
struct Diagnostic {
    level: String,
    rendered: Option<String>,
}

/// Rustc commands remembered for the life of a watch session.
#[derive(Debug, Default)]
pub struct RustcCache {
    commands: Mutex<HashMap<(Source, String, BuildMode), RustcCommand>>,
}

impl RustcCache {
    /// Forgets every command, so the next builds go through cargo again.
    pub fn clear(&self) {
        self.lock().clear();
    }

    pub fn get(&self, key: &(Source, String, BuildMode)) -> Option<RustcCommand> {
        self.lock().get(key).cloned()
    }

    fn lock(
        &self,
    ) -> std::sync::MutexGuard<'_, HashMap<(Source, String, BuildMode), RustcCommand>> {
        self.commands.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
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

/// Builds the test executables of `bins` of `source` in one cargo run. A binary that fails to
/// compile does not stop the others (`--no-fail-fast` keeps cargo building).
pub fn build(
    settings: &BuildSettings,
    source: Source,
    bins: &[&str],
    mode: BuildMode,
    cancel: &Cancel,
    capture: Option<&RustcCache>,
    on_progress: &mut dyn FnMut(&str),
) -> Result<Option<Builds>> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut command = Command::new(cargo);
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
    let stdout = settings.scratch.join(format!("build-{}.json", unique()));
    let stderr = settings.scratch.join(format!("build-{}.err", unique()));
    command
        .stdout(std::fs::File::create(&stdout).context("failed to create a build log")?)
        .stderr(std::fs::File::create(&stderr).context("failed to create a build log")?);
    let started = match ProcessGroup::start(&mut command, ResourceLimits::default(), cancel) {
        Ok(group) => group,
        Err(error) if error.kind() == std::io::ErrorKind::Interrupted => return Ok(None),
        Err(error) => return Err(error).context("failed to run cargo: is Rust installed?"),
    };
    let limit = settings.limits.build_time;
    let exit = wait_reporting(started, limit, &stdout, bins.len(), on_progress)
        .context("failed to wait for cargo")?;
    let messages = std::fs::read_to_string(&stdout).unwrap_or_default();
    let complaints = std::fs::read_to_string(&stderr).unwrap_or_default();
    let _ = std::fs::remove_file(&stdout);
    let _ = std::fs::remove_file(&stderr);
    match exit {
        Exit::Cancelled => return Ok(None),
        Exit::TimedOut => bail!("cargo did not finish within {:?}", settings.limits.build_time),
        Exit::Finished(_) => {}
    }

    let mut executables = HashMap::new();
    let mut errors: HashMap<String, Vec<String>> = HashMap::new();
    for line in messages.lines() {
        let Ok(message) = serde_json::from_str::<Message>(line) else { continue };
        let Some(target) = message.target else { continue };
        if !target.kind.iter().any(|kind| kind == "bin") {
            continue;
        }
        match message.reason.as_str() {
            "compiler-artifact" if message.profile.is_some_and(|p| p.test) => {
                if let Some(executable) = message.executable {
                    executables.insert(target.name, executable);
                }
            }
            "compiler-message" => {
                if let Some(diagnostic) = message.message.filter(|d| d.level == "error") {
                    errors.entry(target.name).or_default().extend(diagnostic.rendered);
                }
            }
            _ => {}
        }
    }
    if let Some(cache) = capture {
        for (bin, executable) in &executables {
            if let Some(mut command) = rustc_command(&complaints, bin) {
                command.executable = executable.clone();
                cache.lock().insert((source, bin.clone(), mode), command);
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
    Ok(Some(Builds { built }))
}

/// Rebuilds `bin` with the rustc command cargo ran for it last time. `Ok(None)` when it cannot
/// say (there is no such command, or it failed in a way that is not a compile error, such as a
/// dependency rebuilt since): then cargo must build it.
pub fn rebuild(
    settings: &BuildSettings,
    cache: &RustcCache,
    key: (Source, String, BuildMode),
    cancel: &Cancel,
) -> Result<Option<Option<Built>>> {
    let Some(cached) = cache.get(&key) else { return Ok(Some(None)) };
    let diagnostics = settings.scratch.join(format!("rustc-{}.json", unique()));
    let mut command = Command::new(&cached.program);
    command
        .args(&cached.args)
        .current_dir(&settings.root)
        .envs(cached.env.iter().map(|(key, value)| (key, value)))
        .stdout(std::process::Stdio::null())
        .stderr(std::fs::File::create(&diagnostics).context("failed to create a build log")?);
    let group = match ProcessGroup::start(&mut command, ResourceLimits::default(), cancel) {
        Ok(group) => group,
        Err(error) if error.kind() == std::io::ErrorKind::Interrupted => return Ok(None),
        Err(_) => return Ok(Some(None)),
    };
    let exit = group.wait(Some(settings.limits.build_time)).context("failed to wait for rustc")?;
    let messages = std::fs::read_to_string(&diagnostics).unwrap_or_default();
    let _ = std::fs::remove_file(&diagnostics);
    let errors = rustc_errors(&messages);
    let built = match exit {
        Exit::Cancelled => return Ok(None),
        Exit::Finished(status) if status.success() => Some(Built::Executable(cached.executable)),
        Exit::Finished(_) if !errors.is_empty() => Some(Built::Failed(errors)),
        Exit::Finished(_) | Exit::TimedOut => {
            cache.lock().remove(&key);
            None
        }
    };
    Ok(Some(built))
}

/// rustc's rendered error messages, from the JSON diagnostics it writes to stderr.
pub fn rustc_errors(messages: &str) -> String {
    let errors: String = messages
        .lines()
        .filter_map(|line| serde_json::from_str::<Diagnostic>(line).ok())
        .filter(|diagnostic| diagnostic.level == "error")
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

/// A name no other file of this process, or of a concurrent one, uses.
pub fn unique() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    format!("{}-{}", std::process::id(), NEXT.fetch_add(1, Ordering::Relaxed))
}
