//! Compiling graded files: one rustc process per exercise file and build mode, each with its own
//! CPU-time and memory limits, and no cargo lock or target folder shared between submissions. A file
//! that does not compile, or whose build never ends, costs its own exercise alone, whatever else
//! the class holds and in whatever order it is graded.
//!
//! Results are kept by content: a file byte-identical to one compiled before with the same
//! command (an untouched stub, in every learner's copy) is not compiled again.

use super::rustc_for::{fingerprint, rustc_for};
use super::template::{Captured, capture};
use crate::info::{Exercise, Source, Workbook};
use crate::process::{
    Cancel, Exit, Outcome, ProcessGroup, ResourceLimits, Sandbox, View, finished, program_status,
};
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
const BUILD_MEMORY: u64 = 3 << 30;

/// Compiles exercise files with the commands the template showed.
pub struct Compiler {
    commands: HashMap<BuildMode, Template>,
    cache: PathBuf,
    /// One lock per cache entry being built, so two submissions with the same file wait for one
    /// build instead of making two.
    building: Mutex<HashMap<String, Arc<Mutex<()>>>>,
    /// CPU time for compiling one file: real exercises take about a second.
    build_cpu: Duration,
    /// Where rustc runs, unless the instructor chose to do without.
    sandbox: Option<Sandbox>,
    /// The dependency tree the commands link against.
    target: PathBuf,
}

struct Template {
    captured: Captured,
    /// Hash of the command as this grader writes it, its environment and the libraries it
    /// links: part of every cache key.
    fingerprint: Vec<u8>,
}

impl Compiler {
    /// Builds the template in both modes (the dependency tree once per workbook, then a second
    /// or two).
    pub fn prepare(
        workbook: &Workbook,
        build_cpu: Duration,
        sandbox: Option<Sandbox>,
        cancel: &Cancel,
    ) -> Result<Outcome<Self>> {
        let grade = workbook.root.join("target").join("workbook").join("grade");
        // A target folder of grading's own: builds in the sandbox read it, and should find
        // nothing there of the instructor's (such as the solutions' executables).
        let target = grade.join("target");
        let mut commands = HashMap::new();
        let mut modes = vec![BuildMode::Plain];
        if workbook.exercises.iter().any(|e| e.loom) {
            modes.push(BuildMode::Loom);
        }
        for mode in modes {
            let template = grade.join("template");
            let captured = finished!(capture(workbook, &template, &target, mode, cancel)?);
            let fingerprint = fingerprint(&captured, sandbox.as_ref())?;
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
        Ok(Outcome::Finished(Compiler {
            commands,
            cache,
            building: Mutex::default(),
            build_cpu,
            sandbox,
            target,
        }))
    }

    /// Compiles `exercise`'s file under `root` (a submission's scratch copy) in `mode`.
    pub fn compile(
        &self,
        root: &Path,
        exercise: &Exercise,
        mode: BuildMode,
        cancel: &Cancel,
    ) -> Result<Outcome<Built>> {
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
            return Ok(Outcome::Finished(built));
        }
        let work = tempfile::Builder::new()
            .prefix(&format!("{key}."))
            .tempdir_in(&self.cache)
            .context("failed to create a build folder")?;
        let program = Path::new(&template.captured.command.program);
        let base = match &self.sandbox {
            Some(sandbox) => {
                // The toolchain (its `bin/rustc`'s grandparent), the dependency tree, the file's
                // own submission, and a folder to write the executable in.
                let toolchain = program.parent().and_then(Path::parent).unwrap_or(program);
                let view = View::default()
                    .read(toolchain)
                    .read(&self.target)
                    .read(root)
                    .write(work.path());
                sandbox.command(program, &view, root)
            }
            None => Command::new(program),
        };
        let mut command = rustc_for(
            &template.captured,
            base,
            root,
            &exercise.name,
            &source,
            &work.path().join(EXECUTABLE),
        );
        let diagnostics = work.path().join("diagnostics.json");
        command
            .current_dir(root)
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&diagnostics).context("failed to create a build log")?);
        let limits = ResourceLimits {
            memory_bytes: Some(BUILD_MEMORY),
            output_bytes: Some(64 << 20),
            cpu_seconds: Some(self.build_cpu.as_secs()),
            isolate: self.sandbox.is_none(),
        };
        // The CPU limit decides, whatever the load; the wall limit only ends a build that waits
        // without computing (reading a FIFO with `include_str!`, say).
        let wall = self.build_cpu * 10;
        let group = ProcessGroup::start(&mut command, limits, cancel)
            .context("failed to run rustc: is Rust installed?")?;
        let exit =
            match finished!(finished!(group).wait(Some(wall)).context("failed to wait for rustc")?)
            {
                Exit::Finished(status) if self.sandbox.is_some() => {
                    Exit::Finished(program_status(status))
                }
                exit => exit,
            };
        let messages = std::fs::read_to_string(&diagnostics).unwrap_or_default();
        let errors = rustc_errors(&messages);
        let built = match exit {
            Exit::Finished(status) if status.success() => Built::Executable(entry.join(EXECUTABLE)),
            Exit::Finished(_) if !errors.is_empty() => keep_errors(work.path(), errors)?,
            // Not kept: another grading may allow more.
            Exit::Finished(_) if exit.signal() == Some(rustix::process::Signal::XCPU.as_raw()) => {
                return Ok(Outcome::Finished(Built::Failed(format!(
                    "the build used more than {}s of CPU time, and was stopped: look for a \
                     compile-time loop (a const fn or a macro that never ends)",
                    self.build_cpu.as_secs()
                ))));
            }
            // Not kept: what a build was waiting for might come another time.
            Exit::TimedOut => {
                return Ok(Outcome::Finished(Built::Failed(format!(
                    "the build waited {}s without finishing, and was stopped: look for \
                     `include_str!` or `include_bytes!` of something that is not a file",
                    wall.as_secs()
                ))));
            }
            Exit::Finished(_) => {
                return Ok(Outcome::Finished(Built::Failed(format!(
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
        Ok(Outcome::Finished(built))
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
