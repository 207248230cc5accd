# Sourced by the scripts: make a virtualenv at $1 if it is not there yet, with a pip that knows
# dependency groups (PEP 735, pip >= 25.1), also in a venv kept from an older run.
ensure_venv() {
  if [ ! -x "$1/bin/python" ]; then
    "${PYTHON:-python3}" -m venv "$1"
  fi
  "$1/bin/python" -m pip install -q --upgrade 'pip>=25.1'
}
