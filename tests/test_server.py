"""The loopback server as HTTP/1.1: raw request lines, framing, keep-alive, slow clients, shutdown, load.

Rule 22 itself is covered against both doubles in ``test_mock_and_server.py``;
here the server meets raw sockets and real clients (requests, aiohttp, urllib).
"""

from __future__ import annotations

import asyncio
import http.client
import io
import json
import socket
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import aiohttp
import pytest
import requests
from hypothesis import given
from hypothesis import strategies as st

from pytest_postpress.doubles._http import Headers
from pytest_postpress.doubles.server import READ_LIMIT, PostpressServer, _BadRequest, read_fields
from pytest_postpress.validation import validate_response

KEY = "pp_test_key_for_the_server_0001"
ACCOUNT = "acc_server_1"
BODY = json.dumps({"provider": "LINKEDIN", "username": "anna@acme.com", "password": "pw"}).encode()
TIMEOUT = 0.4  # the server's read timeout in these tests: short, so slow-client tests stay fast


@pytest.fixture(scope="module")
def module_server() -> Iterator[PostpressServer]:
    with PostpressServer(api_key=KEY, accounts=[ACCOUNT], prefix="/api", timeout=TIMEOUT, max_hold=2.0) as server:
        yield server


@pytest.fixture
def server(module_server: PostpressServer) -> Iterator[PostpressServer]:
    module_server.reset()
    yield module_server
    module_server.reset()


def request_bytes(path: str = f"/api/v1/accounts/{ACCOUNT}", *, body: bytes = BODY, extra: str = "") -> bytes:
    head = (
        f"POST {path} HTTP/1.1\r\nHost: test\r\nX-API-KEY: {KEY}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n{extra}\r\n"
    )
    return head.encode("utf-8") + body


