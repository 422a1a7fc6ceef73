"""Downloads: CSV and Excel that open cleanly and cannot smuggle in a formula, and file names
that every browser saves correctly."""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from flask import Response

# A text cell starting with one of these would be run as a formula by a spreadsheet.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """Numbers pass through; text that a spreadsheet would evaluate gets a leading quote."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def csv_response(filename: str, header: list[str], rows: Iterable[list[Any]]) -> Response:
    buffer = io.StringIO()
    buffer.write("\ufeff")  # Excel opens UTF-8 CSV correctly only with a BOM
    writer = csv.writer(buffer)
    writer.writerow(header)
    for row in rows:
        writer.writerow([safe_cell(v) for v in row])
    return Response(
        buffer.getvalue(),
        mimetype="text/csv; charset=utf-8",
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{filename}"},
    )


@dataclass
class Sheet:
    """One worksheet of a workbook: a table under an optional bold title row."""

    title: str
    header: list[str]
    rows: Iterable[list[Any]]
    heading: str | None = None
    widths: list[int] | None = None


def xlsx_workbook(
    title: str,
    header: list[str],
    rows: Iterable[list[Any]],
    *,
    heading: str | None = None,
    widths: list[int] | None = None,
) -> bytes:
    """An .xlsx laid out as a union office files it: a bold title row over the table, the
    header frozen, columns sized for Chinese text. Text that starts like a formula is
    stored with a leading quote, never evaluated."""
    return xlsx_sheets([Sheet(title, header, rows, heading, widths)])


def xlsx_sheets(sheets: Iterable[Sheet]) -> bytes:
    """An .xlsx with one worksheet per `Sheet`, each laid out as `xlsx_workbook`'s."""
    from openpyxl import Workbook

    book = Workbook()
    first = book.active  # the blank sheet a new workbook starts with
    if first is not None:
        book.remove(first)
    for sheet in sheets:
        _fill_sheet(book.create_sheet(sheet.title[:31]), sheet)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _fill_sheet(sheet: Any, spec: Sheet) -> None:
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    header, heading, widths = spec.header, spec.heading, spec.widths
    first = 1
    if heading:
        sheet.cell(row=1, column=1, value=safe_cell(heading)).font = Font(bold=True, size=14)
        sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(header))
        sheet.cell(row=1, column=1).alignment = Alignment(horizontal="center")
        first = 2
    for col, name in enumerate(header, start=1):
        cell = sheet.cell(row=first, column=col, value=name)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for r, row in enumerate(spec.rows, start=first + 1):
        for col, value in enumerate(row, start=1):
            cell = sheet.cell(row=r, column=col, value=safe_cell(value))
            if isinstance(cell.value, str):
                cell.data_type = "s"  # never a formula, whatever the text
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = sheet.cell(row=first + 1, column=1)
    for col, name in enumerate(header, start=1):
        width = widths[col - 1] if widths and col <= len(widths) else max(8, len(name) * 2 + 2)
        sheet.column_dimensions[get_column_letter(col)].width = width


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_response(
    filename: str, title: str, header: list[str], rows: Iterable[list[Any]], **kw: Any
) -> Response:
    """An Excel download (see `xlsx_workbook`); `filename` without extension is fine."""
    return xlsx_file(filename, xlsx_workbook(title, header, rows, **kw))


def xlsx_file(filename: str, data: bytes) -> Response:
    """An .xlsx's bytes as a download named `filename` (extension added if missing)."""
    if not filename.endswith(".xlsx"):
        filename += ".xlsx"
    from urllib.parse import quote

    return Response(
        data,
        mimetype=XLSX,
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(filename)}"},
    )


def _ascii(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^A-Za-z0-9._()\-\[\] ]+", "_", text).strip(" ._")


def content_disposition(name: str, fallback_stem: str = "evidence") -> str:
    """``attachment`` with an ASCII ``filename`` and the exact UTF-8 ``filename*``.

    "2026年职工之家.pdf" → ``filename="2026.pdf"``; a name with no ASCII letters or digits
    falls back to `fallback_stem` plus the extension.
    """
    stem, dot, ext = name.rpartition(".")
    if not dot:
        stem, ext = name, ""
    ascii_stem = _ascii(stem)
    if not re.search(r"[A-Za-z0-9]", ascii_stem):
        ascii_stem = fallback_stem
    ascii_ext = ext if re.fullmatch(r"[A-Za-z0-9]{1,10}", ext) else ""
    ascii_name = ascii_stem + (f".{ascii_ext}" if ascii_ext else "")
    encoded = quote(name, safe="!#$&+-.^_`|~")
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{encoded}"
