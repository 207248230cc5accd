"""Command line: ``python -m pytest_postpress {openapi,errors,rules,serve,check}``.

Bad arguments print a usage message and exit with status 2 (argparse).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import shlex
import shutil
import signal
import sys
import tempfile
import threading
from collections.abc import Sequence
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pytest_postpress.catalog import DocumentedError


def _print_errors() -> int:
    from pytest_postpress.catalog import DOCUMENTED_ERRORS, STATUSES

    width = max(len(error.type) for error in DOCUMENTED_ERRORS)
    id_width = max(len(error.id) for error in DOCUMENTED_ERRORS)
    lines = [f"{'STATUS':<6}  {'TYPE':<{width}}  {'ID':<{id_width}}  DESCRIPTION"]
    current = None
    for error in DOCUMENTED_ERRORS:
        if error.status != current:
            current = error.status
            lines.append(f"-- {error.status} {STATUSES[error.status].title}")
        lines.append(f"{error.status:<6}  {error.type:<{width}}  {error.id:<{id_width}}  {error.description}")
    lines.append(f"{len(DOCUMENTED_ERRORS)} documented errors; an error is identified by its (status, type) pair.")
    lines.append("serve's Prefer: postpress-answer=ID and its control API name an error by its ID.")
    print("\n".join(lines))
    return 0


def _print_rules(number: int | None, parser: argparse.ArgumentParser) -> int:
    from pytest_postpress.rules import rule_text, rules

    if number is None:
        print("\n\n".join(rules().values()))
        return 0
    try:
        print(rule_text(number))
    except KeyError as error:
        parser.error(f"argument N: {error.args[0]}")
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m pytest_postpress",
        description="The documented contract of POST /v1/accounts/{id}: export it, list its errors, serve a mock.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="{openapi,errors,rules,serve,check}")
    openapi = commands.add_parser("openapi", help="print the OpenAPI 3.1 document as JSON")
    openapi.add_argument(
        "--server", default=None, help="base URL listed under servers (default: https://api.postpress.ai)"
    )
    openapi.add_argument(
        "--control",
        action="store_true",
        help="print instead the document of serve's control API (/__postpress/) and Prefer header",
    )
    commands.add_parser("errors", help="print the 35 documented errors as a table")
    rules = commands.add_parser("rules", help="print how the package reads the reference page: every rule, or rule N")
    rules.add_argument("number", metavar="N", type=int, nargs="?", help="the rule to print (default: all)")
    serve = commands.add_parser("serve", help="run the mock API on a real HTTP server until SIGINT/SIGTERM")
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default: %(default)s)")
    serve.add_argument("--port", type=int, default=0, help="port to bind; 0 picks a free one (default: %(default)s)")
    serve.add_argument("--prefix", default="", help="path prefix before /v1, e.g. /api (default: none)")
    serve.add_argument("--api-key", default=None, help="the X-API-KEY to accept (default: the plugin's fake key)")
    accounts = serve.add_mutually_exclusive_group()
    accounts.add_argument(
        "--account", action="append", default=[], metavar="ID", help="an account id that exists (repeatable)"
    )
    accounts.add_argument("--any-account", action="store_true", help="every account id exists")
    serve.add_argument(
        "--error", metavar="STATUS:TYPE", default=None, help="answer this documented error to every reconnect"
    )
    # Listed here for the help; `check` has its own parser (_check_parser), which main() hands its arguments to.
    commands.add_parser("check", help=_CHECK_HELP, add_help=False)
    return parser


_CHECK_HELP = "run the whole contract suite against a client program in any language (after --)"

# The contract suite over the program, as the pytest module `check` runs: the program is the client.
_CHECK_MODULE = """\
import pytest

from pytest_postpress import ReconnectContract, command_client

ARGV = {argv!r}


class TestClientProgram(ReconnectContract):
    \"\"\"The contract suite over {shown}.\"\"\"

    @pytest.fixture
    def postpress_client_timeout(self):
        return {client_timeout!r}

    @pytest.fixture
    def postpress_reconnect(self):
        with command_client(ARGV, persistent={persistent!r}, timeout={timeout!r}) as client:
            yield client
