//! Putting the instructor's tests back into a learner's file: every test item of the learner's is
//! taken out, wherever it is and however it is written (`#[cfg(test)] mod tests`, a `#[test]`
//! function among the code...), and the canonical test modules are appended.

use crate::info::ExerciseFile;
use crate::run::BuildMode;
use std::ops::Range;
use syn::spanned::Spanned;

/// A learner's file with the canonical tests in place of theirs.
#[derive(Debug, PartialEq, Eq)]
pub struct Restored {
    pub text: String,
    /// Where the learner's code ends in `text`, and the canonical tests begin.
    pub code_end: usize,
    /// The line of the learner's file where their tests first differ from the canonical ones.
    pub edited_from: Option<usize>,
}

/// `learner`'s code with `canonical` (the solution's test modules, to the end of its file) as
/// its tests. A file rustc could not parse keeps everything before the usual test marker: it
/// fails to compile either way, and costs its own exercise alone.
pub fn restore(learner: &str, canonical: &str) -> Restored {
    let learner = learner.strip_prefix('\u{feff}').unwrap_or(learner);
    let ranges: Vec<Range<usize>> = match syn::parse_file(learner) {
        Ok(file) => file.items.iter().filter(|item| is_test_item(item)).map(byte_range).collect(),
        Err(_) => std::iter::once(ExerciseFile::split(learner).code.len()..learner.len()).collect(),
    };
    let mut code = String::with_capacity(learner.len() + canonical.len());
    let mut theirs = String::new();
    let mut kept_from = 0;
    for range in &ranges {
        code.push_str(&learner[kept_from..range.start]);
        // Blank lines in its place keep the learner's lines where they were, for messages.
        code.extend(learner[range.clone()].matches('\n').map(|_| '\n'));
        theirs.push_str(&learner[range.clone()]);
        theirs.push('\n');
        kept_from = range.end;
    }
    code.push_str(&learner[kept_from..]);
    let code = code.trim_end();
    let edited_from = match ranges.first() {
        None => Some(line_at(learner, learner.len())),
        Some(first) => first_differing_line(&theirs, canonical)
            .map(|offset| line_at(learner, first.start) + offset),
    };
    let separator = if code.is_empty() { "" } else { "\n\n" };
    let text = format!("{code}{separator}{}", canonical.trim_start());
    Restored { text, code_end: code.len(), edited_from }
}

/// The full names of the canonical tests of each build mode: `tests::...` for the plain build,
/// `loom::...` for the loom one, as libtest lists them.
pub fn test_names(canonical: &str) -> Vec<(BuildMode, String)> {
    let Ok(file) = syn::parse_file(canonical) else { return Vec::new() };
    let mut names = Vec::new();
    for item in &file.items {
        let syn::Item::Mod(module) = item else { continue };
        let mode = match module.ident.to_string().as_str() {
            "tests" => BuildMode::Plain,
            "loom" => BuildMode::Loom,
            _ => continue,
        };
        for inner in module.content.iter().flat_map(|(_, items)| items) {
            if let syn::Item::Fn(function) = inner
                && function.attrs.iter().any(|a| a.path().is_ident("test"))
            {
                names.push((mode, format!("{}::{}", module.ident, function.sig.ident)));
            }
        }
    }
    names
}

/// A learner's item that belongs to the tests: a `tests` or `loom` module, anything compiled only
/// for tests, or a test function.
fn is_test_item(item: &syn::Item) -> bool {
    if let syn::Item::Mod(module) = item
        && (module.ident == "tests" || module.ident == "loom")
    {
        return true;
    }
    item_attrs(item).iter().any(|attr| {
        attr.path().is_ident("test")
            || (attr.path().is_ident("cfg") && mentions_test(attr.meta.require_list().ok()))
    })
}

fn mentions_test(list: Option<&syn::MetaList>) -> bool {
    list.is_some_and(|list| {
        list.tokens.clone().into_iter().any(|token| match token {
            proc_macro2::TokenTree::Ident(ident) => ident == "test",
            proc_macro2::TokenTree::Group(group) => group
                .stream()
                .into_iter()
                .any(|t| matches!(t, proc_macro2::TokenTree::Ident(i) if i == "test")),
            _ => false,
        })
    })
}

