"""Benchmark the contract suite over a client program (run by hand from the repository root; prints figures).

    flock /tmp/postpress-bench.lock .venv/bin/python benchmarks/bench_command.py [--runs 3] [--one-shot-runs 1]

Wall time of the whole suite, default Hypothesis profile, pytest's start-up included:

1. the requests reference client on the loopback server (``examples/test_requests_client.py::TestRequestsClient``,
   0.5-second client timeout declared), the baseline;
2. the Node client through ``python -m pytest_postpress check --persistent`` (one node per check, JSON Lines);
3. the same in one-shot mode (one node per reconnect: several hundred of them).

Both Node runs declare the same 0.5-second client timeout (``--client-timeout 0.5 -- ... --timeout 0.5``), so that
the three run the same checks and wait alike in the two timeout checks.  Issue 12's goal: the persistent run
within 2x the baseline.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CLI = str(ROOT / "examples" / "node" / "cli.mjs")
_LAST = re.compile(r"\d+ passed.*")


def timed(command: list[str]) -> tuple[float, str]:
    """Wall time of ``command`` and pytest's last line; without the POSTPRESS_*, PYTEST_* and CI variables (CI
    would load Hypothesis's ci profile instead of the default one)."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("POSTPRESS_", "PYTEST_")) and key not in {"CI", "HYPOTHESIS_PROFILE"}
    }
    start = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    last = next((m.group(0) for m in map(_LAST.search, reversed(done.stdout.splitlines())) if m), "?")
    if done.returncode != 0:
        print(done.stdout[-2000:], done.stderr[-2000:], file=sys.stderr)
        raise SystemExit(f"{command} exited with {done.returncode}")
    return wall, last


def median_of(runs: int, command: list[str]) -> tuple[float, list[float], str]:
    walls, last = [], ""
    for _ in range(runs):
        wall, last = timed(command)
        walls.append(wall)
    return statistics.median(walls), walls, last


TIMEOUT = "0.5"  # seconds: the client timeout examples/test_requests_client.py declares


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="runs of the baseline and of the persistent mode")
    parser.add_argument(
        "--one-shot-runs", type=int, default=1, help="runs of the one-shot mode (about a minute each; 0 skips it)"
    )
    args = parser.parse_args()
    node = shutil.which("node")
    if node is None:
        raise SystemExit("node is not on PATH")
    python = sys.executable
    check = [python, "-m", "pytest_postpress", "check", "--client-timeout", TIMEOUT, "-q"]
    commands = {
        "requests reference client, loopback server": (
            args.runs,
            [
                python,
                "-m",
                "pytest",
                "-p",
                "no:cacheprovider",
                "-q",
                "examples/test_requests_client.py::TestRequestsClient",
            ],
        ),
        "Node client, check --persistent": (
            args.runs,
            [*check, "--persistent", "--", node, CLI, "--persistent", "--timeout", TIMEOUT],
        ),
        "Node client, check (one-shot)": (args.one_shot_runs, [*check, "--", node, CLI, "--timeout", TIMEOUT]),
    }
    print(f"whole suite, default Hypothesis profile, wall time (median), on {os.cpu_count()} cores")
    medians = {}
    for label, (runs, command) in commands.items():
        if runs == 0:
            continue
        median, walls, last = median_of(runs, command)
        medians[label] = median
        shown = ", ".join(f"{wall:.1f}" for wall in walls)
        print(f"  {label}: {median:.1f} s (runs: {shown} s; {last})")
    baseline = medians["requests reference client, loopback server"]
    persistent = medians["Node client, check --persistent"]
    one_shot = medians.get("Node client, check (one-shot)")
    verdict = "met" if persistent <= 2 * baseline else "NOT met"
    print(f"  persistent / requests reference: {persistent / baseline:.2f}x (goal: at most 2x: {verdict})")
    if one_shot is not None:
        print(f"  one-shot / persistent: {one_shot / persistent:.1f}x")


if __name__ == "__main__":
    main()
