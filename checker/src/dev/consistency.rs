//! Checks that need no build: info.toml against the files, and stubs against solutions.

use super::finding::Finding;
use crate::info::{BinTarget, ExerciseFile, Source, Workbook, bin_targets};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

const INFO: &str = "info.toml";

pub fn check(workbook: &Workbook) -> Vec<Finding> {
    let mut findings = Vec::new();
    findings.extend(stray_files(workbook));
    findings.extend(stray_bins(workbook));
    for exercise in &workbook.exercises {
        let at = |message: String| Finding::new(INFO, exercise.line, message);
        if exercise.hint.trim().is_empty() {
            findings.push(at(format!("`{}` has an empty hint", exercise.name)));
        }
        if exercise.bug.trim().is_empty() {
            findings.push(at(format!("`{}` does not say what its bug is (`bug`)", exercise.name)));
        }
        if exercise.points == 0 {
            findings.push(at(format!("`{}` is worth 0 points", exercise.name)));
        }
        let stub_path = exercise.path(Source::Exercises);
        let solution_path = exercise.path(Source::Solutions);
        if !workbook.root.join(&stub_path).is_file() {
            findings.push(at(format!("`{}`: {} is missing", exercise.name, stub_path.display())));
        }
        let (Ok(stub), Ok(solution)) = (
            std::fs::read_to_string(workbook.root.join(&stub_path)),
            std::fs::read_to_string(workbook.root.join(&solution_path)),
        ) else {
            continue;
        };
        let (stub, solution) = (ExerciseFile::split(&stub), ExerciseFile::split(&solution));
        if !stub.has_module("tests") {
            findings.push(Finding::new(
                &stub_path,
                stub.tests_line,
                "no `tests` module under #[cfg(all(test, not(loom)))]",
            ));
        }
        match (exercise.loom, stub.has_module("loom")) {
            (true, false) => findings.push(Finding::new(&stub_path, stub.tests_line, "info.toml says loom = true, but there is no `loom` module under #[cfg(all(test, loom))]")),
            (false, true) => findings.push(Finding::new(INFO, exercise.line, format!("`{}` has a loom module but not `loom = true`, so it never runs", exercise.name))),
            _ => {}
        }
        if let Some((in_solution, in_stub)) = solution.first_difference(&stub) {
            findings.push(Finding::new(
                &solution_path,
                in_solution,
                format!(
                    "the tests differ from the stub's ({}:{in_stub}): they must be identical",
                    stub_path.display()
                ),
            ));
        }
    }
    findings
}

/// Files in `exercises/` and `solutions/` that no exercise accounts for.
fn stray_files(workbook: &Workbook) -> Vec<Finding> {
    let mut findings = Vec::new();
    for source in [Source::Exercises, Source::Solutions] {
        let expected: BTreeSet<PathBuf> = workbook
            .exercises
            .iter()
            .map(|e| e.path(source))
            .chain([PathBuf::from(source.dir()).join("Cargo.toml")])
            .collect();
        for file in files_under(&workbook.root, Path::new(source.dir())) {
            if !expected.contains(&file) {
                findings.push(Finding::new(
                    file,
                    1,
                    "not part of any exercise in info.toml: list it, or remove it",
                ));
            }
        }
    }
    findings
}

/// `[[bin]]` targets that no exercise accounts for: cargo would fail to build the package.
fn stray_bins(workbook: &Workbook) -> Vec<Finding> {
    let mut findings = Vec::new();
    for source in [Source::Exercises, Source::Solutions] {
        let manifest = PathBuf::from(source.dir()).join("Cargo.toml");
        let Ok(bins) = bin_targets(&workbook.root, source) else { continue };
        for BinTarget { name, line, .. } in bins {
            if workbook.index_of(&name).is_none() {
                findings.push(Finding::new(
                    &manifest,
                    line,
                    format!(
                        "binary `{name}` is not an exercise in info.toml: list it, or remove it"
                    ),
                ));
            }
        }
    }
    findings
}

/// Every file below `dir` (relative to `root`), as paths relative to `root`.
fn files_under(root: &Path, dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let Ok(entries) = std::fs::read_dir(root.join(dir)) else { return files };
    for entry in entries.flatten() {
        let relative = dir.join(entry.file_name());
        match entry.file_type() {
            Ok(kind) if kind.is_dir() => files.extend(files_under(root, &relative)),
            Ok(_) => files.push(relative),
            Err(_) => {}
        }
    }
    files.sort();
    files
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A workbook of one exercise, `first`, whose stub is deleted.
    fn workbook_without_its_stub() -> (tempfile::TempDir, Workbook) {
        let folder = tempfile::tempdir().unwrap();
        let root = folder.path();
        for source in ["exercises", "solutions"] {
            std::fs::create_dir_all(root.join(source).join("t1")).unwrap();
            std::fs::write(root.join(source).join("t1/first.rs"), "fn main() {}\n").unwrap();
            let manifest = format!(
                "[package]\nname = \"{source}\"\n\n[[bin]]\nname = \"first\"\npath = \"t1/first.rs\"\n"
            );
            std::fs::write(root.join(source).join("Cargo.toml"), manifest).unwrap();
        }
        std::fs::write(
            root.join(INFO),
            "format_version = 1\nwelcome_message = \"\"\nfinal_message = \"\"\n\n[[exercises]]\n\
             name = \"first\"\ndir = \"t1\"\npoints = 1\nhint = \"look\"\nbug = \"a bug\"\n\
             fails_with = \"test\"\n",
        )
        .unwrap();
        std::fs::remove_file(root.join("exercises/t1/first.rs")).unwrap();
        let workbook = Workbook::load(root).expect("a missing stub still loads");
        (folder, workbook)
    }

    #[test]
    fn a_deleted_stub_is_a_finding_at_its_entry() {
        let (_root, workbook) = workbook_without_its_stub();
        let findings: Vec<String> = check(&workbook).iter().map(ToString::to_string).collect();
        assert_eq!(findings, ["info.toml:6: `first`: exercises/t1/first.rs is missing"]);
    }
}
