// Joins every thread, but only after it has read the slots, so it still returns what was ready.
// caught by: test
//! Thumbnails
//!
//! A photo-sharing site makes a thumbnail of every uploaded image. Rendering is slow, so
//! `render_all` renders each image on its own thread and hands back every thumbnail, in the same
//! order as the images.
//!
//! Done when: `render_all` returns one thumbnail per image, in order, however long each render
//! takes, and no rendering thread is still running once it has returned.

use kit::sync::{Arc, Mutex};
use kit::thread;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Image {
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

/// Scales an image down to fit in a 128x128 box, keeping its aspect ratio.
pub fn scale_down(image: &Image) -> Thumbnail {
    let longest = image.width.max(image.height).max(1);
    let scale = |side: u32| (side * 128).div_ceil(longest).max(1);
    Thumbnail {
        name: format!("{}.thumb", image.name),
        width: scale(image.width),
        height: scale(image.height),
    }
}

/// Renders every image on a thread of its own, with `render`, and returns the thumbnails in the
/// order of `images`.
pub fn render_all<R>(images: Vec<Image>, render: R) -> Vec<Thumbnail>
where
    R: Fn(&Image) -> Thumbnail + Send + Sync + 'static,
{
    let render = Arc::new(render);
    let slots = Arc::new(Mutex::new(vec![None; images.len()]));
    let mut renderers = Vec::new();
    for (index, image) in images.into_iter().enumerate() {
        let render = Arc::clone(&render);
        let slots = Arc::clone(&slots);
        renderers.push(thread::spawn(move || {
            let thumbnail = render(&image);
            slots.lock().unwrap()[index] = Some(thumbnail);
        }));
    }
    let thumbnails: Vec<Thumbnail> = slots.lock().unwrap().iter().flatten().cloned().collect();
    for renderer in renderers {
        renderer.join().unwrap();
    }
    thumbnails
}

fn main() {
    let images = (1..=4)
        .map(|n| Image { name: format!("photo-{n}"), width: 400 * n, height: 300 })
        .collect();
    for thumbnail in render_all(images, scale_down) {
        println!("{} is {}x{}", thumbnail.name, thumbnail.width, thumbnail.height);
    }
}
