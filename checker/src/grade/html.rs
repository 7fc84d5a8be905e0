//! `--html`: one self-contained page for the class (no script, no network): the score
//! distribution as a chart, each exercise's pass rate and failure kinds, and a row per learner
//! whose failing cells link to the failing step's message further down the page.

use super::grade_report::{ExerciseGrade, SubmissionGrade, Unrunnable};
use super::markup::escape;
use std::collections::BTreeMap;
use std::fmt::Write;

/// At most this many bars in the score chart; larger scales are grouped into ranges.
const MAX_BARS: u32 = 12;

const STYLE: &str = "
body { font: 14px/1.4 system-ui, sans-serif; margin: 2em; color: #222; }
h1 { font-size: 1.5em; } h2 { font-size: 1.2em; margin-top: 2em; }
table { border-collapse: collapse; } td, th { padding: 3px 8px; border-bottom: 1px solid #ddd; }
th { text-align: left; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
.bar { background: #eee; width: 200px; height: 12px; }
.bar > div { background: #2a9d4b; height: 12px; }
.cell { text-align: center; width: 1.6em; padding: 3px 2px; }
.pass { color: #2a9d4b; } .fail a { color: #c0392b; text-decoration: none; font-weight: bold; }
pre { background: #f6f6f6; padding: 8px; overflow-x: auto; max-height: 24em; }
.message { margin: 1em 0; } .message:target { outline: 3px solid #f0b429; }
.kinds { color: #555; }
";

/// The page for `grades`, which all list the same exercises in the same order.
pub fn report(grades: &[SubmissionGrade]) -> String {
    let exercises: Vec<&str> = grades
        .first()
        .map(|grade| grade.exercises.iter().map(|e| e.name.as_str()).collect())
        .unwrap_or_default();
    let mut page =
        String::from("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">");
    let max = grades.first().map_or(0, SubmissionGrade::max_score);
    let _ = write!(
        page,
        "<title>Grades</title><style>{STYLE}</style></head><body>\n<h1>Grades: {} \
         submission{}, {} exercises, {max} points</h1>\n",
        grades.len(),
        if grades.len() == 1 { "" } else { "s" },
        exercises.len()
    );
    page.push_str("<h2>Score distribution</h2>\n");
    page.push_str(&score_chart(grades, max));
    page.push_str(&exercise_table(&exercises, grades));
    page.push_str(&learner_table(&exercises, grades));
    page.push_str(&messages(grades));
    page.push_str("</body></html>\n");
    page
}

/// An SVG bar chart of how many submissions scored in each range.
fn score_chart(grades: &[SubmissionGrade], max: u32) -> String {
    let width = (max + 1).div_ceil(MAX_BARS).max(1);
    let bars = (max + 1).div_ceil(width);
    let mut counts = vec![0usize; bars as usize];
    for grade in grades {
        counts[(grade.score().min(max) / width) as usize] += 1;
    }
    let tallest = counts.iter().copied().max().unwrap_or(0).max(1);
    let (bar_width, height) = (48, 160);
    let mut svg = format!(
        "<svg role=\"img\" aria-label=\"score distribution\" width=\"{}\" height=\"{}\" \
         xmlns=\"http://www.w3.org/2000/svg\" font-size=\"12\">\n",
        bars as usize * bar_width + 10,
        height + 40
    );
    for (index, &count) in counts.iter().enumerate() {
        let x = index * bar_width + 5;
        let bar = count * height / tallest;
        let low = index as u32 * width;
        let label = match width {
            1 => low.to_string(),
            _ => format!("{low}-{}", (low + width - 1).min(max)),
        };
        let _ = write!(
            svg,
            "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{bar}\" fill=\"#3b7dd8\"><title>{count} \
             scored {label}</title></rect>\n<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{count}\
             </text>\n<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{label}</text>\n",
            x + 4,
            height + 15 - bar,
            bar_width - 8,
            x + bar_width / 2,
            height + 11 - bar,
            x + bar_width / 2,
            height + 32,
        );
    }
    let _ = write!(
        svg,
        "<line x1=\"0\" x2=\"{}\" y1=\"{}\" y2=\"{}\" stroke=\"#888\"/>\n</svg>\n",
        bars as usize * bar_width + 10,
        height + 16,
        height + 16
    );
    svg
}

/// How an exercise failed, for counting: its failure kinds, or why it was not run.
fn failure_kinds(exercise: &ExerciseGrade) -> Vec<String> {
    match &exercise.outcome {
        Ok(report) => report.failure_kinds().iter().map(|k| k.as_str().to_owned()).collect(),
        Err(Unrunnable::Missing) => vec!["missing".to_owned()],
        Err(Unrunnable::Rejected(_)) => vec!["rejected".to_owned()],
        Err(Unrunnable::OverBudget(_)) => vec!["not run (over budget)".to_owned()],
        Err(Unrunnable::HeldForReview(_)) => vec!["held for review".to_owned()],
    }
}

fn exercise_table(exercises: &[&str], grades: &[SubmissionGrade]) -> String {
    let mut table = String::from(
        "<h2>Exercises</h2>\n<table><tr><th>#</th><th>exercise</th><th>pass rate</th><th></th>\
         <th>failure kinds</th></tr>\n",
    );
    for (index, exercise) in exercises.iter().enumerate() {
        let graded: Vec<&ExerciseGrade> =
            grades.iter().filter_map(|g| g.exercises.get(index)).collect();
        let passed = graded.iter().filter(|e| e.passed()).count();
        let percent = (passed * 100).checked_div(graded.len()).unwrap_or(0);
        let mut kinds: BTreeMap<String, usize> = BTreeMap::new();
        for failed in graded.iter().filter(|e| !e.passed()) {
            for kind in failure_kinds(failed) {
                *kinds.entry(kind).or_default() += 1;
            }
        }
        let kinds: Vec<String> = kinds.iter().map(|(kind, n)| format!("{kind} ×{n}")).collect();
        let _ = writeln!(
            table,
            "<tr><td class=\"num\">{}</td><td>{}</td><td><div class=\"bar\"><div style=\"width: \
             {percent}%\"></div></div></td><td class=\"num\">{passed}/{} ({percent}%)</td><td \
             class=\"kinds\">{}</td></tr>",
            index + 1,
            escape(exercise),
            graded.len(),
            escape(&kinds.join(", "))
        );
    }
    table.push_str("</table>\n");
    table
}

fn learner_table(exercises: &[&str], grades: &[SubmissionGrade]) -> String {
    let mut table = String::from(
        "<h2>Learners</h2>\n<p>✓ passed; ✗ links to why it failed. Column numbers are the \
         exercises' above.</p>\n<table><tr><th>submission</th><th>points</th><th>passed</th>",
    );
    for (index, exercise) in exercises.iter().enumerate() {
        let _ =
            write!(table, "<th class=\"cell\" title=\"{}\">{}</th>", escape(exercise), index + 1);
    }
    table.push_str("</tr>\n");
    for (learner, grade) in grades.iter().enumerate() {
        let _ = write!(
            table,
            "<tr><td>{}</td><td class=\"num\">{}/{}</td><td class=\"num\">{}/{}</td>",
            escape(&grade.name),
            grade.score(),
            grade.max_score(),
            grade.passed(),
            grade.exercises.len()
        );
        for exercise in &grade.exercises {
            let cell = match exercise.passed() {
                true => format!(
                    "<td class=\"cell pass\" title=\"{}: passed\">✓</td>",
                    escape(&exercise.name)
                ),
                false => format!(
                    "<td class=\"cell fail\"><a href=\"#{}\" title=\"{}: {}\">✗</a></td>",
                    anchor(learner, &exercise.name),
                    escape(&exercise.name),
                    escape(&exercise.failure().unwrap_or_default())
                ),
            };
            table.push_str(&cell);
        }
        table.push_str("</tr>\n");
    }
    table.push_str("</table>\n");
    table
}

/// Every failing exercise's message, each under the anchor its cell links to.
fn messages(grades: &[SubmissionGrade]) -> String {
    let mut text = String::from("<h2>Why they failed</h2>\n");
    for (learner, grade) in grades.iter().enumerate() {
        if let Some(error) = &grade.error {
            let _ = writeln!(text, "<p>{}: {}</p>", escape(&grade.name), escape(error));
        }
        for exercise in grade.exercises.iter().filter(|e| !e.passed()) {
            let _ = writeln!(
                text,
                "<div class=\"message\" id=\"{}\"><h3>{}: {} ({})</h3><pre>{}</pre></div>",
                anchor(learner, &exercise.name),
                escape(&grade.name),
                escape(&exercise.name),
                escape(&exercise.failure().unwrap_or_default()),
                escape(&exercise.details())
            );
        }
    }
    text
}

/// The id of one learner's message for one exercise: submission names may hold any character.
fn anchor(learner: usize, exercise: &str) -> String {
    format!("s{learner}-{exercise}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::info::FailureKind;
    use crate::run::{ExerciseReport, StepName, StepReport};
    use std::time::Duration;

    fn exercise(name: &str, outcome: Result<ExerciseReport, Unrunnable>) -> ExerciseGrade {
        let passed = outcome.as_ref().is_ok_and(ExerciseReport::passed);
        ExerciseGrade {
            name: name.to_owned(),
            points: if passed { 2 } else { 0 },
            max_points: 2,
            notes: Vec::new(),
            outcome,
        }
    }

    fn hang(name: &str) -> Result<ExerciseReport, Unrunnable> {
        let message = "the receive loop at <x.rs:3> waited 2s & no message came".to_owned();
        let step = StepReport::failed(StepName::Tests, FailureKind::Hang, message, Duration::ZERO);
        Ok(ExerciseReport { name: name.to_owned(), steps: vec![step] })
    }

    /// A class of two: one solved everything, one (with markup in its name) hangs and misses one.
    fn class() -> Vec<SubmissionGrade> {
        let passed = |name: &str| Ok(ExerciseReport { name: name.to_owned(), steps: Vec::new() });
        let learner = |name: &str, exercises| SubmissionGrade {
            name: name.to_owned(),
            path: name.into(),
            exercises,
            notes: Vec::new(),
            error: None,
        };
        vec![
            learner("ada", vec![exercise("a", passed("a")), exercise("b", passed("b"))]),
            learner(
                "<bob>",
                vec![exercise("a", hang("a")), exercise("b", Err(Unrunnable::Missing))],
            ),
        ]
    }

    #[test]
    fn every_failing_cell_links_to_its_message_and_text_is_escaped() {
        let page = report(&class());
        assert!(page.contains("&lt;bob&gt;") && !page.contains("<bob>"), "{page}");
        assert!(page.contains("waited 2s &amp; no message came"), "{page}");
        let links: Vec<&str> =
            page.split("href=\"#").skip(1).map(|s| &s[..s.find('"').unwrap()]).collect();
        assert_eq!(links, ["s1-a", "s1-b"]);
        for link in links {
            assert!(page.contains(&format!("id=\"{link}\"")), "no message for {link}");
        }
        assert!(
            page.contains("1/2 (50%)") && page.contains("hang ×1") && page.contains("missing ×1")
        );
        // Self-contained: the one address is the SVG namespace, which is never fetched.
        assert_eq!(page.matches("http").count(), 1, "{page}");
    }

    #[test]
    fn the_chart_has_a_bar_per_score_with_its_count() {
        let chart = score_chart(&class(), 4);
        assert_eq!(chart.matches("<rect").count(), 5, "{chart}");
        assert!(chart.contains("1 scored 0</title>") && chart.contains("1 scored 4</title>"));
        assert!(chart.contains("0 scored 2</title>"));
    }
}
