"""``rules [N]``: how the package reads the reference page."""

from __future__ import annotations

import argparse

NAME = "rules"
HELP = "print how the package reads the reference page: every rule, or rule N"


def configure(parser: argparse.ArgumentParser) -> None:
    """``N``, optional."""
    parser.add_argument("number", metavar="N", type=int, nargs="?", help="the rule to print (default: all)")


def run(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    """Print every rule, or rule N; a rule that does not exist is a usage error (exit 2)."""
    from pytest_postpress.rules import rule_text, rules

    if args.number is None:
        print("\n\n".join(rules().values()))
        return 0
    try:
        print(rule_text(args.number))
    except KeyError as error:
        parser.error(f"argument N: {error.args[0]}")
    return 0
