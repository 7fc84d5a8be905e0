use crate::info::Workbook;
use crate::progress::Progress;
use crate::restore::restore_stub;
use anyhow::Result;
use std::process::ExitCode;

/// `workbook reset NAME`: puts the original stub back, after saving the learner's file.
pub fn reset(workbook: &Workbook, name: &str) -> Result<ExitCode> {
    let exercise = workbook.find(name)?;
    let progress = Progress::load(workbook)?;
    println!("{}", restore_stub(workbook, &progress, exercise)?);
    Ok(ExitCode::SUCCESS)
}
