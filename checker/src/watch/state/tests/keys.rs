//! Every key of the watch screen: n, h, l (with digits, arrows, Enter, Backspace, Esc), r, c, x, q.

use super::*;

#[test]
fn n_moves_on_only_once_the_exercise_passes() {
    let fixture = Fixture::new();
    let mut state = fixture.session(false);
    assert_eq!(state.handle(key('n')), [], "n does nothing before a pass");
    assert_eq!(state.handle(done(1, true, STUB)), [Effect::SaveProgress(OnFailure::Stop)]);
    assert!(state.frame().contains("Press n for the next exercise, second."));
    let effects = state.handle(key('n'));
    assert_eq!(effects, [Effect::SaveProgress(OnFailure::Notice), start_run(2, "second")]);
    assert_eq!(state.exercise().name, "second");
    assert!(state.frame().contains("second (2/3)"), "{}", state.frame());
}

#[test]
fn h_shows_the_hint_then_the_stronger_one_then_neither() {
    let fixture = Fixture::new();
    let mut state = fixture.session(false);
    assert!(!state.frame().contains("Look at first's loop."));
    assert_eq!(state.handle(key('h')), []);
    let frame = state.frame();
    assert!(frame.contains("Look at first's loop.") && frame.contains("(h again"), "{frame}");
    state.handle(key('h'));
    assert!(state.frame().contains("first: the Sender outlives the loop."));
    state.handle(key('h'));
    assert!(!state.frame().contains("Look at first's loop."), "a third h hides the hints");
}

#[test]
fn l_lists_the_exercises_and_a_number_and_enter_switch_to_one() {
    let fixture = Fixture::new();
    let mut state = fixture.session(false);
    assert_eq!(state.handle(key('l')), []);
    assert!(state.frame().contains("Type an exercise's number"), "{}", state.frame());
    state.handle(key('9'));
    assert_eq!(state.handle(Event::Key(Key::Enter)), [], "there is no exercise 9");
    assert!(state.frame().ends_with("\n> "), "the typed number is cleared");
    state.handle(key('3'));
    state.handle(key('1'));
    state.handle(Event::Key(Key::Backspace));
    assert!(state.frame().ends_with("\n> 3"));
    let effects = state.handle(Event::Key(Key::Enter));
    assert_eq!(effects, [Effect::SaveProgress(OnFailure::Notice), start_run(2, "third")]);
    assert!(state.frame().contains("third (3/3)"));
}

#[test]
fn in_the_list_the_arrows_pick_an_exercise_and_enter_switches_to_it() {
    let fixture = Fixture::new();
    let mut state = fixture.session(false);
    state.handle(key('l'));
    assert!(state.frame().contains(">▶  1  first"), "the current one is picked first");
    state.handle(Event::Key(Key::Up));
    assert!(state.frame().contains(">▶  1  first"), "Up stops at the first");
    for _ in 0..5 {
        state.handle(Event::Key(Key::Down));
    }
    assert!(state.frame().contains(">   3  third"), "Down stops at the last: {}", state.frame());
    state.handle(Event::Key(Key::Up));
    let effects = state.handle(Event::Key(Key::Enter));
    assert_eq!(effects, [Effect::SaveProgress(OnFailure::Notice), start_run(2, "second")]);
}

#[test]
fn esc_or_l_leaves_the_list_and_q_quits_from_it() {
    let fixture = Fixture::new();
    let mut state = fixture.session(false);
    for leave in [Key::Esc, Key::Char('l')] {
        state.handle(key('l'));
        assert_eq!(state.handle(Event::Key(leave)), []);
        assert!(state.frame().contains("q quit"), "back on the exercise after {leave:?}");
    }
    state.handle(key('l'));
    assert_eq!(state.handle(key('q')), [Effect::Quit]);
}

#[test]
fn r_reruns_through_cargo_and_clears_the_notice() {
    let fixture = Fixture::new();
    let mut state = fixture.session(false);
    state.handle(Event::WatcherFailed("the watcher failed".to_owned()));
    assert!(state.frame().contains("the watcher failed"));
    assert_eq!(state.handle(key('r')), [Effect::ForgetFastRebuilds, start_run(2, "first")]);
    assert!(!state.frame().contains("the watcher failed"));
    assert_eq!(state.handle(done(1, true, STUB)), [], "the verdict of run 1 is out of date");
}

#[test]
fn c_checks_every_exercise_and_any_key_goes_back() {
    let fixture = Fixture::new();
    let mut state = fixture.session(false);
    assert_eq!(state.handle(key('c')), [Effect::StartCheckAll { run: 2 }]);
    assert!(state.frame().contains("Checking every exercise (0/3)..."));
    let build = StepUpdate::Progress("building exercises: 1/3 built".to_owned());
    state.handle(step(2, build));
    assert!(state.frame().contains("building exercises: 1/3 built"));
    let checked = Event::Checked { run: 2, index: 1, passed: true };
    assert_eq!(state.handle(checked), [Effect::SaveProgress(OnFailure::Stop)]);
    assert!(state.progress().is_done("second"));
    state.handle(Event::Checked { run: 2, index: 0, passed: false });
    state.handle(Event::CheckDone { run: 2, error: None });
    let frame = state.frame();
    assert!(frame.contains("Checked every exercise: 1 of 3 pass."), "{frame}");
    assert_eq!(state.handle(Event::Key(Key::Down)), [start_run(3, "first")]);
    assert!(state.frame().contains("q quit"));
    assert_eq!(state.handle(Event::Checked { run: 2, index: 2, passed: true }), []);
}

#[test]
fn q_quits_from_the_check_all_screen_too() {
    let fixture = Fixture::new();
    let mut state = fixture.session(false);
    state.handle(key('c'));
    assert_eq!(state.handle(key('q')), [Effect::Quit]);
}

#[test]
fn x_asks_first_and_resets_only_on_y() {
    let fixture = Fixture::new();
    let mut state = fixture.session(false);
    assert_eq!(state.handle(key('x')), []);
    assert!(state.frame().contains("Reset first to its original file?"));
    assert_eq!(state.handle(key('n')), [], "anything but y keeps the file");
    assert!(state.frame().contains("q quit"));
    state.handle(key('x'));
    assert_eq!(state.handle(key('Y')), [Effect::Reset { exercise: "first".to_owned() }]);
    let said = "Your version is saved in .workbook-backups/first.1.rs.".to_owned();
    assert_eq!(state.handle(Event::ResetDone(said)), [start_run(2, "first")]);
    assert!(state.frame().contains("Your version is saved in .workbook-backups/first.1.rs."));
}

#[test]
fn q_quits() {
    let fixture = Fixture::new();
    let mut state = fixture.session(false);
    assert_eq!(state.handle(key('q')), [Effect::Quit]);
    assert_eq!(state.handle(Event::InputClosed), [Effect::Quit], "as does a closed terminal");
}

#[test]
fn a_key_ends_the_welcome() {
    let fixture = Fixture::new();
    let mut state = fixture.session(false);
    assert!(state.frame().contains("Welcome to the workbook!"));
    state.handle(key('z'));
    assert!(!state.frame().contains("Welcome to the workbook!"));
}

#[test]
fn a_resize_redraws_the_progress_bar_to_the_new_width() {
    let fixture = Fixture::new();
    let mut state = fixture.session(false);
    let bar = |state: &State<'_>| state.frame().lines().next().unwrap().chars().count();
    let wide = bar(&state);
    assert_eq!(state.handle(Event::Resize { width: 50 }), [Effect::Redraw]);
    assert!(bar(&state) < wide, "{} columns, then {}", wide, bar(&state));
}
