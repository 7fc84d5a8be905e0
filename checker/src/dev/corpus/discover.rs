//! Finding the corpus: `fixes/<dir>/<exercise>/wrong/*.rs` and `.../right/*.rs`, every file read
//! and its header checked, every exercise holding enough of each.

use super::fix::Fix;
use crate::dev::finding::Finding;
use crate::info::{Exercise, Workbook};
use std::path::{Path, PathBuf};

/// The corpus's folder, at the workbook's root.
pub const CORPUS_DIR: &str = "fixes";

/// The fewest wrong fixes an exercise may have: one per way its tests could be too weak.
const MIN_WRONG: usize = 4;
/// The fewest other correct fixes: tests that pass only the reference solution are too strict.
const MIN_RIGHT: usize = 1;

/// The fixes of `exercises`, and what is wrong with the corpus's layout or headers.
pub fn discover(workbook: &Workbook, exercises: &[&Exercise]) -> (Vec<Fix>, Vec<Finding>) {
    let (mut fixes, mut findings) = (Vec::new(), Vec::new());
    for exercise in exercises {
        let folder = Path::new(CORPUS_DIR).join(&exercise.dir).join(&exercise.name);
        for (kind, wrong, least) in [("wrong", true, MIN_WRONG), ("right", false, MIN_RIGHT)] {
            let relative = folder.join(kind);
            let files = rust_files(&workbook.root, &relative, &mut findings);
            if files.len() < least {
                findings.push(Finding::new(
                    &relative,
                    0,
                    format!(
                        "`{}` has {} {kind} fix{}; write at least {least} (docs/AUTHORING.md, \
                         \"The corpus of fixes\")",
                        exercise.name,
                        files.len(),
                        if files.len() == 1 { "" } else { "es" }
                    ),
                ));
            }
            for path in files {
                match std::fs::read_to_string(workbook.root.join(&path)) {
                    Ok(text) => match Fix::parse(&exercise.name, path, wrong, text) {
                        Ok(fix) => fixes.push(fix),
                        Err(finding) => findings.push(finding),
                    },
                    Err(error) => findings.push(Finding::new(
                        &path,
                        0,
                        format!("failed to read it as UTF-8 text: {error}"),
                    )),
                }
            }
        }
    }
    findings.extend(strays(workbook));
    (fixes, findings)
}

/// The `.rs` files of `relative` (under `root`), sorted; anything else there is a finding.
fn rust_files(root: &Path, relative: &Path, findings: &mut Vec<Finding>) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(root.join(relative)) else { return Vec::new() };
    let mut files = Vec::new();
    for entry in entries.flatten() {
        let path = relative.join(entry.file_name());
        let is_file = entry.file_type().is_ok_and(|t| t.is_file());
        if is_file && path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        } else {
            findings.push(Finding::new(
                &path,
                0,
                "only fixes belong here: one `.rs` file per fix, each a whole exercise file",
            ));
        }
    }
    files.sort();
    files
}

/// Folders under `fixes/` that name no exercise of info.toml: a fix for an exercise renamed or
/// removed, which would otherwise never run again.
fn strays(workbook: &Workbook) -> Vec<Finding> {
    let mut findings = Vec::new();
    let corpus = Path::new(CORPUS_DIR);
    for dir in subfolders(&workbook.root.join(corpus)) {
        for name in subfolders(&workbook.root.join(corpus).join(&dir)) {
            let known = workbook.exercises.iter().any(|e| e.dir == dir && e.name == name);
            if !known {
                findings.push(Finding::new(
                    corpus.join(&dir).join(&name),
                    0,
                    format!(
                        "no exercise `{name}` in `{dir}` in info.toml: move these fixes to the \
                         exercise's folder or remove them"
                    ),
                ));
                continue;
            }
            let folder = corpus.join(&dir).join(&name);
            for entry in subfolders(&workbook.root.join(&folder)) {
                if entry != "wrong" && entry != "right" {
                    findings.push(Finding::new(
                        folder.join(&entry),
                        0,
                        "an exercise's fixes go in `wrong/` or `right/`",
                    ));
                }
            }
        }
    }
    findings
}

fn subfolders(path: &Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(path) else { return Vec::new() };
    let mut names: Vec<String> = entries
        .flatten()
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}
