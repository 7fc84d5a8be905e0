//! Reading what libtest and panics print. Stable libtest has no machine-readable output, so this
//! reads the human one, and is only ever trusted together with the exit status.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// One panic, as printed by the default panic hook.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Panic {
    pub thread: String,
    pub location: String,
    pub message: String,
}

impl Panic {
    /// Panics from inside std or a dependency (loom's own follow-up panics after a failure).
    pub fn is_internal(&self) -> bool {
        self.is_internal_with(cargo_home())
    }

    /// Whether the panic is in std, or in a dependency's source under `cargo_home`.
    fn is_internal_with(&self, cargo_home: &Path) -> bool {
        let location = Path::new(&self.location);
        self.location.starts_with("/rustc/")
            || ["registry", "git"].iter().any(|dir| location.starts_with(cargo_home.join(dir)))
    }

    /// The panic as a learner reads it; the test's own thread needs no name.
    pub fn render(&self) -> String {
        let who = if self.thread == "<unnamed>" { "a spawned thread panicked" } else { "panicked" };
        format!("{who} at {}:\n{}", self.location, self.message)
    }
}

/// Where cargo keeps dependencies' sources: `$CARGO_HOME` (such as `/usr/local/cargo` in
/// Rust's container images), else `~/.cargo`.
fn cargo_home() -> &'static Path {
    static HOME: OnceLock<PathBuf> = OnceLock::new();
    HOME.get_or_init(|| match std::env::var_os("CARGO_HOME") {
        Some(home) if !home.is_empty() => PathBuf::from(home),
        _ => std::env::home_dir().unwrap_or_default().join(".cargo"),
    })
}

/// Lines that end a panic's message.
fn ends_message(line: &str) -> bool {
    const ENDS: [&str; 7] =
        ["note: ", "stack backtrace:", "thread '", "test ", "failures:", "kit: ", "loom: "];
    line == "FAILED" || ENDS.iter().any(|end| line.starts_with(end))
}

/// The output's lines, with libtest's `test NAME ... ` announcement split from whatever the test
/// printed right after it on the same line (under `--nocapture` they share a line).
fn lines(output: &str) -> Vec<&str> {
    let mut lines = Vec::new();
    for line in output.lines() {
        match line.strip_prefix("test ").and_then(|rest| rest.split_once(" ... ")) {
            Some((_, printed)) if !printed.is_empty() => {
                lines.push(&line[..line.len() - printed.len()]);
                lines.push(printed);
            }
            _ => lines.push(line),
        }
    }
    lines
}

/// Every panic in `output`, in order.
pub fn panics(output: &str) -> Vec<Panic> {
    let lines = lines(output);
    let mut panics = Vec::new();
    let mut index = 0;
    while index < lines.len() {
        let Some((thread, location)) = panic_header(lines[index]) else {
            index += 1;
            continue;
        };
        index += 1;
        let start = index;
        while index < lines.len() && !ends_message(lines[index]) {
            index += 1;
        }
        let message = lines[start..index].join("\n").trim_end().to_owned();
        panics.push(Panic { thread, location, message });
    }
    panics
}

/// `thread 'name' (1234) panicked at src/file.rs:1:2:` gives the name and the location.
fn panic_header(line: &str) -> Option<(String, String)> {
    let rest = line.strip_prefix("thread '")?;
    let (thread, rest) = rest.split_once('\'')?;
    let (_, location) = rest.split_once(" panicked at ")?;
    Some((thread.to_owned(), location.strip_suffix(':').unwrap_or(location).to_owned()))
}

/// `(passed, failed)` from libtest's `test result:` line.
pub fn summary(output: &str) -> Option<(u32, u32)> {
    let line = lines(output).into_iter().rev().find(|line| line.starts_with("test result: "))?;
    let count = |word: &str| -> Option<u32> {
        let before = line.split(&format!(" {word}")).next()?;
        before.rsplit([' ', '.', ';']).next()?.parse().ok()
    };
    Some((count("passed")?, count("failed")?))
}

/// `loom: 123 iterations in 0.042s ...`, printed by `kit::model` when a model passes.
pub fn loom_iterations(output: &str) -> Option<u64> {
    let line = lines(output).into_iter().find(|line| line.starts_with("loom: "))?;
    line.strip_prefix("loom: ")?.split(' ').next()?.parse().ok()
}

/// The schedule a failing loom model failed on, as `kit::model` prints it.
pub fn failing_schedule(output: &str) -> Option<u64> {
    let marker = kit::hang::FAILING_SCHEDULE;
    let line = lines(output).into_iter().find(|line| line.starts_with(marker))?;
    line[marker.len()..].trim().parse().ok()
}

