//! What a learner does: run a broken exercise, fix one, reset one.

mod support;

use std::process::{Command, Stdio};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;
use support::{
    COLD_BUILD, copy_workbook, line_containing, processes_under, repo_root, text, wait_until,
    workbook,
};

/// The tests that run in the repository itself count the processes under its build folder, so
/// they take turns.
static REPOSITORY: Mutex<()> = Mutex::new(());

fn repository() -> MutexGuard<'static, ()> {
    REPOSITORY.lock().unwrap_or_else(PoisonError::into_inner)
}

#[test]
fn running_the_leaked_sender_stub_names_the_sender_and_leaves_no_process() {
    let _turn = repository();
    let root = repo_root();
    let output = workbook(&root, &["run", "log_shipper"], COLD_BUILD);
    let stdout = text(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "{stdout}\n{}", text(&output.stderr));
    let stub = root.join("exercises/t1_threads/log_shipper.rs");
    let created = line_containing(&stub, "mpsc::channel()");
    let named = format!("the Sender created at exercises/t1_threads/log_shipper.rs:{created}:");
    assert!(stdout.contains(&named), "expected {named:?} in:\n{stdout}");
    assert!(stdout.contains("loom found a schedule in which every thread is blocked"), "{stdout}");
    let left = processes_under(&root.join("target/workbook"));
    assert!(left.is_empty(), "processes left running: {left:?}");
}

#[test]
fn ctrl_c_during_a_hang_ends_every_test_process() {
    let _turn = repository();
    let root = repo_root();
    // api_gateway hangs for the whole bound (its backend waits on a std channel, so the kit cannot
    // prove a deadlock at once). Build first, so the interrupt lands while a test hangs, not while
    // cargo compiles.
    workbook(&root, &["run", "api_gateway"], COLD_BUILD);
    let mut child = Command::new(env!("CARGO_BIN_EXE_workbook"))
        .args(["run", "api_gateway"])
        .current_dir(&root)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let tests = root.join("target/workbook/debug/deps");
    wait_until(Duration::from_secs(60), "a test process to start", || {
        !processes_under(&tests).is_empty()
    });
    // SAFETY: plain kill of the process this test started.
    unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
    wait_until(Duration::from_secs(10), "workbook to exit", || child.try_wait().unwrap().is_some());
    assert_eq!(child.wait().unwrap().code(), Some(130));
    let left = processes_under(&root.join("target/workbook"));
    assert!(left.is_empty(), "processes left running after Ctrl-C: {left:?}");
}

#[test]
fn a_fixed_exercise_is_marked_done_and_the_next_becomes_current() {
    let dir = copy_workbook("fixed-exercise");
    let solution = std::fs::read(dir.join("solutions/t1_threads/thumbnails.rs")).unwrap();
    std::fs::write(dir.join("exercises/t1_threads/thumbnails.rs"), solution).unwrap();
    let output = workbook(&dir, &["run"], COLD_BUILD);
    let stdout = text(&output.stdout);
    assert!(output.status.success(), "{stdout}\n{}", text(&output.stderr));
    assert!(stdout.contains("thumbnails is done: +1 points"), "{stdout}");
    assert!(stdout.contains("solutions/t1_threads/thumbnails.rs"), "{stdout}");
    let progress = std::fs::read_to_string(dir.join(".workbook-progress.toml")).unwrap();
    assert!(progress.contains("current = \"hit_counter\""), "{progress}");
    assert!(progress.contains("\"thumbnails\""), "{progress}");
    let info = std::fs::read_to_string(dir.join("info.toml")).unwrap();
    let exercises = info.matches("[[exercises]]").count();
    let points: u32 =
        info.lines().filter_map(|l| l.strip_prefix("points = ")?.parse::<u32>().ok()).sum();
    let listed = text(&workbook(&dir, &["list"], COLD_BUILD).stdout);
    assert!(listed.contains(&format!("1/{exercises} done, 1/{points} points")), "{listed}");
}

#[test]
fn reset_backs_up_the_learners_file_then_restores_the_stub() {
    let dir = copy_workbook("reset");
    let git = |args: &[&str]| {
        let status = Command::new("git")
            .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
            .args(args)
            .current_dir(&dir)
            .stdout(Stdio::null())
            .status()
            .unwrap();
        assert!(status.success(), "git {args:?}");
    };
    git(&["init", "--quiet"]);
    git(&["add", "."]);
    git(&["commit", "--quiet", "-m", "workbook"]);
    // The learner starts, which records where they started; edits; and commits the edit.
    assert_eq!(workbook(&dir, &["run"], COLD_BUILD).status.code(), Some(1));
    let path = dir.join("exercises/t1_threads/hit_counter.rs");
    let stub = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, "// my attempt\n").unwrap();
    git(&["commit", "--quiet", "-am", "my attempt"]);
    let output = workbook(&dir, &["reset", "hit_counter"], COLD_BUILD);
    assert!(output.status.success(), "{}", text(&output.stderr));
    assert_eq!(std::fs::read_to_string(&path).unwrap(), stub);
    let backups: Vec<_> = std::fs::read_dir(dir.join(".workbook-backups")).unwrap().collect();
    assert_eq!(backups.len(), 1);
    let backup = backups.into_iter().next().unwrap().unwrap().path();
    assert_eq!(std::fs::read_to_string(backup).unwrap(), "// my attempt\n");
    let again = workbook(&dir, &["reset", "hit_counter"], COLD_BUILD);
    assert!(text(&again.stdout).contains("already the original"));
}
