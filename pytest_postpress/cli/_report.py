"""``report``: one HTML page (and a Markdown summary) from one or more JSON reports of ``--postpress-report``."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

NAME = "report"
HELP = "make one HTML page (and a Markdown summary) from JSON reports written by --postpress-report"
_ENV_KEY = "POSTPRESS_API_KEY"


def configure(parser: argparse.ArgumentParser) -> None:
    """``REPORT.json ...``, ``--html``, ``--markdown``."""
    parser.description = (
        "Render the JSON reports of one or more runs (shards, clients in other languages) as one self-contained "
        "HTML page: a matrix of client classes by checks, each client's facts, every failure with its message and "
        "the line that replays it. The value of $POSTPRESS_API_KEY, if set, is hidden from both pages too."
    )
    parser.add_argument("reports", metavar="REPORT.json", nargs="+", type=Path, help="reports to show, in order")
    parser.add_argument("--html", metavar="OUT.html", type=Path, required=True, help="the HTML page to write")
    parser.add_argument(
        "--markdown",
        metavar="OUT.md",
        type=Path,
        help="also write the matrix and the failures as GitHub-flavoured Markdown (short enough for a job summary)",
    )


def _write_all(outputs: dict[Path, str]) -> None:
    """Write every output, or none: each goes to a temporary file beside it, renamed into place at the end."""
    written: list[tuple[str, Path]] = []
    try:
        for path, text in outputs.items():
            descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
            written.append((temporary, path))
            with os.fdopen(descriptor, "w", encoding="utf-8", newline="\n") as file:
                file.write(text)
        for temporary, path in written:
            os.replace(temporary, path)
    finally:
        for temporary, _ in written:
            Path(temporary).unlink(missing_ok=True)


def run(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    """Write the page(s); bad input prints one line naming the file and why, writes nothing and returns 2."""
    from pytest_postpress._report_page import ReportError, load_report, render_html, render_markdown

    def fail(message: str) -> int:
        print(f"{parser.prog} {NAME}: error: {message}", file=sys.stderr)
        return 2

    outputs = [path for path in (args.html, args.markdown) if path is not None]
    if args.markdown is not None and args.markdown.resolve() == args.html.resolve():
        return fail(f"{args.markdown}: --html and --markdown name the same file")
    for path in outputs:
        if path.is_dir() or not path.parent.is_dir():
            return fail(f"{path}: cannot write it: " + ("a folder" if path.is_dir() else "its folder does not exist"))
    try:
        sources = [load_report(path) for path in args.reports]
    except ReportError as error:
        return fail(str(error))
    hide = [os.environ[_ENV_KEY]] if os.environ.get(_ENV_KEY) else []
    pages = {args.html: render_html(sources, hide=hide)}
    if args.markdown is not None:
        pages[args.markdown] = render_markdown(sources, hide=hide)
    try:
        _write_all(pages)
    except OSError as error:
        return fail(f"{error.filename or args.html}: cannot write it: {error.strerror or error}")
    print(f"{args.html}: {len(sources)} report(s), {sum(len(s.report['clients']) for s in sources)} client class(es)")
    return 0
