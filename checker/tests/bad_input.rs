//! Bad input gets a short error naming the file and line, exit code 2, and nothing is touched.

mod support;

use std::path::Path;
use std::time::Duration;
use support::{scratch, snapshot, text, workbook};

const QUICK: Duration = Duration::from_secs(60);

const INFO: &str = r#"format_version = 1
welcome_message = "hi"
final_message = "bye"

[[exercises]]
name = "first"
dir = "t1"
points = 1
hint = "look"
bug = "a bug"
fails_with = "test"

[[exercises]]
name = "second"
dir = "t1"
points = 1
loom = true
hint = "look"
bug = "a bug"
fails_with = ["hang", "loom-deadlock"]
"#;

/// A minimal workbook whose `info.toml` is `info`.
fn workbook_with(name: &str, info: &str) -> std::path::PathBuf {
    let dir = scratch(name);
    std::fs::write(dir.join("info.toml"), info).unwrap();
    for source in ["exercises", "solutions"] {
        std::fs::create_dir_all(dir.join(source).join("t1")).unwrap();
        let mut manifest = String::from("[package]\nname = \"x\"\n");
        for exercise in ["first", "second"] {
            std::fs::write(
                dir.join(source).join("t1").join(format!("{exercise}.rs")),
                "fn main() {}\n",
            )
            .unwrap();
            manifest.push_str(&format!(
                "\n[[bin]]\nname = \"{exercise}\"\npath = \"t1/{exercise}.rs\"\n"
            ));
        }
        std::fs::write(dir.join(source).join("Cargo.toml"), manifest).unwrap();
    }
    dir
}

/// Runs `args` and asserts exit 2, a message containing each of `expected`, and no change.
fn assert_rejected(dir: &Path, args: &[&str], expected: &[&str]) {
    let before = snapshot(dir);
    let output = workbook(dir, args, QUICK);
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "stderr: {stderr}");
    for needle in expected {
        assert!(stderr.contains(needle), "expected {needle:?} in: {stderr}");
    }
    assert!(stderr.lines().count() <= 4, "a short error, not: {stderr}");
    assert_eq!(snapshot(dir), before, "the command changed files");
}

#[test]
fn a_valid_workbook_lists() {
    let dir = workbook_with("valid", INFO);
    let output = workbook(&dir, &["list"], QUICK);
    assert!(output.status.success(), "{}", text(&output.stderr));
    assert!(text(&output.stdout).contains("0/2 done"));
}

#[test]
fn an_unknown_field_is_named_with_its_line() {
    let dir = workbook_with(
        "unknown-field",
        &INFO.replace("points = 1\nhint", "points = 1\nhnt = \"x\"\nhint"),
    );
    assert_rejected(&dir, &["list"], &["info.toml:9:", "unknown field `hnt`"]);
}

#[test]
fn a_duplicate_name_points_at_both_entries() {
    let dir = workbook_with("duplicate", &INFO.replace("name = \"second\"", "name = \"first\""));
    assert_rejected(
        &dir,
        &["run"],
        &["info.toml:14:", "`first` is listed twice (first at line 6)"],
    );
}

#[test]
fn a_missing_exercise_file_is_named_with_the_command_that_restores_it() {
    let dir = workbook_with("missing-file", INFO);
    std::fs::remove_file(dir.join("exercises/t1/second.rs")).unwrap();
    assert_rejected(
        &dir,
        &["run", "second"],
        &["exercises/t1/second.rs is missing", "`workbook reset second` restores it"],
    );
}

#[test]
fn a_missing_solution_file_is_named() {
    let dir = workbook_with("missing-solution", INFO);
    std::fs::remove_file(dir.join("solutions/t1/first.rs")).unwrap();
    assert_rejected(
        &dir,
        &["check", "--solutions"],
        &["info.toml:6:", "solutions/t1/first.rs is missing"],
    );
}

#[test]
fn an_unknown_failure_kind_lists_the_known_ones() {
    let dir = workbook_with("unknown-kind", &INFO.replace("\"loom-deadlock\"", "\"deadlock\""));
    assert_rejected(
        &dir,
        &["list"],
        &["info.toml:20:", "unknown variant `deadlock`", "loom-deadlock"],
    );
}

#[test]
fn an_accident_cannot_be_declared() {
    let dir = workbook_with(
        "accident",
        &INFO.replace("fails_with = \"test\"", "fails_with = \"timeout\""),
    );
    assert_rejected(&dir, &["list"], &["info.toml:11:", "unknown variant `timeout`"]);
}

#[test]
fn a_toml_syntax_error_is_located() {
    let dir = workbook_with(
        "syntax",
        &INFO.replace("[[exercises]]\nname = \"second\"", "[[exercises\nname = \"second\""),
    );
    assert_rejected(&dir, &["list"], &["info.toml:13:", "expected `]]`"]);
}

#[test]
fn a_corrupt_progress_file_is_explained_and_kept() {
    let dir = workbook_with("corrupt-progress", INFO);
    std::fs::write(dir.join(".workbook-progress.toml"), "current = \"first\"\ndone = 7\n").unwrap();
    assert_rejected(
        &dir,
        &["list"],
        &[".workbook-progress.toml:2:", "delete the file to start again"],
    );
}

#[test]
fn an_unknown_exercise_name_is_rejected() {
    let dir = workbook_with("unknown-name", INFO);
    assert_rejected(&dir, &["hint", "nope"], &["no exercise `nope`"]);
}

#[test]
fn outside_a_workbook_says_where_to_run() {
    // Outside the repository, whose own info.toml would otherwise be found upwards.
    let dir = std::env::temp_dir().join(format!("workbook-nowhere-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    assert_rejected(&dir, &["list"], &["no info.toml"]);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_progress_file_that_is_not_text_is_explained_and_kept() {
    let dir = workbook_with("binary-progress", INFO);
    std::fs::write(
        dir.join(".workbook-progress.toml"),
        b"current = \"first\"\ndone = [\"\xff\xfe\"]\n",
    )
    .unwrap();
    assert_rejected(
        &dir,
        &["list"],
        &[".workbook-progress.toml:2:", "not UTF-8", "delete the file to start again"],
    );
}

#[test]
fn a_misspelt_exercise_name_suggests_the_closest() {
    let dir = workbook_with("misspelt-name", INFO);
    assert_rejected(&dir, &["hint", "secnd"], &["no exercise `secnd`", "did you mean `second`?"]);
}
