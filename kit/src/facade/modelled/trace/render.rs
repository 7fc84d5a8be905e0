//! A failing execution as a table: one column per thread, one operation per row, in the order
//! loom ran them, with the line of each and the switches between threads marked; then the
//! failure, and the source of every line the table names.

use super::recorder::{Event, thread_label};
use crate::trace::Site;
use std::collections::BTreeSet;
use std::fmt::Write;

/// The widest line the table aims for: an 80-100 column terminal.
const WIDTH: usize = 100;
/// A run of one thread's operations longer than this shows its first and last few only.
const LONGEST_RUN: usize = 8;
const RUN_ENDS: usize = 3;
/// Rows kept, counted back from the failure, which is what they explain.
const MOST_ROWS: usize = 60;
/// Lines of source quoted under the table.
const MOST_SOURCE_LINES: usize = 12;
const SWITCH: &str = "»";

enum Row<'a> {
    Op(&'a Event),
    Elided { thread: usize, count: usize },
    Earlier(usize),
}

pub(super) fn columns(events: &[Event], failing: Option<usize>, failure: &str) -> String {
    let threads: Vec<usize> = events
        .iter()
        .map(|event| event.thread)
        .chain(failing)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let column = |thread: usize| threads.iter().position(|&t| t == thread).unwrap_or(0);
    let file = main_file(events);
    let line_of = |site: Option<Site>| match site {
        Some(site) if Some(site.file()) == file => site.line().to_string(),
        Some(site) => format!("{}:{}", base_name(site.file()), site.line()),
        None => String::new(),
    };
    let rows = rows(events);
    let gutter = events.iter().map(|event| line_of(event.site).len()).max().unwrap_or(0).max(4);
    let widest = events.iter().map(|event| event.op.chars().count()).max().unwrap_or(0);
    let room = WIDTH.saturating_sub(gutter + 3 + widest);
    let width = if threads.len() > 1 { (room / (threads.len() - 1)).clamp(14, 40) } else { 40 };
    let indent = |thread: usize| " ".repeat(gutter + 3 + column(thread) * width);

    let mut text = String::new();
    let mut header = format!("{:>gutter$}   ", "line");
    for &thread in &threads {
        let _ = write!(header, "{:<width$}", thread_label(thread));
    }
    text.push_str(header.trim_end());
    text.push('\n');
    let mut previous = None;
    for row in rows {
        match row {
            Row::Op(event) => {
                let switched = previous.is_some_and(|thread| thread != event.thread);
                let mark = if switched { SWITCH } else { " " };
                let line = line_of(event.site);
                let cell = &indent(event.thread)[gutter + 3..];
                let _ = writeln!(text, "{mark}{line:>gutter$}  {cell}{}", event.op);
                previous = Some(event.thread);
            }
            Row::Elided { thread, count } => {
                let _ = writeln!(
                    text,
                    "{}... {count} more of {}",
                    indent(thread),
                    thread_label(thread)
                );
            }
            Row::Earlier(count) => {
                let _ = writeln!(text, "{}... {count} earlier operations", " ".repeat(gutter + 3));
            }
        }
    }
    let who = failing.map(|thread| format!("{}: ", thread_label(thread))).unwrap_or_default();
    let _ = writeln!(text, "✗ {who}{}", failure.trim_end().replace('\n', "\n  "));
    if events.iter().any(|event| event.thread != events[0].thread) {
        let _ = writeln!(text, "({SWITCH} marks where loom switched to another thread)");
    }
    text.push_str(&source_lines(events, file));
    text
}

/// The rows to show: long runs of one thread elided, and only the last rows kept.
fn rows(events: &[Event]) -> Vec<Row<'_>> {
    let mut rows = Vec::new();
    let mut start = 0;
    while start < events.len() {
        let thread = events[start].thread;
        let run = events[start..].iter().take_while(|event| event.thread == thread).count();
        let ops = &events[start..start + run];
        if run > LONGEST_RUN {
            rows.extend(ops[..RUN_ENDS].iter().map(Row::Op));
            rows.push(Row::Elided { thread, count: run - 2 * RUN_ENDS });
            rows.extend(ops[run - RUN_ENDS..].iter().map(Row::Op));
        } else {
            rows.extend(ops.iter().map(Row::Op));
        }
        start += run;
    }
    if rows.len() > MOST_ROWS {
        let earlier = rows.len() - MOST_ROWS;
        let hidden: usize = rows[..earlier]
            .iter()
            .map(|row| match row {
                Row::Op(_) => 1,
                Row::Elided { count, .. } | Row::Earlier(count) => *count,
            })
            .sum();
        rows.drain(..earlier);
        rows.insert(0, Row::Earlier(hidden));
    }
    rows
}

/// The file most operations were called from: the exercise's.
fn main_file(events: &[Event]) -> Option<&'static str> {
    let files: Vec<&str> = events.iter().filter_map(|event| Some(event.site?.file())).collect();
    files.iter().copied().max_by_key(|file| files.iter().filter(|other| *other == file).count())
}

fn base_name(path: &str) -> &str {
    path.rsplit(['/', '\\']).next().unwrap_or(path)
}

/// The source of the lines the table names, read from the exercise's file when it can be found
/// from the test's working directory (the package's folder, or the workspace's).
fn source_lines(events: &[Event], file: Option<&str>) -> String {
    let Some(file) = file else { return String::new() };
    let Some(source) = ["", "../", "../../"]
        .iter()
        .find_map(|up| std::fs::read_to_string(format!("{up}{file}")).ok())
    else {
        return String::new();
    };
    let source: Vec<&str> = source.lines().collect();
    let mut lines = BTreeSet::new();
    for event in events {
        if let Some(site) = event.site.filter(|site| site.file() == file) {
            lines.insert(site.line() as usize);
        }
    }
    let mut text = format!("lines of {file}:\n");
    for line in lines.into_iter().take(MOST_SOURCE_LINES) {
        if let Some(code) = source.get(line.wrapping_sub(1)) {
            let _ = writeln!(text, "{line:>5} | {}", code.trim());
        }
    }
    text
}
