//! `--junit`: one `<testsuite>` per submission, one `<testcase>` per exercise, for CI systems
//! and LMS importers that read JUnit XML.

use super::grade_report::SubmissionGrade;
use super::markup::escape;
use std::fmt::Write;

pub fn report(grades: &[SubmissionGrade]) -> String {
    let mut xml = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n");
    for grade in grades {
        let failures = grade.exercises.iter().filter(|e| !e.passed()).count();
        let _ = writeln!(
            xml,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{failures}\" errors=\"{}\">",
            escape(&grade.name),
            grade.exercises.len(),
            usize::from(grade.error.is_some())
        );
        let _ = writeln!(
            xml,
            "    <properties><property name=\"score\" value=\"{}\"/><property name=\"max_score\" value=\"{}\"/></properties>",
            grade.score(),
            grade.max_score()
        );
        for exercise in &grade.exercises {
            let seconds: f64 = exercise
                .outcome
                .as_ref()
                .map_or(0.0, |report| report.steps.iter().map(|s| s.duration.as_secs_f64()).sum());
            let _ = write!(
                xml,
                "    <testcase classname=\"{}\" name=\"{}\" time=\"{seconds:.3}\"",
                escape(&grade.name),
                escape(&exercise.name)
            );
            match exercise.failure() {
                None => xml.push_str("/>\n"),
                Some(why) => {
                    let _ = writeln!(
                        xml,
                        ">\n      <failure message=\"{}\">{}</failure>\n    </testcase>",
                        escape(&why),
                        escape(&exercise.details())
                    );
                }
            }
        }
        xml.push_str("  </testsuite>\n");
    }
    xml.push_str("</testsuites>\n");
    xml
}
