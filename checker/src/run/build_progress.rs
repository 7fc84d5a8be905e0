//! What a cargo build is doing while it runs, read from its JSON messages as they arrive: a cold
//! build of the kit's dependencies (loom's tree) takes the better part of a minute, and should
//! not look like a hang.

use crate::process::{Exit, Outcome, ProcessGroup};
use cargo_metadata::{Message, TargetKind};
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::Duration;

/// How often the build's messages are read while it runs.
const INTERVAL: Duration = Duration::from_millis(250);

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
        for message in Message::parse_stream(&complete[..]).map_while(Result::ok) {
            let Message::CompilerArtifact(artifact) = message else { continue };
            if artifact.target.is_kind(TargetKind::Bin) {
                self.built += 1;
            } else if !artifact.fresh {
                self.dependencies += 1;
                self.latest = artifact.target.name;
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
) -> std::io::Result<Outcome<Exit>> {
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

    /// A `compiler-artifact` message, as cargo writes it on one line.
    fn artifact(name: &str, kind: &str, fresh: bool) -> String {
        serde_json::json!({
            "reason": "compiler-artifact",
            "package_id": format!("path+file:///w/{name}#0.1.0"),
            "manifest_path": format!("/w/{name}/Cargo.toml"),
            "target": {
                "kind": [kind], "crate_types": [kind], "name": name,
                "src_path": format!("/w/{name}/src/main.rs"), "edition": "2024",
                "doc": true, "doctest": false, "test": true
            },
            "profile": {
                "opt_level": "0", "debuginfo": 0, "debug_assertions": true,
                "overflow_checks": true, "test": false
            },
            "features": [], "filenames": [], "executable": null, "fresh": fresh
        })
        .to_string()
    }

    #[test]
    fn counts_compiled_dependencies_then_built_binaries_as_lines_arrive() {
        let log = tempfile::NamedTempFile::new().unwrap();
        let log = log.path();
        let (unchanged, dependency) =
            (artifact("kit", "lib", true), artifact("loom", "lib", false));
        std::fs::write(log, format!("{unchanged}\n{dependency}\n{{\"reason\":\"compiler-art"))
            .unwrap();
        let mut tally = Tally::default();
        assert!(tally.update(log));
        let said = tally.describe(2).unwrap();
        assert_eq!(said, "building the kit and its dependencies, once: 1 compiled (last: loom)");
        // The half-written line is completed later, and the binaries follow.
        let mut file = std::fs::OpenOptions::new().append(true).open(log).unwrap();
        std::io::Write::write_all(
            &mut file,
            format!("ifact\"}}\n{}\n", artifact("thumbnails", "bin", false)).as_bytes(),
        )
        .unwrap();
        assert!(tally.update(log));
        assert_eq!(tally.describe(2).as_deref(), Some("1/2 built"));
        assert!(!tally.update(log), "nothing new");
        assert_eq!(tally.describe(1), None, "one binary needs no count");
    }

    #[test]
    fn a_running_build_reports_what_it_compiled_before_it_ends() {
        let folder = tempfile::tempdir().unwrap();
        let dir = folder.path();
        let (log, seen) = (dir.join("log.json"), dir.join("seen"));
        // A stand-in for cargo: one dependency compiled, then it waits until the progress has
        // been reported (bounded), then the binary.
        let script = format!(
            "echo '{}' >> log.json; for _ in $(seq 400); do [ -e seen ] && break; \
             sleep 0.05; done; echo '{}' >> log.json",
            artifact("loom", "lib", false),
            artifact("thumbnails", "bin", false)
        );
        let mut command = std::process::Command::new("sh");
        command.args(["-c", &script]).current_dir(dir);
        let cancel = crate::process::Cancel::new();
        let group =
            ProcessGroup::start(&mut command, crate::process::ResourceLimits::default(), &cancel)
                .unwrap();
        let Outcome::Finished(group) = group else { panic!("not cancelled") };
        let mut said = Vec::new();
        let exit = wait_reporting(group, Duration::from_secs(60), &log, 2, &mut |line| {
            said.push(line.to_owned());
            std::fs::write(&seen, "").unwrap();
        })
        .unwrap();
        assert!(matches!(exit, Outcome::Finished(Exit::Finished(status)) if status.success()));
        assert_eq!(
            said.first().map(String::as_str),
            Some("building the kit and its dependencies, once: 1 compiled (last: loom)")
        );
    }
}
