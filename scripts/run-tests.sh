#!/usr/bin/env bash
# The project's own tests, from a clean clone: sets up .venv, then lint, types and tests.
# Usage: bash scripts/run-tests.sh [extra pytest args]
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/_venv.sh
ensure_venv .venv
.venv/bin/python -m pip install -q -e . --group dev
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
echo "== pytest (newest dependencies)"
.venv/bin/pytest -n 2 "$@"
# The oldest Hypothesis the project declares (pyproject: hypothesis>=6.100): the strategies' tests and the
# main job (the contract suite on the reference clients) run on it too.
ensure_venv .venv-oldest
.venv-oldest/bin/python -m pip install -q -e . --group dev 'hypothesis==6.100.0' 'hypothesis-jsonschema==0.23.1'
echo "== pytest (oldest supported Hypothesis: $(.venv-oldest/bin/python -c 'import hypothesis; print(hypothesis.__version__)'))"
.venv-oldest/bin/pytest -n 2 -p no:cacheprovider tests/test_strategies_api.py tests/test_strategies_valid.py \
  tests/test_strategies_invalid.py tests/test_strategies_coverage.py tests/test_disjoint.py examples
