#!/usr/bin/env python3
"""Times every loom model of the reference solutions with this checkout's kit and with the kit of
an earlier commit, the same models in both, and prints each model's check time with both and
the ratio: what recording the operations of every schedule (for the trace of a failing one)
costs.

Usage: python3 checker/bench/model_times.py [--before REV] [--runs 3]
A temporary worktree of HEAD gets kit/ from REV; both are built in release mode under
--cfg loom (the first run of each compiles). Each model's time is the median over --runs, as the
kit prints it ("loom: N iterations in Xs").
"""

import argparse
import os
import re
import statistics
import subprocess
import tempfile
import tomllib

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LINE = re.compile(r"^test (\S+) \.\.\. loom: (\d+) iterations in ([0-9.]+)s")


def model_times(checkout, runs):
    env = dict(os.environ, CARGO_ENCODED_RUSTFLAGS="--cfg\x1floom", LOOM_MAX_PREEMPTIONS="")
    env.pop("LOOM_MAX_PREEMPTIONS")
    # Only the exercises with models: the async track's files are empty under --cfg loom.
    with open(os.path.join(ROOT, "info.toml"), "rb") as info:
        modelled = [e["name"] for e in tomllib.load(info)["exercises"] if e.get("loom")]
    times = {}
    for _ in range(runs):
        # One exercise at a time, so that each model is named by its exercise.
        for name in modelled:
            command = ["cargo", "test", "--release", "-p", "solutions", "--bin", name,
                       "--target-dir", os.path.join(checkout, "target", "model-times"),
                       "--", "--nocapture", "--test-threads", "1"]
            output = subprocess.run(command, cwd=checkout, env=env, capture_output=True, text=True)
            if output.returncode != 0:
                raise SystemExit(f"failed to run {name}'s models in {checkout}:\n"
                                 f"{output.stderr[-3000:]}")
            for line in output.stdout.splitlines():
                match = LINE.match(line)
                if match:
                    key = f"{name}::{match.group(1)}"
                    times.setdefault(key, []).append((int(match.group(2)), float(match.group(3))))
    return {key: (values[0][0], statistics.median(t for _, t in values)) for key, values in times.items()}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--before", default="HEAD~1")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        before_dir = os.path.join(scratch, "before")
        subprocess.run(["git", "worktree", "add", "--detach", before_dir, "HEAD"],
                       cwd=ROOT, check=True, capture_output=True)
        subprocess.run(["git", "checkout", args.before, "--", "kit"],
                       cwd=before_dir, check=True, capture_output=True)
        try:
            before = model_times(before_dir, args.runs)
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", before_dir], cwd=ROOT)
    after = model_times(ROOT, args.runs)
    print(f"{'model':70} {'schedules':>9} {'before':>8} {'after':>8} {'ratio':>6}")
    for key in sorted(after, key=lambda k: -after[k][1]):
        schedules, seconds = after[key]
        if key in before:
            was = before[key][1]
            ratio = f"{seconds / was:.2f}" if was > 0 else "-"
            print(f"{key:70} {schedules:9} {was:8.3f} {seconds:8.3f} {ratio:>6}")


if __name__ == "__main__":
    main()