def exchange(server: PostpressServer, data: bytes, *, wait: float = 2.0) -> bytes:
    """Send raw bytes, read until the server closes the connection (or ``wait`` passes)."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=wait) as connection:
        connection.sendall(data)
        received = b""
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            try:
                chunk = connection.recv(65536)
            except TimeoutError:
                break
            if not chunk:
                break
            received += chunk
    return received


def responses(raw: bytes) -> list[tuple[int, dict[str, str], dict[str, object]]]:
    """Split raw bytes into (status, headers, JSON body) responses, checking each against the contract."""
    found = []
    while raw:
        head, _, rest = raw.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ")[1])
        headers = {name.lower(): value.strip() for name, _, value in (line.partition(":") for line in lines[1:])}
        length = int(headers["content-length"])
        body, raw = rest[:length], rest[length:]
        parsed = json.loads(body)
        assert headers["content-type"] == "application/json"
        assert validate_response(status, parsed) == [], parsed
        found.append((status, headers, parsed))
    return found


# -- what only a real socket can send ------------------------------------------------------------------


def test_a_raw_space_in_the_target_is_unescaped_characters(server: PostpressServer) -> None:
    then_close = request_bytes(extra="Connection: close\r\n")
    first, second = responses(exchange(server, request_bytes("/api/v1/accounts/acc server 1") + then_close))
    assert (first[0], first[2]["type"]) == (400, "errors/unescaped_characters")
    assert "space" in str(first[2]["detail"])
    assert server.calls[0].raw_path == "/api/v1/accounts/acc server 1"
    assert "connection" not in first[1]  # the connection stays usable: the next request is answered
    assert second[0] == 201


def test_a_raw_non_ascii_target_is_unescaped_characters(server: PostpressServer) -> None:
    data = request_bytes("/api/v1/accounts/acc_é", extra="Connection: close\r\n")
    [(status, _, body)] = responses(exchange(server, data))
    assert (status, body["type"]) == (400, "errors/unescaped_characters")
    assert server.calls[-1].raw_path == "/api/v1/accounts/acc_é"


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"GARBAGE\r\n\r\n", "malformed request line"),
        (b"POST /api/v1/accounts/x HTTP/2.0\r\n\r\n", "use HTTP/1.1"),
        (b"P(ST /api/v1/accounts/x HTTP/1.1\r\n\r\n", "malformed request line"),
        (b"POST /x HTTP/1.1\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n", "send one"),
        (b"POST /x HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n", "not supported"),
        (b"POST /x HTTP/1.1\r\nContent-Length: -1\r\n\r\n", "not one whole number"),
        (b"POST /x HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", "not one whole number"),
        (b"POST /" + b"a" * 70_000 + b" HTTP/1.1\r\n\r\n", "longer than 65536"),
        (b"POST /x HTTP/1.1\r\nX: " + b"a" * 70_000 + b"\r\n\r\n", "longer than 65536"),
        (b"POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", "not hexadecimal"),
    ],
    ids=[
        "garbage",
        "http2",
        "bad-method",
        "te-and-cl",
        "gzip",
        "negative-length",
        "two-lengths",
        "long-line",
        "long-header",
        "bad-chunk",
    ],
)
def test_an_unreadable_request_is_400_invalid_request_and_the_connection_closes(
    server: PostpressServer, data: bytes, words: str
) -> None:
    [(status, headers, body)] = responses(exchange(server, data))
    assert (status, body["type"]) == (400, "errors/invalid_request")
    assert words in str(body["detail"])
    assert headers["connection"] == "close"
    assert [call.routed for call in server.calls] == [False]  # recorded, and fails a postpress_server test


def test_a_declared_body_over_the_read_limit_is_refused_without_reading_it(server: PostpressServer) -> None:
    head = request_bytes(body=b"")[: -len(b"Content-Length: 0\r\n\r\n")]
    data = head + f"Content-Length: {READ_LIMIT + 1}\r\n\r\n".encode()
    [(status, headers, body)] = responses(exchange(server, data))
    assert (status, body["type"]) == (400, "errors/content_too_large")
    assert headers["connection"] == "close"


def test_a_chunked_body_is_read(server: PostpressServer) -> None:
    chunks = b"".join(b"%x\r\n%s\r\n" % (len(part), part) for part in (BODY[:10], BODY[10:]))
    data = request_bytes(body=b"", extra="Transfer-Encoding: chunked\r\nConnection: close\r\n")
    data = data.replace(b"Content-Length: 0\r\n", b"") + chunks + b"0\r\nTrailer: x\r\n\r\n"
    [(status, _, body)] = responses(exchange(server, data))
    assert (status, body) == (201, {"object": "AccountReconnected", "account_id": ACCOUNT})
    assert server.calls[-1].content == BODY


def test_expect_100_continue_is_honoured(server: PostpressServer) -> None:
    with socket.create_connection(("127.0.0.1", server.port), timeout=2) as connection:
        connection.sendall(
            request_bytes(body=b"", extra="Expect: 100-continue\r\n").replace(
                b"Content-Length: 0", b"Content-Length: %d" % len(BODY)
            )
        )
        assert connection.recv(1024) == b"HTTP/1.1 100 Continue\r\n\r\n"
        connection.sendall(BODY)
        assert b"HTTP/1.1 201 Created" in connection.recv(65536)


def test_a_content_length_shorter_than_the_body_leaves_garbage_that_is_refused(server: PostpressServer) -> None:
    data = request_bytes(body=BODY).replace(b"Content-Length: %d" % len(BODY), b"Content-Length: 10")
    first, second = responses(exchange(server, data + b"\r\n"))
    assert (first[0], first[2]["type"]) == (400, "errors/invalid_request")  # 10 bytes of JSON: cut short
    assert (second[0], second[2]["type"]) == (400, "errors/invalid_request")  # the rest is no request line
    assert second[1]["connection"] == "close"


def test_a_content_length_longer_than_the_body_times_out_with_408(server: PostpressServer) -> None:
    data = request_bytes(body=BODY).replace(b"Content-Length: %d" % len(BODY), b"Content-Length: 500")
    started = time.monotonic()
    # exchange() returns as soon as the server closes: a long wait costs nothing when the server is right, and
    # a loaded machine (threads scheduled late) cannot turn a correct 408 into a failure.
    [(status, headers, body)] = responses(exchange(server, data, wait=30))
    assert (status, body["type"]) == (408, "errors/request_timeout")
    assert headers["connection"] == "close"
    # Not before the read timeout (a timeout never fires early); well before max_hold or the wait ends.
    assert TIMEOUT * 0.9 <= time.monotonic() - started < 20


def test_a_slow_client_is_timed_out_while_others_are_served(server: PostpressServer) -> None:
    with socket.create_connection(("127.0.0.1", server.port), timeout=30) as slow:  # the 408 ends the wait
        slow.sendall(request_bytes()[:30])  # half a request line, then silence
        session = requests.Session()
        for _ in range(3):
            answer = session.post(
                server.endpoint(ACCOUNT), data=BODY, headers={"X-API-KEY": KEY, "Content-Type": "application/json"}
            )
            assert answer.status_code == 201
        [(status, _, body)] = responses(slow.recv(65536))
        assert (status, body["type"]) == (408, "errors/request_timeout")
        assert slow.recv(1) == b""  # closed


def test_an_idle_keep_alive_connection_is_closed_without_an_answer(server: PostpressServer) -> None:
    with socket.create_connection(("127.0.0.1", server.port), timeout=30) as idle:  # the close ends the wait
        assert idle.recv(1) == b""
    assert server.calls == []


# -- HTTP/1.1 manners -----------------------------------------------------------------------------------


def test_keep_alive_serves_several_requests_on_one_connection(server: PostpressServer) -> None:
    three = request_bytes() * 2 + request_bytes(extra="Connection: close\r\n")
    answers = responses(exchange(server, three))
    assert [status for status, _, _ in answers] == [201, 201, 201]
    assert [headers.get("connection") for _, headers, _ in answers] == [None, None, "close"]


def test_http_1_0_closes_unless_keep_alive_is_asked(server: PostpressServer) -> None:
    one_zero = request_bytes().replace(b"HTTP/1.1", b"HTTP/1.0")
    [(_, headers, _)] = responses(exchange(server, one_zero))
    assert headers["connection"] == "close"
    kept = request_bytes(extra="Connection: keep-alive\r\n").replace(b"HTTP/1.1", b"HTTP/1.0")
    [(_, headers, _)] = responses(exchange(server, kept, wait=30))  # the server's idle timeout closes it
    assert headers["connection"] == "keep-alive"


def test_head_gets_headers_and_no_body(server: PostpressServer) -> None:
    raw = exchange(server, b"HEAD /api/v1/accounts/x HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
    head, _, body = raw.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 404 Not Found")
    assert b"Content-Length: " in head
    assert body == b""


def test_absolute_form_targets_and_a_leading_empty_line_are_accepted(server: PostpressServer) -> None:
    data = b"\r\n" + request_bytes(
        f"http://127.0.0.1:{server.port}/api/v1/accounts/{ACCOUNT}", extra="Connection: close\r\n"
    )
    [(status, _, _)] = responses(exchange(server, data))
    assert status == 201


def test_time_out_holds_until_reset() -> None:
    # Its own server, holding for a minute: released within seconds can only be the reset's doing, however
    # late a loaded machine schedules the threads.
    with PostpressServer(api_key=KEY, accounts=[ACCOUNT], prefix="/api", timeout=60, max_hold=60) as server:
        server.time_out()
        with socket.create_connection(("127.0.0.1", server.port), timeout=60) as connection:
            connection.sendall(request_bytes())
            deadline = time.monotonic() + 30
            while not server.calls and time.monotonic() < deadline:  # held: received, not answered
                time.sleep(0.01)
            assert [call.status for call in server.calls] == [None]
            started = time.monotonic()
            server.reset()
            assert connection.recv(1) == b""  # released: closed without an answer
            assert time.monotonic() - started < 20


def test_a_broken_success_policy_is_a_500_and_fails_the_check(server: PostpressServer) -> None:
    server.success_account_id = lambda path_id: ""
    [(status, _, body)] = responses(exchange(server, request_bytes(extra="Connection: close\r\n")))
    assert (status, body["type"]) == (500, "errors/unexpected_error")
    with pytest.raises(AssertionError, match="success_account_id returned ''"):
        server.check_all_routed()


# -- real clients ---------------------------------------------------------------------------------------


def test_requests_urllib_and_aiohttp_all_get_the_documented_answers(server: PostpressServer) -> None:
    headers = {"X-API-KEY": KEY, "Content-Type": "application/json"}
    assert requests.post(server.endpoint(ACCOUNT), data=BODY, headers=headers, timeout=5).status_code == 201

    request = urllib.request.Request(server.endpoint("nobody"), data=BODY, headers=headers, method="POST")
    with pytest.raises(urllib.error.HTTPError) as not_found:
        urllib.request.urlopen(request, timeout=5)
    assert json.loads(not_found.value.read())["type"] == "errors/resource_not_found"

    async def with_aiohttp() -> list[int]:
        async with aiohttp.ClientSession() as session:
            statuses = []
            for key in (KEY, "wrong"):
                async with session.post(
                    server.endpoint(ACCOUNT), data=BODY, headers={**headers, "X-API-KEY": key}
                ) as answer:
                    statuses.append(answer.status)
            return statuses

    assert asyncio.run(with_aiohttp()) == [201, 401]
    assert len(server.calls) == 4


def test_server_url_has_the_prefix_and_endpoint_escapes_the_id(server: PostpressServer) -> None:
    assert server.url == f"http://127.0.0.1:{server.port}/api"
    assert server.endpoint("a/b c") == f"http://127.0.0.1:{server.port}/api/v1/accounts/a%2Fb%20c"


# -- life cycle -------------------------------------------------------------------------------------------


def test_stop_closes_open_connections_and_leaves_no_thread_or_socket() -> None:
    before = set(threading.enumerate())
    server = PostpressServer(api_key=KEY, accounts=[ACCOUNT], timeout=30).start()
    port = server.port
    keep_alive = socket.create_connection(("127.0.0.1", port))
    keep_alive.sendall(request_bytes(path=f"/v1/accounts/{ACCOUNT}"))
    assert b"201" in keep_alive.recv(65536)  # the connection stays open, its thread waiting for more
    half = socket.create_connection(("127.0.0.1", port))
    half.sendall(b"POST /v1/acc")
    server.time_out()
    held = socket.create_connection(("127.0.0.1", port))
    held.sendall(request_bytes(path=f"/v1/accounts/{ACCOUNT}"))
    deadline = time.monotonic() + 30
    while len(server.calls) < 2 and time.monotonic() < deadline:  # the held request has arrived
        time.sleep(0.01)
    started = time.monotonic()
    server.stop()
    assert time.monotonic() - started < 15  # closed, not waited for: the server's read timeout is 30 s
    assert set(threading.enumerate()) <= before
    for connection in (keep_alive, half, held):
        connection.settimeout(1)
        assert connection.recv(65536) in (b"",)
        connection.close()
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=1)
    server.stop()  # a second stop is harmless


def test_a_taken_port_is_an_os_error() -> None:
    with PostpressServer(api_key=KEY) as first, pytest.raises(OSError, match="in use"):
        PostpressServer(api_key=KEY, port=first.port).start()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"port": 70000}, "port"),
        ({"prefix": "api"}, "start with '/'"),
        ({"prefix": "/a?b"}, "plain path"),
        ({"api_key": ""}, "api_key"),
    ],
)
def test_bad_constructor_arguments_are_value_errors(kwargs: dict[str, object], message: str) -> None:
    arguments: dict[str, object] = {"api_key": KEY, **kwargs}
    with pytest.raises(ValueError, match=message):
        PostpressServer(**arguments)  # type: ignore[arg-type]


# -- load -------------------------------------------------------------------------------------------------


def test_load_8_clients_500_requests_each_all_answered_and_recorded(server: PostpressServer) -> None:
    clients, per_client = 8, 500
    for number in range(clients):
        server.add_account(f"acc_load_{number}")

    def client(number: int) -> list[tuple[int, str]]:
        seen = []
        with requests.Session() as session:
            for index in range(per_client):
                answer = session.post(
                    server.endpoint(f"acc_load_{number}"),
                    data=BODY,
                    headers={"X-API-KEY": KEY, "Content-Type": "application/json", "X-Seq": f"{number}:{index}"},
                    timeout=10,
                )
                seen.append((answer.status_code, answer.json()["account_id"]))
        return seen

    started = time.monotonic()
    with ThreadPoolExecutor(clients) as pool:
        results = list(pool.map(client, range(clients)))
    elapsed = time.monotonic() - started
    for number, seen in enumerate(results):
        assert seen == [(201, f"acc_load_{number}")] * per_client
    calls = server.calls
    assert len(calls) == clients * per_client
    assert {call.headers["x-seq"] for call in calls} == {f"{n}:{i}" for n in range(clients) for i in range(per_client)}
    assert all(call.status == 201 for call in calls)
    assert elapsed < 60  # a bound against hangs, not a speed figure (see benchmarks/bench_doubles.py)


# -- reading header fields: the quick path reads what http.client's email parser reads -------------------------------

_FIELD_LINES = st.one_of(
    st.tuples(
        st.sampled_from(["X-API-KEY", "Content-Type", "content-length", "Connection", "Expect", "X-a", "From", "A b"]),
        st.sampled_from([":", ": ", ":\t", " :", ":  "]),
        st.text(st.characters(min_codepoint=0, max_codepoint=255, exclude_characters="\n"), max_size=12),
    ).map(lambda parts: "".join(parts)),
    st.sampled_from([" folded", "\tfolded", "no colon", ":empty name", "From x: y", "bare\rcr: v"]),
)


@given(st.lists(_FIELD_LINES, max_size=6), st.sampled_from(["\r\n", "\n"]))
def test_read_fields_reads_what_http_client_reads(lines: list[str], newline: str) -> None:
    data = "".join(line + newline for line in lines).encode("latin-1") + newline.encode()
    expected = Headers(http.client.parse_headers(io.BytesIO(data)).items())
    got = read_fields(io.BytesIO(data))
    assert got.raw == expected.raw


def test_read_fields_refuses_too_many_or_too_long_fields_as_http_client() -> None:
    many = b"".join(b"X-%d: v\r\n" % n for n in range(100)) + b"\r\n"
    with pytest.raises(http.client.HTTPException):
        http.client.parse_headers(io.BytesIO(many))
    with pytest.raises(_BadRequest, match="more than 100 headers"):
        read_fields(io.BytesIO(many))
    assert len(read_fields(io.BytesIO(many[many.index(b"X-1:") :])).raw) == 99
    long = b"X: " + b"v" * 70000 + b"\r\n\r\n"
    with pytest.raises(_BadRequest, match="longer than 65536 bytes"):
        read_fields(io.BytesIO(long))
