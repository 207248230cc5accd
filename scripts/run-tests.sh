#!/usr/bin/env bash
# The project's own tests, from a clean clone: sets up .venv, then lint, types, the docs site and tests.
# Usage: bash scripts/run-tests.sh [extra pytest args]
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/_venv.sh
# envsubst (gettext-base) fills the secrets of a live failure's curl line; tests/test_secrets.py runs one.
if ! command -v envsubst >/dev/null; then
  apt-get update && apt-get install -y gettext-base
fi
ensure_venv .venv
.venv/bin/python -m pip install -q -e . --group dev
# The report page's tests (tests/test_report_command.py, tests/test_report_page.py) render it in headless Chromium:
# install Debian's package where the binary is missing (CI runs as root; elsewhere, say what to run).
if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "== installing chromium (Debian package)"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null
  else
    echo "chromium is missing and cannot be installed here (not root, or no apt-get): the browser tests skip," \
      "or fail under CI; install it, e.g. sudo apt-get install -y chromium" >&2
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
# pytest-httpx 0.34 pins httpx 0.27 and pytest 8, so this also runs the doubles on those.  pytest 8 does not know
# the strict_* ini options of pyproject.toml: -c /dev/null, with warnings as errors as there.
ensure_venv .venv-oldest-mocks
.venv-oldest-mocks/bin/python -m pip install -q -e . --group dev 'pytest-httpx==0.34.0' 'responses==0.23.3'
echo "== pytest (oldest pytest-httpx and responses: $(.venv-oldest-mocks/bin/python -c \
  'import importlib.metadata as m; print(*(p + " " + m.version(p) for p in ("pytest-httpx", "responses", "httpx", "pytest")), sep=", ")'))"
# Only what touches them: the doubles' tests, and the requests clients of the gallery and examples on "responses".
.venv-oldest-mocks/bin/pytest -c /dev/null --rootdir=. -W error -n 2 -p no:cacheprovider \
  tests/test_mock_and_server.py tests/test_mocking_libraries.py tests/test_suite_gallery.py \
  examples/test_requests_client.py::TestRequestsClientOnResponses -k 'not test_suite_gallery or requests'
