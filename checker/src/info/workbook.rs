use super::info_file::{ExerciseEntry, InfoFile};
use super::input_error::line_of;
use super::spelling::closest;
use super::{Exercise, InputError, Source};
use crate::invocation;
use anyhow::{Context, Result};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

pub const INFO_FILE: &str = "info.toml";
const FORMAT_VERSION: u32 = 1;

/// A workbook on disk: its root folder and its checked `info.toml`.
#[derive(Debug)]
pub struct Workbook {
    pub root: PathBuf,
    pub welcome_message: String,
    pub final_message: String,
    pub exercises: Vec<Exercise>,
}

impl Workbook {
    /// Finds the workbook that contains `start`: the nearest folder upwards with an `info.toml`.
    pub fn discover(start: &Path) -> Result<Self> {
        let root =
            start.ancestors().find(|dir| dir.join(INFO_FILE).is_file()).ok_or_else(|| {
                InputError::new(format!(
                    "no {INFO_FILE} in {} or any folder above it: run `{}` from inside the \
                     workbook you cloned",
                    start.display(),
                    invocation::program()
                ))
            })?;
        Self::load(root)
    }

    /// Reads and checks the workbook at `root`. Every problem is an [`InputError`] naming the
    /// file and line.
    pub fn load(root: &Path) -> Result<Self> {
        let info_path = root.join(INFO_FILE);
        let text = std::fs::read_to_string(&info_path)
            .with_context(|| format!("failed to read {}", info_path.display()))?;
        let shown = Path::new(INFO_FILE);
        let info: InfoFile = toml::from_str(&text).map_err(|error| {
            let line = error.span().map_or(1, |span| line_of(&text, span.start));
            InputError::at(shown, line, error.message().trim_end())
        })?;
        if *info.format_version.get_ref() != FORMAT_VERSION {
            let line = line_of(&text, info.format_version.span().start);
            return Err(InputError::at(
                shown,
                line,
                format!(
                    "format_version {} is not supported: this workbook binary reads version \
                     {FORMAT_VERSION}. Update the binary (`cargo workbook` rebuilds it).",
                    info.format_version.get_ref()
                ),
            )
            .into());
        }
        let bins = [Source::Exercises, Source::Solutions]
            .map(|source| cargo_bins(root, source).map(|bins| (source, bins)));
        let bins = bins.into_iter().collect::<Result<Vec<_>>>()?;

        let mut first_line: HashMap<String, usize> = HashMap::new();
        let mut exercises = Vec::with_capacity(info.exercises.len());
        for entry in info.exercises {
            let line = line_of(&text, entry.name.span().start);
            let exercise = check_entry(entry, line, &text)?;
            if let Some(first) = first_line.insert(exercise.name.clone(), line) {
                return Err(InputError::at(
                    shown,
                    line,
                    format!(
                        "exercise `{}` is listed twice (first at line {first}): names must be \
                         unique",
                        exercise.name
                    ),
                )
                .into());
            }
            for (source, bins) in &bins {
                check_files(root, &exercise, *source, bins)?;
            }
            exercises.push(exercise);
        }
        if exercises.is_empty() {
            return Err(InputError::at(shown, 1, "no [[exercises]] are listed").into());
        }
        Ok(Workbook {
            root: root.to_path_buf(),
            welcome_message: info.welcome_message,
            final_message: info.final_message,
            exercises,
        })
    }

    /// The exercise called `name`, or an error suggesting the closest name and how to see them.
    pub fn find(&self, name: &str) -> Result<&Exercise> {
        if let Some(exercise) = self.exercises.iter().find(|e| e.name == name) {
            return Ok(exercise);
        }
        let names = self.exercises.iter().map(|e| e.name.as_str());
        let suggestion = match closest(name, names) {
            Some(close) => format!("did you mean `{close}`? "),
            None => String::new(),
        };
        Err(InputError::new(format!(
            "there is no exercise `{name}`: {suggestion}`{}` shows them all",
            invocation::command("list")
        ))
        .into())
    }

