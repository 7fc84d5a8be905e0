//! One module per command; `dispatch` picks one.

mod check;
mod hint;
mod list;
mod reset;
mod run;

use crate::cli::{Cli, Command, DevCommand};
use crate::info::Workbook;
use anyhow::{Context, Result};
use std::process::ExitCode;

pub fn dispatch(cli: Cli) -> Result<ExitCode> {
    // Every command but `completions` works on the workbook around the current folder.
    let workbook = || -> Result<Workbook> {
        let here = std::env::current_dir().context("failed to read the current folder")?;
        Workbook::discover(&here)
    };
    match cli.command {
        None => crate::watch::watch(&workbook()?, false),
        Some(Command::Watch { poll }) => crate::watch::watch(&workbook()?, poll),
        Some(Command::List) => list::list(&workbook()?),
        Some(Command::Run { name }) => run::run(&workbook()?, name.as_deref()),
        Some(Command::Hint { name, more }) => hint::hint(&workbook()?, name.as_deref(), more),
        Some(Command::Check { json, solutions }) => check::check(&workbook()?, json, solutions),
        Some(Command::Reset { name }) => reset::reset(&workbook()?, &name),
        Some(Command::Grade {
            submissions,
            json,
            junit,
            csv,
            html,
            jobs,
            budget,
            build_limit,
            no_sandbox,
        }) => {
            let outputs = crate::grade::Outputs { json, junit, csv, html };
            let limits = crate::grade::GradeLimits {
                jobs: crate::bounded_pool::jobs(jobs),
                budget: std::time::Duration::from_secs(budget),
                build_cpu: std::time::Duration::from_secs(build_limit),
                without_sandbox: no_sandbox,
            };
            crate::grade::grade(&workbook()?, &submissions, &outputs, limits)
        }
        Some(Command::Dev(DevCommand::Check { json, jobs, only })) => {
            let jobs = crate::bounded_pool::jobs(jobs);
            crate::dev::dev_check(&workbook()?, &crate::dev::DevCheckOptions { json, jobs, only })
        }
        Some(Command::Dev(DevCommand::New { name, dir, loom })) => {
            crate::dev::new_exercise(&workbook()?, &name, &dir, loom)
        }
        Some(Command::Completions { shell }) => {
            // For the installed binary, the one a shell completes.
            let mut command = <Cli as clap::CommandFactory>::command();
            clap_complete::generate(shell, &mut command, "workbook", &mut std::io::stdout());
            Ok(ExitCode::SUCCESS)
        }
    }
}