/// The failing schedule of a loom model, operation by operation in thread columns, as
/// `kit::model` prints it between its markers.
pub fn loom_trace(output: &str) -> Option<String> {
    let mut lines = output.lines().skip_while(|line| !line.starts_with(kit::hang::TRACE_BEGIN));
    lines.next()?;
    let trace: Vec<&str> =
        lines.take_while(|line| !line.starts_with(kit::hang::TRACE_END)).collect();
    (!trace.is_empty()).then(|| trace.join("\n"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const FAILED: &str = "\nrunning 1 test\n\
        thread 'tests::adds' (4242) panicked at exercises/t1/adds.rs:12:5:\n\
        assertion `left == right` failed\n  left: 1\n right: 2\n\
        note: run with `RUST_BACKTRACE=1` environment variable to display a backtrace\n\
        test tests::adds ... FAILED\n\nfailures:\n\nfailures:\n    tests::adds\n\n\
        test result: FAILED. 0 passed; 1 failed; 0 ignored; 0 measured; 2 filtered out; finished in 0.00s\n";

    #[test]
    fn reads_a_panic_with_its_multi_line_message() {
        let found = panics(FAILED);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].thread, "tests::adds");
        assert_eq!(found[0].location, "exercises/t1/adds.rs:12:5");
        assert_eq!(found[0].message, "assertion `left == right` failed\n  left: 1\n right: 2");
        assert!(!found[0].is_internal());
    }

    #[test]
    fn reads_the_summary_counts() {
        assert_eq!(summary(FAILED), Some((0, 1)));
        let ok = "test result: ok. 1 passed; 0 failed; 0 ignored; 0 measured; 3 filtered out";
        assert_eq!(summary(ok), Some((1, 0)));
        assert_eq!(summary("no summary here"), None);
    }

    #[test]
    fn tells_internal_panics_apart() {
        let output = "thread 'm' (1) panicked at /root/.cargo/registry/src/x/loom-0.7.3/src/rt/thread.rs:276:39:\n\
                      called `Option::unwrap()` on a `None` value\n";
        assert!(panics(output)[0].is_internal_with(Path::new("/root/.cargo")));
    }

    #[test]
    fn a_dependency_under_a_cargo_home_elsewhere_is_internal_too() {
        let output = "thread 'm' (1) panicked at /usr/local/cargo/registry/src/x/loom-0.7.3/src/rt/thread.rs:276:39:\n\
                      called `Option::unwrap()` on a `None` value\n";
        let found = &panics(output)[0];
        assert!(found.is_internal_with(Path::new("/usr/local/cargo")));
        assert!(!found.is_internal_with(Path::new("/root/.cargo")), "another home's is not");
        let ours = &panics(FAILED)[0];
        assert!(!ours.is_internal_with(Path::new("/usr/local/cargo")));
    }

    #[test]
    fn reads_loom_iterations_printed_after_the_test_announcement() {
        let output = "running 1 test\ntest loom::x ... loom: 508 iterations in 0.030s at preemption \
                      bound 2\nok\n";
        assert_eq!(loom_iterations(output), Some(508));
        assert_eq!(loom_iterations("nothing"), None);
    }

    #[test]
    fn reads_the_trace_of_a_failing_schedule_between_its_markers() {
        let output = format!(
            "noise\n{}\nline   main\n   27  load(SeqCst) -> 0\n{}\nafter",
            kit::hang::TRACE_BEGIN,
            kit::hang::TRACE_END
        );
        assert_eq!(loom_trace(&output).as_deref(), Some("line   main\n   27  load(SeqCst) -> 0"));
        assert_eq!(loom_trace("loom: failed on schedule 3"), None);
    }

    #[test]
    fn reads_the_schedule_a_model_failed_on() {
        assert_eq!(failing_schedule("x\nloom: failed on schedule 285\ny"), Some(285));
        assert_eq!(failing_schedule("loom: 3 iterations"), None);
    }

    #[test]
    fn reads_a_panic_printed_after_the_test_announcement() {
        let output = "test tests::x ... thread 'tests::x' (7) panicked at a.rs:1:2:\nboom\n\
                      note: run with `RUST_BACKTRACE=1`\nFAILED\n";
        let found = panics(output);
        assert_eq!(found.len(), 1);
        assert_eq!((found[0].location.as_str(), found[0].message.as_str()), ("a.rs:1:2", "boom"));
    }
}
