//! Rebuilding an exercise with the rustc command cargo ran for it last time: in watch mode every
//! save rebuilds, and this skips cargo's start-up and fingerprinting.

use super::build::{BuildSettings, Built, rustc_errors};
use super::{BuildMode, RustcCommand};
use crate::info::Source;
use crate::process::{Cancel, Exit, Outcome, ProcessGroup, ResourceLimits, finished};
use anyhow::{Context, Result};
use std::collections::HashMap;
use std::process::Command;
use std::sync::{Mutex, MutexGuard, PoisonError};

/// Which build a remembered command is for.
pub type Key = (Source, String, BuildMode);

/// Rustc commands remembered for the life of a watch session.
#[derive(Debug, Default)]
pub struct RustcCache {
    commands: Mutex<HashMap<Key, RustcCommand>>,
}

impl RustcCache {
    /// Forgets every command, so the next builds go through cargo again.
    pub fn clear(&self) {
        self.lock().clear();
    }

    pub fn get(&self, key: &Key) -> Option<RustcCommand> {
        self.lock().get(key).cloned()
    }

    pub fn insert(&self, key: Key, command: RustcCommand) {
        self.lock().insert(key, command);
    }

    fn remove(&self, key: &Key) {
        self.lock().remove(key);
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<Key, RustcCommand>> {
        self.commands.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// What a rebuild from a remembered command came to.
#[derive(Debug)]
pub enum Rebuilt {
    Built(Built),
    /// It cannot say (no command is remembered, or rustc failed in a way that is not the file's
    /// fault, such as a dependency rebuilt since or an environment variable cargo sets and the
    /// command lacks): cargo must build it.
    NeedsCargo,
}

/// Rebuilds the binary of `key` with the rustc command cargo ran for it last time.
pub fn rebuild(
    settings: &BuildSettings,
    cache: &RustcCache,
    key: Key,
    cancel: &Cancel,
) -> Result<Outcome<Rebuilt>> {
    let Some(cached) = cache.get(&key) else { return Ok(Outcome::Finished(Rebuilt::NeedsCargo)) };
    let diagnostics = tempfile::Builder::new()
        .prefix("rustc-")
        .suffix(".json")
        .tempfile_in(&settings.scratch)
        .context("failed to create a build log")?;
    let mut command = Command::new(&cached.program);
    // Cargo's variables are exactly those it gave rustc: one it did not give must not come from
    // this process's own environment (under `cargo workbook`, the tool's package's), where
    // `env!` would read a wrong value instead of failing and falling back to cargo.
    for (name, _) in std::env::vars_os() {
        let ours = name.to_str().is_some_and(|name| name.starts_with("CARGO_"));
        if ours && !cached.env.iter().any(|(key, _)| name == key.as_str()) {
            command.env_remove(name);
        }
    }
    command
        .args(&cached.args)
        .current_dir(&settings.root)
        .envs(cached.env.iter().map(|(key, value)| (key, value)))
        .stdout(std::process::Stdio::null())
        .stderr(diagnostics.reopen().context("failed to open a build log")?);
    let group = match ProcessGroup::start(&mut command, ResourceLimits::default(), cancel) {
        Ok(group) => finished!(group),
        Err(_) => return Ok(Outcome::Finished(Rebuilt::NeedsCargo)),
    };
    let exit = group.wait(Some(settings.limits.build_time)).context("failed to wait for rustc")?;
    let messages = std::fs::read_to_string(diagnostics.path()).unwrap_or_default();
    let errors = rustc_errors(&messages);
    let rebuilt = match finished!(exit) {
        Exit::Finished(status) if status.success() => {
            Rebuilt::Built(Built::Executable(cached.executable))
        }
        Exit::Finished(_) if !errors.is_empty() && !lacks_cargo_env(&errors) => {
            Rebuilt::Built(Built::Failed(errors))
        }
        Exit::Finished(_) | Exit::TimedOut => {
            cache.remove(&key);
            Rebuilt::NeedsCargo
        }
    };
    Ok(Outcome::Finished(rebuilt))
}

/// Whether rustc failed on an `env!` of a variable cargo sets: then cargo's own build, which
/// sets every one, is the verdict, not the replay's.
fn lacks_cargo_env(errors: &str) -> bool {
    errors.contains("environment variable `CARGO") && errors.contains("not defined at compile time")
}
