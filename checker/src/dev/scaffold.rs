//! `workbook dev new`: a new exercise's stub, solution and info.toml entry, ready to edit.

use crate::info::{ExerciseFile, InputError, Source, Workbook};
use anyhow::{Context, Result};
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

const TEMPLATE: &str = r#"//! TITLE
//!
//! The scenario: what this program is for, in two or three sentences a learner recognises from
//! real systems.
//!
//! Done when: what must hold once the code is right (never name the planted bug).

use kit::sync::{Arc, Mutex};
use kit::thread;

/// Adds up the jobs on a thread each. Replace with the exercise's code; plant one bug in the stub.
pub fn total(jobs: Vec<u64>) -> u64 {
    let sum = Arc::new(Mutex::new(0));
    let workers: Vec<_> = jobs
        .into_iter()
        .map(|job| {
            let sum = Arc::clone(&sum);
            thread::spawn(move || *sum.lock().unwrap() += job)
        })
        .collect();
    for worker in workers {
        worker.join().unwrap();
    }
    let total = *sum.lock().unwrap();
    total
}

fn main() {
    println!("total: {}", total(vec![1, 2, 3]));
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn adds_every_job() {
        assert_eq!(total(vec![1, 2, 3]), 6);
    }
}
"#;

const LOOM_TEMPLATE: &str = r#"
#[cfg(all(test, loom))]
mod loom {
    use super::*;

    /// Main plus at most three threads, one or two operations each.
    #[test]
    fn two_jobs_at_once() {
        kit::model::check(|| assert_eq!(total(vec![1, 2]), 3));
    }
}
"#;

/// `workbook dev new NAME --dir DIR [--loom]`.
pub fn new_exercise(workbook: &Workbook, name: &str, dir: &str, loom: bool) -> Result<ExitCode> {
    let valid = |s: &str| {
        !s.is_empty()
            && s.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
            && !s.starts_with(|c: char| c.is_ascii_digit())
    };
    if !valid(name) || !valid(dir) {
        return Err(InputError::new("names and dirs are lowercase letters, digits and underscores, not starting with a digit").into());
    }
    if workbook.index_of(name).is_some() {
        return Err(InputError::new(format!("info.toml already has an exercise `{name}`")).into());
    }
    let relative = |source: Source| Path::new(source.dir()).join(dir).join(format!("{name}.rs"));
    for source in [Source::Exercises, Source::Solutions] {
        if workbook.root.join(relative(source)).exists() {
            return Err(
                InputError::new(format!("{} already exists", relative(source).display())).into()
            );
        }
    }
    let corpus = Path::new(super::corpus::CORPUS_DIR).join(dir).join(name);
    if workbook.root.join(&corpus).exists() {
        return Err(InputError::new(format!(
            "{} already exists: move or remove it, or choose another name",
            corpus.display()
        ))
        .into());
    }
    let title = name.split('_').map(capitalize).collect::<Vec<_>>().join(" ");
    let mut text = TEMPLATE.replace("TITLE", &title);
    if loom {
        text.push_str(LOOM_TEMPLATE);
    }
    for source in [Source::Exercises, Source::Solutions] {
        let path = workbook.root.join(relative(source));
        std::fs::create_dir_all(path.parent().expect("a file has a folder"))
            .with_context(|| format!("failed to create the folder of {}", path.display()))?;
        std::fs::write(&path, &text)
            .with_context(|| format!("failed to write {}", path.display()))?;
        append(
            &workbook.root.join(source.dir()).join("Cargo.toml"),
            &format!("\n[[bin]]\nname = \"{name}\"\npath = \"{dir}/{name}.rs\"\n"),
        )?;
    }
    for (kind, header) in [
        ("wrong", "// TODO: one sentence: what the learner got wrong.\n// caught by: test\n"),
        ("right", "// TODO: one sentence: how this correct fix differs from the solution.\n"),
    ] {
        let path = workbook.root.join(&corpus).join(kind).join("todo.rs");
        std::fs::create_dir_all(path.parent().expect("a file has a folder"))
            .with_context(|| format!("failed to create the folder of {}", path.display()))?;
        std::fs::write(&path, format!("{header}{}", ExerciseFile::split(&text).code))
            .with_context(|| format!("failed to write {}", path.display()))?;
    }
    let loom_line = if loom { "loom = true\n" } else { "" };
    append(
        &workbook.root.join("info.toml"),
        &format!(
            "\n[[exercises]]\nname = \"{name}\"\ndir = \"{dir}\"\npoints = 1\n{loom_line}hint = \"\"\"\nTODO: where to look, without the fix.\"\"\"\nstronger_hint = \"\"\"\nTODO: more.\"\"\"\nbug = \"TODO: the planted bug, in one sentence.\"\nfails_with = \"test\"\n"
        ),
    )?;
    println!(
        "Created {} and {}, their entries in info.toml and both Cargo.toml files, and {}/ for \
         the fixes the tests must tell apart.",
        relative(Source::Exercises).display(),
        relative(Source::Solutions).display(),
        corpus.display()
    );
    println!(
        "Next: write the scenario and tests, plant the bug in the stub, fill in info.toml, write \
         at least 4 wrong fixes and 1 other correct fix in {}/ (docs/AUTHORING.md), and run `{}`.",
        corpus.display(),
        crate::invocation::command(&format!("dev check --only {name}"))
    );
    Ok(ExitCode::SUCCESS)
}

fn capitalize(word: &str) -> String {
    let mut chars = word.chars();
    chars.next().map(|first| first.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

fn append(path: &Path, text: &str) -> Result<()> {
    let mut file = std::fs::OpenOptions::new()
        .append(true)
        .open(path)
        .with_context(|| format!("failed to open {}", path.display()))?;
    file.write_all(text.as_bytes()).with_context(|| format!("failed to write {}", path.display()))
}
