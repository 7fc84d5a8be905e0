//! One fix of the corpus and what it declares: its first comment line says what it is, and a
//! wrong fix's `// caught by:` line the failure kinds it must fail with.

use crate::dev::finding::Finding;
use crate::info::FailureKind;
use serde::Serialize;
use std::collections::BTreeSet;
use std::path::PathBuf;

/// How a fix must come out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Expect {
    /// Every step passes.
    Pass,
    /// Fails with exactly these kinds, over every failing test of every step.
    Fail(BTreeSet<FailureKind>),
}

/// A file of the corpus, read and checked.
#[derive(Debug, Clone, Serialize)]
pub struct Fix {
    /// The exercise it fixes.
    pub exercise: String,
    /// Relative to the workbook's root.
    pub path: PathBuf,
    /// What the learner got wrong, or how this correct fix differs.
    pub about: String,
    pub expect: Expect,
    /// The file's text, tests and all as the learner would leave it.
    #[serde(skip)]
    pub text: String,
}

/// The line a wrong fix declares its failure kinds on.
const CAUGHT_BY: &str = "// caught by:";

impl Fix {
    /// Reads the header of `text`, a file of `fixes/<dir>/<exercise>/{wrong,right}/`.
    pub fn parse(exercise: &str, path: PathBuf, wrong: bool, text: String) -> Result<Fix, Finding> {
        let problem = |line: usize, message: String| Finding::new(&path, line, message);
        let mut lines = text.lines();
        let about = match lines.next().and_then(|line| line.strip_prefix("// ")) {
            Some(about) if !about.trim().is_empty() && !about.starts_with("TODO") => {
                about.trim().to_owned()
            }
            _ => {
                return Err(problem(
                    1,
                    format!(
                        "the first line must be a `// ` comment saying {}",
                        if wrong {
                            "what the learner got wrong"
                        } else {
                            "how this correct fix differs from the reference solution"
                        }
                    ),
                ));
            }
        };
        let caught_by = lines.next().and_then(|line| line.strip_prefix(CAUGHT_BY));
        let expect = match (wrong, caught_by) {
            (false, None) => Expect::Pass,
            (false, Some(_)) => {
                return Err(problem(
                    2,
                    "a correct fix must pass: take out `// caught by:`, or move the file to wrong/"
                        .to_owned(),
                ));
            }
            (true, None) => {
                return Err(problem(
                    2,
                    format!(
                        "the second line must be `{CAUGHT_BY} KINDS`, the failure kinds this wrong \
                         fix must fail with ({})",
                        FailureKind::DECLARABLE
                    ),
                ));
            }
            (true, Some(kinds)) => Expect::Fail(parse_kinds(kinds).map_err(|m| problem(2, m))?),
        };
        Ok(Fix { exercise: exercise.to_owned(), path, about, expect, text })
    }
}

fn parse_kinds(list: &str) -> Result<BTreeSet<FailureKind>, String> {
    let mut kinds = BTreeSet::new();
    for word in list.split(',').map(str::trim).filter(|w| !w.is_empty()) {
        let kind =
            FailureKind::declarable().find(|kind| kind.as_str() == word).ok_or_else(|| {
                format!("`{word}` is not a failure kind; use {}", FailureKind::DECLARABLE)
            })?;
        kinds.insert(kind);
    }
    if kinds.is_empty() {
        return Err(format!("name at least one failure kind ({})", FailureKind::DECLARABLE));
    }
    Ok(kinds)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(wrong: bool, text: &str) -> Result<Fix, Finding> {
        Fix::parse("x", PathBuf::from("fixes/t/x/wrong/a.rs"), wrong, text.to_owned())
    }

    #[test]
    fn a_wrong_fix_declares_what_it_got_wrong_and_how_it_fails() {
        let fix = parse(true, "// Retries once.\n// caught by: loom-assert, test\nfn main() {}\n")
            .unwrap();
        assert_eq!(fix.about, "Retries once.");
        let kinds = [FailureKind::Test, FailureKind::LoomAssert].into_iter().collect();
        assert_eq!(fix.expect, Expect::Fail(kinds));
    }

    #[test]
    fn a_right_fix_must_pass_and_says_how_it_differs() {
        let fix = parse(false, "// Uses fetch_add.\nfn main() {}\n").unwrap();
        assert_eq!(fix.expect, Expect::Pass);
        let wrongly_caught = parse(false, "// Uses fetch_add.\n// caught by: test\n").unwrap_err();
        assert_eq!(wrongly_caught.line, 2);
    }

    #[test]
    fn a_header_left_undone_or_an_unknown_kind_is_named_with_its_line() {
        assert_eq!(parse(true, "fn main() {}\n").unwrap_err().line, 1);
        assert_eq!(
            parse(true, "// TODO: what went wrong\n// caught by: test\n").unwrap_err().line,
            1
        );
        assert_eq!(parse(true, "// Retries once.\nfn main() {}\n").unwrap_err().line, 2);
        let unknown = parse(true, "// Retries once.\n// caught by: timeout\n").unwrap_err();
        assert!(unknown.message.contains("`timeout` is not a failure kind"), "{}", unknown.message);
    }
}
