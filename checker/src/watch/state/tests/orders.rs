//! The orders of events that matter: saves during runs, verdicts for content no longer on disk,
//! resets during runs, `--poll`, and the notices that must outlive what follows them.

use super::*;

#[test]
fn a_save_during_a_run_starts_over_and_the_old_run_never_gives_a_verdict() {
    let fixture = Fixture::new();
    let mut state = fixture.session(false);
    state.handle(step(1, StepUpdate::Started(StepName::Tests)));
    assert!(state.frame().contains("tests running"));
    assert_eq!(save(&mut state, FIX), [start_run(2, "first")]);
    assert!(!state.frame().contains("tests running"), "the new run starts from nothing");
    assert_eq!(state.handle(started(2, FIX)), []);
    assert_eq!(state.handle(done(1, false, FIX)), [], "run 1 was cancelled");
    assert_eq!(state.handle(step(1, StepUpdate::Started(StepName::Loom))), []);
    assert!(!state.frame().contains("failed") && !state.frame().contains("loom"));
    assert_eq!(state.handle(done(2, true, FIX)), [Effect::SaveProgress(OnFailure::Stop)]);
    assert!(state.frame().contains("Done!"));
}

#[test]
fn a_verdict_for_content_no_longer_on_disk_reruns_instead_of_showing() {
    let fixture = Fixture::new();
    let mut state = fixture.session(false);
    // The run ends before the save's change event arrives: its verdict is for the stub.
    assert_eq!(state.handle(done(1, true, FIX)), [start_run(2, "first")]);
    assert!(!state.frame().contains("Done!"));
    assert!(!state.progress().is_done("first"), "a stale pass is not recorded");
    state.handle(started(2, FIX));
    assert_eq!(save(&mut state, FIX), [], "the change event finds nothing new");
}

#[test]
fn an_unchanged_save_or_another_file_reruns_nothing() {
    let fixture = Fixture::new();
    let mut state = fixture.session(false);
    assert_eq!(save(&mut state, STUB), []);
    let elsewhere = fixture.workbook.root.join("exercises/t1/second.rs");
    assert_eq!(state.handle(Event::FilesChanged([elsewhere].into())), []);
}

#[test]
fn with_poll_every_tick_looks_at_the_file() {
    let fixture = Fixture::new();
    let mut state = fixture.session(true);
    assert_eq!(state.handle(Event::Tick), [Effect::Look]);
    assert_eq!(state.handle(Event::Seen(Some(STUB.to_vec()))), [], "unchanged");
    assert_eq!(state.handle(Event::Tick), [Effect::Look]);
    assert_eq!(state.handle(Event::Seen(Some(FIX.to_vec()))), [start_run(2, "first")]);
}

#[test]
fn without_poll_ticks_do_nothing() {
    let fixture = Fixture::new();
    let mut state = fixture.session(false);
    assert_eq!(state.handle(Event::Tick), []);
}

#[test]
fn a_reset_during_a_run_ends_it_and_the_restore_event_keeps_the_backup_notice() {
    let fixture = Fixture::new();
    let mut state = fixture.session(false);
    assert_eq!(save(&mut state, FIX), [start_run(2, "first")]);
    state.handle(started(2, FIX));
    state.handle(step(2, StepUpdate::Started(StepName::Tests)));
    state.handle(key('x'));
    assert_eq!(state.handle(key('y')), [Effect::Reset { exercise: "first".to_owned() }]);
    let said = "Your version is saved in .workbook-backups/first.7.rs.".to_owned();
    assert_eq!(state.handle(Event::ResetDone(said)), [start_run(3, "first")]);
    state.handle(started(3, STUB));
    assert_eq!(state.handle(done(2, true, FIX)), [], "the run of the old file was ended");
    // The restore's own change event, after the debounce.
    assert_eq!(save(&mut state, STUB), []);
    assert!(state.frame().contains("saved in .workbook-backups/first.7.rs"), "{}", state.frame());
    state.handle(done(3, false, STUB));
    assert!(state.frame().contains("saved in .workbook-backups/first.7.rs"));
}

#[test]
fn a_progress_file_that_cannot_be_saved_on_a_switch_is_said_and_stays_said() {
    let fixture = Fixture::new();
    let mut state = passed(&fixture);
    let effects = state.handle(key('n'));
    assert_eq!(effects, [Effect::SaveProgress(OnFailure::Notice), start_run(2, "second")]);
    // The session answers the save first, then starts the run.
    assert_eq!(state.handle(Event::SaveFailed("disk full".to_owned())), []);
    state.handle(started(2, STUB));
    let frame = state.frame();
    assert!(frame.contains("could not save your progress: disk full"), "{frame}");
}

#[test]
fn a_deleted_file_is_offered_back_and_its_return_reruns() {
    let fixture = Fixture::new();
    let mut state = fixture.session(false);
    let changed = Event::FilesChanged([state.file()].into());
    assert_eq!(state.handle(changed), [Effect::Look]);
    assert_eq!(state.handle(Event::Seen(None)), [start_run(2, "first")]);
    assert_eq!(state.handle(Event::Started { run: 2, content: None }), []);
    assert!(state.frame().contains("first.rs is missing. Press x to restore"));
    assert_eq!(save(&mut state, STUB), [start_run(3, "first")]);
}

#[test]
fn a_tool_failure_is_shown_and_not_recorded() {
    let fixture = Fixture::new();
    let mut state = fixture.session(false);
    let broken = Event::RunDone { run: 1, result: Err("cargo is missing".into()), now: None };
    assert_eq!(state.handle(broken), [start_run(2, "first")], "the file went meanwhile");
    state.handle(started(2, STUB));
    let broken =
        Event::RunDone { run: 2, result: Err("cargo is missing".into()), now: Some(STUB.to_vec()) };
    assert_eq!(state.handle(broken), [], "nothing to save");
    assert!(state.frame().contains("cargo is missing"));
}

#[test]
fn a_failure_after_a_pass_takes_the_exercise_back() {
    let fixture = Fixture::new();
    let mut state = passed(&fixture);
    assert!(state.progress().is_done("first"));
    save(&mut state, FIX);
    state.handle(started(2, FIX));
    let failed = report(false).steps.pop().unwrap();
    state.handle(step(2, StepUpdate::Finished(failed)));
    assert_eq!(state.handle(done(2, false, FIX)), [Effect::SaveProgress(OnFailure::Stop)]);
    assert!(!state.progress().is_done("first"));
    assert!(state.frame().contains("tests::counts: left != right"), "{}", state.frame());
}
