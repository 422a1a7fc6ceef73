#!/usr/bin/env bash
# Run the whole test suite. TEST_DATABASE_URL picks the database (default: a temporary SQLite
# file); the browser tests use Debian's chromium and the PDF tests poppler and zbar, installed
# here when missing.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/bootstrap.sh dev
./scripts/system-packages.sh chromium chromium-driver poppler-utils zbar-tools
echo "· lint: ruff"
.venv/bin/ruff check app workflows tests bench scripts
.venv/bin/ruff format --check --quiet app workflows tests bench scripts wsgi.py
echo "· layers: import-linter"
.venv/bin/lint-imports --no-cache
echo "· types: mypy"
.venv/bin/mypy
echo "· database: ${TEST_DATABASE_URL:-temporary SQLite}"
exec .venv/bin/pytest "$@"
