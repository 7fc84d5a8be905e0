use super::build::{BuildMode, BuildSettings, Builds, Built, RustcCache, build, rebuild};
use super::test_process::{list_tests, run_test};
use super::verdict::judge;
use super::{ExerciseReport, Limits, Status, StepName, StepReport};
use crate::info::{Exercise, FailureKind, Source};
use crate::process::Cancel;
use anyhow::{Context, Result};
use std::path::{Path, PathBuf};
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
#[derive(Debug)]
pub struct Runner {
    settings: BuildSettings,
    source: Source,
    jobs: usize,
    /// Set in watch mode, where one exercise is rebuilt again and again.
    rustc_cache: Option<RustcCache>,
}

impl Runner {
    /// Builds go to `target/workbook`, apart from the `target/debug` of an editor's cargo check,
    /// so the two never wait for each other's lock.
    pub fn new(root: &Path, source: Source, color: bool) -> Result<Self> {
        let target_dir = root.join("target").join("workbook");
        let scratch = target_dir.join("logs");
        std::fs::create_dir_all(&scratch)
            .with_context(|| format!("failed to create {}", scratch.display()))?;
        let jobs = std::thread::available_parallelism().map_or(2, |n| n.get());
        Ok(Runner {
            settings: BuildSettings {
                root: root.to_path_buf(),
                package: None,
                target_dir,
                scratch,
                color,
                limits: Limits::default(),
            },
            source,
            jobs,
            rustc_cache: None,
        })
    }

    /// Builds into `dir` instead of the workbook's own `target/workbook`: graded copies share one,
    /// so the kit's dependencies (loom's tree) build once for a whole class.
    pub fn with_target_dir(mut self, dir: PathBuf) -> Result<Self> {
        self.settings.scratch = dir.join("logs");
        std::fs::create_dir_all(&self.settings.scratch)
            .with_context(|| format!("failed to create {}", self.settings.scratch.display()))?;
        self.settings.target_dir = dir;
        Ok(self)
    }

    /// Builds the binaries of the Cargo package `name` (a graded copy renames its package, so
    /// copies sharing a target folder never share artifacts: cargo names a path package's
    /// artifacts by its path relative to the workspace, which every copy has in common).
    pub fn with_package(mut self, name: String) -> Self {
        self.settings.package = Some(name);
        self
    }

    /// Runs at most `jobs` tests of an exercise at once.
    pub fn with_jobs(mut self, jobs: usize) -> Self {
        self.jobs = jobs.max(1);
        self
    }

    /// Runs tests without network access, where the OS allows it: for untrusted code.
    pub fn without_network(mut self) -> Self {
        self.settings.limits.isolate_network = true;
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
        steps.finish(self.run_tests(
            StepName::Tests,
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
                    self.run_tests(
                        StepName::Loom,
                        &path,
                        BuildMode::Loom,
                        &limits,
                        cancel,
                        started,
                    )?
                }
            };
            steps.finish(step);
        }
        if cancel.is_cancelled() {
            return Ok(ExerciseReport::cancelled(exercise, steps.done));
        }
        Ok(ExerciseReport { name: exercise.name.clone(), steps: steps.done })
    }

    /// Lists the executable's tests and runs each in its own process, `jobs` at a time.
    fn run_tests(
        &self,
        step: StepName,
        executable: &Path,
        mode: BuildMode,
        limits: &Limits,
        cancel: &Cancel,
        started: Instant,
    ) -> Result<StepReport> {
        let names = match list_tests(executable, limits, cancel, &self.settings.scratch)? {
            Ok(names) => names,
            Err(listing) => {
                let message = format!("could not list the tests:\n{}", listing.output.trim_end());
                return Ok(StepReport::failed(
                    step,
                    FailureKind::Crash,
                    message,
                    started.elapsed(),
                ));
            }
        };
        if names.is_empty() {
            let module = match mode {
                BuildMode::Plain => "a `tests` module under #[cfg(all(test, not(loom)))]",
                BuildMode::Loom => "a `loom` module under #[cfg(all(test, loom))]",
            };
            let message = format!("no tests found: the exercise needs {module}");
            return Ok(StepReport::failed(step, FailureKind::Crash, message, started.elapsed()));
        }
        let tests = crate::bounded_pool::map(names.len(), self.jobs, |index| {
            let run = run_test(executable, &names[index], limits, cancel, &self.settings.scratch)?;
            Ok(judge(&names[index], &run, mode, limits))
        })?;
        Ok(StepReport::from_tests(step, tests, started.elapsed()))
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
