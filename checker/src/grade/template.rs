//! The grading template: a copy of the instructor's workspace whose exercises package has one
//! binary. cargo builds it once per grading run, which builds the dependency tree (the kit,
//! loom's) and shows the exact rustc command, environment included, that compiles an exercise
//! against that tree. Every graded file is then compiled with that command, without cargo.

use crate::info::{Source, Workbook};
use crate::process::{Cancel, Outcome, finished};
use crate::run::{BuildMode, BuildSettings, Built, Limits, RustcCache, RustcCommand, build};
use anyhow::{Context, Result, bail};
use std::path::{Path, PathBuf};

/// What building the template showed.
pub struct Captured {
    /// The rustc command cargo ran for the template's binary.
    pub command: RustcCommand,
    /// The binary's source, relative to the template's root, as it appears in the command.
    pub source: String,
}

/// Lays out the template under `dir` and builds it in `mode`, into `target_dir`.
pub fn capture(
    workbook: &Workbook,
    dir: &Path,
    target_dir: &Path,
    mode: BuildMode,
    cancel: &Cancel,
) -> Result<Outcome<Captured>> {
    for folder in [dir, target_dir] {
        std::fs::create_dir_all(folder)
            .with_context(|| format!("failed to create {}", folder.display()))?;
    }
    // Another `grade` in this workbook could rebuild the template between our write and our
    // build, and cargo would then have nothing to compile, and nothing to show.
    let _one_at_a_time = FileLock::take(&dir.join(".lock"))?;
    // A binary of a new name every time makes cargo compile it, and so show the command, while
    // the dependencies stay fresh. (A new source under the same name is not enough: written in
    // the same clock tick as the last build's output, cargo takes it for unchanged.)
    let nonce = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |since| since.as_nanos());
    let bin = format!("graded_{nonce}_{}", std::process::id());
    lay_out(workbook, dir, &bin)?;
    let logs = tempfile::tempdir_in(target_dir).context("failed to create a build log folder")?;
    let settings = BuildSettings {
        root: dir.to_path_buf(),
        target_dir: target_dir.to_path_buf(),
        scratch: logs.path().to_path_buf(),
        color: false,
        limits: Limits::default(),
    };
    let cache = RustcCache::default();
    let bins = [bin.as_str()];
    let builds = finished!(build(
        &settings,
        Source::Exercises,
        &bins,
        mode,
        cancel,
        Some(&cache),
        &mut |_| {}
    )?);
    let executable = match builds.get(&bin) {
        Some(Built::Executable(executable)) => executable,
        Some(Built::Failed(why)) => bail!("failed to build the kit for grading ({mode:?}):\n{why}"),
        None => bail!("failed to build the kit for grading ({mode:?}): cargo built nothing"),
    };
    // The throwaway binary has served: only its command is kept.
    let _ = std::fs::remove_file(executable);
    let _ = std::fs::remove_file(dir.join(Source::Exercises.dir()).join(format!("{bin}.rs")));
    let key = (Source::Exercises, bin.clone(), mode);
    let command = cache.get(&key).with_context(|| {
        format!("failed to learn the rustc command of the {mode:?} build: cargo did not print it")
    })?;
    Ok(Outcome::Finished(Captured {
        command,
        source: format!("{}/{bin}.rs", Source::Exercises.dir()),
    }))
}

/// Writes the template's files, with `bin` as its binary, leaving unchanged ones untouched so
/// cargo keeps its builds.
fn lay_out(workbook: &Workbook, dir: &Path, bin: &str) -> Result<()> {
    write_if_changed(&dir.join("Cargo.toml"), workspace_manifest(&workbook.root)?.as_bytes())?;
    let lock =
        std::fs::read(workbook.root.join("Cargo.lock")).context("failed to read Cargo.lock")?;
    write_if_changed(&dir.join("Cargo.lock"), &lock)?;
    sync_tree(&workbook.root.join("kit"), &dir.join("kit"))?;
    let package = dir.join(Source::Exercises.dir());
    let manifest = exercises_manifest(&workbook.root, bin)?;
    write_if_changed(&package.join("Cargo.toml"), manifest.as_bytes())?;
    write_if_changed(&package.join(format!("{bin}.rs")), b"fn main() {}\n")
}

