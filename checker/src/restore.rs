//! Putting an exercise's original stub back, after backing up the learner's file: for the
//! `reset` command and for watch's `x`.

use crate::info::{Exercise, InputError, Source, Workbook};
use crate::progress::Progress;
use anyhow::{Context, Result};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{SystemTime, UNIX_EPOCH};

/// Backups of reset files, at the workbook's root.
const BACKUPS: &str = ".workbook-backups";

/// Restores `exercise`'s original file, backing up the learner's first. Says what it did.
pub fn restore_stub(
    workbook: &Workbook,
    progress: &Progress,
    exercise: &Exercise,
) -> Result<String> {
    let relative = exercise.path(Source::Exercises);
    let original = original_stub(&workbook.root, progress.base(), &relative)?;
    let path = workbook.root.join(&relative);
    let current = std::fs::read(&path).unwrap_or_default();
    if current == original {
        return Ok(format!("{} is already the original; nothing to do.", relative.display()));
    }
    let mut said = String::new();
    if path.exists() {
        let backup = backup(&workbook.root, &exercise.name, &current)?;
        said = format!("Your version is saved in {}.\n", backup.display());
    }
    if let Some(folder) = path.parent() {
        std::fs::create_dir_all(folder)
            .with_context(|| format!("failed to create {}", folder.display()))?;
    }
    std::fs::write(&path, original)
        .with_context(|| format!("failed to write {}", path.display()))?;
    said.push_str(&format!("{} is back to the original.", relative.display()));
    Ok(said)
}

/// The stub as committed at `base` (where the learner started), or at HEAD without one.
fn original_stub(root: &Path, base: Option<&str>, relative: &Path) -> Result<Vec<u8>> {
    let commit = base.unwrap_or("HEAD");
    let object = format!("{commit}:{}", relative.display());
    let output = Command::new("git")
        .args(["show", &object])
        .current_dir(root)
        .output()
        .context("failed to run git, which reset uses to find the original file")?;
    if !output.status.success() {
        return Err(InputError::new(format!(
            "cannot find the original {} in git ({}): reset needs the workbook to be a git \
             clone. {}",
            relative.display(),
            object,
            String::from_utf8_lossy(&output.stderr).trim()
        ))
        .into());
    }
    Ok(output.stdout)
}

/// Saves `content` as `.workbook-backups/NAME.SECONDS.rs`, never over an earlier backup.
fn backup(root: &Path, name: &str, content: &[u8]) -> Result<PathBuf> {
    let folder = root.join(BACKUPS);
    std::fs::create_dir_all(&folder)
        .with_context(|| format!("failed to create {}", folder.display()))?;
    let seconds = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let mut attempt = 0;
    loop {
        let suffix = if attempt == 0 { String::new() } else { format!("-{attempt}") };
        let path = folder.join(format!("{name}.{seconds}{suffix}.rs"));
        match std::fs::OpenOptions::new().write(true).create_new(true).open(&path) {
            Ok(mut file) => {
                std::io::Write::write_all(&mut file, content)
                    .with_context(|| format!("failed to write {}", path.display()))?;
                return Ok(PathBuf::from(BACKUPS).join(path.file_name().expect("named")));
            }
            Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => attempt += 1,
            Err(error) => {
                return Err(error).with_context(|| format!("failed to create {}", path.display()));
            }
        }
    }
}
