//! `workbook watch` driven through a pseudo-terminal, as a learner uses it: saves from editors,
//! saves during a hanging run, and quitting during a hang.

mod support;

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, OnceLock, PoisonError};
use std::time::Duration;
use support::pty::Terminal;
use support::{COLD_BUILD, copy_workbook, processes_under, wait_until};

/// Long enough for a cold build on a loaded machine; the states are awaited, never slept for.
const SCREEN: Duration = Duration::from_secs(300);

/// One copy of the workbook for all these tests, which take turns: a copy builds loom once.
fn workbook() -> (MutexGuard<'static, ()>, &'static Path) {
    static COPY: OnceLock<PathBuf> = OnceLock::new();
    static TURN: Mutex<()> = Mutex::new(());
    let turn = TURN.lock().unwrap_or_else(PoisonError::into_inner);
    let dir = COPY.get_or_init(|| copy_workbook("watch"));
    (turn, dir.as_path())
}

/// Makes `name` the current exercise, with its original stub.
fn start_on(dir: &Path, name: &str) -> PathBuf {
    let file = format!("t1_threads/{name}.rs");
    std::fs::copy(
        support::repo_root().join("exercises").join(&file),
        dir.join("exercises").join(&file),
    )
    .unwrap();
    std::fs::write(
        dir.join(".workbook-progress.toml"),
        format!("current = \"{name}\"\ndone = []\n"),
    )
    .unwrap();
    dir.join("exercises").join(file)
}

fn solution(dir: &Path, name: &str) -> Vec<u8> {
    std::fs::read(dir.join(format!("solutions/t1_threads/{name}.rs"))).unwrap()
}

fn quit(mut terminal: Terminal) {
    terminal.press("q");
    assert!(terminal.wait_exit(Duration::from_secs(10)).success());
}

#[test]
fn a_fix_saved_in_place_turns_the_screen_to_done() {
    let (_turn, dir) = workbook();
    let file = start_on(dir, "thumbnails");
    let terminal = Terminal::start(dir, &[]);
    terminal.wait_for("a test failed", COLD_BUILD);
    std::fs::write(&file, solution(dir, "thumbnails")).unwrap();
    let screen = terminal.wait_for("Done!", SCREEN);
    assert!(screen.contains("thumbnails earned 1 point"), "{screen}");
    assert!(screen.contains("solutions/t1_threads/thumbnails.rs"), "{screen}");
    assert!(screen.contains("Press n for the next exercise"), "{screen}");
    quit(terminal);
}

#[test]
fn a_vim_style_save_that_renames_a_new_file_over_the_old_is_seen() {
    let (_turn, dir) = workbook();
    let file = start_on(dir, "thumbnails");
    let terminal = Terminal::start(dir, &["watch"]);
    terminal.wait_for("a test failed", COLD_BUILD);
    // vim: write a new file, move the original to a backup, rename the new one into place.
    let fresh = file.with_file_name(".thumbnails.rs.new");
    std::fs::write(&fresh, solution(dir, "thumbnails")).unwrap();
    std::fs::rename(&file, file.with_extension("rs~")).unwrap();
    std::fs::rename(&fresh, &file).unwrap();
    std::fs::remove_file(file.with_extension("rs~")).unwrap();
    terminal.wait_for("Done!", SCREEN);
    quit(terminal);
}

#[test]
fn a_save_during_a_hanging_run_is_picked_up() {
    let (_turn, dir) = workbook();
    // api_gateway hangs for the whole bound: its backend waits on a std channel, which keeps the
    // kit from proving a deadlock at once.
    let file = start_on(dir, "api_gateway");
    let terminal = Terminal::start(dir, &[]);
    terminal.wait_for("tests running", COLD_BUILD);
    std::fs::write(&file, solution(dir, "api_gateway")).unwrap();
    let screen = terminal.wait_for("Done!", SCREEN);
    assert!(!screen.contains("hangs"), "a verdict of the old content is shown:\n{screen}");
    quit(terminal);
}

/// Saves `content` over `file` the way each editor or tool does.
fn save(style: &str, file: &Path, content: &[u8]) {
    let sibling = |suffix: &str| {
        file.with_file_name(format!(".{}{suffix}", file.file_name().unwrap().to_string_lossy()))
    };
    match style {
        "in place" => std::fs::write(file, content).unwrap(),
        "sed -i" => {
            // sed writes a temporary file beside the original, then renames it over it.
            std::fs::write(sibling(".sedtmp"), content).unwrap();
            std::fs::rename(sibling(".sedtmp"), file).unwrap();
        }
        "JetBrains safe write" => {
            std::fs::write(sibling("___jb_tmp___"), content).unwrap();
            std::fs::rename(file, sibling("___jb_old___")).unwrap();
            std::fs::rename(sibling("___jb_tmp___"), file).unwrap();
            std::fs::remove_file(sibling("___jb_old___")).unwrap();
        }
        "cp over" => {
            std::fs::write(sibling(".source"), content).unwrap();
            let copied = std::process::Command::new("cp")
                .arg(sibling(".source"))
                .arg(file)
                .status()
                .unwrap();
            assert!(copied.success());
            std::fs::remove_file(sibling(".source")).unwrap();
        }
        other => panic!("unknown save style {other}"),
    }
}

