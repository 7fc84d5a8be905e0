//! Turning loom's failure output into something a learner can act on.

use super::test_output::{Panic, panics};

/// The first line of a deadlock's report.
pub const DEADLOCK_HEADLINE: &str =
    "loom found a schedule in which every thread is blocked or finished.";

/// How loom's deadlock panic starts.
const DEADLOCK: &str = "deadlock; threads = ";

/// Whether `panic` is loom's deadlock report.
pub fn is_deadlock(panic: &Panic) -> bool {
    panic.message.starts_with(DEADLOCK)
}

/// A deadlock report: who is blocked where, and what each kit wait was waiting for.
pub fn deadlock(output: &str) -> String {
    let mut report = format!("{DEADLOCK_HEADLINE}\n");
    if let Some(panic) = panics(output).iter().find(|p| is_deadlock(p)) {
        for (id, state) in thread_states(&panic.message) {
            let who = if id == "0" { "thread 0 (main)".to_owned() } else { format!("thread {id}") };
            report.push_str(&format!("  {who}: {state}\n"));
        }
    }
    let waits: Vec<&str> = output
        .lines()
        .skip_while(|line| !line.starts_with(kit::hang::DEADLOCK_HEADER))
        .skip(1)
        .take_while(|line| line.starts_with("  "))
        .collect();
    if !waits.is_empty() {
        report.push_str("What the blocked threads wait for:\n");
        for line in waits {
            report.push_str(line);
            report.push('\n');
        }
    }
    report.trim_end().to_owned()
}

/// `[(Id(0), Blocked(Location(Some(Location { file: "a.rs", line: 3, column: 4 })))), (Id(1),
/// Terminated)]` as `("0", "blocked at a.rs:3:4")`, `("1", "finished")`.
fn thread_states(message: &str) -> Vec<(String, String)> {
    message
        .split("(Id(")
        .skip(1)
        .filter_map(|entry| {
            let (id, rest) = entry.split_once(')')?;
            let state = if rest.contains("Terminated") {
                "finished".to_owned()
            } else if rest.contains("Blocked") {
                match location(rest) {
                    Some(at) if at.starts_with("kit/") => "blocked in a kit wait".to_owned(),
                    Some(at) => format!("blocked at {at}"),
                    None => "blocked".to_owned(),
                }
            } else {
                rest.trim_matches(|c: char| !c.is_alphanumeric()).to_lowercase()
            };
            Some((id.to_owned(), state))
        })
        .collect()
}

fn location(text: &str) -> Option<String> {
    let file = text.split_once("file: \"")?.1.split_once('"')?.0;
    let number = |key: &str| -> Option<String> {
        let digits = text.split_once(key)?.1;
        Some(digits.chars().take_while(char::is_ascii_digit).collect())
    };
    Some(format!("{file}:{}:{}", number("line: ")?, number("column: ")?))
}

#[cfg(test)]
mod tests {
    use super::*;

    const DEADLOCKED: &str = "running 1 test\n\
        thread 'loom::x' (9) panicked at /root/.cargo/registry/src/i/loom-0.7.3/src/rt/execution.rs:215:13:\n\
        deadlock; threads = [(Id(0), Blocked(Location(Some(Location { file: \"exercises/t1/a.rs\", line: 28, column: 38 })))), (Id(1), Terminated), (Id(2), Blocked(Location(Some(Location { file: \"kit/src/hang.rs\", line: 1, column: 2 }))))]\n\
        note: Some details are omitted\n\
        kit: every thread is blocked; the waits that can never end:\n\
        \x20 - thread 0: the receive loop at exercises/t1/a.rs:28:38, waiting for a message.\n\
        \x20     - the Sender created at exercises/t1/a.rs:18:26\n\
        \n\
        thread 'loom::x' (9) panicked at /root/.cargo/registry/src/i/loom-0.7.3/src/rt/thread.rs:276:39:\n\
        called `Option::unwrap()` on a `None` value\n";

    #[test]
    fn names_each_thread_state_and_the_kit_waits() {
        let report = deadlock(DEADLOCKED);
        assert!(report.contains("thread 0 (main): blocked at exercises/t1/a.rs:28:38"), "{report}");
        assert!(report.contains("thread 1: finished"), "{report}");
        assert!(report.contains("thread 2: blocked in a kit wait"), "{report}");
        assert!(report.contains("the Sender created at exercises/t1/a.rs:18:26"), "{report}");
        assert!(!report.contains("Option::unwrap"), "{report}");
    }
}
