"""Fill Chinese translations into the catalog from a JSON file {"English msgid": "中文"}.

Run ./scripts/translations.sh first so the msgids exist. Prints msgids of the catalog that
are still untranslated. Usage: .venv/bin/python scripts/add-translations.py FILE.json
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

PO = Path(__file__).resolve().parent.parent / "app/translations/zh_Hans_CN/LC_MESSAGES/messages.po"


def main(path: str) -> int:
    wanted = json.loads(Path(path).read_text(encoding="utf-8"))
    with PO.open("rb") as f:
        catalog = read_po(f)
    for message in catalog:
        if message.id and not isinstance(message.id, tuple) and message.id in wanted:
            message.string = wanted[message.id]
    with PO.open("wb") as f:
        write_po(f, catalog, width=100, omit_header=False)
    missing = [m.id for m in catalog if m.id and not m.string]
    for msgid in missing:
        print("untranslated:", msgid)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
