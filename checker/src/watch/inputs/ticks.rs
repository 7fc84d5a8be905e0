use crate::watch::event::Event;
use std::sync::mpsc::Sender;
use std::time::Duration;

/// How often `--poll` reads the file, for file systems that deliver no change events.
const POLL_INTERVAL: Duration = Duration::from_millis(250);

/// Sends a tick every [`POLL_INTERVAL`] until the session ends.
pub fn start(sink: Sender<Event>) {
    std::thread::spawn(move || {
        while sink.send(Event::Tick).is_ok() {
            std::thread::sleep(POLL_INTERVAL);
        }
    });
}