"""


def _check_parser() -> argparse.ArgumentParser:
    from pytest_postpress import _settings

    parser = argparse.ArgumentParser(
        prog="python -m pytest_postpress check",
        usage="%(prog)s [options] -- PROGRAM [ARGS...]",
        description=(
            "Run the whole contract suite on the loopback server against a client program (the protocol: "
            "README, 'Check a client in any language'); exits as pytest does: 0 all passed, 1 failures."
        ),
        epilog="example: python -m pytest_postpress check --persistent -- node examples/node/cli.mjs --persistent",
    )
    parser.add_argument(
        "--persistent",
        action="store_true",
        help="start the program once per check and talk JSON Lines (default: one run per reconnect)",
    )
    parser.add_argument(
        "--timeout", type=float, default=30.0, help="seconds the program may take per reconnect (default: %(default)s)"
    )
    parser.add_argument(
        "--client-timeout",
        type=float,
        metavar="SECONDS",
        help="the timeout the program's client is built with: declares it (postpress_client_timeout), which runs "
        "test_client_timeout (default: not declared, that check skipped)",
    )
    pytest_options = parser.add_argument_group("passed to pytest")
    pytest_options.add_argument("--hypothesis-profile", metavar="NAME", help="e.g. postpress-ci, postpress-dev")
    pytest_options.add_argument("--hypothesis-seed", metavar="SEED")
    pytest_options.add_argument("--junitxml", metavar="PATH", help="write a JUnit XML report")
    pytest_options.add_argument("-n", dest="numprocesses", metavar="N", help="workers (needs pytest-xdist)")
    pytest_options.add_argument("-k", dest="keyword", metavar="EXPRESSION", help="run the checks matching it")
    pytest_options.add_argument("-m", dest="markexpr", metavar="MARKEXPR", help="e.g. 'not postpress_robustness'")
    pytest_options.add_argument("-x", "--exitfirst", action="store_true", help="stop at the first failure")
    pytest_options.add_argument("-v", "--verbose", action="count", default=0, help="more output (repeatable)")
    pytest_options.add_argument("-q", "--quiet", action="count", default=0, help="less output (repeatable)")
    postpress = parser.add_argument_group("postpress options, as the plugin has them (live mode included)")
    for option in _settings.OPTIONS:
        if option.name == "transport":
            continue  # always the loopback server: the program is a separate process
        if option.kind == "bool":
            postpress.add_argument(option.flag, dest=option.name, action="store_true", help=option.help)
        else:
            postpress.add_argument(option.flag, dest=option.name, metavar="VALUE", help=option.help)
    return parser


def _check(argv: Sequence[str]) -> int:
    """Run ``python -m pytest_postpress check [options] -- PROGRAM [ARGS...]``; returns pytest's exit status."""
    from pytest_postpress import _settings

    parser = _check_parser()
    arguments = list(argv)
    if "--" not in arguments:
        if arguments and arguments[0] in ("-h", "--help"):
            parser.parse_args(arguments)
        parser.error("expected -- PROGRAM [ARGS...] after the options, e.g. -- node examples/node/cli.mjs")
    split = arguments.index("--")
    args = parser.parse_args(arguments[:split])
    program = arguments[split + 1 :]
    if not program or not program[0]:
        parser.error("expected the client program after --, e.g. -- node examples/node/cli.mjs")
    if shutil.which(program[0]) is None:
        parser.error(f"program {program[0]!r} not found (not on PATH, not an executable file)")
    if not args.timeout > 0:
        parser.error(f"argument --timeout: expected seconds above 0, got {args.timeout}")
    if args.client_timeout is not None and not 0 < args.client_timeout <= 60:
        parser.error(f"argument --client-timeout: expected seconds above 0, at most 60, got {args.client_timeout}")
    if args.numprocesses is not None and importlib.util.find_spec("xdist") is None:
        parser.error("argument -n: needs pytest-xdist, which is not installed (pip install pytest-xdist)")
    cli = {option.name: getattr(args, option.name, None) or None for option in _settings.OPTIONS}
    cli["transport"] = "server"
    try:
        _settings.resolve(cli, _settings.from_environ(), lambda key: None)
    except _settings.SettingError as error:
        parser.error(str(error))
    import pytest

    with tempfile.TemporaryDirectory(prefix="postpress-check-") as directory:
        root = Path(directory)
        # Its own ini file: the suite runs the same whatever the current directory's pytest configuration.
        (root / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
        module = root / "test_postpress_check.py"
        source = _CHECK_MODULE.format(
            argv=program,
            persistent=args.persistent,
            timeout=args.timeout,
            client_timeout=args.client_timeout,
            shown=shlex.join(program),
        )
        module.write_text(source, encoding="utf-8")
        command = [str(module), "-c", str(root / "pytest.ini"), "--rootdir", str(root), "-p", "no:cacheprovider"]
        # This process imported pytest_postpress before pytest could mark it for assertion rewriting; the plugin's
        # modules are imported later, and rewritten.
        command.extend(["-W", "ignore::pytest.PytestAssertRewriteWarning"])
        command.append("--postpress-transport=server")
        for option in _settings.OPTIONS:
            value = cli[option.name]
            if option.name != "transport" and value is not None:
                command.append(option.flag if option.kind == "bool" else f"{option.flag}={value}")
        passed = {
            "--hypothesis-profile": args.hypothesis_profile,
            "--hypothesis-seed": args.hypothesis_seed,
            "--junitxml": args.junitxml,
            "-n": args.numprocesses,
            "-k": args.keyword,
            "-m": args.markexpr,
        }
        for flag, value in passed.items():
            if value is not None:
                command.extend([flag, value])
        command.extend(["-x"] * args.exitfirst + ["-v"] * args.verbose + ["-q"] * args.quiet)
        return int(pytest.main(command))


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


def _serve(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
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


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    arguments = sys.argv[1:] if argv is None else list(argv)
    if arguments[:1] == ["check"]:
        return _check(arguments[1:])
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command == "openapi":
        if args.control:
            from pytest_postpress.doubles._control import control_openapi_document

            document = control_openapi_document(**({"server": args.server} if args.server else {}))
        else:
            from pytest_postpress.openapi import openapi_document

            document = openapi_document(**({"server": args.server} if args.server else {}))
        json.dump(document, sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
        return 0
    if args.command == "errors":
        return _print_errors()
    if args.command == "rules":
        return _print_rules(args.number, parser)
    return _serve(args, parser)


if __name__ == "__main__":
    sys.exit(main())
