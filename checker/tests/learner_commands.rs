//! What a learner does: run a broken exercise, fix one, reset one.

mod support;

use std::process::{Command, Stdio};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;
use support::{
    COLD_BUILD, copy_workbook, copy_workbook_with, line_containing, processes_under, repo_root,
    text, wait_until, workbook,
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
    // Without a terminal, each step says it is running before its verdict: a log shows what the
    // wait between the tests and the loom models is.
    let tests_verdict = stdout.find("✗ tests").expect("the tests' verdict");
    let loom_running = stdout.find("… loom running").expect("a line saying loom runs");
    let loom_verdict = stdout.find("✗ loom").expect("the loom verdict");
    assert!(tests_verdict < loom_running && loom_running < loom_verdict, "{stdout}");
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
    let git = |args: &[&str]| git(&dir, args);
    commit_everything(&dir);
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

fn git(dir: &std::path::Path, args: &[&str]) {
    let status = Command::new("git")
        .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
        .args(args)
        .current_dir(dir)
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success(), "git {args:?}");
}

/// Makes `dir` a git clone with one commit, as a learner's workbook is.
fn commit_everything(dir: &std::path::Path) {
    git(dir, &["init", "--quiet"]);
    git(dir, &["add", "."]);
    git(dir, &["commit", "--quiet", "-m", "workbook"]);
}

/// The line of `listing` that shows `name`.
fn listed<'a>(listing: &'a str, name: &str) -> &'a str {
    listing
        .lines()
        .find(|line| line.contains(&format!(" {name} ")))
        .expect("the exercise is listed")
}

