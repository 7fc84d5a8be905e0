use crate::watch::event::{Event, Key};
use crossterm::event::{self as terminal, KeyCode, KeyEventKind};
use std::sync::mpsc::Sender;

/// Reads keys and resizes from the terminal on a thread of its own, so keys work even while a
/// test hangs.
pub fn start(sink: Sender<Event>) {
    std::thread::spawn(move || {
        loop {
            let event = match terminal::read() {
                Ok(terminal::Event::Key(key)) if key.kind != KeyEventKind::Release => {
                    match translate(key.code) {
                        Some(key) => Event::Key(key),
                        None => continue,
                    }
                }
                Ok(terminal::Event::Resize(width, _)) => Event::Resize { width },
                Ok(_) => continue,
                Err(_) => Event::InputClosed,
            };
            let closed = matches!(event, Event::InputClosed);
            if sink.send(event).is_err() || closed {
                return;
            }
        }
    });
}

fn translate(code: KeyCode) -> Option<Key> {
    Some(match code {
        KeyCode::Char(c) => Key::Char(c),
        KeyCode::Enter => Key::Enter,
        KeyCode::Backspace => Key::Backspace,
        KeyCode::Esc => Key::Esc,
        KeyCode::Up => Key::Up,
        KeyCode::Down => Key::Down,
        _ => return None,
    })
}
