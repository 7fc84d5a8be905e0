//! The workbook itself is sound: every reference solution passes every step, and every untouched
//! stub fails exactly the way `info.toml` declares.

mod support;

use serde_json::Value;
use support::{COLD_BUILD, repo_root, text, workbook};

fn check(args: &[&str]) -> Value {
    let output = workbook(&repo_root(), args, COLD_BUILD);
    serde_json::from_slice(&output.stdout).unwrap_or_else(|error| {
        panic!("no JSON report ({error}); stderr:\n{}", text(&output.stderr))
    })
}

fn summary_of(exercise: &Value) -> String {
    let steps: Vec<String> = exercise["steps"]
        .as_array()
        .expect("steps")
        .iter()
        .map(|s| format!("{}={} {}", s["name"], s["status"], s["message"].as_str().unwrap_or("")))
        .collect();
    format!("{}: {}", exercise["name"], steps.join("; "))
}

#[test]
fn every_solution_passes_every_step() {
    let report = check(&["check", "--solutions", "--json"]);
    let exercises = report["exercises"].as_array().expect("exercises");
    assert!(!exercises.is_empty());
    for exercise in exercises {
        assert_eq!(exercise["status"], "passed", "{}", summary_of(exercise));
    }
}

#[test]
fn every_untouched_stub_fails_as_declared() {
    let report = check(&["check", "--json"]);
    for exercise in report["exercises"].as_array().expect("exercises") {
        assert_eq!(exercise["status"], "failed", "{}", summary_of(exercise));
        assert_eq!(
            exercise["failure_kinds"],
            exercise["fails_with"],
            "{} fails for another reason than declared: {}",
            exercise["name"],
            summary_of(exercise)
        );
        assert_eq!(exercise["failed_as_declared"], true);
    }
}
