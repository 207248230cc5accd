#!/usr/bin/env bash
# The documentation site: installs the docs dependency group into .venv and builds docs/ into site/ with
# `mkdocs build --strict` (a broken link or anchor, a missing page or one left out of the nav fails it).
# The reference pages are generated at build time by docs/_hooks.py.  Usage: bash scripts/build-docs.sh
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/_venv.sh
ensure_venv .venv
.venv/bin/python -m pip install -q -e . --group docs
# Material prints a banner about MkDocs 2.0 on every build unless told not to; it is no warning about this site.
NO_MKDOCS_2_WARNING=1 .venv/bin/mkdocs build --strict --quiet
echo "docs built into site/"
