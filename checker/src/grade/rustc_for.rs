//! The rustc command of one graded file, made from the template's, and what decides its output.

use super::template::Captured;
use crate::info::Source;
use crate::process::{Sandbox, View};
use anyhow::{Context, Result};
use sha2::{Digest, Sha256};
use std::path::Path;
use std::process::Command;

/// The template's rustc command, its arguments and environment added to `command`, made to compile
/// `source` (relative to `root`) as the crate `name` into the executable `out`.
pub fn rustc_for(
    template: &Captured,
    mut command: Command,
    root: &Path,
    name: &str,
    source: &Path,
    out: &Path,
) -> Command {
    let mut args = template.command.args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            arg if arg == template.source => {
                command.arg(source);
            }
            "--crate-name" => {
                args.next();
                command.args(["--crate-name", name]);
            }
            // The output goes where this command says; cargo's folders are not ours to write.
            "--out-dir" => {
                args.next();
            }
            // Cargo's incremental folder, and what names the template's own binary.
            "-C" if args.as_slice().first().is_some_and(|next| {
                ["incremental=", "extra-filename=", "metadata="].iter().any(|o| next.starts_with(o))
            }) =>
            {
                args.next();
            }
            arg if arg.starts_with("--emit=") => {
                command.arg("--emit=link");
            }
            // Reports carry plain text: cargo asks for colours even with `--message-format json`.
            arg if arg.starts_with("--json=") => {
                let kinds: Vec<&str> = arg["--json=".len()..]
                    .split(',')
                    .filter(|kind| *kind != "diagnostic-rendered-ansi")
                    .collect();
                command.arg(format!("--json={}", kinds.join(",")));
            }
            arg => {
                command.arg(arg);
            }
        }
    }
    command.arg("-o").arg(out);
    let manifest_dir = root.join(Source::Exercises.dir());
    for (key, value) in &template.command.env {
        let value = match key.as_str() {
            "CARGO_BIN_NAME" | "CARGO_CRATE_NAME" => name.into(),
            "CARGO_MANIFEST_DIR" => manifest_dir.clone().into_os_string(),
            "CARGO_MANIFEST_PATH" => manifest_dir.join("Cargo.toml").into_os_string(),
            _ => value.into(),
        };
        command.env(key, value);
    }
    command
}

/// A hash of everything besides the source that decides what rustc produces: the command as this
/// grader writes it (with stand-ins for what changes per file), and the libraries it links, which
/// change without their file names changing.
pub fn fingerprint(template: &Captured, sandbox: Option<&Sandbox>) -> Result<Vec<u8>> {
    let stand_in = Path::new("<>");
    let program = Path::new(&template.command.program);
    // What the sandbox shows rustc decides what it can link with.
    let program = match sandbox {
        Some(sandbox) => sandbox.command(program, &View::default(), stand_in),
        None => Command::new(program),
    };
    let command = rustc_for(template, program, stand_in, "<>", stand_in, stand_in);
    let mut hasher = Sha256::new();
    hasher.update(format!("{command:?}"));
    for arg in &template.command.args {
        if let Some((_, library)) = arg.split_once('=').filter(|_| arg.ends_with(".rlib")) {
            let bytes =
                std::fs::read(library).with_context(|| format!("failed to read {library}"))?;
            hasher.update(Sha256::digest(&bytes));
        }
    }
    Ok(hasher.finalize().to_vec())
}
