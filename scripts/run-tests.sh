#!/usr/bin/env bash
# The project's own tests, from a clean clone: sets up .venv, then lint, types and tests.
# Usage: bash scripts/run-tests.sh [extra pytest args]
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e '.[dev]'
# schemathesis in its own venv: its pytest plugin and Hypothesis pin stay out of the project's runs.
if [ ! -x .venv-schemathesis/bin/st ]; then
  "$PY" -m venv .venv-schemathesis
  .venv-schemathesis/bin/python -m pip install -q 'schemathesis==4.32.5'
fi
echo "== ruff"
.venv/bin/ruff check .
.venv/bin/ruff format --check .
echo "== mypy --strict"
.venv/bin/mypy
echo "== pytest (newest dependencies)"
.venv/bin/pytest -n 2 "$@"
