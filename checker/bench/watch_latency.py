#!/usr/bin/env python3
"""Latency from a save to the verdict on the `workbook watch` screen.

Runs the real binary on a pseudo-terminal, in a scratch copy of the workbook, and saves an
exercise file in place again and again, alternating the stub and the reference solution, so every
save changes the verdict. For each save it times:
  - first verdict: the frame that first shows the unit tests' result;
  - full verdict:  the frame that shows the final result (after loom, for a loom exercise).
Prints the median and the spread (min, max) of each, per exercise.

Usage: python3 checker/bench/watch_latency.py [--saves N]
Needs Linux or macOS, Python 3, and a built `target/debug/workbook` (cargo build -p workbook).
"""

import argparse
import os
import pty
import re
import select
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CLEAR = "\x1b[H\x1b[2J"
ESCAPES = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x1b]*\x1b\\")
TESTS_DONE = re.compile(r"[✓✗] tests ")
# Every run ends in one of these: a pass, or a failed last step.
FULL_DONE = {
    "thumbnails": re.compile(r"Done!|✗ tests "),
    "hit_counter": re.compile(r"Done!|✗ loom "),
    "upload_limiter": re.compile(r"Done!|✗ tests "),
}
TIMEOUT = 120.0
# The folder of each exercise timed, when it is not t1_threads.
TRACK = {"upload_limiter": "t5_async"}


class Screen:
    def __init__(self, fd):
        self.fd = fd
        self.output = ""

    def pump(self, seconds):
        ready, _, _ = select.select([self.fd], [], [], seconds)
        if ready:
            try:
                self.output += os.read(self.fd, 65536).decode("utf-8", "replace")
            except OSError:
                pass

    def settle(self, quiet):
        """Reads until nothing is drawn for `quiet` seconds: the run's last redraws are in."""
        while True:
            before = len(self.output)
            self.pump(quiet)
            if len(self.output) == before:
                return

    def frames_since(self, offset):
        return [ESCAPES.sub("", f) for f in self.output[offset:].split(CLEAR)[1:]]

    def wait_frame(self, offset, pattern):
        """The time at which a frame drawn after `offset` first matches `pattern`."""
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            if any(pattern.search(f) for f in self.frames_since(offset)):
                return time.monotonic()
            self.pump(0.002)
        sys.exit(f"no frame matched {pattern.pattern!r} within {TIMEOUT}s")


def copy_workbook():
    scratch = tempfile.mkdtemp(prefix="workbook-bench-")
    for name in ["Cargo.toml", "Cargo.lock", "info.toml", "rustfmt.toml"]:
        shutil.copy(os.path.join(ROOT, name), scratch)
    for name in ["kit", "checker", "exercises", "solutions", ".cargo"]:
        shutil.copytree(os.path.join(ROOT, name), os.path.join(scratch, name))
    return scratch


def measure(scratch, binary, name, saves):
    track = TRACK.get(name, "t1_threads")
    stub_path = os.path.join(scratch, "exercises", track, name + ".rs")
    with open(stub_path, "rb") as f:
        stub = f.read()
    with open(os.path.join(scratch, "solutions", track, name + ".rs"), "rb") as f:
        solution = f.read()
    with open(os.path.join(scratch, ".workbook-progress.toml"), "w") as f:
        f.write(f'current = "{name}"\ndone = []\n')
    pid, fd = pty.fork()
    if pid == 0:
        os.chdir(scratch)
        os.environ["TERM"] = "xterm-256color"
        os.execv(binary, [binary, "watch"])
    screen = Screen(fd)
    full = FULL_DONE[name]
    screen.wait_frame(0, full)  # the first run, including the cold build, is not counted
    firsts, fulls = [], []
    for index in range(saves + 1):
        screen.settle(0.3)
        offset = len(screen.output)
        with open(stub_path, "wb") as f:
            f.write(solution if index % 2 == 0 else stub)
        saved = time.monotonic()
        first = screen.wait_frame(offset, TESTS_DONE)
        done = screen.wait_frame(offset, full)
        if index > 0:  # the first save warms the incremental caches
            firsts.append(first - saved)
            fulls.append(done - saved)
    os.write(fd, b"q")
    os.waitpid(pid, 0)
    with open(stub_path, "wb") as f:
        f.write(stub)
    return firsts, fulls


def describe(label, samples):
    ms = [s * 1000 for s in samples]
    return (f"  {label:<14} median {statistics.median(ms):6.0f} ms"
            f"   min {min(ms):6.0f} ms   max {max(ms):6.0f} ms   ({len(ms)} saves)")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--saves", type=int, default=10)
    saves = parser.parse_args().saves
    binary = os.path.join(ROOT, "target", "debug", "workbook")
    if not os.path.exists(binary):
        sys.exit("build the tool first: cargo build -p workbook")
    scratch = copy_workbook()
    try:
        exercises = [("thumbnails", "test-only"), ("hit_counter", "loom")]
        exercises.append(("upload_limiter", "async, test-only"))
        for name, kind in exercises:
            firsts, fulls = measure(scratch, binary, name, saves)
            print(f"{name} ({kind} exercise)")
            print(describe("first verdict", firsts))
            if kind == "loom":
                print(describe("full verdict", fulls))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
