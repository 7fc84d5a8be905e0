#!/usr/bin/env python3
"""How fast a deadlock is reported: from the last thread blocking to the verdict, and from
`workbook run` to a named diagnosis.

Part 1 runs the kit's example `deadlock_latency` once per run and scenario, each run a process of
its own, with WORKBOOK_SOLE_TEST=1 as the runner sets it; the example prints the time from the
moment the last thread began its blocking call to the verdict's panic.

Part 2 makes hit_counter's `record()` lock its counter's Mutex and then call `total()`, which locks
it again (the re-entrant lock of issue 17), runs `workbook run hit_counter` on it, and puts the
file back, whatever happens. Part 3 does the same with a test added to hit_counter in which two
threads take two Mutexes in opposite orders.

Needs Linux, Python 3, and a built `target/debug/workbook` (cargo build -p workbook). Usage:
    python3 checker/bench/deadlock_latency.py [--runs N]
"""

import argparse
import os
import re
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCENARIOS = ["test-thread-last", "spawned-thread-last", "lock-wait-last", "lock-cycle", "self-lock"]
HIT_COUNTER = os.path.join(ROOT, "exercises", "t1_threads", "hit_counter.rs")

# The re-entrant record(): the counter becomes a Mutex<u64>, and record() calls total() while it
# holds the lock.
REENTRANT = [
    ("use kit::sync::Arc;\nuse kit::sync::atomic::{AtomicU64, Ordering};", "use kit::sync::{Arc, Mutex};"),
    ("hits: AtomicU64,", "hits: Mutex<u64>,"),
    ("HitCounter { hits: AtomicU64::new(0) }", "HitCounter { hits: Mutex::new(0) }"),
    (
        "let seen = self.hits.load(Ordering::SeqCst);\n        self.hits.store(seen + 1, Ordering::SeqCst);",
        "let mut hits = self.hits.lock().unwrap();\n        *hits = self.total() + 1;",
    ),
    ("self.hits.load(Ordering::SeqCst)\n    }", "*self.hits.lock().unwrap()\n    }"),
]


# A test in which two threads take two locks in opposite orders, each waiting at a barrier until
# the other holds its first lock.
TWO_LOCKS = (
    "mod tests {\n    use super::*;\n",
    """mod tests {
    use super::*;

    #[test]
    fn two_locks_in_opposite_orders() {
        use kit::sync::{Barrier, Mutex};
        let (a, b) = (Arc::new(Mutex::new(())), Arc::new(Mutex::new(())));
        let barrier = Arc::new(Barrier::new(2));
        let (a2, b2, barrier2) = (a.clone(), b.clone(), barrier.clone());
        let other = thread::spawn(move || {
            let _b = b2.lock().unwrap();
            barrier2.wait();
            let _a = a2.lock();
        });
        let _a = a.lock().unwrap();
        barrier.wait();
        let _b = b.lock();
        drop(_a);
        let _ = other.join();
    }
""",
)


def summary(values, unit):
    return (f"median {statistics.median(values):.2f} {unit}, min {min(values):.2f}, "
            f"max {max(values):.2f} ({len(values)} runs)")


def last_block_to_verdict(runs):
    subprocess.run(["cargo", "build", "-q", "-p", "kit", "--example", "deadlock_latency"],
                   cwd=ROOT, check=True)
    example = os.path.join(ROOT, "target", "debug", "examples", "deadlock_latency")
    env = dict(os.environ, WORKBOOK_SOLE_TEST="1", RUST_BACKTRACE="0")
    print("From the last thread blocking to the verdict (ms):")
    for scenario in SCENARIOS:
        took = []
        for _ in range(runs):
            out = subprocess.run([example, scenario], env=env, capture_output=True, text=True,
                                 timeout=30)
            found = re.search(r"verdict after (\d+) us", out.stdout)
            if not found or "hang detected: deadlock" not in out.stderr:
                sys.exit(f"{scenario}: no verdict\n{out.stdout}{out.stderr}")
            took.append(int(found.group(1)) / 1000)
        print(f"  {scenario:<20} {summary(took, 'ms')}")


def workbook_run(runs, title, changes, expected):
    """Runs `workbook run hit_counter` on hit_counter.rs with `changes` made, `runs` times."""
    with open(HIT_COUNTER) as f:
        original = f.read()
    changed = original
    for old, new in changes:
        if old not in changed:
            sys.exit("hit_counter.rs has changed; the benchmark cannot make its change")
        changed = changed.replace(old, new, 1)
    binary = os.path.join(ROOT, "target", "debug", "workbook")
    walls, steps = [], []
    try:
        with open(HIT_COUNTER, "w") as f:
            f.write(changed)
        subprocess.run([binary, "run", "hit_counter"], cwd=ROOT, capture_output=True)  # builds
        for _ in range(runs):
            started = time.monotonic()
            out = subprocess.run([binary, "run", "hit_counter"], cwd=ROOT, capture_output=True,
                                 text=True, env=dict(os.environ, NO_COLOR="1"))
            walls.append(time.monotonic() - started)
            step = re.search(r"tests\s+([\d.]+)s\s+hangs", out.stdout)
            if not step or expected not in out.stdout:
                sys.exit(f"no diagnosis saying {expected!r}:\n{out.stdout}{out.stderr}")
            steps.append(float(step.group(1)))
    finally:
        with open(HIT_COUNTER, "w") as f:
            f.write(original)
    print(f"`workbook run hit_counter` {title} (s):")
    print(f"  whole command (compile check, tests, loom) {summary(walls, 's')}")
    print(f"  the tests step, to the named diagnosis   {summary(steps, 's')}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    load = os.getloadavg()[0]
    print(f"load average at start: {load:.2f}")
    last_block_to_verdict(args.runs)
    runs = max(3, args.runs // 4)
    workbook_run(runs, "with a re-entrant record()", REENTRANT, "this same thread already holds")
    workbook_run(runs, "with two locks taken in opposite orders", [TWO_LOCKS], "in a cycle")


if __name__ == "__main__":
    main()
