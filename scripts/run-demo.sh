#!/usr/bin/env bash
# Run the app on the embedded default (SQLite file instance/zhigongzhijia.sqlite) with demo data.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/bootstrap.sh run
./scripts/system-packages.sh || echo "  (Chinese PDFs need the font above; everything else runs without it)"
mkdir -p instance
export FLASK_APP=wsgi
.venv/bin/flask db upgrade
.venv/bin/flask seed-demo
port=${PORT:-5000}
echo
echo "职工之家评选 is running at http://127.0.0.1:${port}/  (Ctrl-C to stop)"
exec .venv/bin/flask run --host "${HOST:-127.0.0.1}" --port "$port"
