"""Benchmark the contract suite (run by hand from the repository root; prints figures, asserts nothing).

    .venv/bin/python benchmarks/bench_suite.py [--skip-gallery] [--budget 10]

1. Wall time of the whole suite against each reference client (examples/), default Hypothesis profile, and
   of one client against the goals of issue 14 (sync httpx on respx: 2 s; requests on the server: 4 s).
2. Examples per second of each fuzz check on the reference httpx client (from the JSON report).
3. How many of the broken clients of tests/broken_clients.py the fuzz checks alone catch
   (``-m postpress_fuzz``): with the default profile, and with a ``--postpress-fuzz-seconds`` budget.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "examples"), str(ROOT / "tests")]


def pytest_run(
    *args: str, cwd: Path = ROOT, bytecode: bool | None = None
) -> tuple[float, subprocess.CompletedProcess[str]]:
    """Run pytest in a subprocess; ``bytecode``: write and reuse ``__pycache__`` (True), or not (False, as with
    ``PYTHONDONTWRITEBYTECODE=1``); None keeps the environment's setting."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("POSTPRESS_", "PYTEST_"))}
    if bytecode is True:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
    elif bytecode is False:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    return time.perf_counter() - start, done


# Issue 14: the whole suite on one client, default Hypothesis profile, wall time including pytest's start-up.
SUITE_GOALS = {
    "examples/test_httpx_client.py::TestHttpxClient": ("sync httpx client on the respx mock", 2.0),
    "examples/test_requests_client.py::TestRequestsClient": ("requests client on the loopback server", 4.0),
}
_IN_SECONDS = re.compile(r" in ([0-9.]+)s")


def suite_wall_time(runs: int = 3) -> None:
    """Wall times per client against the goals.

    With bytecode caching on, as on a user's machine, after one untimed run that fills the caches: where Python
    writes no bytecode (``PYTHONDONTWRITEBYTECODE=1``, as in this project's work sessions) and nothing is cached
    yet, pytest rewrites the assertions of every module of every pytest plugin's distribution (Hypothesis, this
    plugin...) again on every run, which costs 0.4 to 0.7 s more on the project's machine.
    """
    print("1. whole suite, default Hypothesis profile (wall time, including pytest start-up; median of", runs, "runs;")
    print("   bytecode cached, as on a user's machine)")
    total, done = pytest_run("examples", bytecode=True)
    print(f"   examples/ (3 reference clients, {done.stdout.strip().splitlines()[-1]}): {total:.1f} s")
    with tempfile.TemporaryDirectory() as empty:
        pytest_run("--co", "-p", "no:postpress", cwd=Path(empty), bytecode=True)
        started, _ = pytest_run("--co", "-p", "no:postpress", cwd=Path(empty), bytecode=True)
    print(f"   pytest start-up alone (pytest --co -p no:postpress on an empty folder): {started:.2f} s")
    for target, (what, goal) in SUITE_GOALS.items():
        pytest_run("--co", target, bytecode=True)  # fills the caches, untimed
        walls, inside, last = [], [], ""
        for _ in range(runs):
            seconds, done = pytest_run(target, bytecode=True)
            last = done.stdout.strip().splitlines()[-1]
            walls.append(seconds)
            found = _IN_SECONDS.search(last)
            inside.append(float(found.group(1)) if found else float("nan"))
        wall = statistics.median(walls)
        verdict = "met" if wall <= goal else "NOT met"
        print(
            f"   {target} ({what}): {wall:.2f} s wall, {statistics.median(inside):.2f} s as pytest counts it "
            f"(goal: at most {goal:g} s wall: {verdict}; {last})"
        )


def fuzz_rates() -> None:
    print("2. examples per second per fuzz check, reference httpx client (respx) and requests client (server)")
    for target in ("examples/test_httpx_client.py::TestHttpxClient", "examples/test_requests_client.py"):
        with tempfile.TemporaryDirectory() as folder:
            report = Path(folder) / "report.json"
            pytest_run(
                target,
                "-m",
                "postpress_fuzz",
                "--hypothesis-profile=postpress-fuzz",
                "--postpress-fuzz-seconds=15",
                f"--postpress-report={report}",
            )
            data = json.loads(report.read_text())
        for client in data["clients"]:
            for check in client["checks"]:
                rate = check["examples"] / check["duration"] if check["duration"] else 0.0
                print(
                    f"   {client['name']}.{check['name']}: {check['examples']} examples in "
                    f"{check['duration']:.1f} s = {rate:,.0f}/s"
                )


def gallery(budget: float) -> None:
    from broken_clients import GALLERY, client_test_source

    print(f"3. broken clients caught by the fuzz checks alone (-m postpress_fuzz), of {len(GALLERY)}")
    caught = {"default profile": 0, f"{budget:g}-second budget": 0}
    missed: dict[str, list[str]] = {key: [] for key in caught}
    for client in GALLERY:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder)
            (path / "test_client.py").write_text(client_test_source(client.__name__))
            for label, extra in (
                ("default profile", ()),
                (
                    f"{budget:g}-second budget",
                    ("--hypothesis-profile=postpress-fuzz", f"--postpress-fuzz-seconds={budget}"),
                ),
            ):
                _, done = pytest_run("-m", "postpress_fuzz", *extra, cwd=path)
                if done.returncode == 1:
                    caught[label] += 1
                else:
                    missed[label].append(client.__name__)
    for label, count in caught.items():
        print(f"   {label}: {count}/{len(GALLERY)} caught; not caught by fuzzing: {', '.join(missed[label]) or '-'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-gallery", action="store_true")
    parser.add_argument("--budget", type=float, default=10.0)
    parser.add_argument("--suite-only", action="store_true", help="only the wall times (part 1)")
    args = parser.parse_args()
    suite_wall_time()
    if args.suite_only:
        return
    fuzz_rates()
    if not args.skip_gallery:
        gallery(args.budget)


if __name__ == "__main__":
    main()
