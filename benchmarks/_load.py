"""A keep-alive HTTP/1.1 load generator for the benchmarks, in its own process.

    python benchmarks/_load.py HOST PORT PATH CLIENTS SECONDS API_KEY

``CLIENTS`` connections each send one pre-built POST, read the whole answer (headers, then ``Content-Length``
bytes), and send the next, for ``SECONDS`` after a one-second warm-up.  Prints one JSON line:
``{"requests": n, "seconds": s, "statuses": {"201": n, ...}}``.  It runs on asyncio streams in one process of its
own, so that the server under test never shares an interpreter (or a GIL) with the generator.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from collections import Counter

BODY = json.dumps({"provider": "LINKEDIN", "username": "bench@acme.com", "password": "pw-bench"}).encode()


def request_bytes(host: str, port: int, path: str, api_key: str) -> bytes:
    head = (
        f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\nX-API-KEY: {api_key}\r\n"
        f"Content-Type: application/json\r\nAccept: application/json\r\nContent-Length: {len(BODY)}\r\n\r\n"
    )
    return head.encode() + BODY


async def one_client(
    host: str, port: int, request: bytes, warm_until: float, stop_at: float, statuses: Counter[str]
) -> int:
    reader, writer = await asyncio.open_connection(host, port)
    done = 0
    try:
        while True:
            now = time.perf_counter()
            if now >= stop_at:
                return done
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            status = head[9:12].decode()
            length = 0
            for line in head.split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value)
            if length:
                await reader.readexactly(length)
            if now >= warm_until:
                statuses[status] += 1
                done += 1
    finally:
        writer.close()


async def run(host: str, port: int, path: str, clients: int, seconds: float, api_key: str) -> dict[str, object]:
    request = request_bytes(host, port, path, api_key)
    statuses: Counter[str] = Counter()
    started = time.perf_counter()
    warm_until = started + 1.0
    stop_at = warm_until + seconds
    counts = await asyncio.gather(
        *(one_client(host, port, request, warm_until, stop_at, statuses) for _ in range(clients))
    )
    return {"requests": sum(counts), "seconds": seconds, "statuses": dict(statuses)}


def main() -> int:
    host, port, path, clients, seconds, api_key = sys.argv[1:7]
    print(json.dumps(asyncio.run(run(host, int(port), path, int(clients), float(seconds), api_key))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
