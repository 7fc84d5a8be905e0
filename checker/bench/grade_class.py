#!/usr/bin/env python3
"""Times `workbook grade` on a generated class, and `workbook dev check` cold and warm.

The class mixes four kinds of submission in turn: fully solved, half solved, solved but with one
exercise's tests weakened (the grader restores them), and solved except one exercise that hangs.
With --unique, every learner's every file also carries a comment of its own, so no two
submissions share a file and nothing compiled for one serves another: the worst case for the
grader's build cache. The class is graded twice: the first grading, then again (every file
already compiled once).

Usage: python3 checker/bench/grade_class.py [--students 30] [--unique] [--jobs N]
           [--skip-dev-check] [--binary PATH]
Run it from a clone of the workbook, with `cargo build -p workbook` done. --binary times another
build of the tool (an older one, say) on the same class.
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BINARY = os.path.join(ROOT, "target", "debug", "workbook")


def exercises():
    with open(os.path.join(ROOT, "info.toml"), "rb") as f:
        return [(e["dir"], e["name"]) for e in tomllib.load(f)["exercises"]]


def make_submission(path, index, listed, unique):
    for position, (folder, name) in enumerate(listed):
        source = "solutions"
        if index % 4 == 1 and position % 2 == 1:
            source = "exercises"  # half solved
        if index % 4 == 3 and name == "log_shipper":
            source = "exercises"  # its stub hangs
        target = os.path.join(path, "exercises", folder)
        os.makedirs(target, exist_ok=True)
        with open(os.path.join(ROOT, source, folder, name + ".rs")) as f:
            text = f.read()
        if index % 4 == 2 and position == 0:
            # Weakened tests on a stub: the grader restores the originals, so it still fails.
            with open(os.path.join(ROOT, "exercises", folder, name + ".rs")) as f:
                text = re.sub(r"assert(_eq)?!\(", "let _ = (", f.read())
        if unique:
            text += f"// student {index}\n"
        with open(os.path.join(target, name + ".rs"), "w") as f:
            f.write(text)


def timed(args, allowed=(0,)):
    started = time.monotonic()
    result = subprocess.run(args, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if result.returncode not in allowed:
        sys.exit(f"{' '.join(args[:3])} exited {result.returncode}:\n{result.stderr[-2000:]}")
    return time.monotonic() - started


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=30)
    parser.add_argument("--unique", action="store_true")
    parser.add_argument("--jobs", type=int)
    parser.add_argument("--skip-dev-check", action="store_true")
    parser.add_argument("--binary", default=BINARY)
    options = parser.parse_args()
    binary = options.binary
    if not os.path.exists(binary):
        sys.exit("build the tool first: cargo build -p workbook")
    listed = exercises()
    print(f"{len(listed)} exercises, {os.cpu_count()} cores")
    if not options.skip_dev_check:
        shutil.rmtree(os.path.join(ROOT, "target", "workbook"), ignore_errors=True)
        print(f"dev check, cold (no build output): {timed([binary, 'dev', 'check']):6.1f} s")
        print(f"dev check, warm:                   {timed([binary, 'dev', 'check']):6.1f} s")
    # The first grading builds the kit's dependency tree for graded copies; not counted.
    timed([binary, "grade", os.path.join(ROOT), "--jobs", "1"])
    jobs = ["--jobs", str(options.jobs)] if options.jobs else []
    class_dir = tempfile.mkdtemp(prefix="workbook-class-")
    try:
        paths = []
        for index in range(options.students):
            path = os.path.join(class_dir, f"student-{index:02}")
            make_submission(path, index, listed, options.unique)
            paths.append(path)
        count = len(paths)
        gradebooks = []
        # The second grading takes the class in reverse order: its gradebook must be the same.
        for grading, order in [("first grading", paths), ("graded again, reversed", paths[::-1])]:
            report = os.path.join(class_dir, "grades.csv")
            seconds = timed([binary, "grade", *order, "--csv", report, *jobs])
            with open(report) as f:
                rows = sorted(f.read().splitlines()[1:])
            if len(rows) != count:
                sys.exit(f"the gradebook has {len(rows)} rows for {count} submissions")
            gradebooks.append(rows)
            scores = [int(row.rsplit(",", 1)[1]) for row in rows]
            print(f"{grading}, {count} submissions: {seconds:6.1f} s ({seconds / count:.1f} s each, "
                  f"scores {min(scores)} to {max(scores)}, total {sum(scores)})")
        changed = [(a, b) for a, b in zip(*gradebooks) if a != b]
        print("the two gradebooks are identical" if not changed else f"scores changed: {changed}")
    finally:
        shutil.rmtree(class_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
