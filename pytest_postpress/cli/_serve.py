"""``serve``: the mock API on a real HTTP server, with its control API, until SIGINT or SIGTERM."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from types import FrameType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pytest_postpress.catalog import DocumentedError

NAME = "serve"
HELP = "run the mock API on a real HTTP server until SIGINT/SIGTERM"


def configure(parser: argparse.ArgumentParser) -> None:
    """Address, prefix, key, accounts and a forced error."""
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default: %(default)s)")
    parser.add_argument("--port", type=int, default=0, help="port to bind; 0 picks a free one (default: %(default)s)")
    parser.add_argument("--prefix", default="", help="path prefix before /v1, e.g. /api (default: none)")
    parser.add_argument("--api-key", default=None, help="the X-API-KEY to accept (default: the plugin's fake key)")
    accounts = parser.add_mutually_exclusive_group()
    accounts.add_argument(
        "--account", action="append", default=[], metavar="ID", help="an account id that exists (repeatable)"
    )
    accounts.add_argument("--any-account", action="store_true", help="every account id exists")
    parser.add_argument(
        "--error", metavar="STATUS:TYPE", default=None, help="answer this documented error to every reconnect"
    )


def _parse_error_argument(value: str, parser: argparse.ArgumentParser) -> DocumentedError:
    from pytest_postpress.doubles._state import describe_undocumented, resolve_error

    status_text, sep, type_ = value.partition(":")
    if not sep or not status_text.strip().isdigit() or not type_.strip():
        parser.error(f"argument --error: expected STATUS:TYPE such as 409:errors/already_exists, got {value!r}")
    status = int(status_text)
    try:
        return resolve_error((status, type_.strip()))
    except ValueError:
        parser.error(f"argument --error: {describe_undocumented(status, type_.strip())}")


def run(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    """Run ``python -m pytest_postpress serve`` until SIGINT or SIGTERM; returns the exit status.

    The first line on stdout is ``postpress mock listening on URL``; a
    request log goes to stderr (never a key or a query string).
    """
    from pytest_postpress._settings import DEFAULT_ACCOUNT_ID, DEFAULT_API_KEY
    from pytest_postpress.doubles.server import PostpressServer

    if not 0 <= args.port <= 65535:
        parser.error(f"argument --port: expected 0 to 65535, got {args.port}")
    if not args.host:
        parser.error("argument --host: expected an address such as 127.0.0.1")
    if args.api_key is not None and not args.api_key:
        parser.error("argument --api-key: expected a non-empty key")
    accounts = list(args.account) or ([] if args.any_account else [DEFAULT_ACCOUNT_ID])
    if any(not account for account in accounts):
        parser.error("argument --account: an account id is a non-empty string")
    error = _parse_error_argument(args.error, parser) if args.error else None
    try:
        server = PostpressServer(
            api_key=args.api_key or DEFAULT_API_KEY,
            accounts=accounts,
            any_account=args.any_account,
            prefix=args.prefix,
            host=args.host,
            port=args.port,
            log=sys.stderr,
            control=True,
        )
    except ValueError as problem:
        parser.error(f"argument --prefix: {problem}")
    if error is not None:
        server.respond_with(error, times=None)
    try:
        server.start()
    except OSError as problem:
        print(
            f"postpress mock: cannot listen on {args.host}:{args.port}: {problem.strerror or problem}", file=sys.stderr
        )
        return 1
    stopping = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stopping.set()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        print(f"postpress mock listening on {server.url}", flush=True)
        key = "the default fake key " + DEFAULT_API_KEY if args.api_key is None else "the key given (not shown)"
        who = "every account id" if args.any_account else ", ".join(accounts)
        answer = f"; answering {error} to every reconnect" if error else ""
        print(
            f"postpress mock: POST {server.url}/v1/accounts/{{id}} accepts X-API-KEY {key}; accounts: {who}{answer}",
            file=sys.stderr,
            flush=True,
        )
        print(
            f"postpress mock: control API at {server.origin}/__postpress/ (loopback clients only); "
            "'python -m pytest_postpress openapi --control' documents it",
            file=sys.stderr,
            flush=True,
        )
        while not stopping.wait(0.2):
            pass
    finally:
        server.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    print(f"postpress mock stopped after {len(server.calls)} request(s)", file=sys.stderr, flush=True)
    return 0
