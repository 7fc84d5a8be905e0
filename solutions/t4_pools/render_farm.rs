//! Render farm
//!
//! A studio renders its animated shorts on a farm of render nodes. `render_shot` deals a shot's
//! frames out in runs: each node owns a contiguous run and renders it from the front, one frame
//! at a time. Frames do not cost the same (an explosion takes minutes, a fade to black seconds),
//! so a node that finishes its own run does not sit idle: it steals the back half of another
//! node's remaining frames and renders them itself, while the owner carries on from the front. A
//! run with a single frame left is not worth splitting: its owner renders that one.
//!
//! Done when: every frame of the shot is rendered exactly once, however the owners' claims and the
//! thieves' steals interleave; an idle node steals the back half of a busy node's run; and the
//! loom model passes.

use kit::sync::{Arc, Mutex};
use kit::thread;
use std::ops::Range;
use std::time::{Duration, Instant};

/// The frames a node has left: its owner takes them from the front, thieves split them off from
/// the back. Both happen under the run's lock, so a claim and a split never interleave.
struct Run {
    frames: Mutex<Range<usize>>,
}

impl Run {
    fn new(frames: Range<usize>) -> Self {
        Run { frames: Mutex::new(frames) }
    }

    /// The owner's claim: the frame at the front, if one is left.
    fn take_front(&self) -> Option<usize> {
        self.frames.lock().unwrap().next()
    }

    /// A thief's claim: the back half of the frames left, if there are at least two.
    fn steal_back_half(&self) -> Option<Range<usize>> {
        let mut frames = self.frames.lock().unwrap();
        if frames.len() < 2 {
            return None;
        }
        let split = frames.end - frames.len() / 2;
        let stolen = split..frames.end;
        frames.end = split;
        Some(stolen)
    }
}

/// Renders frames `0..frames` on `nodes` nodes, a thread each, calling `render(node, frame)` for
/// every frame; returns how many frames each node stole.
pub fn render_shot<F>(frames: usize, nodes: usize, render: F) -> Vec<usize>
where
    F: Fn(usize, usize) + Send + Sync + 'static,
{
    assert!(nodes > 0, "a farm needs at least one node");
    // Node n's run starts where node n - 1's ends; together they cover the shot.
    let start = |node: usize| node * frames / nodes;
    let runs = Arc::new((0..nodes).map(|n| Run::new(start(n)..start(n + 1))).collect::<Vec<_>>());
    let render = Arc::new(render);
    let workers: Vec<_> = (0..nodes)
        .map(|node| {
            let (runs, render) = (Arc::clone(&runs), Arc::clone(&render));
            thread::spawn(move || work(node, &runs, &*render))
        })
        .collect();
    workers.into_iter().map(|worker| worker.join().expect("a render node crashed")).collect()
}

/// One node: its own run, then steals until no run is left to split. Returns the frames stolen.
fn work(node: usize, runs: &[Run], render: &impl Fn(usize, usize)) -> usize {
    while let Some(frame) = runs[node].take_front() {
        render(node, frame);
    }
    let mut stolen = 0;
    // The other nodes' runs, starting after this node's own, so that thieves spread out.
    let others = (1..runs.len()).map(|offset| (node + offset) % runs.len());
    while let Some(frames) = others.clone().find_map(|other| runs[other].steal_back_half()) {
        stolen += frames.len();
        frames.for_each(|frame| render(node, frame));
    }
    stolen
}

