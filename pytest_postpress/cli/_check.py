"""``check [options] -- PROGRAM [ARGS...]``: the whole contract suite against a client program in any language.

The program is the client (the protocol: ``pytest_postpress.suite._command``). The suite runs in process through
``pytest.main`` with the program handed over as a plugin object, from a temporary folder with its own ``pytest.ini``
so that the current directory's pytest configuration cannot change it; the exit status is pytest's.
"""

from __future__ import annotations

import argparse
import importlib.util
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path

NAME = "check"
HELP = "run the whole contract suite against a client program in any language (after --)"
RAW = True

# The one test module pytest collects: fixed text; what it checks comes from the plugin object (CheckedProgram).
_CHECK_MODULE = """\
from pytest_postpress.cli._check_suite import TestClientProgram

__all__ = ["TestClientProgram"]
"""


def build_parser(prog: str = "python -m pytest_postpress") -> argparse.ArgumentParser:
    """``check``'s own parser: its options, then ``--`` and the program."""
    from pytest_postpress import _settings

    parser = argparse.ArgumentParser(
        prog=f"{prog} check",
        usage="%(prog)s [options] -- PROGRAM [ARGS...]",
        description=(
            "Run the whole contract suite on the loopback server against a client program (the protocol: "
            "docs/any-language.md); exits as pytest does: 0 all passed, 1 failures."
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


def run_raw(argv: Sequence[str], prog: str = "python -m pytest_postpress") -> int:
    """Run ``check [options] -- PROGRAM [ARGS...]``; returns pytest's exit status."""
    from pytest_postpress import _settings

    parser = build_parser(prog)
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

    from pytest_postpress.cli._check_suite import CheckedProgram

    with tempfile.TemporaryDirectory(prefix="postpress-check-") as directory:
        root = Path(directory)
        # Its own ini file: the suite runs the same whatever the current directory's pytest configuration.
        (root / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
        module = root / "test_postpress_check.py"
        module.write_text(_CHECK_MODULE, encoding="utf-8")
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
        program_plugin = CheckedProgram(
            argv=tuple(program), persistent=args.persistent, timeout=args.timeout, client_timeout=args.client_timeout
        )
        return int(pytest.main(command, plugins=[program_plugin]))
