#!/usr/bin/env bash
# Create .venv and install the pinned dependencies (again only when pyproject.toml changed).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  echo "· creating .venv with $($PYTHON --version)"
  "$PYTHON" -m venv .venv
fi
stamp=.venv/.installed-$(sha256sum pyproject.toml | cut -c1-16)-${1:-run}
if [ ! -f "$stamp" ]; then
  echo "· installing dependencies (pinned in pyproject.toml)"
  .venv/bin/pip install --quiet --upgrade pip
  if [ "${1:-run}" = "dev" ]; then
    .venv/bin/pip install --quiet -e ".[dev]"
  else
    .venv/bin/pip install --quiet -e .
  fi
  touch "$stamp"
fi
