//! Preparing a scratch copy of a submission: the learner's exercise files, each with the
//! canonical tests put back. Nothing is ever written into the submission.

use super::audit::{Constructs, beyond, constructs};
use super::grade_report::Unrunnable;
use super::restore::restore;
use crate::info::{Exercise, ExerciseFile, Source, Workbook};
use anyhow::{Context, Result};
use std::collections::HashMap;
use std::io::Read;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

/// The largest exercise file graded; real ones are a few kilobytes.
const MAX_FILE: u64 = 1 << 20;

/// A submission laid out in its scratch folder.
pub struct Prepared {
    /// Exercises that cannot run, and why.
    pub unrunnable: HashMap<String, Unrunnable>,
    /// Per exercise, what the grader noticed (edited tests).
    pub notes: HashMap<String, Vec<String>>,
    /// About the submission as a whole.
    pub general: Vec<String>,
}

/// What every learner's file is measured against, per exercise.
pub struct Canonical {
    /// The solution's test modules, to the end of its file.
    pub tests: String,
    /// What the stub's own code does that could touch a verdict.
    pub stub: Constructs,
}

/// Per exercise, its canonical tests and what its stub does.
pub fn canonical(workbook: &Workbook) -> Result<HashMap<String, Canonical>> {
    let mut all = HashMap::new();
    for exercise in &workbook.exercises {
        let read = |source: Source| {
            let path = workbook.root.join(exercise.path(source));
            std::fs::read_to_string(&path)
                .with_context(|| format!("failed to read {}", path.display()))
        };
        let solution = read(Source::Solutions)?;
        let stub = read(Source::Exercises)?;
        let canonical = Canonical {
            tests: ExerciseFile::split(&solution).tests.to_owned(),
            stub: constructs(ExerciseFile::split(&stub).code),
        };
        all.insert(exercise.name.clone(), canonical);
    }
    Ok(all)
}

/// Writes the learner's exercise files of `submission`, with the canonical tests put back, into
/// `scratch`.
pub fn prepare(
    workbook: &Workbook,
    canonical: &HashMap<String, Canonical>,
    submission: &Path,
    scratch: &Path,
) -> Result<Prepared> {
    let root = submission
        .canonicalize()
        .with_context(|| format!("failed to resolve {}", submission.display()))?;
    let mut prepared = Prepared {
        unrunnable: HashMap::new(),
        notes: HashMap::new(),
        general: symlinks_out_of(&root, &root.join(Source::Exercises.dir())),
    };
    for exercise in &workbook.exercises {
        let text = match learner_file(&root, exercise) {
            Ok(text) => text,
            Err(why) => {
                prepared.unrunnable.insert(exercise.name.clone(), why);
                continue;
            }
        };
        let canonical = canonical.get(&exercise.name).context("no canonical tests")?;
        let restored = restore(&text, &canonical.tests);
        if let Some(line) = restored.edited_from {
            prepared.notes.entry(exercise.name.clone()).or_default().push(format!(
                "its tests were edited (from line {line}); the original tests were put back"
            ));
        }
        let code = &restored.text[..restored.code_end];
        let suspicious = beyond(&constructs(code), &canonical.stub);
        if !suspicious.is_empty() {
            prepared
                .unrunnable
                .insert(exercise.name.clone(), Unrunnable::HeldForReview(suspicious));
            continue;
        }
        let target = scratch.join(exercise.path(Source::Exercises));
        std::fs::create_dir_all(target.parent().expect("a file has a folder"))
            .with_context(|| format!("failed to create the folder of {}", target.display()))?;
        std::fs::write(&target, restored.text)
            .with_context(|| format!("failed to write {}", target.display()))?;
    }
    Ok(prepared)
}

/// The learner's file for `exercise`, or why it cannot be graded.
fn learner_file(root: &Path, exercise: &Exercise) -> Result<String, Unrunnable> {
    let relative = exercise.path(Source::Exercises);
    let path = root.join(&relative);
    // No symlink is followed, at any depth: one could lead to the instructor's solutions, and
    // the same file seen through two names could be changed under the grader.
    let mut walked = PathBuf::new();
    for component in relative.components() {
        walked.push(component);
        let metadata =
            std::fs::symlink_metadata(root.join(&walked)).map_err(|_| Unrunnable::Missing)?;
        if metadata.file_type().is_symlink() {
            let target = std::fs::read_link(root.join(&walked)).unwrap_or_default();
            return Err(Unrunnable::Rejected(format!(
                "{} is a symlink (to {}), and symlinks are not followed",
                walked.display(),
                target.display()
            )));
        }
    }
    // Non-blocking, so a FIFO in the file's place cannot stop the grader; checked again on the
    // open file, so nothing can be swapped in between.
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK | libc::O_NOFOLLOW)
        .open(&path)
        .map_err(|error| Unrunnable::Rejected(format!("it cannot be read: {error}")))?;
    let metadata = file.metadata().map_err(|_| Unrunnable::Missing)?;
    if !metadata.is_file() {
        return Err(Unrunnable::Rejected(
            "it is not a regular file (a folder, a FIFO or a device)".to_owned(),
        ));
    }
    if metadata.len() > MAX_FILE {
        return Err(Unrunnable::Rejected(format!(
            "it is {} bytes, more than the 1 MiB an exercise may be",
            metadata.len()
        )));
    }
    let mut bytes = Vec::new();
    file.take(MAX_FILE + 1)
        .read_to_end(&mut bytes)
        .map_err(|error| Unrunnable::Rejected(format!("it cannot be read: {error}")))?;
    String::from_utf8(bytes).map_err(|_| Unrunnable::Rejected("it is not UTF-8 text".to_owned()))
}

/// Symlinks under `dir` that lead out of `root`, to report; they are never followed.
fn symlinks_out_of(root: &Path, dir: &Path) -> Vec<String> {
    let mut found = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else { return found };
    for entry in entries.flatten() {
        let path = entry.path();
        let Ok(kind) = entry.file_type() else { continue };
        if kind.is_symlink() {
            let outside = path.canonicalize().map_or(true, |target| !target.starts_with(root));
            if outside {
                let shown = path.strip_prefix(root).unwrap_or(&path).display().to_string();
                found.push(format!(
                    "{shown} is a symlink out of the submission; it was not followed"
                ));
            }
        } else if kind.is_dir() {
            found.extend(symlinks_out_of(root, &path));
        }
    }
    found.sort();
    found
}
