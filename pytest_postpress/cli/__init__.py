"""The command line: ``pytest-postpress COMMAND`` (or ``python -m pytest_postpress COMMAND``).

One module per command, each with ``NAME``, ``HELP``, ``configure(parser)`` and ``run(args, parser) -> int``;
:data:`COMMANDS` lists them in the order ``--help`` shows. A command whose arguments are not argparse's to read
(``check``: everything after ``--`` is the client program) sets ``RAW = True`` and gets ``run_raw(argv)`` instead.
Bad arguments print a usage message and exit with status 2 (argparse).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from types import ModuleType

from pytest_postpress.cli import _check, _errors, _merge_reports, _openapi, _report, _rules, _serve

COMMANDS: tuple[ModuleType, ...] = (_openapi, _errors, _rules, _serve, _check, _merge_reports, _report)

PROG = "pytest-postpress"


def build_parser(prog: str = PROG) -> argparse.ArgumentParser:
    """The top-level parser with a sub-parser per command (``check``'s own parser is :func:`_check.build_parser`)."""
    parser = argparse.ArgumentParser(
        prog=prog,
        description="The documented contract of POST /v1/accounts/{id}: export it, list its errors, serve a mock, "
        "check a client program. Also runs as python -m pytest_postpress.",
    )
    names = ",".join(command.NAME for command in COMMANDS)
    commands = parser.add_subparsers(dest="command", required=True, metavar=f"{{{names}}}")
    for command in COMMANDS:
        if getattr(command, "RAW", False):
            # Listed for the help; its arguments go to its own parser, which main() hands them to.
            commands.add_parser(command.NAME, help=command.HELP, add_help=False)
        else:
            command.configure(commands.add_parser(command.NAME, help=command.HELP))
    return parser


def main(argv: Sequence[str] | None = None, *, prog: str = PROG) -> int:
    """Run the command line; returns the exit status (the ``pytest-postpress`` console script)."""
    arguments = sys.argv[1:] if argv is None else list(argv)
    for command in COMMANDS:
        if getattr(command, "RAW", False) and arguments[:1] == [command.NAME]:
            status: int = command.run_raw(arguments[1:], prog)
            return status
    parser = build_parser(prog)
    args = parser.parse_args(arguments)
    chosen = next(command for command in COMMANDS if args.command == command.NAME)
    result: int = chosen.run(args, parser)
    return result
