#!/usr/bin/env bash
# The project's own tests, from a clean clone: sets up .venv, then lint, types, the docs site and tests.
# Usage: bash scripts/run-tests.sh [extra pytest args]
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/_venv.sh
ensure_venv .venv
.venv/bin/python -m pip install -q -e . --group dev
# Debian packages real parts of the tests need, installed where missing (CI runs as root; elsewhere, say what to
# run): redis-server (tests/test_example_db.py starts one on a free loopback port) and chromium (the report page's
# tests render it headless), and envsubst (gettext-base: it fills the secrets of a live failure's curl line, which
# tests/test_secrets.py runs).
missing=()
command -v envsubst >/dev/null 2>&1 || missing+=(gettext-base)
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "== installing ${missing[*]} (Debian packages)"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "${missing[*]} missing and cannot be installed here (not root, or no apt-get): the tests that need them" \
      "skip, or fail under CI; install them, e.g. sudo apt-get install -y ${missing[*]}" >&2
  fi
fi
# schemathesis in its own venv: its pytest plugin and Hypothesis pin stay out of the project's runs.
if [ ! -x .venv-schemathesis/bin/st ]; then
  ensure_venv .venv-schemathesis
  .venv-schemathesis/bin/python -m pip install -q 'schemathesis==4.32.5'
fi
echo "== ruff"
.venv/bin/ruff check .
.venv/bin/ruff format --check .
echo "== mypy --strict"
.venv/bin/mypy
.venv/bin/mypy docs/_hooks.py  # the MkDocs hook that generates the reference pages (not in a package)
echo "== docs (mkdocs build --strict)"
bash scripts/build-docs.sh
echo "== pytest (newest dependencies)"
.venv/bin/pytest -n 2 "$@"
# The oldest Hypothesis the project declares (pyproject: hypothesis>=6.100): the strategies' tests and the
# main job (the contract suite on the reference clients) run on it too.
ensure_venv .venv-oldest
.venv-oldest/bin/python -m pip install -q -e . --group dev 'hypothesis==6.100.0' 'hypothesis-jsonschema==0.23.1'
echo "== pytest (oldest supported Hypothesis: $(.venv-oldest/bin/python -c 'import hypothesis; print(hypothesis.__version__)'))"
.venv-oldest/bin/pytest -n 2 -p no:cacheprovider tests/test_strategies_api.py tests/test_strategies_valid.py \
  tests/test_strategies_invalid.py tests/test_strategies_coverage.py tests/test_disjoint.py examples
# The oldest pytest-httpx and responses the extras declare (pyproject: pytest-httpx>=0.34, responses>=0.23.3):
# pytest-httpx 0.34 pins httpx 0.27 and pytest 8, so this venv is also where the whole suite runs once on the
# oldest pytest we declare (pytest>=8.0): the project's own configuration loads there as it is.
ensure_venv .venv-oldest-mocks
.venv-oldest-mocks/bin/python -m pip install -q -e . --group dev 'pytest-httpx==0.34.0' 'responses==0.23.3'
echo "== pytest (oldest pytest-httpx and responses, and pytest 8: $(.venv-oldest-mocks/bin/python -c \
  'import importlib.metadata as m; print(*(p + " " + m.version(p) for p in ("pytest-httpx", "responses", "httpx", "pytest")), sep=", ")'))"
.venv-oldest-mocks/bin/pytest -n 2 -p no:cacheprovider "$@"
