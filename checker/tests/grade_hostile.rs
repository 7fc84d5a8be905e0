//! Hostile submissions, each made here from the solutions: every attempt to forge a score, to
//! reach the instructor's files or to escape is contained or held for the instructor's review,
//! and nothing of it is left running or written outside the scratch folders.

mod support;

use std::path::Path;
use support::grading::{
    EXERCISES, add_before_main, edit, exercise, grade, instructor, processes_with, submission,
    total,
};
use support::{scratch, snapshot};

/// The stub of `name`, in place of the learner's solution.
fn unsolved(dir: &Path, name: &str) {
    let stub = instructor().join("exercises/t1_threads").join(format!("{name}.rs"));
    std::fs::copy(stub, dir.join(format!("{name}.rs"))).unwrap();
}

fn held_for(report: &serde_json::Value, submission: &str, name: &str, because: &str) {
    let graded = exercise(report, submission, name);
    let message = graded["message"].as_str().unwrap_or_default();
    assert!(message.starts_with("held for review"), "{submission}/{name}: {graded:#}");
    assert!(message.contains(because), "{submission}/{name}: {because:?} in {message}");
    assert_eq!(graded["score"], 0, "{graded:#}");
}

#[test]
fn forged_passes_are_held_for_review_and_never_scored() {
    let class = scratch("hostile-forged");
    // Unsolved, with a constructor that would write libtest's result itself and exit 0.
    let constructor = submission(&class, "constructor", |dir| {
        unsolved(dir, "thumbnails");
        let forge = "#[used]\n#[unsafe(link_section = \".init_array\")]\nstatic FORGE: extern \"C\" fn() = forge;\n\nextern \"C\" fn forge() {\n    let args: Vec<String> = std::env::args().collect();\n    if let Some(at) = args.iter().position(|a| a == \"--logfile\") {\n        let _ = std::fs::write(&args[at + 1], \"ok\");\n    }\n}";
        add_before_main(dir, "thumbnails", forge);
    });
    // Unsolved, with the assertion macros made to do nothing above the restored tests.
    let shadowed = submission(&class, "shadowed", |dir| {
        unsolved(dir, "hit_counter");
        let shadow = "macro_rules! assert_eq {\n    ($($t:tt)*) => {};\n}\n\n#[cfg(all(test";
        edit(dir, "hit_counter", "#[cfg(all(test", shadow);
    });
    // Unsolved, with the instructor's solution as a module, and one of its files read in.
    let borrowed = submission(&class, "borrowed", |dir| {
        unsolved(dir, "log_shipper");
        let solution = instructor().join("solutions/t1_threads/log_shipper.rs");
        let path = format!(
            "#[path = {solution:?}]\nmod solved;\n\nconst KEY: &str = include_str!({solution:?});"
        );
        add_before_main(dir, "log_shipper", &path);
    });
    let report = grade(&[&constructor, &shadowed, &borrowed], &[]);
    held_for(&report, "constructor", "thumbnails", "the attribute `#[used]` (line");
    held_for(&report, "constructor", "thumbnails", "`env::args`");
    held_for(&report, "shadowed", "hit_counter", "a macro named like the tests' `assert_eq!`");
    held_for(&report, "borrowed", "log_shipper", "the attribute `#[path]`");
    held_for(&report, "borrowed", "log_shipper", "`include_str!`");
    for (name, exercise) in [("constructor", 1), ("shadowed", 2), ("borrowed", 2)] {
        assert_eq!(total(&report, name), 5 - exercise, "{name}: {report:#}");
    }
}

#[test]
fn symlinks_are_never_followed_however_deep() {
    let class = scratch("hostile-symlinks");
    let solutions = instructor().join("solutions/t1_threads");
    let file_link = submission(&class, "file-link", |dir| {
        std::fs::remove_file(dir.join("thumbnails.rs")).unwrap();
        std::os::unix::fs::symlink(solutions.join("thumbnails.rs"), dir.join("thumbnails.rs"))
            .unwrap();
    });
    let folder_link = submission(&class, "folder-link", |dir| {
        std::fs::remove_dir_all(dir).unwrap();
        std::os::unix::fs::symlink(&solutions, dir).unwrap();
    });
    let exercises_link = submission(&class, "exercises-link", |dir| {
        let exercises = dir.parent().unwrap();
        std::fs::remove_dir_all(exercises).unwrap();
        std::os::unix::fs::symlink(instructor().join("solutions"), exercises).unwrap();
    });
    let report = grade(&[&file_link, &folder_link, &exercises_link], &[]);
    assert_eq!(total(&report, "file-link"), 4, "{report:#}");
    for copy in ["folder-link", "exercises-link"] {
        assert_eq!(total(&report, copy), 0, "{report:#}");
        for name in EXERCISES {
            let message = exercise(&report, copy, name)["message"].as_str().unwrap().to_owned();
            assert!(message.contains("symlinks are not followed"), "{copy}/{name}: {message}");
        }
    }
}

#[test]
fn code_that_reaches_out_is_held_and_nothing_of_it_runs_or_lasts() {
    let class = scratch("hostile-outside");
    let marker = format!("{}.{}", 4000 + std::process::id() % 1000, std::process::id());
    let written = std::env::temp_dir().join(format!("hostile-{marker}"));
    let sources =
        || ["exercises", "solutions", "kit"].map(|folder| snapshot(&instructor().join(folder)));
    let before = sources();
    // A solved exercise that also writes outside, starts a daemon and finds the workbook
    // through its own executable.
    let reaching = submission(&class, "reaching", |dir| {
        let reach = format!(
            "    let _ = std::fs::write({written:?}, \"was here\");\n    let _ = std::process::Command::new(\"setsid\").args([\"sleep\", \"{marker}\"]).spawn();\n    if let Ok(me) = std::env::current_exe() {{\n        let _ = std::fs::remove_dir_all(me.ancestors().nth(4).unwrap().join(\"solutions\"));\n    }}\n    let render = Arc::new(render);"
        );
        edit(dir, "thumbnails", "    let render = Arc::new(render);", &reach);
    });
    let solved = submission(&class, "solved", |_| {});
    let report = grade(&[&reaching, &solved], &["--jobs", "1"]);
    held_for(&report, "reaching", "thumbnails", "`std::fs`");
    held_for(&report, "reaching", "thumbnails", "`std::process`");
    assert_eq!(total(&report, "solved"), 5, "{report:#}");
    assert!(!written.exists(), "a held exercise ran");
    assert_eq!(processes_with(&marker), Vec::<String>::new());
    assert!(sources() == before, "the instructor's workbook was written to");
}

#[test]
fn without_the_sandbox_grading_refuses_and_says_what_to_do() {
    let class = scratch("hostile-no-sandbox");
    let solved = submission(&class, "solved", |_| {});
    // A PATH with cargo's folder alone: no bwrap.
    let cargo = std::path::PathBuf::from(env!("CARGO"));
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_workbook"))
        .args(["grade"])
        .arg(&solved)
        .current_dir(instructor())
        .env("PATH", cargo.parent().unwrap())
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{said}");
    assert!(said.contains("apt-get install bubblewrap") && said.contains("--no-sandbox"), "{said}");
}
