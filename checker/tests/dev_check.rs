//! `workbook dev check` proves the workbook sound, and notices when it is not.

mod support;

use serde_json::Value;
use std::path::Path;
use support::{COLD_BUILD, copy_workbook_with, repo_root, text, workbook};

fn dev_check(dir: &Path) -> (bool, Value) {
    let output = workbook(dir, &["dev", "check", "--json"], COLD_BUILD);
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
    assert_eq!(report["solutions"][1]["name"], "queue_depth");
    assert!(
        report["solutions"].as_array().unwrap().iter().all(|s| s["steps"][1]["status"] == "passed")
    );
}