fn item_attrs(item: &syn::Item) -> &[syn::Attribute] {
    match item {
        syn::Item::Const(i) => &i.attrs,
        syn::Item::Enum(i) => &i.attrs,
        syn::Item::ExternCrate(i) => &i.attrs,
        syn::Item::Fn(i) => &i.attrs,
        syn::Item::ForeignMod(i) => &i.attrs,
        syn::Item::Impl(i) => &i.attrs,
        syn::Item::Macro(i) => &i.attrs,
        syn::Item::Mod(i) => &i.attrs,
        syn::Item::Static(i) => &i.attrs,
        syn::Item::Struct(i) => &i.attrs,
        syn::Item::Trait(i) => &i.attrs,
        syn::Item::TraitAlias(i) => &i.attrs,
        syn::Item::Type(i) => &i.attrs,
        syn::Item::Union(i) => &i.attrs,
        syn::Item::Use(i) => &i.attrs,
        _ => &[],
    }
}

/// The item's text, its attributes (and doc comments) included.
fn byte_range(item: &syn::Item) -> Range<usize> {
    item.span().byte_range()
}

/// The 1-based line of byte `offset` in `text`.
fn line_at(text: &str, offset: usize) -> usize {
    text[..offset].matches('\n').count() + 1
}

/// How many lines into `theirs` it first differs from `canonical`, ignoring trailing spaces and
/// blank lines.
fn first_differing_line(theirs: &str, canonical: &str) -> Option<usize> {
    let lines = |text: &str| -> Vec<(usize, String)> {
        text.lines()
            .enumerate()
            .map(|(index, line)| (index, line.trim_end().to_owned()))
            .filter(|(_, line)| !line.is_empty())
            .collect()
    };
    let (ours, reference) = (lines(theirs), lines(canonical));
    let differing = ours.iter().zip(&reference).find(|(a, b)| a.1 != b.1).map(|(a, _)| a.0);
    differing.or_else(|| match ours.len().cmp(&reference.len()) {
        std::cmp::Ordering::Equal => None,
        std::cmp::Ordering::Less => Some(ours.last().map_or(0, |(index, _)| index + 1)),
        std::cmp::Ordering::Greater => Some(ours[reference.len()].0),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const CANONICAL: &str = "#[cfg(all(test, not(loom)))]\nmod tests {\n    use super::*;\n\n    #[test]\n    fn counts() {\n        assert_eq!(count(), 2);\n    }\n}\n\n#[cfg(all(test, loom))]\nmod loom {\n    #[test]\n    fn races() {}\n}\n";
    const CODE: &str = "fn count() -> u32 {\n    2\n}\n\nfn main() {}\n";

    #[test]
    fn untouched_tests_are_kept_and_not_reported() {
        let learner = format!("{CODE}\n{CANONICAL}");
        let restored = restore(&learner, CANONICAL);
        let code_end = CODE.trim_end().len();
        assert_eq!(restored, Restored { text: learner.clone(), code_end, edited_from: None });
    }

    #[test]
    fn a_test_module_written_differently_is_replaced_not_duplicated() {
        let learner =
            format!("{CODE}\n#[cfg(test)]\nmod tests {{\n    #[test]\n    fn mine() {{}}\n}}\n");
        let restored = restore(&learner, CANONICAL);
        assert_eq!(restored.text, format!("{}\n\n{CANONICAL}", CODE.trim_end()));
        assert_eq!(restored.edited_from, Some(7), "the learner's module starts on line 7");
    }

    #[test]
    fn test_items_anywhere_in_the_file_are_taken_out() {
        let learner = format!(
            "#[test]\nfn passes() {{}}\n\n{CODE}\n#[cfg(test)]\nfn helper() {{}}\n\n{CANONICAL}"
        );
        let restored = restore(&learner, CANONICAL);
        assert!(!restored.text.contains("passes") && !restored.text.contains("helper"));
        assert!(restored.text.starts_with("\n\n\nfn count()"), "lines keep their numbers");
        assert_eq!(restored.text.matches("mod tests").count(), 1);
        assert_eq!(restored.edited_from, Some(1));
    }

    #[test]
    fn a_file_without_tests_gets_them_and_a_note() {
        let restored = restore(CODE, CANONICAL);
        assert_eq!(restored.text, format!("{}\n\n{CANONICAL}", CODE.trim_end()));
        assert!(restored.edited_from.is_some());
    }

    #[test]
    fn a_file_that_does_not_parse_keeps_its_code_before_the_tests() {
        let learner = format!("fn broken( {{\n{CANONICAL}");
        let restored = restore(&learner, CANONICAL);
        assert_eq!(restored.text, format!("fn broken( {{\n\n{CANONICAL}"));
    }

    #[test]
    fn names_the_tests_of_each_build() {
        assert_eq!(
            test_names(CANONICAL),
            [
                (BuildMode::Plain, "tests::counts".to_owned()),
                (BuildMode::Loom, "loom::races".to_owned())
            ]
        );
    }
}
