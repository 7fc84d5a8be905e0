//! `workbook grade` gives each submission the score it earns alone: whatever else is in the class,
//! in whatever order, with whatever `--jobs`, under load, and whatever one submission's code does
//! to its build, its time, its files or the grader.

mod support;

use serde_json::Value;
use std::path::{Path, PathBuf};
use support::grading::{
    Load, add_before_main, edit, exercise, grade, instructor, processes_with, scores, submission,
    total,
};
use support::{COLD_BUILD, scratch};

/// Does not compile, and rustc's message quotes a character XML 1.0 cannot carry.
const BROKEN: &str = "fn broken() -> u32 {\n    \"not a number \u{ffff}\"\n}";

#[test]
fn one_broken_exercise_costs_that_exercise_alone_whatever_the_build_order() {
    let class = scratch("isolation-broken");
    let first =
        submission(&class, "broken-first", |dir| add_before_main(dir, "thumbnails", BROKEN));
    let last = submission(&class, "broken-last", |dir| add_before_main(dir, "log_shipper", BROKEN));
    let junit = scratch("isolation-broken-junit").join("grades.xml");
    let report = grade(&[&first, &last], &["--junit", junit.to_str().unwrap()]);
    assert_eq!(total(&report, "broken-first"), 4, "{report:#}");
    assert_eq!(total(&report, "broken-last"), 3, "{report:#}");
    let message = exercise(&report, "broken-first", "thumbnails")["output"].as_str().unwrap();
    assert!(message.contains("exercises/t1_threads/thumbnails.rs:"), "{message}");
    assert!(message.contains("mismatched types") && !message.contains('\u{1b}'), "{message}");
    let junit = std::fs::read_to_string(junit).unwrap();
    assert!(message.contains('\u{ffff}'), "the JSON report carries it: {message}");
    assert!(!junit.contains('\u{ffff}') && junit.contains("not a number \u{fffd}"), "{junit}");
}

#[test]
fn a_test_module_written_another_way_is_replaced_not_doubled() {
    let class = scratch("isolation-rewritten");
    let rewritten = submission(&class, "rewritten", |dir| {
        let file = dir.join("thumbnails.rs");
        let text = std::fs::read_to_string(&file).unwrap();
        let code = &text[..text.find("#[cfg(all(test").unwrap()];
        let mine = "#[cfg(test)]\nmod tests {\n    #[test]\n    fn mine() {}\n}\n";
        std::fs::write(file, format!("{code}{mine}")).unwrap();
    });
    let report = grade(&[&rewritten], &[]);
    assert_eq!(total(&report, "rewritten"), 5, "{report:#}");
    let thumbnails = exercise(&report, "rewritten", "thumbnails");
    assert!(thumbnails.to_string().contains("tests were edited"), "{thumbnails:#}");
}

#[test]
fn a_class_scores_each_copy_as_alone_in_any_order_with_any_jobs_under_load() {
    let class = scratch("isolation-class");
    let marker = format!("{}.{}", 2000 + std::process::id() % 1000, std::process::id());
    let copies = [
        submission(&class, "solved", |_| {}),
        submission(&class, "broken", |dir| add_before_main(dir, "thumbnails", BROKEN)),
        submission(&class, "shadowed", |dir| {
            std::fs::copy(
                instructor().join("exercises/t1_threads/hit_counter.rs"),
                dir.join("hit_counter.rs"),
            )
            .unwrap();
            let shadow = "macro_rules! assert_eq {\n    ($($t:tt)*) => {};\n}\n\nmacro_rules! assert {\n    ($($t:tt)*) => {};\n}\n\n#[cfg(all(test";
            edit(dir, "hit_counter", "#[cfg(all(test", shadow);
        }),
        submission(&class, "starts-a-process", |dir| {
            let start = format!(
                "    let _ = std::process::Command::new(\"sleep\").arg(\"{marker}\").spawn();\n    let render = Arc::new(render);"
            );
            edit(dir, "thumbnails", "    let render = Arc::new(render);", &start);
        }),
    ];
    let in_order: Vec<&Path> = copies.iter().map(PathBuf::as_path).collect();
    let reversed: Vec<&Path> = in_order.iter().rev().copied().collect();
    let together = {
        let _load = Load::start();
        scores(&grade(&in_order, &["--jobs", "2"]))
    };
    let backwards = scores(&grade(&reversed, &["--jobs", "1"]));
    let mut alone: Vec<_> = in_order.iter().flat_map(|copy| scores(&grade(&[copy], &[]))).collect();
    alone.sort();
    assert_eq!(together, backwards, "the order and --jobs changed a score");
    assert_eq!(together, alone, "a copy scored differently in the class than alone");
    let points: Vec<u64> =
        together.iter().map(|(_, tests)| tests.iter().map(|t| t.1).sum()).collect();
    // Sorted by name: broken, shadowed, solved, starts-a-process. The last two alter copies are
    // held for review (assertions shadowed, a process started), which costs them one exercise.
    assert_eq!(points, [4, 3, 5, 4], "{together:?}");
    assert_eq!(processes_with(&marker), Vec::<String>::new(), "a test's process outlived it");
}

