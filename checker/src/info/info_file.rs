//! The schema of `info.toml`.

use super::FailureKind;
use serde::Deserialize;
use serde::de::{self, Deserializer, SeqAccess, Visitor};
use std::fmt;
use toml::Spanned;

/// `info.toml`: the exercises in learning order, and the messages around them.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct InfoFile {
    /// The version of this format. Only 1 exists.
    pub format_version: Spanned<u32>,
    /// Shown once, when a learner starts the workbook.
    pub welcome_message: String,
    /// Shown when the last exercise is done.
    pub final_message: String,
    /// The exercises, in the order a learner does them.
    pub exercises: Vec<ExerciseEntry>,
}

/// One `[[exercises]]` table.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ExerciseEntry {
    /// Unique. Also the file's name (`<name>.rs`) and its Cargo binary's name, so letters, digits
    /// and underscores only.
    pub name: Spanned<String>,
    /// The folder under `exercises/` and `solutions/` that holds the file.
    pub dir: String,
    /// Points earned when the exercise passes; they reflect its difficulty.
    pub points: u32,
    /// Whether the exercise has loom models: a test module compiled only under `cfg(loom)`.
    #[serde(default)]
    pub loom: bool,
    /// The per-test time limit in seconds, when the default does not suit the exercise.
    pub timeout: Option<Spanned<u64>>,
    /// Points at the place to look, without handing over the fix.
    pub hint: String,
    /// A second, stronger hint, shown after the first.
    pub stronger_hint: Option<String>,
    /// For instructors: the planted bug, in one sentence.
    pub bug: String,
    /// For instructors: how the untouched stub fails. One kind, or a list when several steps
    /// catch the bug (for example `["hang", "loom-deadlock"]`).
    pub fails_with: Spanned<FailsWith>,
}

/// One failure kind or several, written as a string or a list of strings.
#[derive(Debug)]
pub(super) struct FailsWith(pub Vec<FailureKind>);

impl<'de> Deserialize<'de> for FailsWith {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KindsVisitor;

        impl<'de> Visitor<'de> for KindsVisitor {
            type Value = FailsWith;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "a failure kind or a list of them ({})", FailureKind::DECLARABLE)
            }

            fn visit_str<E: de::Error>(self, text: &str) -> Result<FailsWith, E> {
                let kind = FailureKind::deserialize(de::value::StrDeserializer::<E>::new(text))?;
                Ok(FailsWith(vec![kind]))
            }

            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<FailsWith, A::Error> {
                let mut kinds = Vec::new();
                while let Some(kind) = seq.next_element()? {
                    kinds.push(kind);
                }
                Ok(FailsWith(kinds))
            }
        }

        deserializer.deserialize_any(KindsVisitor)
    }
}
