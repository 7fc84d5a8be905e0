//! Compiling graded files: one rustc process per exercise file and build mode, each with its own
//! time and memory limits, and no cargo lock or target folder shared between submissions. A file
//! that does not compile, or whose build never ends, costs its own exercise alone, whatever else
//! the class holds and in whatever order it is graded.
//!
//! Results are kept by content: a file byte-identical to one compiled before with the same
//! command (an untouched stub, in every learner's copy) is not compiled again.

use super::template::{Captured, capture};
use crate::info::{Exercise, Source, Workbook};
use crate::process::{Cancel, Exit, ProcessGroup, ResourceLimits};
use crate::run::{BuildMode, Built, rustc_errors};
use anyhow::{Context, Result};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

/// Address space for one rustc: real exercises need a few hundred MiB; a macro that recurses
/// without end would take the machine.
pub const BUILD_MEMORY: u64 = 3 << 30;

/// Compiles exercise files with the commands the template showed.
pub struct Compiler {
    commands: HashMap<BuildMode, Template>,
    cache: PathBuf,
    /// One lock per cache entry being built, so two submissions with the same file wait for one
    /// build instead of making two.
    building: Mutex<HashMap<String, Arc<Mutex<()>>>>,
    /// CPU time for compiling one file: real exercises take about a second.
    build_cpu: Duration,
}

struct Template {
    captured: Captured,
    /// Hash of the command as this grader writes it, its environment and the libraries it
    /// links: part of every cache key.
    fingerprint: Vec<u8>,
}

impl Compiler {
    /// Builds the template in both modes (the dependency tree once per workbook, then a second
    /// or two). `None` if cancelled.
    pub fn prepare(
        workbook: &Workbook,
        build_cpu: Duration,
        cancel: &Cancel,
    ) -> Result<Option<Self>> {
        let target = workbook.root.join("target").join("workbook");
        let grade = target.join("grade");
        let mut commands = HashMap::new();
        let mut modes = vec![BuildMode::Plain];
        if workbook.exercises.iter().any(|e| e.loom) {
            modes.push(BuildMode::Loom);
        }
        for mode in modes {
            let Some(captured) = capture(workbook, &grade.join("template"), &target, mode, cancel)?
            else {
                return Ok(None);
            };
            let fingerprint = fingerprint(&captured)?;
            commands.insert(mode, Template { captured, fingerprint });
        }
        // One folder per generation of the toolchain, kit and grader, so an old one can go.
        let mut generation = Sha256::new();
        for mode in [BuildMode::Plain, BuildMode::Loom] {
            generation.update(commands.get(&mode).map_or(&[][..], |t| &t.fingerprint));
        }
        let generation = format!("{:x}", generation.finalize());
        let caches = grade.join("cache");
        remove_stale(&caches, &generation[..16]);
        let cache = caches.join(&generation[..16]);
        std::fs::create_dir_all(&cache)
            .with_context(|| format!("failed to create {}", cache.display()))?;
        Ok(Some(Compiler { commands, cache, building: Mutex::default(), build_cpu }))
    }

    /// Compiles `exercise`'s file under `root` (a submission's scratch copy) in `mode`. `None`
    /// if cancelled.
    pub fn compile(
        &self,
        root: &Path,
        exercise: &Exercise,
        mode: BuildMode,
        cancel: &Cancel,
    ) -> Result<Option<Built>> {
        let template = self.commands.get(&mode).context("no template for this build mode")?;
        let source = exercise.path(Source::Exercises);
        let text = std::fs::read(root.join(&source))
            .with_context(|| format!("failed to read {}", source.display()))?;
        let mut hasher = Sha256::new();
        for part in [
            &template.fingerprint[..],
            exercise.name.as_bytes(),
            source.as_os_str().as_encoded_bytes(),
            &text,
        ] {
            hasher.update((part.len() as u64).to_le_bytes());
            hasher.update(part);
        }
        let key = format!("{:x}", hasher.finalize());
        let entry = self.cache.join(&key);
        let lock = {
            let mut building = self.building.lock().unwrap_or_else(PoisonError::into_inner);
            Arc::clone(building.entry(key.clone()).or_default())
        };
        let _building = lock.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(built) = cached(&entry) {
            return Ok(Some(built));
        }
        let work = tempfile::Builder::new()
            .prefix(&format!("{key}."))
            .tempdir_in(&self.cache)
            .context("failed to create a build folder")?;
        let mut command = rustc_for(&template.captured, root, &exercise.name, &source, work.path());
        let diagnostics = work.path().join("diagnostics.json");
        command
            .current_dir(root)
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&diagnostics).context("failed to create a build log")?);
        let limits = ResourceLimits {
            memory_bytes: Some(BUILD_MEMORY),
            output_bytes: Some(64 << 20),
            cpu_seconds: Some(self.build_cpu.as_secs()),
            isolate: true,
        };
        // The CPU limit decides, whatever the load; the wall limit only ends a build that waits
        // without computing (reading a FIFO with `include_str!`, say).
        let wall = self.build_cpu * 10;
        let exit = match ProcessGroup::start(&mut command, limits, cancel) {
            Ok(group) => group.wait(Some(wall)).context("failed to wait for rustc")?,
            Err(error) if error.kind() == std::io::ErrorKind::Interrupted => return Ok(None),
            Err(error) => return Err(error).context("failed to run rustc: is Rust installed?"),
        };
        let messages = std::fs::read_to_string(&diagnostics).unwrap_or_default();
        let errors = rustc_errors(&messages);
        let built = match exit {
            Exit::Cancelled => return Ok(None),
            Exit::Finished(status) if status.success() => Built::Executable(entry.join(EXECUTABLE)),
            Exit::Finished(_) if !errors.is_empty() => keep_errors(work.path(), errors)?,
            // Not kept: another grading may allow more.
            Exit::Finished(_) if exit.signal() == Some(libc::SIGXCPU) => {
                return Ok(Some(Built::Failed(format!(
                    "the build used more than {}s of CPU time, and was stopped: look for a \
                     compile-time loop (a const fn or a macro that never ends)",
                    self.build_cpu.as_secs()
                ))));
            }
            // Not kept: what a build was waiting for might come another time.
            Exit::TimedOut => {
                return Ok(Some(Built::Failed(format!(
                    "the build waited {}s without finishing, and was stopped: look for \
                     `include_str!` or `include_bytes!` of something that is not a file",
                    wall.as_secs()
                ))));
            }
            Exit::Finished(_) => {
                return Ok(Some(Built::Failed(format!(
                    "the compiler stopped without an error message (it may have run out of its \
                     {} GiB of memory: look for a macro that expands without end)\n{}",
                    BUILD_MEMORY >> 30,
                    messages.trim_end()
                ))));
            }
        };
        let _ = std::fs::remove_file(&diagnostics);
        // Published whole, by renaming: a reader sees a finished entry or none.
        let work = work.keep();
        if std::fs::rename(&work, &entry).is_err() {
            let _ = std::fs::remove_dir_all(&work);
        }
        Ok(Some(built))
    }
}