/// The instructor's workspace manifest, with the kit and the template package as members.
fn workspace_manifest(root: &Path) -> Result<String> {
    let text =
        std::fs::read_to_string(root.join("Cargo.toml")).context("failed to read Cargo.toml")?;
    let mut manifest: toml::Table = toml::from_str(&text).context("failed to parse Cargo.toml")?;
    let workspace = manifest
        .get_mut("workspace")
        .and_then(toml::Value::as_table_mut)
        .context("Cargo.toml has no [workspace]")?;
    let members = toml::Value::Array(vec!["kit".into(), Source::Exercises.dir().into()]);
    workspace.insert("members".to_owned(), members);
    workspace.insert("default-members".to_owned(), toml::Value::Array(vec!["kit".into()]));
    toml::to_string(&manifest).context("failed to encode Cargo.toml")
}

/// The exercises package's manifest, with `bin` in place of the exercises.
fn exercises_manifest(root: &Path, bin: &str) -> Result<String> {
    let path = root.join(Source::Exercises.dir()).join("Cargo.toml");
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("failed to read {}", path.display()))?;
    let mut manifest: toml::Table =
        toml::from_str(&text).with_context(|| format!("failed to parse {}", path.display()))?;
    let mut target = toml::Table::new();
    target.insert("name".to_owned(), bin.into());
    target.insert("path".to_owned(), format!("{bin}.rs").into());
    manifest.insert("bin".to_owned(), toml::Value::Array(vec![toml::Value::Table(target)]));
    toml::to_string(&manifest).context("failed to encode the template's manifest")
}

/// Makes `to` a copy of `from`: changed files rewritten, unchanged ones untouched, and what
/// `from` no longer has removed (a module moved from `x.rs` to `x/mod.rs` would otherwise be
/// found twice).
fn sync_tree(from: &Path, to: &Path) -> Result<()> {
    let mut kept = std::collections::HashSet::new();
    for entry in
        std::fs::read_dir(from).with_context(|| format!("failed to read {}", from.display()))?
    {
        let entry = entry?;
        let target: PathBuf = to.join(entry.file_name());
        kept.insert(entry.file_name());
        if entry.file_type()?.is_dir() {
            if target.is_file() {
                std::fs::remove_file(&target)?;
            }
            sync_tree(&entry.path(), &target)?;
        } else {
            if target.is_dir() {
                std::fs::remove_dir_all(&target)?;
            }
            let bytes = std::fs::read(entry.path())
                .with_context(|| format!("failed to read {}", entry.path().display()))?;
            write_if_changed(&target, &bytes)?;
        }
    }
    for entry in
        std::fs::read_dir(to).with_context(|| format!("failed to read {}", to.display()))?
    {
        let entry = entry?;
        if !kept.contains(&entry.file_name()) {
            let stale = entry.path();
            let removed = match entry.file_type()?.is_dir() {
                true => std::fs::remove_dir_all(&stale),
                false => std::fs::remove_file(&stale),
            };
            removed.with_context(|| format!("failed to remove {}", stale.display()))?;
        }
    }
    Ok(())
}

fn write_if_changed(path: &Path, bytes: &[u8]) -> Result<()> {
    if std::fs::read(path).is_ok_and(|old| old == bytes) {
        return Ok(());
    }
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("failed to create {}", parent.display()))?;
    }
    std::fs::write(path, bytes).with_context(|| format!("failed to write {}", path.display()))
}

/// An exclusive `flock` on a file, held until dropped (or until the process ends).
struct FileLock {
    _held: std::fs::File,
}

impl FileLock {
    fn take(path: &Path) -> Result<Self> {
        let file = std::fs::File::create(path)
            .with_context(|| format!("failed to create {}", path.display()))?;
        rustix::fs::flock(&file, rustix::fs::FlockOperation::LockExclusive)
            .with_context(|| format!("failed to lock {}", path.display()))?;
        Ok(FileLock { _held: file })
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_copy_of_the_kit_follows_files_moved_and_removed() {
        let (from, to) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        let file = |root: &std::path::Path, path: &str, text: &str| {
            let path = root.join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        };
        file(from.path(), "src/thread.rs", "old");
        file(from.path(), "src/lib.rs", "lib");
        super::sync_tree(from.path(), to.path()).unwrap();
        std::fs::remove_file(from.path().join("src/thread.rs")).unwrap();
        file(from.path(), "src/thread/mod.rs", "new");
        super::sync_tree(from.path(), to.path()).unwrap();
        assert!(!to.path().join("src/thread.rs").exists(), "a removed file stays removed");
        let moved = std::fs::read_to_string(to.path().join("src/thread/mod.rs")).unwrap();
        assert_eq!((moved.as_str(), to.path().join("src/lib.rs").is_file()), ("new", true));
    }
}
