use clap::{Parser, Subcommand};

/// A graded workbook of concurrency patterns in Rust: fix each exercise's planted bug until its
/// tests and loom models pass.
#[derive(Debug, Parser)]
#[command(name = "workbook", version)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Show the current exercise and rerun it on every save (what bare `workbook` does).
    Watch {
        /// Poll the files instead of waiting for change events, for file systems that send none
        /// (NFS, WSL's /mnt drives).
        #[arg(long)]
        poll: bool,
    },
    /// List the exercises in order, with what is done and the points.
    List,
    /// Run an exercise through all its steps (the current one by default); marks it done when
    /// everything passes.
    Run {
        /// The exercise's name, as `workbook list` shows it.
        name: Option<String>,
    },
    /// Show an exercise's hint (the current one by default).
    Hint {
        /// The exercise's name, as `workbook list` shows it.
        name: Option<String>,
        /// Show the stronger hint too.
        #[arg(long)]
        more: bool,
    },
    /// Run every exercise and summarize, without prompting: for CI, and for an overview.
    Check {
        /// Print a machine-readable report on stdout (progress still goes to stderr).
        #[arg(long)]
        json: bool,
        /// Check the reference solutions instead of the exercises.
        #[arg(long)]
        solutions: bool,
    },
    /// Restore an exercise's original file; your version is backed up first.
    Reset {
        /// The exercise's name.
        name: String,
    },
    /// Grade learners' submissions (copies of this workbook), each in a scratch copy, with the
    /// original tests restored. Runs their code: see "Grading" in the README.
    Grade {
        /// The submissions' folders.
        #[arg(required = true)]
        submissions: Vec<std::path::PathBuf>,
        /// Write a JSON report (Exercism results.json v3 and Gradescope score fields).
        #[arg(long, value_name = "FILE")]
        json: Option<std::path::PathBuf>,
        /// Write a JUnit XML report, one testsuite per submission.
        #[arg(long, value_name = "FILE")]
        junit: Option<std::path::PathBuf>,
        /// Write a CSV gradebook: one row per submission, one column per exercise, and the total.
        #[arg(long, value_name = "FILE")]
        csv: Option<std::path::PathBuf>,
        /// Write one self-contained HTML page for the class: the score distribution, each
        /// exercise's pass rate and failure kinds, and a row per learner.
        #[arg(long, value_name = "FILE")]
        html: Option<std::path::PathBuf>,
        /// How many submissions to grade at once (default: the number of cores).
        #[arg(long)]
        jobs: Option<usize>,
        /// Seconds one submission may take in all; exercises not reached by then are reported
        /// as not run.
        #[arg(long, value_name = "SECONDS", default_value_t = 300)]
        budget: u64,
        /// Seconds of CPU time the compiler may take on one exercise file before that exercise
        /// fails (CPU time, so a loaded machine never fails a build that would pass).
        #[arg(long, value_name = "SECONDS", default_value_t = 60)]
        build_limit: u64,
        /// Build and run the learners' code without the sandbox (bubblewrap). Only where each
        /// submission is graded on a machine thrown away after it, such as a CI job per learner.
        #[arg(long)]
        no_sandbox: bool,
    },
    /// For the workbook's authors: check it, or add an exercise.
    #[command(subcommand)]
    Dev(DevCommand),
    /// Print shell completions for an installed `workbook`, for example
    /// `workbook completions bash > ~/.local/share/bash-completion/completions/workbook`.
    Completions {
        /// The shell to complete in.
        shell: clap_complete::Shell,
    },
}

#[derive(Debug, Subcommand)]
pub enum DevCommand {
    /// Check the whole workbook: info.toml against the files, identical tests, every solution
    /// passing and lint-clean, every untouched stub failing the way it declares, and every fix of
    /// the corpus (fixes/) coming out as it declares. Reports every finding.
    Check {
        /// Print a machine-readable report on stdout (progress still goes to stderr).
        #[arg(long)]
        json: bool,
        /// How many exercises to run at once (default: the number of cores).
        #[arg(long)]
        jobs: Option<usize>,
        /// Check only this exercise: its solution, stub and fixes, without the lints (repeatable).
        #[arg(long, value_name = "NAME")]
        only: Vec<String>,
    },
    /// Scaffold an exercise: stub, solution, and their entries in info.toml and Cargo.toml.
    New {
        /// The exercise's name: lowercase letters, digits and underscores.
        name: String,
        /// The folder under exercises/ and solutions/, for example `t1_threads`.
        #[arg(long)]
        dir: String,
        /// Add a loom model skeleton.
        #[arg(long)]
        loom: bool,
    },
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    /// Every command and every argument a learner can reach says what it is for in `--help`.
    #[test]
    fn every_subcommand_and_argument_is_described() {
        let mut undescribed = Vec::new();
        let mut pending = vec![(String::from("workbook"), Cli::command())];
        while let Some((path, command)) = pending.pop() {
            if command.get_about().is_none() && path != "workbook" {
                undescribed.push(path.clone());
            }
            for argument in command.get_arguments() {
                let builtin = ["help", "version"].contains(&argument.get_id().as_str());
                if argument.get_help().is_none() && !builtin {
                    undescribed.push(format!("{path} {}", argument.get_id()));
                }
            }
            for sub in command.get_subcommands().filter(|sub| sub.get_name() != "help") {
                pending.push((format!("{path} {}", sub.get_name()), sub.clone()));
            }
        }
        assert!(undescribed.is_empty(), "without a description in --help: {undescribed:?}");
    }
}
