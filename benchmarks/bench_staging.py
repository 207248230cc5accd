"""Live mode against a misbehaving staging (issue 27): wall time, verdicts, max memory and HAR size per mode.

For each mode of ``tests/misbehaving_staging.py`` (a stand-in staging forwarding to the project's own server and
then misbehaving one way), run the reference clients of ``examples/`` in live mode in a subprocess, capped at
``--cap`` seconds (killed past it), and print one line: mode, wall seconds, outcomes, the subprocess's max RSS
(``VmHWM``, polled) and, with ``--record``, the HAR's size.  ``--source DIR`` runs another checkout's package (e.g. a
worktree of main, for "before" figures).

    python benchmarks/bench_staging.py [--modes slow-over,hang,...] [--timeout 2] [--cap 120] [--record]
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from misbehaving_staging import MisbehavingStaging  # noqa: E402

from pytest_postpress.doubles.server import PostpressServer  # noqa: E402

KEY = "pp_bench_staging_key_0001"
ACCOUNT = "acc_01STAGINGACCOUNT000000000"
#: name -> (mode, delay)
RUNS = {
    "correct": ("correct", 0.0),
    "slow-under": ("slow", 0.05),  # faster than the clients' timeouts (0.25 s, 0.5 s)
    "slow-over": ("slow", 1.0),  # slower than both
    "hang": ("hang", 0.0),
    "trickle": ("trickle", 0.02),
    "cut": ("cut", 0.0),
    "garbage": ("garbage", 0.0),
    "bad-status": ("bad-status", 0.0),
    "length-over": ("length-over", 0.0),
    "length-under": ("length-under", 0.0),
    "bad-gzip": ("bad-gzip", 0.0),
    "many-headers": ("many-headers", 0.0),
    "huge": ("huge", 0.0),
    "503": ("503", 0.0),
}


def _peak_kib(pid: int) -> int:
    """The process's peak resident memory so far (``VmHWM``, in KiB): that of the program it runs, unlike
    ``ru_maxrss``, which keeps the high-water mark of the forking process across ``exec``."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    found = re.search(r"^VmHWM:\s+(\d+) kB", status, re.MULTILINE)
    return int(found[1]) if found else 0


def run(name: str, args: argparse.Namespace) -> str:
    mode, delay = RUNS[name]
    env = {**os.environ, "POSTPRESS_API_KEY": KEY, "POSTPRESS_ACCOUNT_ID": ACCOUNT}
    if args.source:
        env["PYTHONPATH"] = f"{args.source}{os.pathsep}{ROOT / 'examples'}"
    with (
        tempfile.TemporaryDirectory() as tmp,
        PostpressServer(api_key=KEY, accounts=[ACCOUNT]) as upstream,
        MisbehavingStaging(upstream.origin, mode, delay=delay) as staging,
    ):
        har = Path(tmp) / "run.har"
        command = [
            sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "-p", "no:randomly",
            str(ROOT / "examples" / "test_httpx_client.py"), str(ROOT / "examples" / "test_requests_client.py"),
            "--postpress-live", "--postpress-base-url", staging.url, "--postpress-timeout", str(args.timeout),
            "--rootdir", str(ROOT), "-o", "addopts=",
        ]  # fmt: skip
        if args.record:
            command += ["--postpress-record", str(har)]
        started = time.perf_counter()
        process = subprocess.Popen(
            command, cwd=tmp, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True
        )
        assert process.stdout is not None
        os.set_blocking(process.stdout.fileno(), False)
        output = b""
        killed = False
        peak = 0
        while True:
            peak = max(peak, _peak_kib(process.pid))
            chunk = process.stdout.read()
            if chunk:
                output += chunk
            pid, _, _ = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() - started > args.cap:
                os.killpg(process.pid, signal.SIGKILL)
                killed = True
            time.sleep(0.05)
        wall = time.perf_counter() - started
        text = output.decode("utf-8", "replace")
        summary = [line for line in text.splitlines() if re.search(r"\b(passed|failed|error)\b.* in ", line)]
        outcome = "KILLED at cap" if killed else (summary[-1].strip("= ") if summary else text[-300:])
        could_not = sum(int(n) for n in re.findall(r"\((\d+) could not run", text))
        outcome += f"; could not run: {could_not}"
        size = f"  HAR {har.stat().st_size / 1e6:.2f} MB" if args.record and har.exists() else ""
        if args.verbose:
            print(text[-4000:])
        return f"{name:13s} {wall:7.1f} s  max RSS {peak / 1024:7.0f} MB{size}  requests {staging.requests}  {outcome}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--modes", default=",".join(RUNS))
    parser.add_argument("--timeout", type=float, default=2.0, help="--postpress-timeout of the runs (default 2)")
    parser.add_argument("--cap", type=float, default=120.0, help="kill a run past this many seconds (default 120)")
    parser.add_argument("--record", action="store_true", help="with --postpress-record (HAR size printed)")
    parser.add_argument("--source", default="", help="the checkout whose pytest_postpress runs (default: this one)")
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args()
    for name in args.modes.split(","):
        print(run(name, args), flush=True)


if __name__ == "__main__":
    main()