#[test]
fn a_build_that_never_ends_costs_its_exercise_alone_beside_another_grading() {
    let class = scratch("isolation-endless");
    let endless = submission(&class, "endless", |dir| {
        let forever = "#[allow(long_running_const_eval)]\nconst FOREVER: u64 = {\n    let mut i = 0u64;\n    loop {\n        i = i.wrapping_add(1);\n    }\n};";
        add_before_main(dir, "thumbnails", forever);
        edit(dir, "thumbnails", "fn main() {", "fn main() {\n    println!(\"{FOREVER}\");");
    });
    let solved = submission(&class, "solved", |_| {});
    let (slow, beside) = std::thread::scope(|scope| {
        let slow = scope.spawn(|| grade(&[&endless, &solved], &["--build-limit", "5"]));
        let beside = scope.spawn(|| grade(&[&solved], &[]));
        (slow.join().unwrap(), beside.join().unwrap())
    });
    assert_eq!(total(&slow, "solved"), 5, "{slow:#}");
    assert_eq!(total(&beside, "solved"), 5, "{beside:#}");
    assert_eq!(total(&slow, "endless"), 4, "{slow:#}");
    let thumbnails = exercise(&slow, "endless", "thumbnails")["output"].as_str().unwrap();
    assert!(thumbnails.contains("more than 5s of CPU time"), "{thumbnails}");
}

#[test]
fn a_submission_out_of_time_says_what_was_not_run_and_its_own_tests_never_run() {
    let class = scratch("isolation-budget");
    let hangs = submission(&class, "hangs", |dir| {
        let wait = "    let (_keep, never) = std::sync::mpsc::channel::<()>();\n    let _ = never.recv_timeout(std::time::Duration::from_secs(3));\n    let render = Arc::new(render);";
        edit(dir, "thumbnails", "    let render = Arc::new(render);", wait);
        let extra = "macro_rules! extra {\n    () => {\n        #[test]\n        fn learners_own() {\n            loop {}\n        }\n    };\n}\n\nextra!();";
        add_before_main(dir, "thumbnails", extra);
    });
    let report = grade(&[&hangs], &["--budget", "1"]);
    let thumbnails = exercise(&report, "hangs", "thumbnails");
    assert!(!thumbnails.to_string().contains("learners_own"), "{thumbnails:#}");
    for name in ["hit_counter", "log_shipper"] {
        let skipped = exercise(&report, "hangs", name);
        let message = skipped["message"].as_str().unwrap();
        assert!(message.contains("not run: the submission's time budget of 1s"), "{skipped:#}");
    }
}

#[test]
fn a_fifo_or_a_test_that_kills_everything_it_can_stops_nothing_but_itself() {
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        eprintln!("skipped: without root, `kill -1` here could reach this machine's processes");
        return;
    }
    let class = scratch("isolation-hostile");
    let fifo = submission(&class, "fifo", |dir| {
        let path = dir.join("hit_counter.rs");
        std::fs::remove_file(&path).unwrap();
        let status = std::process::Command::new("mkfifo").arg(&path).status().unwrap();
        assert!(status.success());
    });
    // As root, `kill -1` would reach every process of the machine but for the PID namespace.
    let killer = submission(&class, "killer", |dir| {
        let kill = "    let _ = std::process::Command::new(\"kill\").args([\"-KILL\", \"-1\"]).status();\n    let render = Arc::new(render);";
        edit(dir, "thumbnails", "    let render = Arc::new(render);", kill);
    });
    let solved = submission(&class, "solved", |_| {});
    let report = grade(&[&fifo, &killer, &solved], &["--jobs", "1"]);
    assert_eq!(total(&report, "solved"), 5, "{report:#}");
    assert_eq!(total(&report, "fifo"), 3, "{report:#}");
    let message = exercise(&report, "fifo", "hit_counter")["message"].as_str().unwrap();
    assert!(message.contains("not a regular file"), "{message}");
    assert_eq!(exercise(&report, "killer", "hit_counter")["score"], 2, "{report:#}");
}

#[test]
fn a_grader_stopped_midway_leaves_the_reports_of_every_submission_it_finished() {
    let class = scratch("isolation-stopped");
    let solved = submission(&class, "solved", |_| {});
    let slow = submission(&class, "slow", |dir| {
        let wait = "    let (_keep, never) = std::sync::mpsc::channel::<()>();\n    let _ = never.recv_timeout(std::time::Duration::from_secs(60));\n    let render = Arc::new(render);";
        edit(dir, "thumbnails", "    let render = Arc::new(render);", wait);
    });
    let reports = scratch("isolation-stopped-reports");
    let (json, junit) = (reports.join("grades.json"), reports.join("grades.xml"));
    let mut grader = std::process::Command::new(env!("CARGO_BIN_EXE_workbook"))
        .args(["grade", "--jobs", "1", "--json", json.to_str().unwrap()])
        .args(["--junit", junit.to_str().unwrap()])
        .args([&solved, &slow])
        .current_dir(instructor())
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let started = std::time::Instant::now();
    let graded = loop {
        let report: Option<Value> =
            std::fs::read_to_string(&json).ok().and_then(|t| serde_json::from_str(&t).ok());
        if let Some(report) =
            report.filter(|r| r["submissions"].as_array().is_some_and(|s| !s.is_empty()))
        {
            break report;
        }
        assert!(started.elapsed() < COLD_BUILD, "no submission was reported");
        assert!(
            grader.try_wait().unwrap().is_none(),
            "the grader ended before the slow submission"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    grader.kill().unwrap();
    grader.wait().unwrap();
    assert_eq!(total(&graded, "solved"), 5, "{graded:#}");
    let report: Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(report["submissions"].as_array().unwrap().len(), 1, "{report:#}");
    let junit = std::fs::read_to_string(&junit).unwrap();
    assert!(junit.contains("<testsuite name=\"solved\"") && junit.ends_with("</testsuites>\n"));
}