fn main() {
    // Frames 0-5, node 0's run, are an explosion: 8 times as slow as the rest.
    let log = Arc::new(Mutex::new(vec![Vec::new(); 4]));
    let started = Instant::now();
    let logged = Arc::clone(&log);
    let stolen = render_shot(24, 4, move |node, frame| {
        std::thread::sleep(Duration::from_millis(if frame < 6 { 40 } else { 5 }));
        logged.lock().unwrap()[node].push(frame);
    });
    println!("24 frames on 4 nodes in {:.0?}; node 0's own run is 240ms", started.elapsed());
    for (node, frames) in log.lock().unwrap().iter().enumerate() {
        println!("node {node} rendered frames {frames:?}, {} of them stolen", stolen[node]);
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use std::sync::mpsc::{self as gate, Receiver};

    /// What a render reports to the test as it begins: `(node, frame)`.
    type Event = (usize, usize);

    /// Collects events into `seen` until every frame of `frames` has begun rendering.
    fn wait_for(events: &Receiver<Event>, seen: &mut Vec<Event>, frames: &[usize]) {
        // The kit's hang limit, which only a node that never renders them reaches.
        let limit = kit::hang::limit().unwrap_or(Duration::MAX);
        while !frames.iter().all(|&frame| seen.iter().any(|&(_, begun)| begun == frame)) {
            let Ok(event) = events.recv_timeout(limit) else {
                panic!("frames {frames:?} not all rendered in {limit:?}; (node, frame): {seen:?}");
            };
            seen.push(event);
        }
    }

    /// The node that rendered each frame, once every frame is known to have been rendered once.
    fn renderer_of_each(frames: usize, events: &[Event]) -> Vec<usize> {
        (0..frames)
            .map(|frame| {
                let nodes: Vec<_> = events.iter().filter(|e| e.1 == frame).map(|e| e.0).collect();
                assert_eq!(nodes.len(), 1, "frame {frame} was rendered by nodes {nodes:?}");
                nodes[0]
            })
            .collect()
    }

    #[test]
    fn an_idle_node_steals_the_back_of_a_busy_run() {
        // Node 0 owns frames 0-3 and node 1 frames 4-7. Node 0 is held on frame 0 while node 1
        // renders its own run and then steals from node 0's; node 1 waits on frame 4 until node 0
        // is held, so that its steals certainly find node 0 busy.
        let (rendering, events) = gate::channel();
        let (let_go_0, held_0) = gate::channel::<()>();
        let (let_go_1, held_1) = gate::channel::<()>();
        let held = [Mutex::new(held_0), Mutex::new(held_1)];
        let shot = thread::spawn(move || {
            render_shot(8, 2, move |node, frame| {
                rendering.send((node, frame)).unwrap();
                if frame % 4 == 0 {
                    held[frame / 4].lock().unwrap().recv().expect("the test stopped early");
                }
            })
        });
        let mut seen = Vec::new();
        wait_for(&events, &mut seen, &[0, 4]);
        let_go_1.send(()).unwrap();
        wait_for(&events, &mut seen, &[2, 3, 5, 6, 7]);
        let_go_0.send(()).unwrap();
        let stolen = shot.join().unwrap();
        seen.extend(events.try_iter());
        let renderers = renderer_of_each(8, &seen);
        assert_eq!(renderers, [0, 0, 1, 1, 1, 1, 1, 1], "the node that rendered each frame");
        assert_eq!(stolen, [0, 2], "the frames each node stole");
    }

    #[test]
    fn a_lone_node_renders_the_shot_in_order() {
        let (rendering, events) = gate::channel();
        let stolen = render_shot(5, 1, move |node, frame| rendering.send((node, frame)).unwrap());
        assert_eq!(events.try_iter().collect::<Vec<_>>(), [(0, 0), (0, 1), (0, 2), (0, 3), (0, 4)]);
        assert_eq!(stolen, [0]);
    }

    #[test]
    fn small_shots_on_a_big_farm() {
        let stolen = render_shot(0, 3, |_, frame| panic!("frame {frame} of an empty shot"));
        assert_eq!(stolen, [0, 0, 0]);
        // 3 frames on 5 nodes: no run has two frames, so there is nothing to steal.
        let (rendering, events) = gate::channel();
        let stolen = render_shot(3, 5, move |node, frame| rendering.send((node, frame)).unwrap());
        renderer_of_each(3, &events.try_iter().collect::<Vec<_>>());
        assert_eq!(stolen, [0; 5]);
    }
}

#[cfg(all(test, loom))]
mod loom {
    use super::*;
    use kit::sync::atomic::{AtomicUsize, Ordering};

    #[test]
    fn an_owner_and_a_thief_share_a_run() {
        kit::model::check(|| {
            // Node 0 owns frame 0 and node 1 frames 1-2: once done, node 0 steals frame 2 while
            // node 1 renders its run.
            let rendered = Arc::new([0, 1, 2].map(|_| AtomicUsize::new(0)));
            let counts = Arc::clone(&rendered);
            render_shot(3, 2, move |_node, frame| {
                counts[frame].fetch_add(1, Ordering::Relaxed);
            });
            for (frame, count) in rendered.iter().enumerate() {
                let count = count.load(Ordering::Relaxed);
                assert_eq!(count, 1, "frame {frame} was rendered {count} times, not once");
            }
        });
    }
}
