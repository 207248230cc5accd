"""``errors``: the 35 documented errors as a table."""

from __future__ import annotations

import argparse

NAME = "errors"
HELP = "print the 35 documented errors as a table"


def configure(parser: argparse.ArgumentParser) -> None:
    """No arguments."""


def run(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    """Print the table; returns 0."""
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
