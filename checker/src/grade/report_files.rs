//! The report files of `grade`, rewritten as each submission finishes, so that whatever stops the
//! grader, every submission graded before it keeps its report.

use super::grade_report::SubmissionGrade;
use crate::info::{InputError, Workbook};
use anyhow::{Context, Result};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};

/// Where `grade` writes its reports, from the command line.
#[derive(Debug, Default)]
pub struct Outputs {
    pub json: Option<PathBuf>,
    pub junit: Option<PathBuf>,
    pub csv: Option<PathBuf>,
    pub html: Option<PathBuf>,
}

/// The class's grades so far, in the order the submissions were given, and their files.
pub struct ReportFiles<'a> {
    outputs: &'a Outputs,
    workbook: &'a Workbook,
    grades: Mutex<Vec<Option<SubmissionGrade>>>,
}

impl<'a> ReportFiles<'a> {
    /// Writes empty reports at once, so a path that cannot be written is an error before any
    /// grading rather than after it.
    pub fn create(outputs: &'a Outputs, workbook: &'a Workbook, class_size: usize) -> Result<Self> {
        for path in
            [&outputs.json, &outputs.junit, &outputs.csv, &outputs.html].into_iter().flatten()
        {
            let folder =
                path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
            if !folder.is_dir() {
                return Err(InputError::new(format!(
                    "{}: the folder {} does not exist; create it or write the report elsewhere",
                    path.display(),
                    folder.display()
                ))
                .into());
            }
        }
        let files = ReportFiles { outputs, workbook, grades: Mutex::new(vec![None; class_size]) };
        files.write(&[])?;
        Ok(files)
    }

    /// Records the grade of submission `index` and rewrites every report.
    pub fn record(&self, index: usize, grade: SubmissionGrade) -> Result<()> {
        let mut grades = self.grades.lock().unwrap_or_else(PoisonError::into_inner);
        grades[index] = Some(grade);
        let finished: Vec<SubmissionGrade> = grades.iter().flatten().cloned().collect();
        self.write(&finished)
    }

    /// Every grade, once all are recorded, after saying where the reports are.
    pub fn into_grades_announced(self) -> Vec<SubmissionGrade> {
        for path in [&self.outputs.json, &self.outputs.junit, &self.outputs.csv, &self.outputs.html]
            .into_iter()
            .flatten()
        {
            eprintln!("Wrote {}.", path.display());
        }
        let grades = self.grades.into_inner().unwrap_or_else(PoisonError::into_inner);
        grades.into_iter().flatten().collect()
    }

    fn write(&self, grades: &[SubmissionGrade]) -> Result<()> {
        if let Some(path) = &self.outputs.json {
            replace(path, &super::json::report(grades)?)?;
        }
        if let Some(path) = &self.outputs.junit {
            replace(path, &super::junit::report(grades))?;
        }
        if let Some(path) = &self.outputs.csv {
            replace(path, &super::csv::report(self.workbook, grades))?;
        }
        if let Some(path) = &self.outputs.html {
            replace(path, &super::html::report(grades))?;
        }
        Ok(())
    }
}

/// Replaces the file whole, by renaming a finished copy over it: a reader, or a grader stopped
/// mid-write, never sees half a report.
fn replace(path: &Path, text: &str) -> Result<()> {
    let folder = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let mut file = tempfile::NamedTempFile::new_in(folder)
        .with_context(|| format!("failed to write {}", path.display()))?;
    std::io::Write::write_all(&mut file, text.as_bytes())
        .with_context(|| format!("failed to write {}", path.display()))?;
    // A temporary file is private; a report is read by others (an LMS import, a CI artifact).
    let readable = std::os::unix::fs::PermissionsExt::from_mode(0o644);
    file.as_file().set_permissions(readable).context("failed to set a report's permissions")?;
    file.persist(path).with_context(|| format!("failed to write {}", path.display()))?;
    Ok(())
}
