use crate::info::Workbook;
use crate::progress::Progress;
use crate::report::style;
use anyhow::Result;
use std::process::ExitCode;

pub fn hint(workbook: &Workbook, name: Option<&str>, more: bool) -> Result<ExitCode> {
    let exercise = match name {
        Some(name) => workbook.find(name)?,
        None => Progress::load(workbook)?.current(workbook),
    };
    println!("{} {}\n{}", style::heading("Hint for"), exercise.name, exercise.hint.trim_end());
    match (&exercise.stronger_hint, more) {
        (Some(stronger), true) => {
            println!("\n{}\n{}", style::heading("Stronger hint"), stronger.trim_end())
        }
        (Some(_), false) => println!(
            "\n{}",
            style::dim(&format!(
                "Still stuck? `{}`",
                crate::invocation::command(&format!("hint {} --more", exercise.name))
            ))
        ),
        (None, _) => {}
    }
    Ok(ExitCode::SUCCESS)
}
