//! What a learner's code may not do to its own grade. The tests run in the same process as the
//! code under test, so that code could forge a pass: run before `main` (a constructor), shadow the
//! tests' assertion macros, write libtest's result file and exit, load another file (the
//! solution) as a module... The sandbox cannot prevent what a process does to itself; this finds
//! the means. Every token of the file is read, macro arguments included, and each construct is
//! counted: where the learner's file has more of one than the exercise's stub (whose own `main`
//! may read its arguments or start a process), the exercise is held for the instructor to review,
//! with the lines, and never scored silently.

use proc_macro2::{Delimiter, TokenStream, TokenTree};
use std::collections::BTreeMap;

/// Macros the canonical tests call by their bare names, which a `macro_rules!` could shadow.
const TEST_MACROS: [&str; 16] = [
    "assert",
    "assert_eq",
    "assert_ne",
    "debug_assert",
    "debug_assert_eq",
    "debug_assert_ne",
    "panic",
    "unreachable",
    "todo",
    "unimplemented",
    "matches",
    "vec",
    "format",
    "println",
    "eprintln",
    "dbg",
];
/// Crates the tests name, which a module or a renamed import could stand in for.
const CRATES: [&str; 5] = ["std", "core", "alloc", "kit", "test"];
/// Modules of std that reach outside the process or below the language.
const MODULES: [&str; 6] = ["process", "fs", "os", "ffi", "arch", "intrinsics"];
/// Functions that read the process's own command line, replace its panic handling, or get
/// around ownership.
const FUNCTIONS: [(&str, &str); 8] = [
    ("env", "args"),
    ("env", "args_os"),
    ("env", "current_exe"),
    ("panic", "set_hook"),
    ("panic", "take_hook"),
    ("panic", "always_abort"),
    ("mem", "transmute"),
    ("mem", "forget"),
];

/// Each construct found, with the lines it is on.
pub type Constructs = BTreeMap<String, Vec<usize>>;

/// The constructs in `code` (a file without its test modules). Code that does not parse has
/// none: it fails to compile, and runs nothing.
pub fn constructs(code: &str) -> Constructs {
    let mut tokens = Vec::new();
    if let Ok(stream) = code.parse::<TokenStream>() {
        flatten(stream, &mut tokens);
    }
    let mut found = Constructs::new();
    let mut note = |what: String, line: usize| found.entry(what).or_default().push(line);
    for (at, token) in tokens.iter().enumerate() {
        let next = |n: usize| tokens.get(at + n).map(|t| t.text.as_str()).unwrap_or("");
        let previous = at.checked_sub(1).map_or("", |p| tokens[p].text.as_str());
        let line = token.line;
        match token.text.as_str() {
            "unsafe" => note("`unsafe` code".into(), line),
            "extern" => note("`extern` (a foreign function, block or crate)".into(), line),
            "#" if next(1) == "!" => note("a crate attribute `#![...]`".into(), line),
            "#" if next(1) == "[" && ATTRIBUTES.contains(&next(2)) => {
                note(format!("the attribute `#[{}]`", next(2)), line)
            }
            "include" | "include_str" | "include_bytes" | "asm" | "global_asm" | "naked_asm"
                if next(1) == "!" =>
            {
                note(format!("`{}!`", token.text), line)
            }
            "macro_rules" if next(1) == "!" && TEST_MACROS.contains(&next(2)) => {
                note(format!("a macro named like the tests' `{}!`", next(2)), line)
            }
            "mod" if next(2) == ";" => note("a module read from another file".into(), line),
            name if CRATES.contains(&name) && ["mod", "as", "crate"].contains(&previous) => {
                note(format!("a module or import named `{name}`, like a crate the tests use"), line)
            }
            name if MODULES.contains(&name)
                && (next(1) == "::" || previous == "::" || next(1) == "as") =>
            {
                note(format!("`std::{name}`"), line)
            }
            module => {
                if let Some((_, function)) =
                    FUNCTIONS.iter().find(|(m, f)| *m == module && next(1) == "::" && next(2) == *f)
                {
                    note(format!("`{module}::{function}`"), line);
                }
            }
        }
    }
    found
}

/// Attributes that place code or symbols where the linker or loader runs them, or read a module
/// from elsewhere.
const ATTRIBUTES: [&str; 7] =
    ["path", "link_section", "used", "no_mangle", "export_name", "link", "link_name"];

