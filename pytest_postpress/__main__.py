"""``python -m pytest_postpress COMMAND``: the command line of :mod:`pytest_postpress.cli`."""

from __future__ import annotations

import sys

from pytest_postpress.cli import main

if __name__ == "__main__":
    sys.exit(main(prog="python -m pytest_postpress"))
