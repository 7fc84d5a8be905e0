//! `workbook`: the learner's and the instructor's tool for the concurrency workbook.

mod cli;
mod commands;
mod info;
mod process;
mod progress;
mod report;
mod run;

use clap::Parser;
use std::process::ExitCode;

/// The exit code for bad input: a malformed file, an unknown exercise.
const BAD_INPUT: u8 = 2;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    report::style::configure();
    // Children run in process groups of their own, which the terminal's Ctrl-C does not reach:
    // end them before going.
    let _ = ctrlc::set_handler(|| {
        process::end_all();
        let _ = console::Term::stderr().show_cursor();
        std::process::exit(130);
    });
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