/// What the learner's file has more of than the stub: each as one line for the report.
pub fn beyond(learner: &Constructs, stub: &Constructs) -> Vec<String> {
    learner
        .iter()
        .filter(|(what, lines)| lines.len() > stub.get(*what).map_or(0, Vec::len))
        .map(|(what, lines)| {
            let lines: Vec<String> = lines.iter().map(usize::to_string).collect();
            let s = if lines.len() == 1 { "" } else { "s" };
            format!("{what} (line{s} {})", lines.join(", "))
        })
        .collect()
}

struct Token {
    text: String,
    line: usize,
}

/// Every token, groups opened and closed as `(`, `)`, `[`... so patterns read across them.
fn flatten(stream: TokenStream, into: &mut Vec<Token>) {
    for tree in stream {
        let line = tree.span().start().line;
        match tree {
            TokenTree::Group(group) => {
                let (open, close) = match group.delimiter() {
                    Delimiter::Parenthesis => ("(", ")"),
                    Delimiter::Bracket => ("[", "]"),
                    Delimiter::Brace => ("{", "}"),
                    Delimiter::None => ("", ""),
                };
                into.push(Token { text: open.into(), line });
                flatten(group.stream(), into);
                let end = group.span_close().start().line;
                into.push(Token { text: close.into(), line: end });
            }
            TokenTree::Punct(punct) => {
                // `::` arrives as two joint colons.
                let joined = punct.as_char() == ':'
                    && into.last().is_some_and(|last: &Token| last.text == ":");
                if joined {
                    into.last_mut().expect("just checked").text.push(':');
                } else {
                    into.push(Token { text: punct.as_char().into(), line });
                }
            }
            TokenTree::Ident(ident) => into.push(Token { text: ident.to_string(), line }),
            TokenTree::Literal(_) => into.push(Token { text: String::new(), line }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::info::{ExerciseFile, Source, Workbook};

    fn found(code: &str) -> Vec<String> {
        beyond(&constructs(code), &Constructs::new())
    }

    #[test]
    fn finds_each_means_of_forging_a_result_with_its_line() {
        let code = "fn main() {}\n\
                    #[used]\n#[unsafe(link_section = \".init_array\")]\nstatic RUN: fn() = forge;\n\
                    macro_rules! assert_eq { ($($t:tt)*) => {}; }\n\
                    #[path = \"../../solutions/t1_threads/thumbnails.rs\"]\nmod solved;\n\
                    fn forge() { let _ = format!(\"{:?}\", std::env::args()); std::process::exit(0) }\n\
                    const SOLUTION: &str = include_str!(\"/etc/passwd\");\n\
                    use std::fs as files;\nmod kit {}\n";
        let found = found(code).join("\n");
        for expected in [
            "the attribute `#[used]` (line 2)",
            "`unsafe` code (line 3)",
            "a macro named like the tests' `assert_eq!` (line 5)",
            "the attribute `#[path]` (line 6)",
            "a module read from another file (line 7)",
            "`env::args` (line 8)",
            "`std::process` (line 8)",
            "`include_str!` (line 9)",
            "`std::fs` (line 10)",
            "a module or import named `kit`, like a crate the tests use (line 11)",
        ] {
            assert!(found.contains(expected), "{expected} in:\n{found}");
        }
    }

    #[test]
    fn counts_only_what_goes_beyond_the_stub() {
        let stub = constructs("fn main() { let _ = std::env::args(); }");
        assert!(beyond(&constructs("fn main() { let _ = std::env::args(); }"), &stub).is_empty());
        let more = constructs(
            "fn f() { let _ = std::env::args(); }\nfn main() { let _ = std::env::args(); }",
        );
        assert_eq!(beyond(&more, &stub), ["`env::args` (lines 1, 2)"]);
    }

    #[test]
    fn no_solution_goes_beyond_its_stub() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
        let workbook = Workbook::load(root).unwrap();
        for exercise in &workbook.exercises {
            let read = |source| std::fs::read_to_string(root.join(exercise.path(source))).unwrap();
            let (solution, stub) = (read(Source::Solutions), read(Source::Exercises));
            let code = |text: &str| constructs(ExerciseFile::split(text).code);
            let extra = beyond(&code(&solution), &code(&stub));
            assert!(extra.is_empty(), "{}: {extra:?}", exercise.name);
        }
    }
}
