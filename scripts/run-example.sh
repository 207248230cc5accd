#!/usr/bin/env bash
# The main job: the contract suite against the bundled example clients, on the built-in mock.
# Usage: bash scripts/run-example.sh [extra pytest args]
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/_venv.sh
ensure_venv .venv
.venv/bin/python -m pip install -q -e '.[responses]' requests  # responses: the requests client also runs inside it
.venv/bin/pytest examples -p no:cacheprovider "$@"
