// Keeps the two counters but takes a per-run lock around every claim and every split.
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

use kit::sync::atomic::{AtomicUsize, Ordering};
use kit::sync::{Arc, Mutex};
use kit::thread;
use std::ops::Range;
use std::time::{Duration, Instant};

/// The frames a node has left, `next..end`: its owner takes them from the front, thieves split
/// them off from the back. The counters publish nothing but frame numbers: `Relaxed` will do.
struct Run {
    next: AtomicUsize,
    end: AtomicUsize,
    /// Held for a whole claim or split, so that the two never interleave.
    turn: Mutex<()>,
}

impl Run {
    fn new(frames: Range<usize>) -> Self {
        Run { next: AtomicUsize::new(frames.start), end: AtomicUsize::new(frames.end), turn: Mutex::new(()) }
    }

    /// The owner's claim: the frame at the front, if one is left.
    fn take_front(&self) -> Option<usize> {
        let _turn = self.turn.lock().unwrap();
        let frame = self.next.fetch_add(1, Ordering::Relaxed);
        (frame < self.end.load(Ordering::Relaxed)).then_some(frame)
    }

    /// A thief's claim: the back half of the frames left, if there are at least two.
    fn steal_back_half(&self) -> Option<Range<usize>> {
        let _turn = self.turn.lock().unwrap();
        let next = self.next.load(Ordering::Relaxed);
        let end = self.end.load(Ordering::Relaxed);
        if end.saturating_sub(next) < 2 {
            return None;
        }
        let split = end - (end - next) / 2;
        self.end.store(split, Ordering::Relaxed);
        Some(split..end)
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
