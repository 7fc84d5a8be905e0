use super::event::WatchEvent;
use std::io::Read;
use std::sync::mpsc::Sender;

/// Reads keys from the terminal on a thread of its own, so keys work even while a test hangs.
pub fn start(sink: Sender<WatchEvent>) {
    std::thread::spawn(move || {
        let mut stdin = std::io::stdin().lock();
        let mut byte = [0u8];
        loop {
            let event = match stdin.read(&mut byte) {
                Ok(1) => WatchEvent::Key(byte[0]),
                Ok(_) | Err(_) => WatchEvent::InputClosed,
            };
            let closed = matches!(event, WatchEvent::InputClosed);
            if sink.send(event).is_err() || closed {
                return;
            }
        }
    });
}
