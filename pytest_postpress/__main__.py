"""Command line: ``python -m pytest_postpress {openapi,errors,rules,serve}``.

Bad arguments print a usage message and exit with status 2 (argparse).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence


def _print_errors() -> int:
    from pytest_postpress.catalog import DOCUMENTED_ERRORS, STATUSES

    width = max(len(error.type) for error in DOCUMENTED_ERRORS)
    lines = [f"{'STATUS':<6}  {'TYPE':<{width}}  DESCRIPTION"]
    current = None
    for error in DOCUMENTED_ERRORS:
        if error.status != current:
            current = error.status
            lines.append(f"-- {error.status} {STATUSES[error.status].title}")
        lines.append(f"{error.status:<6}  {error.type:<{width}}  {error.description}")
    lines.append(f"{len(DOCUMENTED_ERRORS)} documented errors; an error is identified by its (status, type) pair.")
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
    commands = parser.add_subparsers(dest="command", required=True, metavar="{openapi,errors,rules,serve}")
    openapi = commands.add_parser("openapi", help="print the OpenAPI 3.1 document as JSON")
    openapi.add_argument(
        "--server", default="https://api.postpress.ai", help="base URL listed under servers (default: %(default)s)"
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
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command == "openapi":
        from pytest_postpress.openapi import openapi_document

        json.dump(openapi_document(server=args.server), sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
        return 0
    if args.command == "errors":
        return _print_errors()
    if args.command == "rules":
        return _print_rules(args.number, parser)
    from pytest_postpress.doubles.server import run_cli

    status: int = run_cli(args, parser)
    return status


if __name__ == "__main__":
    sys.exit(main())