const EXECUTABLE: &str = "test-executable";

/// Removes the caches of other generations untouched for a day (a grader of another version may
/// still be using a newer one).
fn remove_stale(caches: &Path, current: &str) {
    let Ok(entries) = std::fs::read_dir(caches) else { return };
    for entry in entries.flatten() {
        let old = entry
            .metadata()
            .and_then(|m| m.modified())
            .is_ok_and(|at| at.elapsed().is_ok_and(|age| age > Duration::from_secs(24 * 3600)));
        if old && entry.file_name() != current {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}
const ERRORS: &str = "errors.txt";

/// Records why a file does not build, for the next build of the same content.
fn keep_errors(work: &Path, errors: String) -> Result<Built> {
    std::fs::write(work.join(ERRORS), &errors).context("failed to keep rustc's errors")?;
    Ok(Built::Failed(errors))
}

/// What an earlier build of the same content produced.
fn cached(entry: &Path) -> Option<Built> {
    if let Ok(errors) = std::fs::read_to_string(entry.join(ERRORS)) {
        return Some(Built::Failed(errors));
    }
    let executable = entry.join(EXECUTABLE);
    executable.is_file().then_some(Built::Executable(executable))
}

/// The template's rustc command, made to compile `source` (relative to `root`) as the crate
/// `name` into `out`.
fn rustc_for(template: &Captured, root: &Path, name: &str, source: &Path, out: &Path) -> Command {
    let mut command = Command::new(&template.command.program);
    let mut args = template.command.args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            arg if arg == template.source => {
                command.arg(source);
            }
            "--crate-name" => {
                args.next();
                command.args(["--crate-name", name]);
            }
            // The output goes where this command says; cargo's folders are not ours to write.
            "--out-dir" => {
                args.next();
            }
            // Cargo's incremental folder, and what names the template's own binary.
            "-C" if args.as_slice().first().is_some_and(|next| {
                ["incremental=", "extra-filename=", "metadata="].iter().any(|o| next.starts_with(o))
            }) =>
            {
                args.next();
            }
            arg if arg.starts_with("--emit=") => {
                command.arg("--emit=link");
            }
            // Reports carry plain text: cargo asks for colours even with `--message-format json`.
            arg if arg.starts_with("--json=") => {
                let kinds: Vec<&str> = arg["--json=".len()..]
                    .split(',')
                    .filter(|kind| *kind != "diagnostic-rendered-ansi")
                    .collect();
                command.arg(format!("--json={}", kinds.join(",")));
            }
            arg => {
                command.arg(arg);
            }
        }
    }
    command.arg("-o").arg(out.join(EXECUTABLE));
    let manifest_dir = root.join(Source::Exercises.dir());
    for (key, value) in &template.command.env {
        let value = match key.as_str() {
            "CARGO_BIN_NAME" | "CARGO_CRATE_NAME" => name.into(),
            "CARGO_MANIFEST_DIR" => manifest_dir.clone().into_os_string(),
            "CARGO_MANIFEST_PATH" => manifest_dir.join("Cargo.toml").into_os_string(),
            _ => value.into(),
        };
        command.env(key, value);
    }
    command
}

/// A hash of everything besides the source that decides what rustc produces: the command as this
/// grader writes it (with stand-ins for what changes per file), and the libraries it links, which
/// change without their file names changing.
fn fingerprint(template: &Captured) -> Result<Vec<u8>> {
    let stand_in = Path::new("<>");
    let command = rustc_for(template, stand_in, "<>", stand_in, stand_in);
    let mut hasher = Sha256::new();
    hasher.update(format!("{command:?}"));
    for arg in &template.command.args {
        if let Some((_, library)) = arg.split_once('=').filter(|_| arg.ends_with(".rlib")) {
            let bytes =
                std::fs::read(library).with_context(|| format!("failed to read {library}"))?;
            hasher.update(Sha256::digest(&bytes));
        }
    }
    Ok(hasher.finalize().to_vec())
}
