"""``openapi``: the OpenAPI 3.1 document of the endpoint (or of serve's control API) as JSON."""

from __future__ import annotations

import argparse
import json
import sys

NAME = "openapi"
HELP = "print the OpenAPI 3.1 document as JSON"


def configure(parser: argparse.ArgumentParser) -> None:
    """``--server`` and ``--control``."""
    parser.add_argument(
        "--server", default=None, help="base URL listed under servers (default: https://api.postpress.ai)"
    )
    parser.add_argument(
        "--control",
        action="store_true",
        help="print instead the document of serve's control API (/__postpress/) and Prefer header",
    )


def run(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    """Print the document; returns 0."""
    if args.control:
        from pytest_postpress.doubles._control import control_openapi_document

        document = control_openapi_document(**({"server": args.server} if args.server else {}))
    else:
        from pytest_postpress.openapi import openapi_document

        document = openapi_document(**({"server": args.server} if args.server else {}))
    json.dump(document, sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")
    return 0
