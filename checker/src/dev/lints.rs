//! rustfmt and clippy over the reference solutions, in plain and loom builds.

use super::finding::Finding;
use crate::info::Workbook;
use anyhow::{Context, Result};
use cargo_metadata::diagnostic::DiagnosticLevel;
use cargo_metadata::{CompilerMessage, Message};
use std::path::Path;
use std::process::Command;

pub fn check(workbook: &Workbook, target_dir: &Path) -> Result<Vec<Finding>> {
    let mut findings = rustfmt(&workbook.root)?;
    findings.extend(clippy(&workbook.root, target_dir, false)?);
    findings.extend(clippy(&workbook.root, target_dir, true)?);
    Ok(findings)
}

fn cargo(root: &Path) -> Command {
    let mut command = crate::run::cargo();
    command.current_dir(root).env_remove("RUSTFLAGS").env_remove("CARGO_ENCODED_RUSTFLAGS");
    command
}

/// `cargo fmt --check` prints `Diff in /abs/file.rs:LINE:` for every hunk.
fn rustfmt(root: &Path) -> Result<Vec<Finding>> {
    let output = cargo(root).args(["fmt", "--check", "--package", "solutions"]).output().context(
        "failed to run cargo fmt: is rustfmt installed (`rustup component add rustfmt`)?",
    )?;
    let text = String::from_utf8_lossy(&output.stdout);
    let mut findings: Vec<Finding> = text
        .lines()
        .filter_map(|line| {
            let place = line.strip_prefix("Diff in ")?.trim_end_matches(':');
            let (file, line) = place.rsplit_once(':')?;
            let file = Path::new(file).strip_prefix(root).unwrap_or(Path::new(file));
            Some(Finding::new(
                file,
                line.parse().unwrap_or(1),
                "not formatted as rustfmt would: run `cargo fmt`",
            ))
        })
        .collect();
    if !output.status.success() && findings.is_empty() {
        findings.push(Finding::new(
            "solutions",
            1,
            format!("cargo fmt failed: {}", first_lines(&output.stderr)),
        ));
    }
    Ok(findings)
}

/// `cargo clippy -D warnings` on the solutions, as the loom build sees them when `loom`.
fn clippy(root: &Path, target_dir: &Path, loom: bool) -> Result<Vec<Finding>> {
    let mut command = cargo(root);
    command
        .args(["clippy", "--package", "solutions", "--all-targets", "--message-format", "json"])
        .arg("--target-dir")
        .arg(target_dir.join("clippy"));
    if loom {
        command.env("CARGO_ENCODED_RUSTFLAGS", "--cfg\x1floom");
    }
    let output = command.args(["--", "-D", "warnings"]).output().context(
        "failed to run cargo clippy: is clippy installed (`rustup component add clippy`)?",
    )?;
    let build = if loom { "the loom build" } else { "the plain build" };
    let mut findings = Vec::new();
    for message in Message::parse_stream(&output.stdout[..]).map_while(Result::ok) {
        let Message::CompilerMessage(CompilerMessage { message: diagnostic, .. }) = message else {
            continue;
        };
        if !matches!(diagnostic.level, DiagnosticLevel::Error | DiagnosticLevel::Warning) {
            continue;
        }
        let Some(span) = diagnostic.spans.iter().find(|s| s.is_primary) else { continue };
        findings.push(Finding::new(
            &span.file_name,
            span.line_start,
            format!("clippy ({build}): {}", diagnostic.message),
        ));
    }
    if !output.status.success() && findings.is_empty() {
        findings.push(Finding::new(
            "solutions",
            1,
            format!(
                "cargo clippy failed in {build}: {}",
                String::from_utf8_lossy(&output.stderr).trim()
            ),
        ));
    }
    Ok(findings)
}

/// The start of a tool's complaint: enough to act on, without a wall of repeats.
fn first_lines(stderr: &[u8]) -> String {
    let text = String::from_utf8_lossy(stderr);
    text.lines().filter(|line| !line.trim().is_empty()).take(3).collect::<Vec<_>>().join(" / ")
}