    /// Why the learner's file of `exercise` cannot be run, when it is missing: names the file and
    /// the command that restores it.
    pub fn missing_file(&self, exercise: &Exercise) -> Option<InputError> {
        let path = exercise.path(Source::Exercises);
        (!self.root.join(&path).is_file()).then(|| {
            InputError::new(format!(
                "{} is missing; `{}` restores it",
                path.display(),
                invocation::command(&format!("reset {}", exercise.name))
            ))
        })
    }

    /// The exercise's position in learning order.
    pub fn index_of(&self, name: &str) -> Option<usize> {
        self.exercises.iter().position(|e| e.name == name)
    }
}

fn check_entry(entry: ExerciseEntry, line: usize, text: &str) -> Result<Exercise> {
    let shown = Path::new(INFO_FILE);
    let name = entry.name.into_inner();
    let valid_name = |s: &str| {
        !s.is_empty()
            && s.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
            && !s.starts_with(|c: char| c.is_ascii_digit())
    };
    if !valid_name(&name) {
        return Err(InputError::at(
            shown,
            line,
            format!(
                "exercise name `{name}` must be lowercase letters, digits and underscores, not \
                 starting with a digit: it names a Rust file and a Cargo binary"
            ),
        )
        .into());
    }
    if !valid_name(&entry.dir) {
        return Err(InputError::at(
            shown,
            line,
            format!("exercise `{name}`: dir `{}` must be a plain folder name", entry.dir),
        )
        .into());
    }
    let fails_line = line_of(text, entry.fails_with.span().start);
    let mut fails_with = entry.fails_with.into_inner().0;
    if fails_with.is_empty() {
        return Err(InputError::at(
            shown,
            fails_line,
            format!("exercise `{name}`: fails_with is empty; name at least one kind"),
        )
        .into());
    }
    if !entry.loom && fails_with.iter().any(|kind| kind.as_str().starts_with("loom-")) {
        return Err(InputError::at(
            shown,
            fails_line,
            format!("exercise `{name}`: fails_with names a loom failure but `loom` is not true"),
        )
        .into());
    }
    fails_with.sort();
    fails_with.dedup();
    let timeout = match entry.timeout {
        Some(seconds) if *seconds.get_ref() == 0 => {
            return Err(InputError::at(
                shown,
                line_of(text, seconds.span().start),
                format!("exercise `{name}`: timeout must be at least 1 second"),
            )
            .into());
        }
        Some(seconds) => Some(Duration::from_secs(seconds.into_inner())),
        None => None,
    };
    Ok(Exercise {
        name,
        dir: entry.dir,
        points: entry.points,
        loom: entry.loom,
        timeout,
        hint: entry.hint,
        stronger_hint: entry.stronger_hint,
        bug: entry.bug,
        fails_with,
        line,
    })
}

/// Checks that the exercise's file exists in `source` and that the package builds it.
fn check_files(
    root: &Path,
    exercise: &Exercise,
    source: Source,
    bins: &HashMap<String, String>,
) -> Result<()> {
    let path = exercise.path(source);
    // A learner's missing file blocks only that exercise (see `Workbook::missing_file`), so that
    // `reset` can restore it and every other exercise keeps working.
    if source == Source::Solutions && !root.join(&path).is_file() {
        return Err(InputError::at(
            Path::new(INFO_FILE),
            exercise.line,
            format!(
                "exercise `{}`: {} is missing; restore it from the workbook's repository",
                exercise.name,
                path.display()
            ),
        )
        .into());
    }
    let expected = format!("{}/{}.rs", exercise.dir, exercise.name);
    if bins.get(&exercise.name) != Some(&expected) {
        return Err(InputError::new(format!(
            "{}/Cargo.toml: exercise `{}` needs a binary target:\n\n[[bin]]\nname = \"{}\"\n\
             path = \"{expected}\"",
            source.dir(),
            exercise.name,
            exercise.name
        ))
        .into());
    }
    Ok(())
}

/// The `[[bin]]` targets of a source package: name to path.
fn cargo_bins(root: &Path, source: Source) -> Result<HashMap<String, String>> {
    let bins = super::bin_targets(root, source)?;
    Ok(bins.into_iter().filter_map(|bin| Some((bin.name, bin.path?))).collect())
}
