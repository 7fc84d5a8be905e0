//! The shape every exercise file shares: the exercise's code, then its test modules
//! (`#[cfg(all(test, not(loom)))] mod tests` and, with loom, `#[cfg(all(test, loom))] mod loom`)
//! at the end. Stubs and solutions share that end byte for byte.

/// Where the test modules start: the first `#[cfg(all(test` line.
const TESTS_START: &str = "#[cfg(all(test";

/// An exercise file split into its code and its tests.
#[derive(Debug, Clone, Copy)]
pub struct ExerciseFile<'a> {
    pub code: &'a str,
    /// The test modules, to the end of the file; empty if there are none.
    pub tests: &'a str,
    /// The 1-based line where the tests start (one past the end if there are none).
    pub tests_line: usize,
}

impl<'a> ExerciseFile<'a> {
    pub fn split(text: &'a str) -> Self {
        let mut offset = 0;
        for (index, line) in text.split_inclusive('\n').enumerate() {
            if line.trim_start().starts_with(TESTS_START) {
                return ExerciseFile {
                    code: &text[..offset],
                    tests: &text[offset..],
                    tests_line: index + 1,
                };
            }
            offset += line.len();
        }
        ExerciseFile { code: text, tests: "", tests_line: text.lines().count() + 1 }
    }

    pub fn has_module(&self, name: &str) -> bool {
        self.tests.lines().any(|line| line.trim() == format!("mod {name} {{"))
    }

    /// The 1-based line in this file of the first line where its tests differ from `other`'s.
    pub fn first_difference(&self, other: &ExerciseFile<'_>) -> Option<(usize, usize)> {
        let mut ours = self.tests.lines();
        let mut theirs = other.tests.lines();
        let mut index = 0;
        loop {
            match (ours.next(), theirs.next()) {
                (None, None) => return None,
                (a, b) if a == b => index += 1,
                _ => return Some((self.tests_line + index, other.tests_line + index)),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = "fn main() {}\n\n#[cfg(all(test, not(loom)))]\nmod tests {\n    #[test]\n    fn a() {}\n}\n";

    #[test]
    fn splits_at_the_first_test_module() {
        let file = ExerciseFile::split(FILE);
        assert_eq!(file.code, "fn main() {}\n\n");
        assert_eq!(file.tests_line, 3);
        assert!(file.has_module("tests"));
        assert!(!file.has_module("loom"));
    }

    #[test]
    fn finds_the_first_differing_test_line() {
        let edited = FILE.replace("fn a() {}", "fn a() { assert!(true) }");
        let learner = format!("// solved\n{edited}");
        let (ours, theirs) = ExerciseFile::split(&learner)
            .first_difference(&ExerciseFile::split(FILE))
            .expect("the tests differ");
        assert_eq!((ours, theirs), (7, 6));
    }
}
