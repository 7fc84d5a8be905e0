//! `workbook grade` on a hand-made class: every kind of submission an instructor meets, each
//! scored on its own, in every report format, without a byte written into any submission.

mod support;

use serde_json::Value;
use std::path::{Path, PathBuf};
use support::{COLD_BUILD, copy_workbook_with, snapshot, text, workbook};

const EXERCISES: [&str; 3] = ["thumbnails", "hit_counter", "log_shipper"];

/// A submission: the solutions, with `change` applied to the exercises folder.
fn submission(class: &Path, instructor: &Path, name: &str, change: impl FnOnce(&Path)) -> PathBuf {
    let dir = class.join(name).join("t1_threads");
    std::fs::create_dir_all(&dir).unwrap();
    for exercise in EXERCISES {
        let file = format!("{exercise}.rs");
        std::fs::copy(instructor.join("solutions/t1_threads").join(&file), dir.join(&file))
            .unwrap();
    }
    change(&dir);
    class.join(name)
}

/// Replaces the body of thumbnails' `render_all` with `body`.
fn thumbnails_doing(dir: &Path, body: &str) {
    let file = dir.join("thumbnails.rs");
    let text = std::fs::read_to_string(&file).unwrap();
    let start = text.find("    let render = Arc::new(render);").unwrap();
    let end = text.find("fn main()").unwrap();
    let replaced =
        format!("{}    let _ = (images, render);\n{body}\n}}\n\n{}", &text[..start], &text[end..]);
    std::fs::write(file, replaced).unwrap();
}

