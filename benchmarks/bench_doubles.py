"""What the test doubles cost: run by hand, prints figures (never part of the timed test suite).

    .venv/bin/python benchmarks/bench_doubles.py

1. Per-call cost of one reconnect through ``PostpressMock`` against a bare
   respx route that returns a canned 201, with the same httpx client and body.
   The bodies vary (a different valid body each call), rounds of 1000 calls
   alternate between the two, and the best round of each is kept; the ratio
   of the two is printed against the goal (issue 14: at most 1.3x).
2. Requests per second of the loopback ``PostpressServer`` with keep-alive,
   from one client and from 8 concurrent clients (``requests.Session`` each).
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import httpx
import requests
import respx

from pytest_postpress.doubles.mock import PostpressMock
from pytest_postpress.doubles.server import PostpressServer

KEY = "pp_bench_key"
ACCOUNT = "acc_bench"
BASE = "https://api.postpress.test"
URL = f"{BASE}/v1/accounts/{ACCOUNT}"
BODIES = [
    json.dumps({"provider": "LINKEDIN", "username": f"user{n}@acme.com", "password": f"pw{n}"}).encode()
    for n in range(1000)
]
HEADERS = {"X-API-KEY": KEY, "Content-Type": "application/json"}
MOCK_GOAL = 1.3  # issue 14: a reconnect through postpress_mock costs at most 1.3x a bare respx route


def per_call(run: Callable[[int], None], calls: int, rounds: int = 5) -> float:
    """Best-of-``rounds`` mean cost of one call, in microseconds."""
    results = []
    for _ in range(rounds):
        started = time.perf_counter()
        for index in range(calls):
            run(index)
        results.append((time.perf_counter() - started) / calls * 1e6)
    return min(results)


def bench_mock(calls: int, rounds: int = 7) -> tuple[float, float]:
    """Best round of each, rounds interleaved so that load from other processes hits both alike."""
    client = httpx.Client()
    mock = PostpressMock(base_url=BASE, api_key=KEY, accounts=[ACCOUNT])

    def post(index: int) -> None:
        response = client.post(URL, content=BODIES[index % len(BODIES)], headers=HEADERS)
        assert response.status_code == 201

    mock_us, bare_us = [], []
    for _ in range(rounds):
        with mock:  # a fresh state per round, as a test (or a Hypothesis example) gets
            post(0)
            mock_us.append(per_call(post, calls, rounds=1))
            mock.reset()
        with respx.mock(assert_all_called=False) as router:
            router.post(URL).respond(201, json={"object": "AccountReconnected", "account_id": ACCOUNT})
            post(0)
            bare_us.append(per_call(post, calls, rounds=1))
    client.close()
    return min(mock_us), min(bare_us)


def bench_server(clients: int, per_client: int) -> float:
    with PostpressServer(api_key=KEY, accounts=[ACCOUNT]) as server:
        endpoint = server.endpoint(ACCOUNT)

        def client(number: int) -> None:
            with requests.Session() as session:
                for index in range(per_client):
                    answer = session.post(
                        endpoint, data=BODIES[(number * per_client + index) % len(BODIES)], headers=HEADERS
                    )
                    assert answer.status_code == 201

        client(0)  # warm up
        server.reset()
        started = time.perf_counter()
        with ThreadPoolExecutor(clients) as pool:
            list(pool.map(client, range(clients)))
        elapsed = time.perf_counter() - started
        assert len(server.calls) == clients * per_client
    return clients * per_client / elapsed


def main() -> int:
    calls = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    mock_us, bare_us = bench_mock(calls)
    print(f"python {sys.version.split()[0]}, httpx {httpx.__version__}, respx {respx.__version__}")
    print(f"reconnect through postpress_mock:        {mock_us:7.1f} us/call")
    print(f"bare respx route returning a canned 201: {bare_us:7.1f} us/call")
    ratio = mock_us / bare_us
    verdict = "met" if ratio <= MOCK_GOAL else "NOT met"
    print(f"ratio mock / bare respx:                 {ratio:7.2f}x  (goal: at most {MOCK_GOAL}x: {verdict})")
    single = statistics.median(bench_server(1, 2000) for _ in range(3))
    eight = statistics.median(bench_server(8, 500) for _ in range(3))
    print(f"loopback server, keep-alive, 1 client:   {single:7.0f} requests/s")
    print(f"loopback server, keep-alive, 8 clients:  {eight:7.0f} requests/s (all answered and recorded)")
    print("  (from requests.Session threads in this process, which are the limit: bench_prism.py measures the server)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