#[test]
fn every_kind_of_save_reruns_exactly_once_and_an_unchanged_save_never() {
    let (_turn, dir) = workbook();
    let file = start_on(dir, "thumbnails");
    let stub = std::fs::read(&file).unwrap();
    let fixed = solution(dir, "thumbnails");
    let terminal = Terminal::start(dir, &[]);
    terminal.wait_for("a test failed", COLD_BUILD);
    let runs_after = |mark: usize| {
        terminal.frames_since(mark).iter().filter(|f| f.contains("compile running")).count()
    };
    let mut failing = true;
    for style in ["in place", "sed -i", "JetBrains safe write", "cp over", "in place", "sed -i"] {
        terminal.wait_quiet(Duration::from_millis(500), SCREEN);
        let mark = terminal.mark();
        save(style, &file, if failing { &fixed } else { &stub });
        terminal.wait_for(if failing { "Done!" } else { "a test failed" }, SCREEN);
        terminal.wait_quiet(Duration::from_millis(500), SCREEN);
        assert_eq!(runs_after(mark), 1, "a save {style} should rerun once");
        failing = !failing;
    }
    // The same content again, saved every way: nothing to rerun.
    let current = std::fs::read(&file).unwrap();
    let mark = terminal.mark();
    for style in ["in place", "sed -i", "JetBrains safe write", "cp over"] {
        save(style, &file, &current);
    }
    terminal.wait_quiet(Duration::from_millis(800), SCREEN);
    assert_eq!(runs_after(mark), 0, "saving unchanged content reran the exercise");
    std::fs::write(&file, stub).unwrap();
}

#[test]
fn a_git_checkout_of_the_file_reruns_it() {
    let (_turn, dir) = workbook();
    let file = start_on(dir, "thumbnails");
    let git = |args: &[&str]| {
        let status = std::process::Command::new("git")
            .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
            .args(args)
            .current_dir(dir)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status()
            .unwrap();
        assert!(status.success(), "git {args:?}");
    };
    git(&["init", "--quiet"]);
    git(&["add", "exercises"]);
    git(&["commit", "--quiet", "-m", "stubs"]);
    std::fs::write(&file, solution(dir, "thumbnails")).unwrap();
    let terminal = Terminal::start(dir, &[]);
    terminal.wait_for("Done!", COLD_BUILD);
    git(&["checkout", "--", "exercises/t1_threads/thumbnails.rs"]);
    terminal.wait_for("a test failed", SCREEN);
    quit(terminal);
}

#[test]
fn quitting_during_a_hang_exits_promptly_and_ends_every_test_process() {
    let (_turn, dir) = workbook();
    // A stub that hangs for the whole bound (see above), not one the kit proves deadlocked at once.
    start_on(dir, "api_gateway");
    let mut terminal = Terminal::start(dir, &[]);
    terminal.wait_for("tests running", COLD_BUILD);
    let tests = dir.join("target/workbook/debug/deps");
    wait_until(SCREEN, "a test process", || !processes_under(&tests).is_empty());
    terminal.press("q");
    assert!(terminal.wait_exit(Duration::from_secs(5)).success());
    let left = processes_under(&dir.join("target"));
    assert!(left.is_empty(), "processes left after quitting: {left:?}");
}

#[test]
fn without_a_terminal_it_points_to_run_and_check() {
    let (_turn, dir) = workbook();
    let output = support::workbook(dir, &[], Duration::from_secs(60));
    assert!(!output.status.success());
    let said = support::text(&output.stderr);
    assert!(said.contains("workbook run") && said.contains("workbook check"), "{said}");
}

#[test]
fn a_deleted_file_is_offered_back_and_a_reset_says_where_the_backup_went() {
    // A copy of its own, a git clone as a learner's is: reset restores from git.
    let dir = support::copy_workbook_with("watch-reset", &["thumbnails"]);
    for args in [&["init", "--quiet"][..], &["add", "."], &["commit", "--quiet", "-m", "workbook"]]
    {
        let status = std::process::Command::new("git")
            .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
            .args(args)
            .current_dir(&dir)
            .stdout(std::process::Stdio::null())
            .status()
            .unwrap();
        assert!(status.success(), "git {args:?}");
    }
    let file = dir.join("exercises/t1_threads/thumbnails.rs");
    let stub = std::fs::read(&file).unwrap();
    let mut terminal = Terminal::start(&dir, &[]);
    terminal.wait_for("a test failed", COLD_BUILD);

    std::fs::remove_file(&file).unwrap();
    terminal.wait_for("thumbnails.rs is missing. Press x to restore", SCREEN);
    terminal.press("x");
    terminal.wait_for("[y/N]", SCREEN);
    terminal.press("y");
    terminal.wait_for("a test failed", SCREEN);
    assert_eq!(std::fs::read(&file).unwrap(), stub);

    std::fs::write(&file, "// my attempt\n").unwrap();
    terminal.wait_for("no tests found", SCREEN);
    terminal.press("x");
    terminal.wait_for("[y/N]", SCREEN);
    terminal.press("y");
    // The notice outlives the rerun that the restore itself triggers.
    terminal.wait_for("a test failed", SCREEN);
    terminal.wait_quiet(Duration::from_millis(500), SCREEN);
    let screen = terminal.screen();
    assert!(screen.contains("Your version is saved in .workbook-backups/thumbnails."), "{screen}");
    let backups: Vec<_> = std::fs::read_dir(dir.join(".workbook-backups")).unwrap().collect();
    assert_eq!(backups.len(), 1);
    quit(terminal);
}
