"""Reading the spreadsheets a city keeps (Excel .xlsx, or CSV in UTF-8 with or without a BOM,
or in GB18030 as Chinese Excel saves it), and writing the import templates.

`read_rows` gives `(row number, {header: text})` as the sheet numbers its rows, with the
headers tidied (a template's `*` for required columns, spaces and full-width brackets do not
matter), every cell as text (Excel's numbers as it shows them: 13800138000, not 1.38E+10),
and refuses what is not a spreadsheet or would unpack beyond the evidence limits (a zip
bomb). A template is an .xlsx with the columns in order (required ones marked *), one
example row, code and phone columns stored as text so Excel keeps leading zeros, and a
second sheet 填写说明 explaining each column and its allowed values.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask_babel import gettext as _

from app.errors import Invalid
from app.evidence.checks import XLSX, Limits, identify

MAX_ROWS = 200_000  # a city's staff and then some; beyond it, split the file


@dataclass(frozen=True)
class RowProblem:
    """What is wrong with a cell: its row as the sheet numbers it, its column's header."""

    row: int
    column: str
    message: str


@dataclass(frozen=True)
class Column:
    header: str
    required: bool
    explain: str  # what goes in, the allowed values
    example: str
    text: bool = False  # stored as text in the template (codes, phone numbers)
    width: int = 16


def tidy_header(value: Any) -> str:
    text = "" if value is None else str(value)
    text = text.replace("（", "(").replace("）", ")").replace("\u3000", " ")
    return text.strip().lstrip("*＊").rstrip("*＊").strip()


def cell_text(value: Any) -> str:
    """A cell as the person typed it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, date):
        return value.isoformat()
    return str(value).replace("\u3000", " ").strip()


def _unreadable() -> Invalid:
    return Invalid(
        _(
            "The file cannot be read as a spreadsheet; please save it from Excel as .xlsx "
            "or .csv and upload it again."
        )
    )


def read_rows(
    filename: str, data: bytes, columns: Sequence[Column]
) -> list[tuple[int, dict[str, str]]]:
    """The rows of the file's first sheet under its header row (row 1)."""
    name = (filename or "").lower()
    if not data:
        raise Invalid(_("The file is empty; please choose it again."))
    if name.endswith(".csv") or not data.startswith(b"PK"):
        if data.startswith((b"PK", b"\xd0\xcf\x11\xe0")) or b"\x00" in data[:4096]:
            raise Invalid(_("An old Excel file (.xls) cannot be read; please save it as .xlsx."))
        table = _csv_table(data)
    else:
        stream = io.BytesIO(data)
        if identify(stream, Limits.from_config()) != XLSX:
            raise _unreadable()
        table = _xlsx_table(stream)
    return _rows_under_header(table, columns)


def _csv_table(data: bytes) -> Iterator[list[Any]]:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - gb18030 decodes any byte string
        raise _unreadable()
    sample = text[:4096]
    delimiter = "\t" if sample.count("\t") > sample.count(",") else ","
    return iter(csv.reader(io.StringIO(text), delimiter=delimiter))


def _xlsx_table(stream: io.BytesIO) -> Iterator[list[Any]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(stream, read_only=True, data_only=True)
        sheet = book.worksheets[0]
        return (list(row) for row in sheet.iter_rows(values_only=True))
    except Exception:  # openpyxl raises whatever its XML parser met
        raise _unreadable() from None


def _rows_under_header(
    table: Iterator[list[Any]], columns: Sequence[Column]
) -> list[tuple[int, dict[str, str]]]:
    try:
        header = next(table)
    except StopIteration:
        raise Invalid(_("The file is empty; please choose it again.")) from None
    except Exception:
        raise _unreadable() from None
    headers = [tidy_header(h) for h in header]
    known = {c.header for c in columns}
    missing = [c.header for c in columns if c.required and c.header not in headers]
    if missing:
        raise Invalid(
            _(
                "The first row must hold the template's column names; missing: %(columns)s.",
                columns="、".join(missing),
            ),
            errors={"file": [_("Missing columns: %(columns)s", columns="、".join(missing))]},
        )
    where = {h: i for i, h in reversed(list(enumerate(headers))) if h in known}
    rows: list[tuple[int, dict[str, str]]] = []
    try:
        for number, values in enumerate(table, start=2):
            cells = {h: cell_text(values[i]) if i < len(values) else "" for h, i in where.items()}
            if not any(cells.values()):
                continue
            if len(rows) >= MAX_ROWS:
                raise Invalid(
                    _(
                        "The file has more than %(count)s rows; please split it.",
                        count=f"{MAX_ROWS:,}",
                    )
                )
            rows.append((number, cells))
    except Invalid:
        raise
    except Exception:
        raise _unreadable() from None
    return rows


def template_workbook(
    title: str, columns: Sequence[Column], rows: Sequence[Sequence[Any]], *, notes: bool = True
) -> bytes:
    """The import template (or an export in the import's own format, to edit and import
    again): the data sheet, then 填写说明."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    from app.web.downloads import safe_cell

    book = Workbook(write_only=False)
    sheet = book.active
    assert sheet is not None
    sheet.title = title[:31]
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="FFF2CC")
    for col, column in enumerate(columns, start=1):
        cell = sheet.cell(row=1, column=col, value=("*" if column.required else "") + column.header)
        cell.font = bold
        if column.required:
            cell.fill = fill
        letter = get_column_letter(col)
        sheet.column_dimensions[letter].width = column.width
        if column.text:
            sheet.column_dimensions[letter].number_format = "@"
    for r, row in enumerate(rows, start=2):
        for col, (column, value) in enumerate(zip(columns, row, strict=False), start=1):
            cell = sheet.cell(row=r, column=col, value=safe_cell(value))
            if column.text or isinstance(cell.value, str):
                cell.data_type = "s"
                cell.number_format = "@"
    sheet.freeze_panes = "A2"
    if notes:
        _notes(book, columns)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _notes(book: Any, columns: Sequence[Column]) -> None:
    from openpyxl.styles import Alignment, Font

    bold = Font(bold=True)
    notes = book.create_sheet(_("Instructions")[:31])
    header = [_("Column"), _("Required"), _("What to fill in"), _("Example")]
    for col, text in enumerate(header, start=1):
        notes.cell(row=1, column=col, value=text).font = bold
    for r, column in enumerate(columns, start=2):
        notes.cell(row=r, column=1, value=column.header)
        notes.cell(row=r, column=2, value=_("Yes") if column.required else _("No"))
        notes.cell(row=r, column=3, value=column.explain).alignment = Alignment(wrap_text=True)
        example = notes.cell(row=r, column=4, value=column.example)
        example.data_type = "s"
    for letter, width in zip("ABCD", (16, 8, 70, 20), strict=True):
        notes.column_dimensions[letter].width = width
