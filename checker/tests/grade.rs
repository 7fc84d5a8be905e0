//! `workbook grade` on a hand-made class: every kind of submission an instructor meets, each
//! scored on its own, in every report format, without a byte written into any submission.

mod support;

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::time::Duration;
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
    for (flag, file) in [
        ("--json", "grades.json"),
        ("--junit", "grades.xml"),
        ("--csv", "grades.csv"),
        ("--html", "grades.html"),
    ] {
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
    html_page_shows_the_class(&reports.join("grades.html"), &submissions);
}

/// The `--html` page: a row per learner, each failing cell linking to its message, and, in a
/// real browser, the chart and the failure marks drawn.
fn html_page_shows_the_class(page: &Path, submissions: &[(PathBuf, u32, &str)]) {
    let html = std::fs::read_to_string(page).unwrap();
    for (dir, points, _) in submissions {
        let name = dir.file_name().unwrap().to_string_lossy();
        let row = format!("<tr><td>{name}</td><td class=\"num\">{points}/5</td>");
        assert!(html.contains(&row), "no row {row}");
    }
    for link in html.split("href=\"#").skip(1).map(|s| &s[..s.find('"').unwrap()]) {
        assert!(html.contains(&format!("id=\"{link}\"")), "no message for the link #{link}");
    }
    let Some(pixels) = support::screenshot(page, &page.with_extension("png"), 1200, 1400) else {
        return;
    };
    let count = |rgb: [u8; 3]| pixels.iter().filter(|p| p[..3] == rgb).count();
    // The chart's bars (#3b7dd8): 8 submissions, most at 4 points, drawn 160 px at the tallest.
    assert!(count([0x3b, 0x7d, 0xd8]) > 40 * 100, "no chart drawn: see {}", page.display());
    // The pass-rate bars (#2a9d4b) and the failure marks (#c0392b).
    assert!(count([0x2a, 0x9d, 0x4b]) > 500, "no pass-rate bars: see {}", page.display());
    assert!(count([0xc0, 0x39, 0x2b]) > 50, "no failure marks: see {}", page.display());
}

#[test]
fn a_submission_that_is_not_a_folder_is_bad_input() {
    let instructor = copy_workbook_with("grade-bad-input", &["thumbnails"]);
    let output = workbook(&instructor, &["grade", "/nonexistent/submission"], COLD_BUILD);
    assert_eq!(output.status.code(), Some(2));
    assert!(text(&output.stderr).contains("not a folder"));
}

/// The GitHub Classroom workflow runs the README's grading command, with options the binary
/// has, and keeps every report that command writes.
#[test]
fn the_classroom_workflow_runs_the_readme_command() {
    let root = support::repo_root();
    let workflow = std::fs::read_to_string(root.join("docs/classroom/grade.yml")).unwrap();
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    // The Grade step's folded `run: >` block, as one command line.
    let step = workflow.split("- name: Grade\n").nth(1).expect("a Grade step");
    let block = step.split("run: >\n").nth(1).expect("a folded run block");
    let command: Vec<&str> = block
        .lines()
        .take_while(|line| line.starts_with("          "))
        .flat_map(str::split_whitespace)
        .collect();
    assert_eq!(command[..3], ["cargo", "workbook", "grade"], "{command:?}");
    let start = readme.find("`cargo workbook grade SUBMISSION...").expect("the README's synopsis");
    let synopsis = readme[start + 1..].split('`').next().unwrap().replace('\n', " ");
    let help = text(&workbook(&root, &["grade", "--help"], Duration::from_secs(60)).stdout);
    let artifact = workflow.split("uses: actions/upload-artifact").nth(1).expect("an artifact");
    for (at, flag) in command.iter().enumerate().filter(|(_, word)| word.starts_with("--")) {
        if synopsis.contains(&format!("[{flag}]")) {
            assert!(help.contains(&format!("{flag} ")), "{flag} not in:\n{help}");
            continue;
        }
        let file = command.get(at + 1).expect("a flag's file");
        assert!(synopsis.contains(&format!("[{flag} FILE]")), "{flag} not in: {synopsis}");
        assert!(help.contains(&format!("{flag} <FILE>")), "{flag} not in:\n{help}");
        let kept = file.trim_start_matches("../");
        assert!(artifact.contains(&format!("\n            {kept}\n")), "{kept} is not kept");
    }
}
