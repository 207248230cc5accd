"""The loopback server against Stoplight Prism 5.14 (``prism mock``): keep-alive requests per second, run by hand.

    .venv/bin/python benchmarks/bench_prism.py [SECONDS]

Both servers run in processes of their own, on loopback: ``python -m pytest_postpress serve`` and ``prism mock`` on
the OpenAPI document ``python -m pytest_postpress openapi`` exports, with Prism's defaults.  The same load
generator (``benchmarks/_load.py``, asyncio streams in a third process) sends the same valid reconnect, keep-alive,
from 1 and from 8 connections for ``SECONDS`` (default 5) after a one-second warm-up, one server at a time; every
answer must be a 201.  Prints requests/s and our/Prism ratios against the goal (issue 14: at least 2x at 1 and
at 8 clients).

Prism is taken from ``$PRISM`` when set, else installed once from the npm registry into
``~/.cache/pytest-postpress/prism`` (``npm install @stoplight/prism-cli@5.14``); where ``npm`` is absent the
comparison is skipped with the reason and our server's figures alone are printed.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

HERE = Path(__file__).resolve().parent
KEY = "pp_bench_key"
ACCOUNT = "acc_bench"
GOAL = 2.0
PRISM_VERSION = "5.14"
CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "pytest-postpress" / "prism"


def find_prism() -> tuple[str | None, str]:
    """The prism executable, installing it when needed, or None and the reason why not."""
    if os.environ.get("PRISM"):
        return os.environ["PRISM"], f"$PRISM ({os.environ['PRISM']})"
    installed = CACHE / "node_modules" / ".bin" / "prism"
    if not installed.exists():
        npm = shutil.which("npm")
        if npm is None:
            return None, "npm is not on PATH: cannot install Prism from the npm registry"
        print(f"installing @stoplight/prism-cli@{PRISM_VERSION} into {CACHE} ...", file=sys.stderr, flush=True)
        CACHE.mkdir(parents=True, exist_ok=True)
        done = subprocess.run(
            [
                npm,
                "install",
                "--no-audit",
                "--no-fund",
                "--prefix",
                str(CACHE),
                f"@stoplight/prism-cli@{PRISM_VERSION}",
            ],
            capture_output=True,
            text=True,
            timeout=600,
        )
        if done.returncode != 0 or not installed.exists():
            return None, f"npm install of Prism failed (exit {done.returncode}): {done.stderr.strip()[-500:]}"
    return str(installed), str(installed)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_listening(port: int, process: subprocess.Popen[bytes], what: str, seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited with status {process.returncode} before listening on port {port}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return
        time.sleep(0.1)
    raise RuntimeError(f"{what} did not listen on port {port} within {seconds:.0f} s")


@contextlib.contextmanager
def running(argv: list[str], port: int, what: str) -> Iterator[None]:
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
    try:
        wait_listening(port, process, what)
        yield
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def load(port: int, clients: int, seconds: float) -> float:
    """Requests per second from ``clients`` keep-alive connections; every answer must be a 201."""
    out = subprocess.run(
        [
            sys.executable,
            str(HERE / "_load.py"),
            "127.0.0.1",
            str(port),
            f"/v1/accounts/{ACCOUNT}",
            *(str(clients), str(seconds), KEY),
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=seconds + 60,
    ).stdout
    result = json.loads(out)
    statuses = result["statuses"]
    if set(statuses) != {"201"}:
        raise RuntimeError(f"expected only 201 answers on port {port}, got {statuses}")
    return float(result["requests"]) / float(result["seconds"])


def ours(port: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        "pytest_postpress",
        "serve",
        "--port",
        str(port),
        "--api-key",
        KEY,
        "--account",
        ACCOUNT,
    ]


def main() -> int:
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 5.0
    prism, where = find_prism()
    node = subprocess.run(["node", "--version"], capture_output=True, text=True).stdout.strip() if prism else ""
    print(f"python {sys.version.split()[0]}; {os.cpu_count()} cores; {seconds:g} s per measure after 1 s warm-up")
    results: dict[tuple[str, int], float] = {}
    port = free_port()
    with running(ours(port), port, "python -m pytest_postpress serve"):
        for clients in (1, 8):
            results["ours", clients] = load(port, clients, seconds)
    if prism is None:
        print(f"Prism skipped: {where}")
    else:
        version = subprocess.run([prism, "--version"], capture_output=True, text=True).stdout.strip()
        print(f"Prism {version} ({where}), node {node}")
        with tempfile.TemporaryDirectory() as folder:
            document = Path(folder) / "openapi.json"
            document.write_text(
                subprocess.run(
                    [sys.executable, "-m", "pytest_postpress", "openapi"], capture_output=True, text=True, check=True
                ).stdout
            )
            port = free_port()
            with running([prism, "mock", "-h", "127.0.0.1", "-p", str(port), str(document)], port, "prism mock"):
                for clients in (1, 8):
                    results["prism", clients] = load(port, clients, seconds)
    print(f"{'clients':>8} {'ours req/s':>11} {'Prism req/s':>12} {'ratio':>7}")
    for clients in (1, 8):
        mine = results["ours", clients]
        theirs = results.get(("prism", clients))
        if theirs is None:
            print(f"{clients:>8} {mine:>11.0f} {'-':>12} {'-':>7}")
            continue
        ratio = mine / theirs
        verdict = "met" if ratio >= GOAL else "NOT met"
        print(f"{clients:>8} {mine:>11.0f} {theirs:>12.0f} {ratio:>6.2f}x  (goal: at least {GOAL:g}x: {verdict})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
