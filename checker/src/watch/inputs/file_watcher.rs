use crate::watch::event::Event as WatchEvent;
use anyhow::Result;
use notify::{Event, EventKind, RecursiveMode, Watcher};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::time::Duration;

/// Editors save in bursts of events (vim: write a new file, rename, chmod). Events are gathered
/// until this long passes without one, then handled together, so the file is read once, whole.
const DEBOUNCE: Duration = Duration::from_millis(30);

fn watch_limit() -> String {
    format!(
        "the system's limit of inotify watches is reached. Raise it with `sudo sysctl \
         fs.inotify.max_user_watches=524288` (add that line to /etc/sysctl.conf to keep it), or \
         run `{}`.",
        crate::invocation::command("watch --poll")
    )
}

/// Watches the exercises folder, recursively. `target/` lies outside it, so builds never trigger
/// a rerun.
pub struct FileWatcher {
    _watcher: Box<dyn Watcher + Send>,
}

impl FileWatcher {
    pub fn start(dir: &Path, sink: Sender<WatchEvent>) -> Result<Self> {
        let (raw, events) = mpsc::channel();
        let handler = move |event: notify::Result<Event>| {
            let _ = raw.send(event);
        };
        let mut watcher: Box<dyn Watcher + Send> = Box::new(notify::recommended_watcher(handler)?);
        watcher.watch(dir, RecursiveMode::Recursive).map_err(|error| match error.kind {
            notify::ErrorKind::MaxFilesWatch => {
                anyhow::anyhow!("failed to watch: {}", watch_limit())
            }
            _ => anyhow::anyhow!(
                "failed to watch {}: {error}. If this file system sends no change events (NFS, \
                 a WSL /mnt drive), run `{}`.",
                dir.display(),
                crate::invocation::command("watch --poll")
            ),
        })?;
        std::thread::spawn(move || debounce(events, sink));
        Ok(FileWatcher { _watcher: watcher })
    }
}

fn debounce(events: mpsc::Receiver<notify::Result<Event>>, sink: Sender<WatchEvent>) {
    let mut changed = BTreeSet::new();
    loop {
        let next = if changed.is_empty() {
            events.recv().map_err(|_| RecvTimeoutError::Disconnected)
        } else {
            events.recv_timeout(DEBOUNCE)
        };
        match next {
            Ok(Ok(event)) => changed.extend(relevant_paths(event)),
            Ok(Err(error)) => {
                let message = match error.kind {
                    notify::ErrorKind::MaxFilesWatch => watch_limit(),
                    _ => format!(
                        "{error}; `{}` may work better here",
                        crate::invocation::command("watch --poll")
                    ),
                };
                if sink.send(WatchEvent::WatcherFailed(message)).is_err() {
                    return;
                }
            }
            Err(RecvTimeoutError::Timeout) => {
                if sink.send(WatchEvent::FilesChanged(std::mem::take(&mut changed))).is_err() {
                    return;
                }
            }
            Err(RecvTimeoutError::Disconnected) => return,
        }
    }
}

/// Rust files touched by anything but a read: reading a file (an editor, rustc, cat) must not
/// look like a change.
fn relevant_paths(event: Event) -> Vec<PathBuf> {
    if matches!(event.kind, EventKind::Access(_)) {
        return Vec::new();
    }
    event.paths.into_iter().filter(|path| path.extension().is_some_and(|ext| ext == "rs")).collect()
}
