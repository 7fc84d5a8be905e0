//! `workbook dev check` proves the workbook sound, and notices when it is not.

mod support;

use serde_json::Value;
use std::path::Path;
use support::{COLD_BUILD, copy_workbook_with, repo_root, text, workbook};

fn dev_check(dir: &Path) -> (bool, Value) {
    dev_check_with(dir, &[])
}

fn dev_check_with(dir: &Path, extra: &[&str]) -> (bool, Value) {
    let args: Vec<&str> = ["dev", "check", "--json"].iter().chain(extra).copied().collect();
    let output = workbook(dir, &args, COLD_BUILD);
    let report: Value = serde_json::from_slice(&output.stdout).unwrap_or_else(|error| {
        panic!("no JSON report ({error}); stderr:\n{}", text(&output.stderr))
    });
    (output.status.success(), report)
}

fn findings(report: &Value) -> Vec<String> {
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            format!(
                "{}:{}: {}",
                f["file"].as_str().unwrap(),
                f["line"],
                f["message"].as_str().unwrap()
            )
        })
        .collect()
}

#[test]
fn the_workbook_passes_its_own_dev_check() {
    let (ok, report) = dev_check(&repo_root());
    assert!(ok && report["ok"] == true, "findings:\n{}", findings(&report).join("\n"));
    for stub in report["stubs"].as_array().unwrap() {
        assert!(
            stub["steps"].as_array().unwrap().iter().any(|s| s["status"] == "failed"),
            "{}",
            stub["name"]
        );
    }
}

#[test]
fn a_stub_failing_for_another_reason_fails_dev_check_with_a_finding_saying_so() {
    let dir = copy_workbook_with("dev-check-wrong-reason", &["thumbnails", "batch_geocoder"]);
    let stub = dir.join("exercises/t1_threads/thumbnails.rs");
    let broken = std::fs::read_to_string(&stub)
        .unwrap()
        .replace("pub fn scale_down", "pub fn scale_down_typo");
    std::fs::write(&stub, broken).unwrap();
    let (ok, report) = dev_check(&dir);
    assert!(!ok);
    let found = findings(&report);
    assert!(
        found.iter().any(|f| f.starts_with("info.toml:")
            && f.contains("`thumbnails` fails with compile, but fails_with declares test")),
        "{found:#?}"
    );
    assert_eq!(found.len(), 1, "only the broken stub is at fault: {found:#?}");
}

#[test]
fn dev_new_scaffolds_an_exercise_that_dev_check_then_asks_to_finish() {
    let dir = copy_workbook_with("dev-new", &["thumbnails"]);
    let output =
        workbook(&dir, &["dev", "new", "queue_depth", "--dir", "t2_pipelines"], COLD_BUILD);
    assert!(output.status.success(), "{}", text(&output.stderr));
    for source in ["exercises", "solutions"] {
        assert!(dir.join(source).join("t2_pipelines/queue_depth.rs").is_file());
        let manifest = std::fs::read_to_string(dir.join(source).join("Cargo.toml")).unwrap();
        assert!(
            manifest.contains("name = \"queue_depth\"\npath = \"t2_pipelines/queue_depth.rs\"")
        );
    }
    let again = workbook(&dir, &["dev", "new", "queue_depth", "--dir", "t2_pipelines"], COLD_BUILD);
    assert_eq!(again.status.code(), Some(2), "a second scaffold of the same name is refused");
    let (ok, report) = dev_check(&dir);
    assert!(!ok);
    let found = findings(&report);
    assert!(
        found.iter().any(|f| f.contains("the untouched stub of `queue_depth` passes")),
        "{found:#?}"
    );
    for kind in ["wrong", "right"] {
        let todo = format!("fixes/t2_pipelines/queue_depth/{kind}/todo.rs:1: the first line must");
        assert!(found.iter().any(|f| f.starts_with(&todo)), "{todo} in {found:#?}");
    }
    assert_eq!(report["solutions"][1]["name"], "queue_depth");
    assert!(
        report["solutions"].as_array().unwrap().iter().all(|s| s["steps"][1]["status"] == "passed")
    );
}

/// Writes `fixes/t1_threads/thumbnails/<kind>/<slug>.rs`: `header`, then the code of `source`.
fn write_fix(dir: &Path, kind: &str, slug: &str, header: &str, source: &str) {
    let file = std::fs::read_to_string(dir.join(source).join("t1_threads/thumbnails.rs")).unwrap();
    let code = &file[..file.find("#[cfg(all(test").unwrap()];
    let path = dir.join("fixes/t1_threads/thumbnails").join(kind).join(format!("{slug}.rs"));
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, format!("{header}{code}")).unwrap();
}

#[test]
fn the_corpus_names_every_wrong_fix_that_passes_and_every_right_fix_that_fails() {
    let dir = copy_workbook_with("dev-check-corpus", &["thumbnails"]);
    let _ = std::fs::remove_dir_all(dir.join("fixes"));
    let caught = "// Drops the handles.\n// caught by: test\n";
    write_fix(&dir, "wrong", "drops_handles", caught, "exercises");
    write_fix(&dir, "wrong", "declared_wrong", caught, "solutions");
    write_fix(
        &dir,
        "wrong",
        "declared_as_hang",
        "// Drops them.\n// caught by: hang\n",
        "exercises",
    );
    write_fix(&dir, "right", "is_the_stub", "// Claims to be right.\n", "exercises");
    let (ok, report) = dev_check_with(&dir, &["--only", "thumbnails"]);
    assert!(!ok);
    let mut found = findings(&report);
    found.sort();
    let folder = "fixes/t1_threads/thumbnails";
    let expected = [
        format!("{folder}/right/is_the_stub.rs:1: this correct fix of `thumbnails` fails (test)"),
        format!(
            "{folder}/wrong/declared_as_hang.rs:1: this wrong fix of `thumbnails` fails with test, but declares hang"
        ),
        format!(
            "{folder}/wrong/declared_wrong.rs:1: this wrong fix of `thumbnails` passes every step"
        ),
        format!("{folder}/wrong:0: `thumbnails` has 3 wrong fixes; write at least 4"),
    ];
    assert_eq!(found.len(), expected.len(), "{found:#?}");
    for (finding, start) in found.iter().zip(&expected) {
        assert!(finding.starts_with(start.as_str()), "{finding}\n  should start with\n{start}");
    }
    let fixes = report["fixes"].as_array().unwrap();
    let proved: Vec<bool> = fixes.iter().map(|f| f["proved"].as_bool().unwrap()).collect();
    assert_eq!(proved, [false, false, true, false], "wrong, then right, by name: {fixes:#?}");
}