#[test]
fn a_hand_made_class_is_graded_submission_by_submission() {
    let instructor = copy_workbook_with("grade-instructor", &EXERCISES);
    let class = support::scratch("grade-class");
    let stub =
        |exercise: &str| instructor.join("exercises/t1_threads").join(format!("{exercise}.rs"));
    let submissions: Vec<(PathBuf, u32, &str)> = vec![
        (submission(&class, &instructor, "solved", |_| {}), 5, ""),
        (
            submission(&class, &instructor, "untouched", |dir| {
                for exercise in EXERCISES {
                    std::fs::copy(stub(exercise), dir.join(format!("{exercise}.rs"))).unwrap();
                }
            }),
            0,
            "",
        ),
        (
            submission(&class, &instructor, "tampered", |dir| {
                let text = std::fs::read_to_string(stub("thumbnails")).unwrap();
                let weakened = text.replace("assert_eq!(thumbnails, expected);", "");
                let weakened = weakened
                    .replace("assert_eq!(thumbnails.len(), 4,", "assert_eq!(thumbnails.len(), 0,");
                std::fs::write(dir.join("thumbnails.rs"), weakened).unwrap();
            }),
            4,
            "tests were edited",
        ),
        (
            submission(&class, &instructor, "hangs", |dir| {
                thumbnails_doing(
                    dir,
                    "    let (_keep, never) = mpsc::channel::<Thumbnail>();\n    never.iter().collect()",
                );
                let text = std::fs::read_to_string(dir.join("thumbnails.rs")).unwrap();
                std::fs::write(
                    dir.join("thumbnails.rs"),
                    text.replace("use kit::thread;", "use kit::sync::mpsc;\nuse kit::thread;"),
                )
                .unwrap();
            }),
            4,
            "",
        ),
        (
            submission(&class, &instructor, "thread-bomb", |dir| {
                thumbnails_doing(
                    dir,
                    "    for _ in 0..1_000_000 {\n        thread::spawn(|| loop {\n            std::thread::park();\n        });\n    }\n    Vec::new()",
                );
            }),
            4,
            "",
        ),
        (
            submission(&class, &instructor, "floods", |dir| {
                thumbnails_doing(
                    dir,
                    "    loop {\n        println!(\"rendering, rendering, rendering...\");\n    }",
                );
            }),
            4,
            "",
        ),
        (
            submission(&class, &instructor, "missing", |dir| {
                std::fs::remove_file(dir.join("hit_counter.rs")).unwrap();
            }),
            3,
            "",
        ),
        (
            submission(&class, &instructor, "symlink", |dir| {
                std::fs::remove_file(dir.join("log_shipper.rs")).unwrap();
                std::os::unix::fs::symlink("/etc/passwd", dir.join("log_shipper.rs")).unwrap();
            }),
            3,
            "symlinks are not followed",
        ),
    ];
    // Each submission is a learner's copy of the workbook: its exercises live in exercises/.
    let submissions: Vec<(PathBuf, u32, &str)> = submissions
        .into_iter()
        .map(|(dir, points, note)| {
            let root = dir.with_extension("copy");
            std::fs::create_dir_all(root.join("exercises")).unwrap();
            std::fs::rename(dir.join("t1_threads"), root.join("exercises/t1_threads")).unwrap();
            (root, points, note)
        })
        .collect();
    let before: Vec<_> = submissions.iter().map(|(dir, _, _)| snapshot(dir)).collect();
    let reports = support::scratch("grade-reports");
    let mut args: Vec<String> = vec!["grade".into()];
    args.extend(submissions.iter().map(|(dir, _, _)| dir.display().to_string()));
    for (flag, file) in
        [("--json", "grades.json"), ("--junit", "grades.xml"), ("--csv", "grades.csv")]
    {
        args.push(flag.into());
        args.push(reports.join(file).display().to_string());
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let output = workbook(&instructor, &args, COLD_BUILD);
    assert!(output.status.success(), "{}", text(&output.stderr));

    let json: Value =
        serde_json::from_str(&std::fs::read_to_string(reports.join("grades.json")).unwrap())
            .unwrap();
    let csv = std::fs::read_to_string(reports.join("grades.csv")).unwrap();
    let junit = std::fs::read_to_string(reports.join("grades.xml")).unwrap();
    assert!(csv.starts_with("submission,thumbnails,hit_counter,log_shipper,total\n"), "{csv}");
    for (index, (dir, points, note)) in submissions.iter().enumerate() {
        let name = dir.file_name().unwrap().to_string_lossy();
        let graded = &json["submissions"][index];
        let explain = format!("{name}: {}", serde_json::to_string_pretty(graded).unwrap());
        assert_eq!(graded["name"], name.as_ref(), "{explain}");
        assert_eq!(graded["score"], *points, "{explain}");
        assert_eq!(graded["max_score"], 5, "{explain}");
        assert_eq!(graded["version"], 3);
        assert!(graded.to_string().contains(note), "expected {note:?} in {explain}");
        let row =
            csv.lines().find(|line| line.starts_with(&format!("{name},"))).expect("a CSV row");
        assert!(row.ends_with(&format!(",{points}")), "{row}");
        let suite = junit
            .split("<testsuite ")
            .find(|s| s.starts_with(&format!("name=\"{name}\"")))
            .expect("a testsuite");
        assert!(suite.contains(&format!("name=\"score\" value=\"{points}\"")), "{suite}");
        assert_eq!(snapshot(dir), before[index], "{name} was written to");
    }
    // Every failure kind among thumbnails' tests, per submission.
    let kinds = |index: usize| -> Vec<String> {
        let tests =
            json["submissions"][index]["tests"][0]["steps"][1]["tests"].as_array().unwrap().clone();
        tests.iter().filter_map(|t| t["failure_kind"].as_str().map(str::to_owned)).collect()
    };
    assert!(kinds(3).contains(&"hang".to_owned()), "{:?}", kinds(3));
    assert!(
        kinds(4).contains(&"crash".to_owned()),
        "the thread bomb hits the memory limit: {:?}",
        kinds(4)
    );
    assert!(kinds(5).contains(&"output-limit".to_owned()), "{:?}", kinds(5));
    assert_eq!(json["submissions"][6]["tests"][1]["message"], "the file is missing");
}

#[test]
fn a_submission_that_is_not_a_folder_is_bad_input() {
    let instructor = copy_workbook_with("grade-bad-input", &["thumbnails"]);
    let output = workbook(&instructor, &["grade", "/nonexistent/submission"], COLD_BUILD);
    assert_eq!(output.status.code(), Some(2));
    assert!(text(&output.stderr).contains("not a folder"));
}
