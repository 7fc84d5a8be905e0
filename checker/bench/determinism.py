#!/usr/bin/env python3
"""Runs `workbook dev check --json` again and again with a core kept busy, and counts, for every
solution, stub and fix of the corpus, how often each verdict came out: every verdict must be the
same every time, whatever the load.

Usage: python3 checker/bench/determinism.py [--runs 20] [--busy 1] [--only NAME ...]
Run it from a clone of the workbook, with `cargo build -p workbook` done. --busy N keeps N cores
spinning (default 1: on a 2-core machine, the other core busy). Prints each run's time and
verdicts as it goes, then the counts; exits 1 if any verdict changed between runs.
"""

import argparse
import collections
import json
import os
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BINARY = os.path.join(ROOT, "target", "debug", "workbook")
PLURAL = {"fix": "fixes", "solution": "solutions", "stub": "stubs"}


def verdict(report):
    """`pass`, or the failure kinds over every step, as dev check compares them."""
    kinds = set()
    for step in report["steps"]:
        tests = step.get("tests") or []
        if not tests and step.get("failure_kind"):
            kinds.add(step["failure_kind"])
        kinds.update(t["failure_kind"] for t in tests if t.get("failure_kind"))
    if all(step["status"] == "passed" for step in report["steps"]):
        return "pass"
    return ",".join(sorted(kinds)) or "failed"


def one_run(only):
    command = [BINARY, "dev", "check", "--json"]
    for name in only:
        command += ["--only", name]
    started = time.monotonic()
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    elapsed = time.monotonic() - started
    report = json.loads(done.stdout)
    verdicts = {}
    for report_of in report["solutions"]:
        verdicts[("solution", report_of["name"])] = verdict(report_of)
    for report_of in report["stubs"]:
        verdicts[("stub", report_of["name"])] = verdict(report_of)
    for fix in report.get("fixes", []):
        verdicts[("fix", fix["path"])] = verdict(fix["report"])
    return elapsed, verdicts, len(report["findings"])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--busy", type=int, default=1)
    parser.add_argument("--only", action="append", default=[])
    args = parser.parse_args()
    spinners = [
        subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(args.busy)
    ]
    seen = collections.defaultdict(collections.Counter)
    try:
        for run in range(1, args.runs + 1):
            elapsed, verdicts, findings = one_run(args.only)
            for item, outcome in verdicts.items():
                seen[item][outcome] += 1
            load = os.getloadavg()[0]
            print(f"run {run}: {elapsed:.1f}s, {len(verdicts)} verdicts, {findings} findings, "
                  f"load {load:.1f}", flush=True)
    finally:
        for spinner in spinners:
            spinner.kill()
    kinds = collections.Counter(item[0] for item in seen)
    changed = {item: counts for item, counts in seen.items() if len(counts) > 1}
    print(f"\n{args.runs} runs with {args.busy} core(s) busy: "
          + ", ".join(f"{count} {PLURAL[kind]}" for kind, count in sorted(kinds.items()))
          + f", {sum(sum(c.values()) for c in seen.values())} verdicts in all")
    if not changed:
        print("every verdict was the same in every run")
        return 0
    print(f"{len(changed)} verdict(s) changed between runs:")
    for (kind, name), counts in sorted(changed.items()):
        print(f"  {kind} {name}: " + ", ".join(f"{o} x{n}" for o, n in counts.most_common()))
    return 1


if __name__ == "__main__":
    sys.exit(main())
