# Sourced by the scripts: make a virtualenv at $1 if it is not there yet, with a current pip.
ensure_venv() {
  if [ ! -x "$1/bin/python" ]; then
    "${PYTHON:-python3}" -m venv "$1"
    "$1/bin/python" -m pip install -q --upgrade pip
  fi
}
