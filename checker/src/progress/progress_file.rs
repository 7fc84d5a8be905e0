use crate::info::{Exercise, InputError, Workbook};
use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Kept at the workbook's root; not part of the workbook's sources.
pub const PROGRESS_FILE: &str = ".workbook-progress.toml";

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ProgressFile {
    /// The exercise the learner is on.
    current: String,
    /// The exercises that passed, by name.
    #[serde(default)]
    done: Vec<String>,
    /// The git commit the workbook was at when the learner started: `reset` restores stubs from
    /// it, so a learner's own commits never count as the original.
    base: Option<String>,
}

/// Where a learner is in the workbook.
#[derive(Debug)]
pub struct Progress {
    path: PathBuf,
    current: String,
    done: BTreeSet<String>,
    base: Option<String>,
    /// No progress file existed: the learner is starting.
    pub fresh: bool,
    /// Names in the file that the workbook no longer has (it was updated, or the file edited).
    pub forgotten: Vec<String>,
}

impl Progress {
    /// Reads the learner's progress; a workbook never started begins at its first exercise. A
    /// file that cannot be read is an error naming the line, and is left as it is.
    pub fn load(workbook: &Workbook) -> Result<Self> {
        let path = workbook.root.join(PROGRESS_FILE);
        let first = workbook.exercises[0].name.clone();
        let bytes = match std::fs::read(&path) {
            Ok(bytes) => bytes,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                return Ok(Progress {
                    path,
                    current: first,
                    done: BTreeSet::new(),
                    base: head_commit(&workbook.root),
                    fresh: true,
                    forgotten: Vec::new(),
                });
            }
            Err(error) => {
                return Err(error).with_context(|| format!("failed to read {}", path.display()));
            }
        };
        let text = String::from_utf8(bytes).map_err(|error| {
            let valid = &error.as_bytes()[..error.utf8_error().valid_up_to()];
            let line = valid.iter().filter(|&&b| b == b'\n').count() + 1;
            damaged(line, "this line is not UTF-8 text")
        })?;
        let file: ProgressFile = toml::from_str(&text).map_err(|error| {
            let line = error.span().map_or(1, |span| crate::info::line_of(&text, span.start));
            damaged(line, error.message().trim_end())
        })?;
        let known = |name: &String| workbook.index_of(name).is_some();
        let mut forgotten: Vec<String> = file.done.iter().filter(|n| !known(n)).cloned().collect();
        let done = file.done.into_iter().filter(known).collect();
        let current = if known(&file.current) {
            file.current
        } else {
            forgotten.push(file.current);
            first
        };
        Ok(Progress { path, current, done, base: file.base, fresh: false, forgotten })
    }

    /// Writes the progress atomically: a crash leaves the old file or the new one, never half.
    pub fn save(&self) -> Result<()> {
        let file = ProgressFile {
            current: self.current.clone(),
            done: self.done.iter().cloned().collect(),
            base: self.base.clone(),
        };
        let text = toml::to_string(&file).context("failed to encode the progress")?;
        let folder = self.path.parent().unwrap_or(Path::new("."));
        let mut temporary = tempfile::Builder::new()
            .prefix(".workbook-progress.")
            // As a plain write would make it: readable by all, less the umask.
            .permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666))
            .tempfile_in(folder)
            .with_context(|| format!("failed to write in {}", folder.display()))?;
        std::io::Write::write_all(&mut temporary, text.as_bytes())
            .with_context(|| format!("failed to write {}", temporary.path().display()))?;
        temporary
            .persist(&self.path)
            .with_context(|| format!("failed to replace {}", self.path.display()))?;
        Ok(())
    }

    /// The commit the learner started from, if the workbook is a git checkout.
    pub fn base(&self) -> Option<&str> {
        self.base.as_deref()
    }

    pub fn current<'a>(&self, workbook: &'a Workbook) -> &'a Exercise {
        let index = workbook.index_of(&self.current).unwrap_or(0);
        &workbook.exercises[index]
    }

    pub fn set_current(&mut self, name: &str) {
        self.current = name.to_owned();
    }

    pub fn is_done(&self, name: &str) -> bool {
        self.done.contains(name)
    }

    pub fn mark_done(&mut self, name: &str) {
        self.done.insert(name.to_owned());
    }

    /// Done means the exercise's latest run passed: a run that fails takes it back.
    pub fn mark_pending(&mut self, name: &str) {
        self.done.remove(name);
    }

    /// Records a finished run's verdict.
    pub fn record(&mut self, name: &str, passed: bool) {
        if passed { self.mark_done(name) } else { self.mark_pending(name) }
    }

    pub fn done_count(&self) -> usize {
        self.done.len()
    }

    /// The first exercise after `name`, in order and wrapping around, that is not done.
    pub fn next_pending<'a>(&self, workbook: &'a Workbook, name: &str) -> Option<&'a Exercise> {
        let start = workbook.index_of(name).map_or(0, |i| i + 1);
        let count = workbook.exercises.len();
        (0..count)
            .map(|offset| &workbook.exercises[(start + offset) % count])
            .find(|exercise| !self.is_done(&exercise.name))
    }
}

/// The error for a progress file that cannot be read, at `line`, with what to do about it.
fn damaged(line: usize, problem: &str) -> InputError {
    InputError::at(
        Path::new(PROGRESS_FILE),
        line,
        format!(
            "{problem}\nThis file only records your progress. Fix that line, or delete the file to \
             start again from the first exercise: your exercise files are not touched."
        ),
    )
}

/// The commit checked out in `root`, if it is a git checkout and git is installed.
fn head_commit(root: &Path) -> Option<String> {
    let output = std::process::Command::new("git")
        .args(["rev-parse", "--verify", "HEAD"])
        .current_dir(root)
        .stderr(std::process::Stdio::null())
        .output()
        .ok()?;
    let commit = String::from_utf8(output.stdout).ok()?.trim().to_owned();
    (output.status.success() && !commit.is_empty()).then_some(commit)
}
