//! Grading a class made by a test: one instructor's workbook per test binary, learners' copies
//! made from its solutions with a change, and the JSON report read back.

use super::{COLD_BUILD, copy_workbook_with, scratch, text, workbook};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

pub const EXERCISES: [&str; 3] = ["thumbnails", "hit_counter", "log_shipper"];

/// One instructor's workbook for every test here, so the grading build is made once.
pub fn instructor() -> &'static Path {
    static INSTRUCTOR: OnceLock<PathBuf> = OnceLock::new();
    INSTRUCTOR.get_or_init(|| {
        copy_workbook_with(concat!(env!("CARGO_CRATE_NAME"), "-instructor"), &EXERCISES)
    })
}

/// A learner's copy in `class/name`: the solutions, then `change` on its exercises folder.
pub fn submission(class: &Path, name: &str, change: impl FnOnce(&Path)) -> PathBuf {
    let dir = class.join(name).join("exercises/t1_threads");
    std::fs::create_dir_all(&dir).unwrap();
    for exercise in EXERCISES {
        let file = format!("{exercise}.rs");
        std::fs::copy(instructor().join("solutions/t1_threads").join(&file), dir.join(&file))
            .unwrap();
    }
    change(&dir);
    class.join(name)
}

/// Replaces `from` with `to` in the exercise file `exercise` of `dir`.
pub fn edit(dir: &Path, exercise: &str, from: &str, to: &str) {
    let file = dir.join(format!("{exercise}.rs"));
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.contains(from), "{from:?} in {exercise}");
    std::fs::write(file, text.replacen(from, to, 1)).unwrap();
}

/// Puts `code` just before the solution's `main`.
pub fn add_before_main(dir: &Path, exercise: &str, code: &str) {
    edit(dir, exercise, "\nfn main() {", &format!("\n{code}\n\nfn main() {{"));
}

/// Grades `submissions` with `args`, and returns the JSON report.
pub fn grade(submissions: &[&Path], args: &[&str]) -> Value {
    static GRADINGS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let grading = GRADINGS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let report =
        scratch(&format!("{}-report-{grading}", env!("CARGO_CRATE_NAME"))).join("grades.json");
    let mut all: Vec<String> = vec!["grade".into(), "--json".into(), report.display().to_string()];
    all.extend(args.iter().map(|a| a.to_string()));
    all.extend(submissions.iter().map(|s| s.display().to_string()));
    let all: Vec<&str> = all.iter().map(String::as_str).collect();
    let output = workbook(instructor(), &all, COLD_BUILD);
    assert!(output.status.success(), "{}", text(&output.stderr));
    serde_json::from_str(&std::fs::read_to_string(report).unwrap()).unwrap()
}

/// One exercise's name, points and status.
pub type ExerciseScore = (String, u64, String);

/// Per submission, per exercise: its points and its status, by submission name.
pub fn scores(report: &Value) -> Vec<(String, Vec<ExerciseScore>)> {
    let mut scores: Vec<_> = report["submissions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            let tests = s["tests"].as_array().unwrap().iter().map(|t| {
                let status = t["status"].as_str().unwrap().to_owned();
                (t["name"].as_str().unwrap().to_owned(), t["score"].as_u64().unwrap(), status)
            });
            (s["name"].as_str().unwrap().to_owned(), tests.collect())
        })
        .collect();
    scores.sort();
    scores
}

pub fn exercise<'a>(report: &'a Value, submission: &str, name: &str) -> &'a Value {
    let submission =
        report["submissions"].as_array().unwrap().iter().find(|s| s["name"] == submission);
    let tests =
        submission.unwrap_or_else(|| panic!("{submission:?} graded"))["tests"].as_array().unwrap();
    tests.iter().find(|t| t["name"] == name).unwrap()
}

pub fn total(report: &Value, submission: &str) -> u64 {
    let found = report["submissions"].as_array().unwrap().iter().find(|s| s["name"] == submission);
    found.unwrap()["score"].as_u64().unwrap()
}

/// Keeps a core busy until dropped.
pub struct Load(std::sync::Arc<std::sync::atomic::AtomicBool>);

impl Load {
    pub fn start() -> Self {
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let spinning = std::sync::Arc::clone(&stop);
        std::thread::spawn(move || {
            while !spinning.load(std::sync::atomic::Ordering::Relaxed) {
                std::hint::spin_loop();
            }
        });
        Load(stop)
    }
}

impl Drop for Load {
    fn drop(&mut self) {
        self.0.store(true, std::sync::atomic::Ordering::Relaxed);
    }
}

/// Processes whose command line holds `marker`.
pub fn processes_with(marker: &str) -> Vec<String> {
    std::fs::read_dir("/proc")
        .unwrap()
        .flatten()
        .filter_map(|entry| std::fs::read(entry.path().join("cmdline")).ok())
        .map(|cmdline| String::from_utf8_lossy(&cmdline).replace('\0', " "))
        .filter(|cmdline| cmdline.contains(marker))
        .collect()
}
