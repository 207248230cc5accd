"""A real ``redis-server`` on a free loopback port, for the tests of the shared example database.

Where ``redis-server`` is missing the tests skip with a reason on a developer's machine and fail under CI (``CI``
set, as for ``node``): ``scripts/run-tests.sh`` installs Debian's ``redis-server`` package when the binary is
missing, so a CI run must never pass by skipping them.
"""

from __future__ import annotations

import secrets
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
import redis
from _node import _missing


def redis_server_executable() -> str:
    """The path of ``redis-server``; skip (fail under CI) with the reason when there is none."""
    found = shutil.which("redis-server")
    if found is None:
        _missing("redis-server is not on PATH (Debian: apt-get install -y redis-server)")
    return found


def free_port() -> int:
    """A loopback port nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class RedisServer:
    """A running ``redis-server``: its port, its password, and the process (to stop it mid-run)."""

    port: int
    password: str
    process: subprocess.Popen[bytes]

    def url(self, database: int = 0, *, password: str | None = None) -> str:
        return f"redis://:{self.password if password is None else password}@127.0.0.1:{self.port}/{database}"

    def client(self, database: int = 0) -> redis.Redis:
        return redis.Redis(host="127.0.0.1", port=self.port, db=database, password=self.password, socket_timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)


@contextmanager
def redis_server(directory: Path) -> Iterator[RedisServer]:
    """Start ``redis-server`` on 127.0.0.1 (a free port, a random password, no snapshots, in ``directory``); stop
    it on exit."""
    executable = redis_server_executable()
    password = "pw-" + secrets.token_hex(12)
    for _ in range(5):  # another process may take the free port between the probe and the start
        port = free_port()
        process = subprocess.Popen(
            [
                executable,
                *("--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"),
                *("--dir", str(directory), "--requirepass", password, "--daemonize", "no"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        server = RedisServer(port, password, process)
        try:
            if _wait_until_ready(server):
                break
        except BaseException:
            server.stop()
            raise
        server.stop()
    else:
        pytest.fail("redis-server did not start on a free loopback port in 5 tries", pytrace=False)
    try:
        yield server
    finally:
        server.stop()


def _wait_until_ready(server: RedisServer) -> bool:
    """Whether the server answers PING within 30 s (false if it exited: its port was taken)."""
    client = server.client()
    for _ in range(300):
        if server.process.poll() is not None:
            return False
        try:
            return bool(client.ping())
        except redis.ConnectionError:
            time.sleep(0.1)
    return False
