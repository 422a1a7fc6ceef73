#!/usr/bin/env bash
# Re-extract the UI strings and merge them into the catalogs; edit the .po files afterwards.
# The app compiles .po to .mo at start (app/i18n.py), so nothing else is needed.
set -euo pipefail
cd "$(dirname "$0")/.."
.venv/bin/pybabel extract -F babel.cfg -k _l -o app/translations/messages.pot --no-location --sort-output .
if [ -f app/translations/zh_Hans_CN/LC_MESSAGES/messages.po ]; then
  .venv/bin/pybabel update -i app/translations/messages.pot -d app/translations -l zh_Hans_CN --no-fuzzy-matching
else
  .venv/bin/pybabel init -i app/translations/messages.pot -d app/translations -l zh_Hans_CN
fi
