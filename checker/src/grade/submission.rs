//! Preparing a scratch copy of a submission: the instructor's workspace, kit and manifests, plus
//! the learner's exercise files with the canonical tests put back. Nothing is ever written into
//! the submission.

use super::grade_report::Unrunnable;
use crate::info::{Exercise, ExerciseFile, Source, Workbook};
use anyhow::{Context, Result};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// The largest exercise file graded; real ones are a few kilobytes.
const MAX_FILE: u64 = 1 << 20;

/// A submission laid out in its scratch workspace.
pub struct Prepared {
    pub dir: PathBuf,
    /// The exercises package's name in this copy, unique among the copies being graded.
    pub package: String,
    /// Exercises that cannot run, and why.
    pub unrunnable: HashMap<String, Unrunnable>,
    /// Per exercise, what the grader noticed (edited tests).
    pub notes: HashMap<String, Vec<String>>,
    /// About the submission as a whole.
    pub general: Vec<String>,
}

/// Builds the scratch workspace for `submission` in `scratch` (emptied first), naming its
/// exercises package `package`.
pub fn prepare(
    workbook: &Workbook,
    submission: &Path,
    scratch: &Path,
    package: String,
) -> Result<Prepared> {
    let _ = std::fs::remove_dir_all(scratch);
    std::fs::create_dir_all(scratch)
        .with_context(|| format!("failed to create {}", scratch.display()))?;
    write_workspace_manifest(&workbook.root, scratch)?;
    for file in ["Cargo.lock", "info.toml"] {
        copy(&workbook.root.join(file), &scratch.join(file))?;
    }
    copy_tree(&workbook.root.join("kit"), &scratch.join("kit"))?;
    rename_package(
        &workbook.root.join("exercises/Cargo.toml"),
        &scratch.join("exercises/Cargo.toml"),
        &package,
    )?;

    let root = submission
        .canonicalize()
        .with_context(|| format!("failed to resolve {}", submission.display()))?;
    let mut prepared = Prepared {
        dir: scratch.to_path_buf(),
        package,
        unrunnable: HashMap::new(),
        notes: HashMap::new(),
        general: symlinks_out_of(&root, &root.join(Source::Exercises.dir())),
    };
    for exercise in &workbook.exercises {
        let target = scratch.join(exercise.path(Source::Exercises));
        std::fs::create_dir_all(target.parent().expect("a file has a folder"))
            .with_context(|| format!("failed to create the folder of {}", target.display()))?;
        let canonical =
            std::fs::read_to_string(workbook.root.join(exercise.path(Source::Solutions)))
                .with_context(|| format!("failed to read the solution of {}", exercise.name))?;
        let canonical = ExerciseFile::split(&canonical);
        match learner_file(&root, exercise) {
            Ok(text) => {
                let file = ExerciseFile::split(&text);
                if let Some((line, _)) = file.first_difference(&canonical) {
                    prepared.notes.entry(exercise.name.clone()).or_default().push(format!(
                        "its tests were edited (from line {line}); the original tests were put back"
                    ));
                }
                write(&target, &file.with_tests_of(&canonical))?;
            }
            Err(why) => {
                // The package needs every binary's file to build the others; this one never runs.
                let stub = std::fs::read(workbook.root.join(exercise.path(Source::Exercises)))
                    .with_context(|| format!("failed to read the stub of {}", exercise.name))?;
                std::fs::write(&target, stub)
                    .with_context(|| format!("failed to write {}", target.display()))?;
                prepared.unrunnable.insert(exercise.name.clone(), why);
            }
        }
    }
    Ok(prepared)
}

/// The learner's file for `exercise`, or why it cannot be graded.
fn learner_file(root: &Path, exercise: &Exercise) -> Result<String, Unrunnable> {
    let path = root.join(exercise.path(Source::Exercises));
    let metadata = std::fs::symlink_metadata(&path).map_err(|_| Unrunnable::Missing)?;
    if metadata.file_type().is_symlink() {
        let target = path
            .canonicalize()
            .map_err(|_| Unrunnable::Rejected("it is a broken symlink".to_owned()))?;
        if !target.starts_with(root) {
            return Err(Unrunnable::Rejected(format!(
                "it is a symlink to {}, outside the submission",
                target.display()
            )));
        }
    }
    let size = std::fs::metadata(&path).map_err(|_| Unrunnable::Missing)?.len();
    if size > MAX_FILE {
        return Err(Unrunnable::Rejected(format!(
            "it is {size} bytes, more than the 1 MiB an exercise may be"
        )));
    }
    std::fs::read_to_string(&path)
        .map_err(|_| Unrunnable::Rejected("it is not UTF-8 text".to_owned()))
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

/// The instructor's workspace manifest, with only what grading builds as members.
fn write_workspace_manifest(root: &Path, scratch: &Path) -> Result<()> {
    let text =
        std::fs::read_to_string(root.join("Cargo.toml")).context("failed to read Cargo.toml")?;
    let mut manifest: toml::Table = toml::from_str(&text).context("failed to parse Cargo.toml")?;
    let workspace = manifest
        .get_mut("workspace")
        .and_then(toml::Value::as_table_mut)
        .context("Cargo.toml has no [workspace]")?;
    let members = toml::Value::Array(vec!["kit".into(), "exercises".into()]);
    workspace.insert("members".to_owned(), members);
    workspace.insert("default-members".to_owned(), toml::Value::Array(vec!["kit".into()]));
    write(
        &scratch.join("Cargo.toml"),
        &toml::to_string(&manifest).context("failed to encode Cargo.toml")?,
    )
}

/// Copies the exercises manifest under another package name.
fn rename_package(from: &Path, to: &Path, name: &str) -> Result<()> {
    let text = std::fs::read_to_string(from)
        .with_context(|| format!("failed to read {}", from.display()))?;
    let mut manifest: toml::Table =
        toml::from_str(&text).with_context(|| format!("failed to parse {}", from.display()))?;
    let package =
        manifest.get_mut("package").and_then(toml::Value::as_table_mut).context("no [package]")?;
    package.insert("name".to_owned(), toml::Value::String(name.to_owned()));
    std::fs::create_dir_all(to.parent().expect("a file has a folder"))?;
    write(to, &toml::to_string(&manifest).context("failed to encode a manifest")?)
}

fn write(path: &Path, text: &str) -> Result<()> {
    std::fs::write(path, text).with_context(|| format!("failed to write {}", path.display()))
}

fn copy(from: &Path, to: &Path) -> Result<()> {
    if let Some(parent) = to.parent() {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("failed to create {}", parent.display()))?;
    }
    std::fs::copy(from, to).with_context(|| format!("failed to copy {}", from.display()))?;
    Ok(())
}

fn copy_tree(from: &Path, to: &Path) -> Result<()> {
    std::fs::create_dir_all(to).with_context(|| format!("failed to create {}", to.display()))?;
    for entry in
        std::fs::read_dir(from).with_context(|| format!("failed to read {}", from.display()))?
    {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_tree(&entry.path(), &target)?;
        } else {
            copy(&entry.path(), &target)?;
        }
    }
    Ok(())
}
