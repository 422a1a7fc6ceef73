#!/usr/bin/env bash
# Run the whole test suite. TEST_DATABASE_URL picks the database (default: a temporary SQLite
# file); the browser tests use Debian's chromium, installed here when missing.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/bootstrap.sh dev
if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "· installing Debian chromium for the browser tests"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null
  else
    echo "chromium is missing: run 'sudo apt-get install chromium chromium-driver'" >&2
    exit 1
  fi
fi
echo "· lint: ruff"
.venv/bin/ruff check app workflows tests
echo "· database: ${TEST_DATABASE_URL:-temporary SQLite}"
exec .venv/bin/pytest "$@"
