//! What a cargo build is doing while it runs, read from its JSON messages as they arrive: a cold
//! build of the kit's dependencies (loom's tree) takes the better part of a minute, and should
//! not look like a hang.

use crate::process::{Exit, ProcessGroup};
use serde::Deserialize;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::Duration;

/// How often the build's messages are read while it runs.
const INTERVAL: Duration = Duration::from_millis(250);

#[derive(Deserialize)]
struct Artifact {
    reason: String,
    target: Option<Target>,
    #[serde(default)]
    fresh: bool,
}

#[derive(Deserialize)]
struct Target {
    name: String,
    kind: Vec<String>,
}

/// Counts what a build has compiled so far, from the messages cargo wrote to its log.
#[derive(Debug, Default)]
struct Tally {
    read: u64,
    pending: Vec<u8>,
    dependencies: usize,
    latest: String,
    built: usize,
}

impl Tally {
    /// Reads the messages added to `log` since the last call; `true` when there were any.
    fn update(&mut self, log: &Path) -> bool {
        let Ok(mut file) = std::fs::File::open(log) else { return false };
        if file.seek(SeekFrom::Start(self.read)).is_err() {
            return false;
        }
        let mut added = Vec::new();
        let Ok(count) = file.read_to_end(&mut added) else { return false };
        self.read += count as u64;
        self.pending.extend_from_slice(&added);
        let Some(end) = self.pending.iter().rposition(|&b| b == b'\n') else { return false };
        let complete: Vec<u8> = self.pending.drain(..=end).collect();
        let mut changed = false;
        for line in String::from_utf8_lossy(&complete).lines() {
            let Ok(artifact) = serde_json::from_str::<Artifact>(line) else { continue };
            let Some(target) = artifact.target.filter(|_| artifact.reason == "compiler-artifact")
            else {
                continue;
            };
            if target.kind.iter().any(|kind| kind == "bin") {
                self.built += 1;
            } else if !artifact.fresh {
                self.dependencies += 1;
                self.latest = target.name;
            }
            changed = true;
        }
        changed
    }

    /// One line on the build so far, for a build of `bins` binaries.
    fn describe(&self, bins: usize) -> Option<String> {
        if self.dependencies > 0 && self.built == 0 {
            return Some(format!(
                "building the kit and its dependencies, once: {} compiled (last: {})",
                self.dependencies, self.latest
            ));
        }
        (bins > 1).then(|| format!("{}/{bins} built", self.built.min(bins)))
    }
}

/// Waits for the cargo build `group`, whose messages go to `log`, for at most `limit`, telling
/// `on_progress` what it has compiled whenever that changes.
pub fn wait_reporting(
    group: ProcessGroup,
    limit: Duration,
    log: &Path,
    bins: usize,
    on_progress: &mut dyn FnMut(&str),
) -> std::io::Result<Exit> {
    let (finished, exit) = mpsc::channel();
    std::thread::spawn(move || finished.send(group.wait(Some(limit))));
    let mut tally = Tally::default();
    loop {
        match exit.recv_timeout(INTERVAL) {
            Ok(exit) => return exit,
            Err(RecvTimeoutError::Timeout) => {
                if tally.update(log)
                    && let Some(line) = tally.describe(bins)
                {
                    on_progress(&line);
                }
            }
            Err(RecvTimeoutError::Disconnected) => {
                return Err(std::io::Error::other("the build's waiting thread ended early"));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DEPENDENCY: &str =
        r#"{"reason":"compiler-artifact","target":{"name":"loom","kind":["lib"]},"fresh":false}"#;
    const UNCHANGED: &str =
        r#"{"reason":"compiler-artifact","target":{"name":"kit","kind":["lib"]},"fresh":true}"#;
    const BIN: &str = r#"{"reason":"compiler-artifact","target":{"name":"thumbnails","kind":["bin"]},"fresh":false}"#;

    #[test]
    fn counts_compiled_dependencies_then_built_binaries_as_lines_arrive() {
        let log = std::env::temp_dir().join(format!("build-progress-{}.json", std::process::id()));
        std::fs::write(&log, format!("{UNCHANGED}\n{DEPENDENCY}\n{{\"reason\":\"compiler-art"))
            .unwrap();
        let mut tally = Tally::default();
        assert!(tally.update(&log));
        let said = tally.describe(2).unwrap();
        assert_eq!(said, "building the kit and its dependencies, once: 1 compiled (last: loom)");
        // The half-written line is completed later, and the binaries follow.
        let mut file = std::fs::OpenOptions::new().append(true).open(&log).unwrap();
        std::io::Write::write_all(&mut file, format!("ifact\"}}\n{BIN}\n").as_bytes()).unwrap();
        assert!(tally.update(&log));
        assert_eq!(tally.describe(2).as_deref(), Some("1/2 built"));
        assert!(!tally.update(&log), "nothing new");
        assert_eq!(tally.describe(1), None, "one binary needs no count");
        std::fs::remove_file(&log).unwrap();
    }

    #[test]
    fn a_running_build_reports_what_it_compiled_before_it_ends() {
        let dir = std::env::temp_dir().join(format!("build-progress-run-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let (log, seen) = (dir.join("log.json"), dir.join("seen"));
        // A stand-in for cargo: one dependency compiled, then it waits until the progress has
        // been reported (bounded), then the binary.
        let script = format!(
            "echo '{DEPENDENCY}' >> log.json; for _ in $(seq 400); do [ -e seen ] && break; \
             sleep 0.05; done; echo '{BIN}' >> log.json"
        );
        let mut command = std::process::Command::new("sh");
        command.args(["-c", &script]).current_dir(&dir);
        let cancel = crate::process::Cancel::new();
        let group =
            ProcessGroup::start(&mut command, crate::process::ResourceLimits::default(), &cancel)
                .unwrap();
        let mut said = Vec::new();
        let exit = wait_reporting(group, Duration::from_secs(60), &log, 2, &mut |line| {
            said.push(line.to_owned());
            std::fs::write(&seen, "").unwrap();
        })
        .unwrap();
        assert!(matches!(exit, Exit::Finished(status) if status.success()));
        assert_eq!(
            said.first().map(String::as_str),
            Some("building the kit and its dependencies, once: 1 compiled (last: loom)")
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
