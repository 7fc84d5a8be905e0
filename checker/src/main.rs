//! `workbook`: the learner's and the instructor's tool for the concurrency workbook.

mod bounded_pool;
mod cli;
mod commands;
mod dev;
mod grade;
mod info;
mod invocation;
mod process;
mod progress;
mod report;
mod restore;
mod run;
mod watch;

use clap::{CommandFactory, FromArgMatches};
use std::process::ExitCode;

/// The exit code for bad input: a malformed file, an unknown exercise.
const BAD_INPUT: u8 = 2;

fn main() -> ExitCode {
    let args = invocation::take_marker(std::env::args_os().collect());
    let matches = cli::Cli::command().bin_name(invocation::program()).get_matches_from(args);
    let cli = cli::Cli::from_arg_matches(&matches).unwrap_or_else(|error| error.exit());
    report::style::configure();
    // Children run in process groups of their own, which the terminal's Ctrl-C does not reach:
    // end them, and give the terminal back, on Ctrl-C, SIGTERM, SIGHUP and panics alike.
    let _ = ctrlc::set_handler(|| {
        process::end_all();
        watch::restore_terminal();
        std::process::exit(130);
    });
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        process::end_all();
        watch::restore_terminal();
        default_hook(info);
    }));
    match commands::dispatch(cli) {
        Ok(code) => code,
        Err(error) => {
            process::end_all();
            if let Some(input) = error.downcast_ref::<info::InputError>() {
                eprintln!("{} {input}", report::style::error_label());
                return ExitCode::from(BAD_INPUT);
            }
            eprintln!("{} {error:#}", report::style::error_label());
            ExitCode::FAILURE
        }
    }
}
