//! How the tool was started, so that every message naming a command names one the learner can
//! type: `cargo workbook run` after `cargo workbook`, `workbook run` after installing it.

use std::ffi::OsString;
use std::sync::OnceLock;

/// The first argument the `cargo workbook` alias of `.cargo/config.toml` passes.
pub const FROM_CARGO_ALIAS: &str = "--from-cargo-alias";

static PROGRAM: OnceLock<&'static str> = OnceLock::new();

/// Removes the alias's marker from the command line and remembers how the tool was started.
pub fn take_marker(mut args: Vec<OsString>) -> Vec<OsString> {
    let from_alias = args.get(1).is_some_and(|arg| arg == FROM_CARGO_ALIAS);
    if from_alias {
        args.remove(1);
    }
    let _ = PROGRAM.set(if from_alias { "cargo workbook" } else { "workbook" });
    args
}

/// The command that starts the tool: `cargo workbook` or `workbook`.
pub fn program() -> &'static str {
    PROGRAM.get().copied().unwrap_or("workbook")
}

/// `rest` as a command line the learner can type, such as `cargo workbook hint`.
pub fn command(rest: &str) -> String {
    format!("{} {rest}", program())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_alias_marker_is_removed_from_the_arguments() {
        let args = ["workbook", FROM_CARGO_ALIAS, "list"].map(OsString::from).to_vec();
        assert_eq!(take_marker(args), ["workbook", "list"].map(OsString::from));
        assert_eq!(command("list"), "cargo workbook list");
    }
}
