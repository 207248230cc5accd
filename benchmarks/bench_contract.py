"""Benchmark the contract layer: bodies validated per second, and the plugin's cost at pytest start-up.

Run by hand from the repository root (not a test):

    .venv/bin/python benchmarks/bench_contract.py [--runs 15]

Prints figures; asserts nothing.  Start-up is measured as the wall time of
``pytest --co -q`` in an empty folder, with the plugin and with
``-p no:postpress``, each run ``--runs`` times alternately (median reported).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from typing import Any

from pytest_postpress import validate_reconnect_body
from pytest_postpress.validation import matching_variants

SECRET = "hunter2-password"
BODIES: list[Any] = [
    {"provider": "LINKEDIN", "username": "anna@acme.com", "password": SECRET},
    {
        "provider": "LINKEDIN",
        "access_token": SECRET,
        "country": "FR",
        "ip": "203.0.113.7",
        "sync_limit": {"chats": 0, "messages": "2025-12-31T23:59:59.999Z"},
        "proxy": {"host": "proxy.acme.com", "port": 1080, "protocol": "socks5"},
    },
    {"provider": "WHATSAPP", "pairing_phone_number": "+33 6 00 00 00 00"},
    {
        "provider": "MESSENGER",
        "cookies": [{"name": n, "value": SECRET} for n in ("xs", "c_user", "datr", "fr")],
        "headers": {"User-Agent": "Mozilla/5.0"},
    },
    {
        "provider": "MAIL",
        "imap_user": "a",
        "smtp_user": "a",
        "imap_password": SECRET,
        "smtp_password": SECRET,
        "imap_host": "imap.acme.com",
        "imap_port": 993,
        "smtp_host": "smtp.acme.com",
        "smtp_port": 587,
        "imap_encryption": "tls",
    },
    {"provider": "TWITTER", "username": "anna", "email": "anna@acme.com", "password": SECRET},
    # invalid ones: the closest-variant path is part of the cost
    {"provider": "linkedin", "username": "anna", "password": SECRET, "access_token": SECRET},
    {"provider": "MAIL", "imap_port": "993"},
    {"username": "x", "password": "y"},
    [1, 2, 3],
]


def validation_rate(seconds: float) -> tuple[float, float]:
    validate_reconnect_body(BODIES[0])  # compile the validators outside the timing
    count = 0
    start = time.perf_counter()
    while time.perf_counter() - start < seconds:
        for body in BODIES:
            validate_reconnect_body(body)
        count += len(BODIES)
    rate = count / (time.perf_counter() - start)
    count = 0
    start = time.perf_counter()
    while time.perf_counter() - start < seconds:
        for body in BODIES[:6]:
            matching_variants(body)
        count += 6
    return rate, count / (time.perf_counter() - start)


def startup(runs: int) -> tuple[float, float]:
    with_plugin: list[float] = []
    without: list[float] = []
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    env.pop("PYTEST_ADDOPTS", None)
    with tempfile.TemporaryDirectory() as empty:
        for _ in range(runs):
            for extra, bucket in (([], with_plugin), (["-p", "no:postpress"], without)):
                start = time.perf_counter()
                subprocess.run(
                    [sys.executable, "-m", "pytest", "--co", "-q", *extra],
                    cwd=empty,
                    env=env,
                    capture_output=True,
                    check=False,
                )
                bucket.append(time.perf_counter() - start)
    return statistics.median(with_plugin), statistics.median(without)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--seconds", type=float, default=3.0)
    args = parser.parse_args()
    rate, match_rate = validation_rate(args.seconds)
    print(f"validate_reconnect_body: {rate:,.0f} bodies/s (mix of {len(BODIES)} valid and invalid bodies)")
    print(f"matching_variants (12 variant checks per body): {match_rate:,.0f} bodies/s")
    on, off = startup(args.runs)
    print(f"pytest --co -q on an empty folder, median of {args.runs}: with plugin {on * 1000:.0f} ms, ")
    print(
        f"  with -p no:postpress {off * 1000:.0f} ms; plugin cost {(on - off) * 1000:+.0f} ms ({(on - off) / off:+.1%})"
    )


if __name__ == "__main__":
    main()
