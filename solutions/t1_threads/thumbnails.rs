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
    let mut renders = Vec::new();
    for (index, image) in images.into_iter().enumerate() {
        let render = Arc::clone(&render);
        let slots = Arc::clone(&slots);
        renders.push(thread::spawn(move || {
            let thumbnail = render(&image);
            slots.lock().unwrap()[index] = Some(thumbnail);
        }));
    }
    for render in renders {
        render.join().unwrap();
    }
    let slots = slots.lock().unwrap();
    slots.iter().flatten().cloned().collect()
}

fn main() {
    let images = (1..=4)
        .map(|n| Image { name: format!("photo-{n}"), width: 400 * n, height: 300 })
        .collect();
    for thumbnail in render_all(images, scale_down) {
        println!("{} is {}x{}", thumbnail.name, thumbnail.width, thumbnail.height);
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use kit::sync::Arc;
    use kit::thread;
    use kit::thread::LiveThreads;
    use kit::time::{Clock, ManualClock};
    use std::time::Duration;

    fn images(count: u32) -> Vec<Image> {
        (0..count)
            .map(|n| Image { name: format!("img{n}"), width: 256, height: 64 * (n + 1) })
            .collect()
    }

    #[test]
    fn scales_into_the_box_keeping_the_aspect_ratio() {
        let thumb = scale_down(&Image { name: "wide".into(), width: 1024, height: 256 });
        assert_eq!((thumb.width, thumb.height), (128, 32));
        assert_eq!(thumb.name, "wide.thumb");
    }

    #[test]
    fn every_thumbnail_comes_back_in_order_and_every_thread_is_joined() {
        // Image n renders in 4 - n seconds of a manual clock, so the last image is done first
        // and the first last: only waiting for every thread gives back every thumbnail. The
        // clock moves only once all four render at once and `render_all` is waiting, then one
        // second at a time, each render done before the next wakes.
        let clock = Arc::new(ManualClock::new());
        let threads = LiveThreads::track();
        let service = {
            let clock = Arc::clone(&clock);
            thread::spawn(move || {
                render_all(images(4), move |image| {
                    let position = u64::from(image.height / 64 - 1);
                    clock.sleep(Duration::from_secs(4 - position));
                    scale_down(image)
                })
            })
        };
        clock.wait_for_sleepers(4);
        service.wait_until_blocked();
        for rendering in (1..=4).rev() {
            clock.advance(Duration::from_secs(1));
            // The service thread and the renders still asleep.
            threads.wait_for_live_at_most(rendering);
        }
        let thumbnails = service.join().unwrap();
        let expected: Vec<_> = images(4).iter().map(scale_down).collect();
        assert_eq!(thumbnails.len(), 4, "expected a thumbnail for each of the 4 images");
        assert_eq!(thumbnails, expected);
        assert_eq!(threads.not_joined(), 0, "render_all returned without joining every thread");
    }

    #[test]
    fn no_images_means_no_thumbnails() {
        assert!(render_all(Vec::new(), scale_down).is_empty());
    }
}
