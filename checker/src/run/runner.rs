use super::build::{BuildMode, BuildSettings, Builds, Built, build};
use super::replay::{Rebuilt, RustcCache, rebuild};
use super::test_process::TestHost;
use super::test_step::{TestPlace, run_tests};
use super::{Limits, StepName, StepReport};
use crate::info::{Exercise, Source};
use crate::process::{Cancel, Outcome, Sandbox, finished};
use anyhow::{Context, Result};
use std::collections::HashMap;
use std::path::Path;
use std::time::Instant;

/// What a run reports as it goes, so a screen can show each step as soon as it finishes.
#[derive(Debug)]
pub enum Event<'a> {
    Started(StepName),
    /// What the step is doing, while it builds.
    Progress(StepName, &'a str),
    Finished(&'a StepReport),
}

/// Executables built ahead of time for many exercises at once, one cargo run per mode.
#[derive(Debug)]
pub struct Prebuilt {
    plain: Builds,
    loom: Builds,
}

impl Prebuilt {
    fn get(&self, exercise: &Exercise, mode: BuildMode) -> Option<Built> {
        let builds = match mode {
            BuildMode::Plain => &self.plain,
            BuildMode::Loom => &self.loom,
        };
        builds.get(&exercise.name).cloned()
    }
}

/// Runs exercises' steps: compile, tests, loom models.
pub struct Runner {
    pub(super) settings: BuildSettings,
    pub(super) source: Source,
    jobs: usize,
    /// Set in watch mode, where one exercise is rebuilt again and again.
    pub(super) rustc_cache: Option<RustcCache>,
    /// Set in grading, which compiles each exercise file itself.
    compile: Option<Box<Compile>>,
    /// Per exercise and build mode, the only tests to run (grading runs the instructor's).
    expected_tests: HashMap<(String, BuildMode), Vec<String>>,
    /// Set in grading: tests run in it.
    sandbox: Option<Sandbox>,
}

/// Builds one exercise in one mode.
pub type Compile = dyn Fn(&Exercise, BuildMode, &Cancel) -> Result<Outcome<Built>> + Send + Sync;

impl Runner {
    /// Builds go to `target/workbook`, apart from the `target/debug` of an editor's cargo check,
    /// so the two never wait for each other's lock.
    pub fn new(root: &Path, source: Source, color: bool) -> Result<Self> {
        let target_dir = root.join("target").join("workbook");
        let scratch = target_dir.join("logs");
        std::fs::create_dir_all(&scratch)
            .with_context(|| format!("failed to create {}", scratch.display()))?;
        let jobs = crate::bounded_pool::jobs(None);
        Ok(Runner {
            settings: BuildSettings {
                root: root.to_path_buf(),
                target_dir,
                scratch,
                color,
                limits: Limits::default(),
            },
            source,
            jobs,
            rustc_cache: None,
            compile: None,
            expected_tests: HashMap::new(),
            sandbox: None,
        })
    }

    /// Runs at most `jobs` tests of an exercise at once.
    pub fn with_jobs(mut self, jobs: usize) -> Self {
        self.jobs = jobs.max(1);
        self
    }

    /// Runs tests without network access and in a PID namespace of their own, where the OS
    /// allows it: for untrusted code when `sandbox` is `None` (the instructor chose to do
    /// without it), else in the sandbox, which does all that and more.
    pub fn isolated(mut self, sandbox: Option<Sandbox>) -> Self {
        self.settings.limits.isolate = sandbox.is_none();
        self.sandbox = sandbox;
        self
    }

    /// Builds exercises with `compile` instead of cargo.
    pub fn with_compile(mut self, compile: Box<Compile>) -> Self {
        self.compile = Some(compile);
        self
    }

    /// Runs only `tests` (per exercise and mode), whatever else the executable holds; a test
    /// missing from the executable fails.
    pub fn with_expected_tests(mut self, tests: HashMap<(String, BuildMode), Vec<String>>) -> Self {
        self.expected_tests = tests;
        self
    }

    /// Rebuilds each exercise with the rustc command cargo used for it the first time, instead
    /// of running cargo again: for watch mode, where every save rebuilds.
    pub fn with_fast_rebuilds(mut self) -> Self {
        self.rustc_cache = Some(RustcCache::default());
        self
    }

    /// Makes the next builds go through cargo, which notices changes the remembered rustc
    /// commands cannot (an updated kit or manifest).
    pub fn forget_fast_rebuilds(&self) {
        if let Some(cache) = &self.rustc_cache {
            cache.clear();
        }
    }

    /// Builds every exercise in `exercises` in two cargo runs (plain and loom) instead of two each.
    pub fn prebuild(&self, exercises: &[Exercise], cancel: &Cancel) -> Result<Outcome<Prebuilt>> {
        self.prebuild_reporting(exercises, cancel, &mut |_| {})
    }

    /// [`Runner::prebuild`], telling `on_progress` how the builds go.
    pub fn prebuild_reporting(
        &self,
        exercises: &[Exercise],
        cancel: &Cancel,
        on_progress: &mut dyn FnMut(&str),
    ) -> Result<Outcome<Prebuilt>> {
        // Cargo refuses to build any binary of a package when one named has no file.
        let present: Vec<&Exercise> =
            exercises.iter().filter(|e| self.missing_file(e).is_none()).collect();
        let all: Vec<&str> = present.iter().map(|e| e.name.as_str()).collect();
        let with_loom: Vec<&str> =
            present.iter().filter(|e| e.loom).map(|e| e.name.as_str()).collect();
        let plain = finished!(self.build(&all, BuildMode::Plain, cancel, &mut |line| {
            on_progress(&format!("exercises: {line}"))
        })?);
        let mut loom_progress = |line: &str| on_progress(&format!("loom models: {line}"));
        let loom = match with_loom.is_empty() {
            true => Builds::default(),
            false => {
                finished!(self.build(&with_loom, BuildMode::Loom, cancel, &mut loom_progress)?)
            }
        };
        Ok(Outcome::Finished(Prebuilt { plain, loom }))
    }

    fn build(
        &self,
        bins: &[&str],
        mode: BuildMode,
        cancel: &Cancel,
        on_progress: &mut dyn FnMut(&str),
    ) -> Result<Outcome<Builds>> {
        let capture = self.rustc_cache.as_ref().filter(|_| bins.len() == 1);
        build(&self.settings, self.source, bins, mode, cancel, capture, on_progress)
    }

    /// The executable for one exercise: prebuilt, or built now.
    pub(super) fn executable(
        &self,
        exercise: &Exercise,
        mode: BuildMode,
        prebuilt: Option<&Prebuilt>,
        cancel: &Cancel,
        on_progress: &mut dyn FnMut(&str),
    ) -> Result<Outcome<Built>> {
        if let Some(built) = prebuilt.and_then(|prebuilt| prebuilt.get(exercise, mode)) {
            return Ok(Outcome::Finished(built));
        }
        if let Some(compile) = &self.compile {
            return compile(exercise, mode, cancel);
        }
        if let Some(cache) = &self.rustc_cache {
            let key = (self.source, exercise.name.clone(), mode);
            if let Rebuilt::Built(built) = finished!(rebuild(&self.settings, cache, key, cancel)?) {
                return Ok(Outcome::Finished(built));
            }
        }
        let builds = finished!(self.build(&[exercise.name.as_str()], mode, cancel, on_progress)?);
        let built = builds.get(&exercise.name).cloned();
        Ok(Outcome::Finished(built.context("cargo reported nothing on the exercise")?))
    }

    /// Runs the tests of `executable`, timing the step from `started`.
    pub(super) fn test_step(
        &self,
        exercise: &Exercise,
        executable: &Path,
        mode: BuildMode,
        limits: &Limits,
        cancel: &Cancel,
        started: Instant,
    ) -> Result<Outcome<StepReport>> {
        let place = TestPlace {
            executable,
            mode,
            limits,
            host: TestHost {
                scratch: &self.settings.scratch,
                work_dir: &self.settings.root,
                sandbox: self.sandbox.as_ref(),
            },
            jobs: self.jobs,
            started,
        };
        let expected = self.expected_tests.get(&(exercise.name.clone(), mode)).map(Vec::as_slice);
        run_tests(&place, expected, cancel)
    }

    /// Why the exercise's file cannot be built, when it does not exist.
    pub(super) fn missing_file(&self, exercise: &Exercise) -> Option<String> {
        let path = exercise.path(self.source);
        if self.settings.root.join(&path).is_file() {
            return None;
        }
        let reset = crate::invocation::command(&format!("reset {}", exercise.name));
        Some(match self.source {
            Source::Exercises => format!("{} is missing; `{reset}` restores it", path.display()),
            Source::Solutions => format!("{} is missing", path.display()),
        })
    }
}
