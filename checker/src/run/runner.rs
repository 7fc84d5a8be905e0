use super::build::{BuildMode, BuildSettings, Builds, Built, RustcCache, build, rebuild};
use super::test_process::TestHost;
use super::test_step::{TestPlace, run_tests};
use super::{ExerciseReport, Limits, Status, StepName, StepReport};
use crate::info::{Exercise, FailureKind, Source};
use crate::process::{Cancel, Sandbox};
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

/// Runs exercises' steps: compile, tests, loom models.
pub struct Runner {
    settings: BuildSettings,
    source: Source,
    jobs: usize,
    /// Set in watch mode, where one exercise is rebuilt again and again.
    rustc_cache: Option<RustcCache>,
    /// Set in grading, which compiles each exercise file itself.
    compile: Option<Box<Compile>>,
    /// Per exercise and build mode, the only tests to run (grading runs the instructor's).
    expected_tests: HashMap<(String, BuildMode), Vec<String>>,
    /// Set in grading: tests run in it.
    sandbox: Option<Sandbox>,
}

/// Builds one exercise in one mode; `None` when cancelled.
pub type Compile = dyn Fn(&Exercise, BuildMode, &Cancel) -> Result<Option<Built>> + Send + Sync;

impl Runner {
    /// Builds go to `target/workbook`, apart from the `target/debug` of an editor's cargo check,
    /// so the two never wait for each other's lock.
    pub fn new(root: &Path, source: Source, color: bool) -> Result<Self> {
        let target_dir = root.join("target").join("workbook");
        let scratch = target_dir.join("logs");
        std::fs::create_dir_all(&scratch)
            .with_context(|| format!("failed to create {}", scratch.display()))?;
        let jobs = crate::bounded_pool::default_jobs();
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
    pub fn prebuild(&self, exercises: &[Exercise], cancel: &Cancel) -> Result<Option<Prebuilt>> {
        self.prebuild_reporting(exercises, cancel, &mut |_| {})
    }

    /// [`Runner::prebuild`], telling `on_progress` how the builds go.
    pub fn prebuild_reporting(
        &self,
        exercises: &[Exercise],
        cancel: &Cancel,
        on_progress: &mut dyn FnMut(&str),
    ) -> Result<Option<Prebuilt>> {
        // Cargo refuses to build any binary of a package when one named has no file.
        let present: Vec<&Exercise> =
            exercises.iter().filter(|e| self.missing_file(e).is_none()).collect();
        let all: Vec<&str> = present.iter().map(|e| e.name.as_str()).collect();
        let with_loom: Vec<&str> =
            present.iter().filter(|e| e.loom).map(|e| e.name.as_str()).collect();
        let Some(plain) = self.build(&all, BuildMode::Plain, cancel, &mut |line| {
            on_progress(&format!("exercises: {line}"))
        })?
        else {
            return Ok(None);
        };
        let mut loom_progress = |line: &str| on_progress(&format!("loom models: {line}"));
        let loom = match with_loom.is_empty() {
            true => Builds::default(),
            false => match self.build(&with_loom, BuildMode::Loom, cancel, &mut loom_progress)? {
                Some(loom) => loom,
                None => return Ok(None),
            },
        };
        Ok(Some(Prebuilt { plain, loom }))
    }

    fn build(
        &self,
        bins: &[&str],
        mode: BuildMode,
        cancel: &Cancel,
        on_progress: &mut dyn FnMut(&str),
    ) -> Result<Option<Builds>> {
        let capture = self.rustc_cache.as_ref().filter(|_| bins.len() == 1);
        build(&self.settings, self.source, bins, mode, cancel, capture, on_progress)
    }

    /// The executable for one exercise: prebuilt, or built now. `None` when cancelled.
    fn executable(
        &self,
        exercise: &Exercise,
        mode: BuildMode,
        prebuilt: Option<&Prebuilt>,
        cancel: &Cancel,
        on_progress: &mut dyn FnMut(&str),
    ) -> Result<Option<Built>> {
        let from = |builds: &Builds| builds.get(&exercise.name).cloned();
        let prebuilt = prebuilt.and_then(|p| match mode {
            BuildMode::Plain => from(&p.plain),
            BuildMode::Loom => from(&p.loom),
        });
        if prebuilt.is_some() {
            return Ok(prebuilt);
        }
        if let Some(compile) = &self.compile {
            return compile(exercise, mode, cancel);
        }
        if let Some(cache) = &self.rustc_cache {
            let key = (self.source, exercise.name.clone(), mode);
            match rebuild(&self.settings, cache, key, cancel)? {
                None => return Ok(None),
                Some(Some(built)) => return Ok(Some(built)),
                Some(None) => {}
            }
        }
        let built = self.build(&[exercise.name.as_str()], mode, cancel, on_progress)?;
        Ok(built.as_ref().and_then(from))
    }

    /// Runs every step of `exercise`, reporting each as it starts and finishes. Cancelling
    /// `cancel` stops it at once, with every process it started.
    pub fn run(
        &self,
        exercise: &Exercise,
        prebuilt: Option<&Prebuilt>,
        cancel: &Cancel,
        on_event: &mut dyn FnMut(Event<'_>),
    ) -> Result<ExerciseReport> {
        let limits = self.settings.limits.with_test_time(exercise.timeout);
        let mut steps = Steps { done: Vec::new(), on_event };

        steps.start(StepName::Compile);
        let started = Instant::now();
        if let Some(missing) = self.missing_file(exercise) {
            steps.finish(StepReport::failed(
                StepName::Compile,
                FailureKind::Compile,
                missing,
                started.elapsed(),
            ));
            return Ok(ExerciseReport::after_failed_compile(exercise, steps.done));
        }
        let mut compile_progress = |line: &str| steps.progress(StepName::Compile, line);
        let executable = match self.executable(
            exercise,
            BuildMode::Plain,
            prebuilt,
            cancel,
            &mut compile_progress,
        )? {
            None => return Ok(ExerciseReport::cancelled(exercise, steps.done)),
            Some(Built::Failed(diagnostics)) => {
                let elapsed = started.elapsed();
                steps.finish(StepReport::failed(
                    StepName::Compile,
                    FailureKind::Compile,
                    diagnostics,
                    elapsed,
                ));
                return Ok(ExerciseReport::after_failed_compile(exercise, steps.done));
            }
            Some(Built::Executable(path)) => path,
        };
        steps.finish(StepReport {
            name: StepName::Compile,
            status: Status::Passed,
            failure_kind: None,
            message: None,
            duration: started.elapsed(),
            tests: Vec::new(),
        });

        steps.start(StepName::Tests);
        let started = Instant::now();
        steps.finish(self.test_step(
            exercise,
            &executable,
            BuildMode::Plain,
            &limits,
            cancel,
            started,
        )?);
        if cancel.is_cancelled() {
            return Ok(ExerciseReport::cancelled(exercise, steps.done));
        }

        if exercise.loom {
            steps.start(StepName::Loom);
            let started = Instant::now();
            let mut loom_progress = |line: &str| steps.progress(StepName::Loom, line);
            let built =
                self.executable(exercise, BuildMode::Loom, prebuilt, cancel, &mut loom_progress)?;
            let step = match built {
                None => return Ok(ExerciseReport::cancelled(exercise, steps.done)),
                Some(Built::Failed(diagnostics)) => StepReport::failed(
                    StepName::Loom,
                    FailureKind::Compile,
                    format!("the loom build failed:\n{diagnostics}"),
                    started.elapsed(),
                ),
                Some(Built::Executable(path)) => {
                    steps.progress(StepName::Loom, "built; exploring the interleavings");
                    self.test_step(exercise, &path, BuildMode::Loom, &limits, cancel, started)?
                }
            };
            steps.finish(step);
        }
        if cancel.is_cancelled() {
            return Ok(ExerciseReport::cancelled(exercise, steps.done));
        }
        Ok(ExerciseReport { name: exercise.name.clone(), steps: steps.done })
    }

    /// Runs the tests of `executable`, timing the step from `started`.
    fn test_step(
        &self,
        exercise: &Exercise,
        executable: &Path,
        mode: BuildMode,
        limits: &Limits,
        cancel: &Cancel,
        started: Instant,
    ) -> Result<StepReport> {
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
    fn missing_file(&self, exercise: &Exercise) -> Option<String> {
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

/// The steps run so far, announced as they start and finish.
struct Steps<'a> {
    done: Vec<StepReport>,
    on_event: &'a mut dyn FnMut(Event<'_>),
}

impl Steps<'_> {
    fn start(&mut self, step: StepName) {
        (self.on_event)(Event::Started(step));
    }

    fn progress(&mut self, step: StepName, line: &str) {
        (self.on_event)(Event::Progress(step, line));
    }

    fn finish(&mut self, step: StepReport) {
        self.done.push(step);
        let last = self.done.last().expect("just pushed");
        (self.on_event)(Event::Finished(last));
    }
}