#[test]
fn a_deleted_exercise_blocks_only_itself_and_reset_restores_it() {
    let dir = copy_workbook_with("deleted-exercise", &["thumbnails", "batch_geocoder"]);
    commit_everything(&dir);
    let deleted = dir.join("exercises/t1_threads/batch_geocoder.rs");
    let original = std::fs::read(&deleted).unwrap();
    std::fs::remove_file(&deleted).unwrap();

    let listing = text(&workbook(&dir, &["list"], COLD_BUILD).stdout);
    assert!(listed(&listing, "batch_geocoder").contains("missing"), "{listing}");
    assert!(listing.contains("Track t1_threads"), "a heading per track:\n{listing}");
    assert!(listing.contains("`workbook reset batch_geocoder` restores it"), "{listing}");

    let output = workbook(&dir, &["run", "batch_geocoder"], COLD_BUILD);
    let said = text(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{said}");
    assert!(said.contains("exercises/t1_threads/batch_geocoder.rs is missing"), "{said}");

    // `check` runs the other exercise, and reports the missing one as failing, saying why.
    let output = workbook(&dir, &["check", "--json"], COLD_BUILD);
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    let thumbnails = &report["exercises"][0];
    assert_eq!(thumbnails["failure_kinds"], serde_json::json!(["test"]), "{report}");
    let missing = report["exercises"][1]["steps"][0]["message"].as_str().unwrap();
    assert!(missing.contains("batch_geocoder.rs is missing"), "{missing}");

    let output = workbook(&dir, &["reset", "batch_geocoder"], COLD_BUILD);
    assert!(output.status.success(), "{}", text(&output.stderr));
    assert_eq!(std::fs::read(&deleted).unwrap(), original);
    let listing = text(&workbook(&dir, &["list"], COLD_BUILD).stdout);
    assert!(listed(&listing, "batch_geocoder").contains("pending"), "{listing}");
}

#[test]
fn the_learners_check_keeps_the_planted_bugs_to_the_instructor() {
    let dir = copy_workbook_with("learner-check", &["thumbnails"]);
    let output = workbook(&dir, &["check", "--json"], COLD_BUILD);
    let (stdout, stderr) = (text(&output.stdout), text(&output.stderr));
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    let report: serde_json::Value = serde_json::from_str(&stdout).expect("JSON");
    let entry = report["exercises"][0].as_object().unwrap();
    for instructors_only in ["bug", "fails_with", "failed_as_declared"] {
        assert!(!entry.contains_key(instructors_only), "{instructors_only} in {stdout}");
    }
    assert!(stderr.contains("failed thumbnails (test)"), "{stderr}");
    assert!(!stderr.contains("declare"), "instructor wording in the learner's check: {stderr}");
}

#[test]
fn done_means_the_latest_run_passed_so_list_agrees_with_check() {
    let dir = copy_workbook_with("done-agrees", &["thumbnails", "batch_geocoder"]);
    // Marked done earlier, but the file on disk (the stub) fails now.
    std::fs::write(
        dir.join(".workbook-progress.toml"),
        "current = \"thumbnails\"\ndone = [\"thumbnails\"]\n",
    )
    .unwrap();
    assert_eq!(workbook(&dir, &["check"], COLD_BUILD).status.code(), Some(1));
    let listing = text(&workbook(&dir, &["list"], COLD_BUILD).stdout);
    assert!(listed(&listing, "thumbnails").contains("pending"), "{listing}");
    // A fix that passes is done again; a run of it that fails takes that back.
    let file = dir.join("exercises/t1_threads/thumbnails.rs");
    let stub = std::fs::read(&file).unwrap();
    std::fs::copy(dir.join("solutions/t1_threads/thumbnails.rs"), &file).unwrap();
    assert!(workbook(&dir, &["run", "thumbnails"], COLD_BUILD).status.success());
    let listing = text(&workbook(&dir, &["list"], COLD_BUILD).stdout);
    assert!(listed(&listing, "thumbnails").contains("done"), "{listing}");
    std::fs::write(&file, stub).unwrap();
    let output = workbook(&dir, &["run", "thumbnails"], COLD_BUILD);
    assert_eq!(output.status.code(), Some(1));
    // The advice reruns the exercise that was named, not the current one.
    let advice = text(&output.stdout);
    assert!(advice.contains("`workbook run thumbnails` again"), "{advice}");
    let listing = text(&workbook(&dir, &["list"], COLD_BUILD).stdout);
    assert!(listed(&listing, "thumbnails").contains("pending"), "{listing}");
}

#[test]
fn started_through_the_cargo_alias_it_names_cargo_workbook() {
    let root = repo_root();
    let config = std::fs::read_to_string(root.join(".cargo/config.toml")).unwrap();
    let config: toml::Table = toml::from_str(&config).unwrap();
    let alias: Vec<&str> = config["alias"]["workbook"]
        .as_array()
        .expect("the alias is a list of arguments")
        .iter()
        .map(|arg| arg.as_str().unwrap())
        .collect();
    // What the alias passes to the binary: everything after `--`.
    let passed = &alias[alias.iter().position(|&arg| arg == "--").unwrap() + 1..];
    let hint = |prefix: &[&str]| {
        let args: Vec<&str> = prefix.iter().chain(&["hint", "thumbnails"]).copied().collect();
        let output = workbook(&root, &args, Duration::from_secs(60));
        assert!(output.status.success(), "{}", text(&output.stderr));
        text(&output.stdout)
    };
    let said = hint(passed);
    assert!(said.contains("Still stuck? `cargo workbook hint thumbnails --more`"), "{said}");
    let said = hint(&[]);
    assert!(said.contains("Still stuck? `workbook hint thumbnails --more`"), "{said}");
    let args: Vec<&str> = passed.iter().chain(&["--help"]).copied().collect();
    let help = text(&workbook(&root, &args, Duration::from_secs(60)).stdout);
    assert!(help.contains("Usage: cargo workbook"), "{help}");
}

#[test]
fn bash_completions_load_and_complete_the_subcommands() {
    let dir = support::scratch("completions");
    let output = workbook(&dir, &["completions", "bash"], Duration::from_secs(60));
    assert!(output.status.success(), "{}", text(&output.stderr));
    let script = dir.join("workbook.bash");
    std::fs::write(&script, &output.stdout).unwrap();
    // Loads the script and asks it, as bash does on Tab, to complete `workbook re`.
    let complete = format!(
        "source {}; COMP_WORDS=(workbook re); COMP_CWORD=1; COMP_LINE='workbook re'; \
         COMP_POINT=11; _workbook workbook re workbook; complete -p workbook; \
         printf '%s\\n' \"${{COMPREPLY[@]}}\"",
        script.display()
    );
    let output = Command::new("bash").args(["-c", &complete]).output().unwrap();
    let said = text(&output.stdout);
    assert!(output.status.success(), "{said}{}", text(&output.stderr));
    assert!(said.contains("-F _workbook workbook"), "{said}");
    assert_eq!(said.lines().skip(1).collect::<Vec<_>>(), ["reset"], "{said}");
}
