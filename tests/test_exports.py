"""Excel downloads: laid out with a title and a header, formulas never evaluated."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from app.web.downloads import xlsx_workbook


def test_xlsx_keeps_text_that_looks_like_a_formula_as_text():
    rows = [[1, '=HYPERLINK("http://x")'], [2, "甲区工会"]]
    data = xlsx_workbook("名单", ["序号", "单位"], rows, heading="2026年度拟表彰名单")
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet["A1"].value == "2026年度拟表彰名单"
    assert [c.value for c in sheet[2]] == ["序号", "单位"]
    assert sheet["B3"].value == '\'=HYPERLINK("http://x")' and sheet["B3"].data_type == "s"
    assert sheet["B4"].value == "甲区工会" and sheet["A4"].value == 2
    assert sheet.freeze_panes == "A3"
