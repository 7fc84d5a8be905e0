// Makes each worker drop its own clone of the Sender when the photos run out; the stage's own Sender still keeps the thumbnails open.
// caught by: hang, loom-deadlock
//! Contact sheets
//!
//! A photo archive prints contact sheets for an album: pages of small thumbnails, `PER_SHEET` to
//! a page. The work is a three-stage pipeline, each stage a function that takes the previous
//! stage's Receiver and returns its own:
//!
//!     scan(album) --photos--> contact_sheets(photos, workers) --sheets--> print(sheets)
//!
//! `scan` sends the album's photos; `contact_sheets` shrinks them on `workers` threads and lays
//! the thumbnails out on sheets as they come; `print`, the sink, takes sheets until there are no
//! more. No stage is told how many photos there are: each one ends when its input ends, and its
//! output must then end too, so that the end of the album flows down to the sink.
//!
//! Done when: `make_sheets(album, workers)` returns once the last photo is on a sheet, with every
//! photo's thumbnail on exactly one sheet, every sheet but the last one full, for any number of
//! workers and photos.

use kit::sync::{Arc, Mutex, mpsc};
use kit::thread;

pub const PER_SHEET: usize = 4;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Photo {
    pub name: String,
    pub width: u32,
    pub height: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Thumbnail {
    pub name: String,
    pub width: u32,
    pub height: u32,
}

pub type Sheet = Vec<Thumbnail>;

impl Photo {
    /// Scales the photo down so that its longer side is 160 pixels.
    pub fn shrink(&self) -> Thumbnail {
        let longer = u64::from(self.width.max(self.height).max(1));
        let scale = |side: u32| (u64::from(side) * 160 / longer).max(1) as u32;
        Thumbnail { name: self.name.clone(), width: scale(self.width), height: scale(self.height) }
    }
}

/// Stage 1: sends the album's photos, in album order.
pub fn scan(album: Vec<Photo>) -> mpsc::Receiver<Photo> {
    let (out, photos) = mpsc::sync_channel(8);
    thread::spawn(move || {
        for photo in album {
            if out.send(photo).is_err() {
                return; // nobody wants the rest
            }
        }
    });
    photos
}

/// Stage 2: shrinks the photos on `workers` threads, and lays the thumbnails out on sheets in the
/// order they are done.
pub fn contact_sheets(photos: mpsc::Receiver<Photo>, workers: usize) -> mpsc::Receiver<Sheet> {
    let (out, sheets) = mpsc::sync_channel(1);
    thread::spawn(move || {
        let photos = Arc::new(Mutex::new(photos));
        let (shrunk, thumbnails) = mpsc::channel();
        for _ in 0..workers.max(1) {
            let (photos, shrunk) = (Arc::clone(&photos), shrunk.clone());
            thread::spawn(move || {
                loop {
                    let next = photos.lock().unwrap().recv();
                    let Ok(photo) = next else {
                        drop(shrunk); // let the sheets loop see the end
                        return;
                    };
                    if shrunk.send(photo.shrink()).is_err() {
                        return;
                    }
                }
            });
        }
        let mut sheet = Sheet::new();
        for thumbnail in thumbnails {
            sheet.push(thumbnail);
            if sheet.len() == PER_SHEET && out.send(std::mem::take(&mut sheet)).is_err() {
                return;
            }
        }
        if !sheet.is_empty() {
            let _ = out.send(sheet);
        }
    });
    sheets
}

/// Stage 3, the sink: takes every sheet for the printer, until there are no more.
pub fn print(sheets: mpsc::Receiver<Sheet>) -> Vec<Sheet> {
    sheets.iter().collect()
}

/// The whole pipeline.
pub fn make_sheets(album: Vec<Photo>, workers: usize) -> Vec<Sheet> {
    print(contact_sheets(scan(album), workers))
}

fn main() {
    let album: Vec<Photo> = (1..=10)
        .map(|n| Photo { name: format!("IMG_{n:04}.jpg"), width: 4000 + n * 16, height: 3000 })
        .collect();
    let sheets = make_sheets(album, 3);
    for (page, sheet) in sheets.iter().enumerate() {
        let cells: Vec<String> =
            sheet.iter().map(|t| format!("{} {}x{}", t.name, t.width, t.height)).collect();
        println!("sheet {}: {}", page + 1, cells.join(" | "));
    }
}
