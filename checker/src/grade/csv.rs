//! `--csv`: a gradebook, one row per submission, one column per exercise, then the total.

use super::grade_report::SubmissionGrade;
use crate::info::Workbook;

pub fn report(workbook: &Workbook, grades: &[SubmissionGrade]) -> String {
    let mut header = vec!["submission".to_owned()];
    header.extend(workbook.exercises.iter().map(|e| e.name.clone()));
    header.push("total".to_owned());
    let mut rows = vec![header.iter().map(|cell| field(cell)).collect::<Vec<_>>().join(",")];
    for grade in grades {
        let mut row = vec![field(&grade.name)];
        row.extend(grade.exercises.iter().map(|e| e.points.to_string()));
        row.push(grade.score().to_string());
        rows.push(row.join(","));
    }
    rows.join("\n") + "\n"
}

/// Quotes a field when it holds a comma, a quote or a line break (RFC 4180).
fn field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
}
