"""Write tests/fixtures/intake/: one small file per way a real ministry file can look, plus
expected.toml saying what must happen to each (loaded with N rows and some values, or
rejected with these problems at these rows and columns).

Deterministic: running it again writes the same bytes (workbooks get fixed timestamps), so
the committed files and this script never drift apart; `--check` verifies that.

    python -m tests.support.make_intake_fixtures          # (re)write the fixtures
    python -m tests.support.make_intake_fixtures --check  # exit 1 if a committed file differs

(from the project's root; tests/intake/test_fixtures.py runs the --check.)
"""

from __future__ import annotations

import argparse
import io
import json
import re
import struct
import sys
import unicodedata
import zipfile
import zlib
from datetime import datetime
from pathlib import Path

from tests.support.cp1258 import encode_cp1258
from tests.support.warehouse import HEADER
from tests.support.warehouse import csv_text as table  # the builder's word for a file's text

OUT = Path(__file__).resolve().parent.parent / "fixtures" / "intake"
NBSP = "\u00a0"

FIXTURES: list[dict] = []  # manifest entries, in the order written
FILES: dict[str, bytes] = {}


def add(name: str, data: bytes, quirk: str, outcome: str, **expect) -> None:
    assert name not in FILES, name
    assert len(data) < 20_000, (name, len(data))
    FILES[name] = data
    FIXTURES.append({"name": name, "quirk": quirk, "outcome": outcome, **expect})


def check(indicator: str, reporter: str, period: str, value: float, breakdown: str = "{}", **more) -> dict:
    return {"indicator": indicator, "reporter": reporter, "period": period, "breakdown": breakdown,
            "value": value, **more}


def problem(code: str, row: int | None = None, column: str | None = None, **more) -> dict:
    out: dict = {"code": code}
    if row is not None:
        out["row"] = row
    if column is not None:
        out["column"] = column
    out.update(more)
    return out


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


FIXED_TIME = (2025, 10, 1, 8, 0, 0)


def deterministic_zip(data: bytes) -> bytes:
    """Rewrite a zip with fixed member timestamps so the bytes do not depend on the clock."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, FIXED_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o600 << 16
            body = src.read(info.filename)
            if info.filename == "docProps/core.xml":  # openpyxl stamps the save time here
                body = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>2025-10-01T08:00:00Z", body)
            dst.writestr(fixed, body)
    return out.getvalue()


def workbook(sheets: list[tuple[str, list[list]]], formats: dict[tuple[int, int, int], str] | None = None) -> bytes:
    """An .xlsx with the given sheets (name, rows); formats maps (sheet, row, col) 1-based to a number format."""
    import openpyxl

    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for s_idx, (title, rows) in enumerate(sheets, start=1):
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append(row)
        for (fs, r, c), fmt in (formats or {}).items():
            if fs == s_idx:
                ws.cell(row=r, column=c).number_format = fmt
    wb.properties.created = datetime(2025, 10, 1, 8, 0, 0)
    wb.properties.modified = datetime(2025, 10, 1, 8, 0, 0)
    wb.properties.creator = "Bộ Ngoại giao"
    buf = io.BytesIO()
    wb.save(buf)
    return deterministic_zip(buf.getvalue())


def png_bytes() -> bytes:
    """A real 2x2 PNG image."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    raw = b"".join(b"\x00" + b"\xff\x00\x00" * 2 for _ in range(2))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


# --------------------------------------------------------------------------------------------
# Files that must load
# --------------------------------------------------------------------------------------------

def loaded_fixtures() -> None:
    add("utf8_plain_comma.csv", table([
        ["MISSIONS_ABROAD", "MOFA", "2025-Q3", "95", "agencies", "Tổng số cơ quan đại diện"],
        ["STAFF_HEADCOUNT", "MOFA", "2025-Q3", "2950", "persons", ""],
        ["DIGITAL_FULL_ONLINE_PCT", "MOFA", "2025-Q3", "62.5", "%", ""],
    ]).encode(), "UTF-8 without BOM, comma, English headers: the baseline", "loaded", rows=3, encoding="UTF-8",
        checks=[check("MISSIONS_ABROAD", "MOFA", "2025-Q3", 95, note="Tổng số cơ quan đại diện"),
                check("DIGITAL_FULL_ONLINE_PCT", "MOFA", "2025-Q3", 62.5)])

    add("utf8_bom_semicolon.csv", b"\xef\xbb\xbf" + table([
        ["OFFICIALS_TRAINED", "HANOI", "2025-Q2", "75", "người", "Đào tạo ngoại ngữ"],
        ["OFFICIALS_TRAINED", "HANOI", "2025-Q3", "80", "người", ""],
    ], delimiter=";", eol="\r\n").encode(), "UTF-8 with BOM (Excel 'CSV UTF-8'), semicolon, CRLF, Vietnamese unit",
        "loaded", rows=2, encoding="UTF-8 (BOM)",
        checks=[check("OFFICIALS_TRAINED", "HANOI", "2025-Q3", 80, note=None)])

    text = table([
        ["STAFF_HEADCOUNT", "HCMC", "2025-Q1", "78", "persons", "Cán bộ, công chức"],
        ["STAFF_HEADCOUNT", "HCMC", "2025-Q2", "79", "persons", "Số liệu ước tính"],
        ["BUDGET_OPERATING", "HCMC", "2024", "45,5", "tỷ đồng", ""],
    ], delimiter="\t", eol="\r\n", header=["Chỉ tiêu", "Đơn vị báo cáo", "Kỳ", "Giá trị", "Đơn vị tính", "Ghi chú"])
    add("utf16le_bom_tab.csv", b"\xff\xfe" + text.encode("utf-16-le"),
        "UTF-16 LE with BOM, tab, CRLF: Excel's 'Unicode Text' export", "loaded", rows=3, encoding="UTF-16",
        checks=[check("STAFF_HEADCOUNT", "HCMC", "2025-Q2", 79, note="Số liệu ước tính"),
                check("BUDGET_OPERATING", "HCMC", "2024", 45.5)])
    add("utf16be_bom_tab.csv", b"\xfe\xff" + text.encode("utf-16-be"),
        "UTF-16 BE with BOM, tab, CRLF", "loaded", rows=3, encoding="UTF-16",
        checks=[check("STAFF_HEADCOUNT", "HCMC", "2025-Q1", 78, note="Cán bộ, công chức")])

    text = table([
        ["STAFF_HEADCOUNT", "DANANG", "2025-Q3", "36", "người", "Số liệu của Sở Ngoại vụ Đà Nẵng"],
        ["BUDGET_OPERATING", "DANANG", "2025", "12,4", "tỷ đồng", "Kinh phí hoạt động thường xuyên"],
    ], delimiter=";", eol="\r\n", header=["Chỉ tiêu", "Đơn vị báo cáo", "Kỳ", "Giá trị", "Đơn vị tính", "Ghi chú"])
    add("cp1258_nfd.csv", encode_cp1258(text),
        "Windows-1258 (Vietnamese ANSI): tone marks stored as combining characters, so text needs NFC",
        "loaded", rows=2, encoding="Windows-1258",
        checks=[check("STAFF_HEADCOUNT", "DANANG", "2025-Q3", 36, note="Số liệu của Sở Ngoại vụ Đà Nẵng"),
                check("BUDGET_OPERATING", "DANANG", "2025", 12.4, note="Kinh phí hoạt động thường xuyên")])

    add("tab_delimited_utf8.csv", table([
        ["STAFF_SPECIALISTS", "MOHA", "2025", "120", "persons", "chuyên gia"],
        ["STAFF_SPECIALISTS", "MOHA", "2024", "110", "persons", ""],
    ], delimiter="\t").encode(), "tab delimiter in a UTF-8 file", "loaded", rows=2,
        checks=[check("STAFF_SPECIALISTS", "MOHA", "2024", 110)])

    add("decimal_dot_plain.csv", table([
        ["BUDGET_OPERATING", "MOFA", "2024", "1234.5", "billion VND", ""],
        ["BUDGET_OPERATING", "MOFA", "2023", "1100", "billion VND", ""],
    ]).encode(), "plain decimal dot 1234.5", "loaded", rows=2,
        checks=[check("BUDGET_OPERATING", "MOFA", "2024", 1234.5)])

    add("thousands_comma_decimal_dot.csv", table([
        ["BUDGET_OPERATING", "MOFA", "2024", "3,104.1", "billion VND", ""],
        ["BUDGET_OPERATING", "MOFA", "2023", "2,950", "billion VND", ""],
        ["BUDGET_DIGITAL", "MOFA", "2024", "1,234,567", "billion VND", ""],
    ]).encode(), "English convention 1,234.5: the decisive 3,104.1 settles the ambiguous 2,950",
        "loaded", rows=3,
        checks=[check("BUDGET_OPERATING", "MOFA", "2024", 3104.1), check("BUDGET_OPERATING", "MOFA", "2023", 2950),
                check("BUDGET_DIGITAL", "MOFA", "2024", 1234567)])

    add("decimal_comma_thousands_dot.csv", table([
        ["BUDGET_OPERATING", "MOF", "2024", "1.234,5", "tỷ đồng", ""],
        ["BUDGET_OPERATING", "MOF", "2023", "1.100", "tỷ đồng", ""],
        ["BUDGET_DIGITAL", "MOF", "2024", "80,3", "tỷ đồng", ""],
    ], delimiter=";").encode(), "Vietnamese convention 1.234,5 (dot thousands, comma decimal)", "loaded", rows=3,
        checks=[check("BUDGET_OPERATING", "MOF", "2024", 1234.5), check("BUDGET_OPERATING", "MOF", "2023", 1100),
                check("BUDGET_DIGITAL", "MOF", "2024", 80.3)])

    add("space_thousands_nbsp.csv", table([
        ["BUDGET_OPERATING", "MOFA", "2024", f"1{NBSP}234,5", "billion VND", ""],
        ["BUDGET_OPERATING", "MOFA", "2023", "1 100,25", "billion VND", ""],
        ["BUDGET_DIGITAL", "MOFA", "2024", f"12{NBSP}345", "billion VND", ""],
    ], delimiter=";").encode(), "space / non-breaking space as thousands separator: 1 234,5", "loaded", rows=3,
        checks=[check("BUDGET_OPERATING", "MOFA", "2024", 1234.5), check("BUDGET_OPERATING", "MOFA", "2023", 1100.25),
                check("BUDGET_DIGITAL", "MOFA", "2024", 12345)])

    add("percent_sign.csv", table([
        ["DIGITAL_FULL_ONLINE_PCT", "MOFA", "2025-Q2", "12%", "%", ""],
        ["DIGITAL_FULL_ONLINE_PCT", "MOFA", "2025-Q3", "47.5 %", "", ""],
        ["VISUAL_IDENTITY_PCT", "MOFA", "2025", "100%", "", ""],
    ]).encode(), "12% for a percent indicator is 12", "loaded", rows=3,
        checks=[check("DIGITAL_FULL_ONLINE_PCT", "MOFA", "2025-Q2", 12), check("DIGITAL_FULL_ONLINE_PCT", "MOFA", "2025-Q3", 47.5),
                check("VISUAL_IDENTITY_PCT", "MOFA", "2025", 100)])

    add("count_settles_dot_thousands.csv", table([
        ["STAFF_HEADCOUNT", "MOFA", "2025-Q2", "2.950", "người", ""],
        ["STAFF_HEADCOUNT", "MOFA", "2025-Q3", "2.940", "người", ""],
        ["OFFICIALS_TRAINED", "MOFA", "2025-Q3", "1.234", "người", ""],
    ], delimiter=";").encode(), "1.234 in a count indicator can only be 1234 (a count is whole)", "loaded", rows=3,
        checks=[check("OFFICIALS_TRAINED", "MOFA", "2025-Q3", 1234), check("STAFF_HEADCOUNT", "MOFA", "2025-Q2", 2950)])

    add("count_settles_amount.csv", table([
        ["STAFF_HEADCOUNT", "MOF", "2025-Q3", "1.250", "người", ""],
        ["BUDGET_OPERATING", "MOF", "2024", "1.234", "tỷ đồng", ""],
    ], delimiter=";").encode(),
        "an ambiguous amount follows the convention a count settled for the whole file", "loaded", rows=2,
        checks=[check("STAFF_HEADCOUNT", "MOF", "2025-Q3", 1250), check("BUDGET_OPERATING", "MOF", "2024", 1234)])

    periods = [("2019", "STAFF_SPECIALISTS", "2019"), ("2025-Q1", "STAFF_HEADCOUNT", "2025-Q1"),
               ("2024Q2", "STAFF_HEADCOUNT", "2024-Q2"), ("Q3/2024", "STAFF_HEADCOUNT", "2024-Q3"),
               ("Q4-2024", "STAFF_HEADCOUNT", "2024-Q4"), ("Quý 2/2025", "STAFF_HEADCOUNT", "2025-Q2"),
               ("Quý 3 năm 2025", "STAFF_HEADCOUNT", "2025-Q3"), ("q1/2023", "STAFF_HEADCOUNT", "2023-Q1"),
               (nfd("QUÝ 4 NĂM 2023"), "STAFF_HEADCOUNT", "2023-Q4"), ("2026-Q3", "STAFF_HEADCOUNT", "2026-Q3")]
    add("period_spellings.csv", table([[ind, "MOHA", spelled, str(100 + i), "persons", ""]
                                        for i, (spelled, ind, _) in enumerate(periods)]).encode(),
        "every period spelling of the contract: YYYY, YYYY-Qn, YYYYQn, Qn/YYYY, Qn-YYYY, Quý n/YYYY, Quý n năm YYYY",
        "loaded", rows=len(periods),
        checks=[check(ind, "MOHA", canon, 100 + i) for i, (_, ind, canon) in enumerate(periods)])

    add("headers_vi_ascii.csv", table([
        ["OFFICIALS_TRAINED", "HCMC", "2025-Q1", "94", "persons", "ngoại ngữ"],
        ["OFFICIALS_TRAINED", "HCMC", "2025-Q2", "90", "persons", ""],
    ], delimiter=";", header=["ma_chi_tieu", "don_vi_bao_cao", "ky", "gia_tri", "don_vi_tinh", "ghi_chu"]).encode(),
        "Vietnamese header aliases without diacritics", "loaded", rows=2,
        checks=[check("OFFICIALS_TRAINED", "HCMC", "2025-Q1", 94, note="ngoại ngữ")])

    add("headers_vi_diacritics.csv", table([
        ["OFFICIALS_TRAINED", "CANTHO", "2025-Q1", "20", "người", "Khóa bồi dưỡng"],
        ["OFFICIALS_TRAINED", "CANTHO", "2025-Q2", "25", "người", ""],
    ], delimiter=";", header=["CHỈ TIÊU", "Đơn vị báo cáo", "Kỳ", "Giá trị", "Đơn vị tính", "Ghi chú"]).encode(),
        "Vietnamese header aliases with diacritics, in any case", "loaded", rows=2,
        checks=[check("OFFICIALS_TRAINED", "CANTHO", "2025-Q2", 25)])

    add("headers_nbsp_stray_spaces.csv", table([
        ["MISSIONS_ABROAD", "MOFA", "2025-Q2", "95", "agencies", ""],
    ], header=[f"{NBSP}Indicator{NBSP}", "  reporter ", f"period{NBSP}", " VALUE", "unit  ", f"{NBSP}note"]).encode(),
        "header cells with non-breaking spaces, stray spaces and odd case", "loaded", rows=1,
        checks=[check("MISSIONS_ABROAD", "MOFA", "2025-Q2", 95)])

    add("columns_reordered_with_breakdown.csv", table([
        ["2025-Q3", "embassy", "MISSIONS_ABROAD", "MOFA", "67", ""],
        ["2025-Q3", "consulate_general", "MISSIONS_ABROAD", "MOFA", "23", ""],
        ["2025-Q3", "", "MISSIONS_ABROAD", "MOFA", "95", "tổng"],
    ], header=["Period", "mission_type", "Indicator", "Reporter", "Value", "Note"]).encode(),
        "columns in another order, a breakdown column with a blank meaning the total", "loaded", rows=3,
        checks=[check("MISSIONS_ABROAD", "MOFA", "2025-Q3", 67, breakdown='{"mission_type":"embassy"}'),
                check("MISSIONS_ABROAD", "MOFA", "2025-Q3", 95, note="tổng")])

    add("trailing_delimiter.csv", (
        "indicator,reporter,period,value,unit,note,\r\n"
        "STAFF_HEADCOUNT,MOIT,2025-Q2,310,persons,,\r\n"
        "STAFF_HEADCOUNT,MOIT,2025-Q3,305,persons,,\r\n"
    ).encode(), "a trailing delimiter on every line (Excel's empty last column)", "loaded", rows=2,
        checks=[check("STAFF_HEADCOUNT", "MOIT", "2025-Q3", 305)])

    add("excel_trailing_empty_columns.csv", (
        "indicator;reporter;period;value;;;\n"
        "STAFF_HEADCOUNT;MOPS;2025-Q3;410;;;\n"
        "STAFF_HEADCOUNT;MOPS;2025-Q2;415;;\n"
        "STAFF_HEADCOUNT;MOPS;2025-Q1;420\n"
    ).encode(), "Excel's ;;; trailing empty columns, rows of uneven trailing width", "loaded", rows=3,
        checks=[check("STAFF_HEADCOUNT", "MOPS", "2025-Q1", 420)])

    add("blank_lines.csv", (
        "\n"
        "indicator,reporter,period,value\n"
        "\n"
        "STAFF_HEADCOUNT,MOHA,2025-Q2,12\n"
        ",,,\n"
        "STAFF_HEADCOUNT,MOHA,2025-Q3,13\n"
        "\n\n\n"
    ).encode(), "blank lines before, between (also as ,,,) and after the data", "loaded", rows=2,
        checks=[check("STAFF_HEADCOUNT", "MOHA", "2025-Q3", 13, row_number=6)])

    add("quoted_newline_and_delimiter.csv", (
        'indicator,reporter,period,value,unit,note\n'
        'OFFICIALS_TRAINED,MOFA,2025-Q2,120,persons,"Lớp 1, lớp 2\nvà lớp 3"\n'
        'OFFICIALS_TRAINED,MOFA,2025-Q3,"1,250",persons,"Trích ""Báo cáo quý"""\n'
    ).encode(), "quoted fields holding the delimiter, a newline and doubled quotes", "loaded", rows=2,
        checks=[check("OFFICIALS_TRAINED", "MOFA", "2025-Q2", 120, note="Lớp 1, lớp 2\nvà lớp 3"),
                check("OFFICIALS_TRAINED", "MOFA", "2025-Q3", 1250, note='Trích "Báo cáo quý"', row_number=3)])

    add("title_block_and_footer.csv", ("\ufeff" + (
        "BÁO CÁO SỐ LIỆU QUÝ 3/2025;;;;;\n"
        "Đơn vị: Sở Ngoại vụ Hà Nội;;;;;\n"
        ";;;;;\n"
        "ma_chi_tieu;don_vi_bao_cao;ky;gia_tri;don_vi_tinh;ghi_chu\n"
        "OFFICIALS_TRAINED;HANOI;2025-Q3;75;người;\n"
        "OFFICIALS_TRAINED;HANOI;2025-Q2;70;người;\n"
        ";;;;;\n"
        "Nguồn: Sở Ngoại vụ Hà Nội;;;;;\n"
    )).encode(), "a title block above the header and a 'Nguồn:' source line after the data", "loaded", rows=2,
        info=["skipped_title", "skipped_footer"],
        checks=[check("OFFICIALS_TRAINED", "HANOI", "2025-Q3", 75, row_number=5)])

    add("nguon_footer_only.csv", (
        "indicator,reporter,period,value\n"
        "STAFF_SPECIALISTS,MOFA,2024,580\n"
        "Nguồn: Bộ Ngoại giao,,,\n"
        "Ghi chú: số liệu sơ bộ\n"
    ).encode(), "two footnote lines after the data (first cell only)", "loaded", rows=1, info=["skipped_footer"],
        checks=[check("STAFF_SPECIALISTS", "MOFA", "2024", 580)])

    add("nfd_text.csv", nfd(table([
        ["OFFICIALS_TRAINED", "HANOI", "Quý 1/2025", "10", "người", "Bồi dưỡng kỹ năng đối ngoại"],
        ["OFFICIALS_TRAINED", "HANOI", "Quý 2 năm 2025", "11", "người", "Tiếng Việt"],
    ], header=["Chỉ tiêu", "Đơn vị báo cáo", "Kỳ", "Giá trị", "Đơn vị tính", "Ghi chú"])).encode(),
        "UTF-8 text in decomposed Unicode (NFD): headers, periods, units and notes", "loaded", rows=2,
        checks=[check("OFFICIALS_TRAINED", "HANOI", "2025-Q1", 10, note="Bồi dưỡng kỹ năng đối ngoại"),
                check("OFFICIALS_TRAINED", "HANOI", "2025-Q2", 11, note="Tiếng Việt")])

    add("whitespace_around_cells.csv", (
        "indicator , reporter , period , value , note\n"
        "  STAFF_HEADCOUNT ,  MOFA , 2025-Q3 ,  2940  ,  có khoảng trắng  \n"
    ).encode(), "spaces around every cell", "loaded", rows=1,
        checks=[check("STAFF_HEADCOUNT", "MOFA", "2025-Q3", 2940, note="có khoảng trắng")])

    add("no_optional_columns.csv", table([["LAWS_ENACTED", "MOFA", "2025", "2"]],
                                         header=["indicator", "reporter", "period", "value"]).encode(),
        "only the four required columns", "loaded", rows=1, checks=[check("LAWS_ENACTED", "MOFA", "2025", 2)])

    add("sql_text_cells.csv", table([
        ["STAFF_HEADCOUNT", "MOFA", "2025-Q3", "2940", "persons", "'); DROP TABLE observations; --"],
        ["STAFF_HEADCOUNT", "MOFA", "2025-Q2", "2945", "persons", "Robert'); DELETE FROM loads; --"],
    ]).encode(),
        "SQL in a text cell is stored as text, never executed", "loaded", rows=2,
        checks=[check("STAFF_HEADCOUNT", "MOFA", "2025-Q3", 2940, note="'); DROP TABLE observations; --")])

    add("sql_in_breakdown.csv", table([
        ["STAFF_HEADCOUNT", "MOFA", "2025-Q3", "2940", "'; DROP TABLE loads; --"],
    ], header=["indicator", "reporter", "period", "value", "x\"); DROP TABLE observations; --"]).encode(),
        "SQL in a breakdown column name and value (an unrestricted dimension) is data", "loaded", rows=1,
        checks=[check("STAFF_HEADCOUNT", "MOFA", "2025-Q3", 2940,
                      breakdown='{"x\\");_drop_table_observations;_--":"\'; DROP TABLE loads; --"}')])

    add("formula_like_text.csv", table([
        ["STAFF_HEADCOUNT", "MOFA", "2025-Q1", "2960", "persons", "=HYPERLINK(\"http://x\",\"y\")"],
        ["STAFF_HEADCOUNT", "MOFA", "2025-Q2", "+2950", "persons", "@SUM(A1)"],
    ]).encode(), "cells starting with = and @ are kept as text; +2950 is a number", "loaded", rows=2,
        checks=[check("STAFF_HEADCOUNT", "MOFA", "2025-Q1", 2960, note="=HYPERLINK(\"http://x\",\"y\")"),
                check("STAFF_HEADCOUNT", "MOFA", "2025-Q2", 2950)])

    add("current_quarter_begun.csv", table([["STAFF_HEADCOUNT", "MOFA", "2026-Q3", "2930", "persons", ""]]).encode(),
        "the latest finished quarter (2026-Q3) loads", "loaded", rows=1,
        checks=[check("STAFF_HEADCOUNT", "MOFA", "2026-Q3", 2930)])

    add("breakdown_named_like_internals.csv", table([
        ["STAFF_HEADCOUNT", "MOFA", "2025-Q3", "2940", "7", "x", "2020"],
    ], header=["indicator", "reporter", "period", "value", "row_number", "_value", "_period"]).encode(),
        "breakdown columns named row_number, _value, _period are ordinary dimensions", "loaded", rows=1,
        checks=[check("STAFF_HEADCOUNT", "MOFA", "2025-Q3", 2940,
                      breakdown='{"_period":"2020","_value":"x","row_number":"7"}', row_number=2)])

    # Workbooks.
    add("first_sheet.xlsx", workbook([
        ("Báo cáo", [["indicator", "reporter", "period", "value", "unit", "note"],
                     ["MISSIONS_ABROAD", "MOFA", "2025-Q3", 95, "agencies", "Tổng số"],
                     ["BUDGET_OPERATING", "MOFA", "2024", 3104.1, "billion VND", None],
                     ["DIGITAL_FULL_ONLINE_PCT", "MOFA", "2025-Q3", 0.875, "%", "ô định dạng phần trăm"]]),
        ("Sheet2", [["this", "sheet", "is", "ignored"], ["#N/A", "garbage", "2099", "-1"]]),
    ], formats={(1, 4, 4): "0.0%"}), "a workbook: first sheet read, second ignored, a percent-formatted cell (87.5%)",
        "loaded", rows=3, encoding="xlsx",
        checks=[check("MISSIONS_ABROAD", "MOFA", "2025-Q3", 95, note="Tổng số"),
                check("BUDGET_OPERATING", "MOFA", "2024", 3104.1),
                check("DIGITAL_FULL_ONLINE_PCT", "MOFA", "2025-Q3", 87.5)])

    add("xlsx_title_block_and_footer.xlsx", workbook([
        ("Sheet1", [["BÁO CÁO SỐ LIỆU NĂM 2024"], [], ["Chỉ tiêu", "Đơn vị báo cáo", "Kỳ", "Giá trị"],
                    ["STAFF_SPECIALISTS", "MOIT", 2024, 45], ["STAFF_SPECIALISTS", "MOIT", "2023", 41], [],
                    ["Nguồn: Bộ Công Thương"]]),
    ]), "a workbook with a title row, numeric year cell and a source footer", "loaded", rows=2, encoding="xlsx",
        info=["skipped_title", "skipped_footer"],
        checks=[check("STAFF_SPECIALISTS", "MOIT", "2024", 45, row_number=4)])

    add("xlsx_named_csv.csv", workbook([
        ("Sheet1", [["indicator", "reporter", "period", "value"], ["LAWS_ENACTED", "MOFA", "2024", 1]]),
    ]), "an Excel workbook saved with a .csv name: the content decides, not the extension", "loaded", rows=1,
        encoding="xlsx", checks=[check("LAWS_ENACTED", "MOFA", "2024", 1)])

    add("csv_named_xlsx.xlsx", table([["LAWS_ENACTED", "MOFA", "2025", "2", "laws", ""]]).encode(),
        "a CSV with an .xlsx name: read as the text it is", "loaded", rows=1,
        checks=[check("LAWS_ENACTED", "MOFA", "2025", 2)])


# --------------------------------------------------------------------------------------------
# Files that must be rejected whole
# --------------------------------------------------------------------------------------------

def rejected_fixtures() -> None:
    good = table([["STAFF_HEADCOUNT", "MOFA", "2025-Q3", "2940", "persons", ""]])

    add("binary_garbage.csv", bytes((i * 97 + 13) % 256 for i in range(1024)),
        "random binary bytes with a .csv name", "rejected", problems=[problem("not_text")])

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr(zipfile.ZipInfo("data.csv", FIXED_TIME), good)
    add("zip_renamed.csv", buf.getvalue(), "a zip archive renamed to .csv", "rejected", problems=[problem("not_text")])

    add("png_renamed.csv", png_bytes(), "a PNG image renamed to .csv", "rejected", problems=[problem("not_text")])
    add("pdf_renamed.xlsx", b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n",
        "a PDF renamed to .xlsx", "rejected", problems=[problem("not_text")])
    add("old_xls_renamed.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504),
        "an old binary .xls (OLE2) workbook", "rejected", problems=[problem("not_text")])

    add("broken_workbook.xlsx", deterministic_zip(_zip({"[Content_Types].xml": b"<Types/>",
                                                          "xl/workbook.xml": b"<not really a workbook"})),
        "a damaged .xlsx (zip with a broken workbook part)", "rejected", problems=[problem("unreadable_workbook")])

    add("empty.csv", b"", "a zero-byte file", "rejected", problems=[problem("empty_file")])
    add("whitespace_only.csv", b"\xef\xbb\xbf \r\n\r\n\t\n", "a BOM and blank lines only", "rejected",
        problems=[problem("empty_file")])
    add("header_only.csv", b"indicator,reporter,period,value,unit,note\r\n\r\n", "a header and no data rows",
        "rejected", problems=[problem("header_only", row=1)])

    big = table([["OFFICIALS_TRAINED", "MOFA", f"{2000 + i // 4}-Q{i % 4 + 1}", str(i), "persons", "x" * 40]
                 for i in range(150)])
    add("over_size_limit.csv", big.encode(), "a valid file larger than the configured limit (KPI_MAX_FILE_MB=0.01)",
        "rejected", max_file_mb=0.01, problems=[problem("file_too_large")])

    add("nul_byte.csv", (good + "STAFF_HEADCOUNT,MOFA,2025-Q2,29\x0045,persons,\n").encode(),
        "a NUL byte inside a cell", "rejected", problems=[problem("nul_byte", row=3)])

    add("utf8_with_one_cp1258_row.csv", (
        table([["OFFICIALS_TRAINED", "HANOI", "2025-Q1", "10", "người", "Đào tạo"],
               ["OFFICIALS_TRAINED", "HANOI", "2025-Q2", "11", "người", "Bồi dưỡng"]]).encode()
        + "OFFICIALS_TRAINED,HANOI,2025-Q3,12,persons,".encode() + encode_cp1258("Lớp học tiếng Việt") + b"\n"
    ), "a UTF-8 file with one row pasted from a Windows-1258 file: reject, report row 4 (not mojibake)",
        "rejected", problems=[problem("bad_encoding", row=4)], problem_count=1)

    add("invalid_utf8_after_quoted_newline.csv", (
        'indicator,reporter,period,value,note\n'
        'STAFF_HEADCOUNT,MOFA,2025-Q1,2960,"dòng một\ndòng hai"\n'.encode()
        + b'STAFF_HEADCOUNT,MOFA,2025-Q2,2950,"ghi ch\xfa"\n'),
        "an invalid byte in the record after a quoted newline: the Excel row (3), not the line (4)",
        "rejected", problems=[problem("bad_encoding", row=3)], problem_count=1)

    add("cp1258_undefined_byte.csv", encode_cp1258("indicator;reporter;period;value;note\nSTAFF_HEADCOUNT;MOFA;2025-Q3;2940;Cán bộ\n")
        + b"STAFF_HEADCOUNT;MOFA;2025-Q2;2950;bad \x8a\n",
        "a Windows-1258 file with a byte the code page does not define", "rejected",
        problems=[problem("bad_encoding", row=3)])

    add("utf16_truncated.csv", b"\xff\xfe" + "indicator\treporter\tperiod\tvalue\r\nLAWS_ENACTED\tMOFA\t2025\t2\r\n".encode("utf-16-le") + b"\x32",
        "UTF-16 with an odd trailing byte (a cut-off file)", "rejected", problems=[problem("bad_encoding", row=3)])

    add("ragged_rows.csv", (
        "indicator,reporter,period,value,unit,note\n"
        "STAFF_HEADCOUNT,MOFA,2025-Q1,2960,persons,\n"
        "STAFF_HEADCOUNT,MOFA,2025-Q2,2950\n"
        "STAFF_HEADCOUNT,MOFA,2025-Q3,2940,persons,note,extra\n"
    ).encode(), "a row with fewer cells and a row with more cells than the header", "rejected",
        problems=[problem("cell_count", row=3, found=4, expected=6), problem("cell_count", row=4, found=7, expected=6)],
        problem_count=2)

    add("unterminated_quote.csv", (
        "indicator,reporter,period,value,note\n"
        "STAFF_HEADCOUNT,MOFA,2025-Q1,2960,ok\n"
        'STAFF_HEADCOUNT,MOFA,2025-Q2,2950,"never closed\n'
        "STAFF_HEADCOUNT,MOFA,2025-Q3,2940,lost\n"
    ).encode(), "a quote opened on row 3 and never closed", "rejected",
        problems=[problem("unterminated_quote", row=3)])

    add("duplicate_keys.csv", table([
        ["STAFF_HEADCOUNT", "MOFA", "2025-Q3", "2940", "persons", ""],
        ["STAFF_HEADCOUNT", "MOFA", "2025-Q2", "2950", "persons", ""],
        ["STAFF_HEADCOUNT", "MOFA", "Q3/2025", "2941", "persons", "typed again"],
    ]).encode(), "the same key twice (2025-Q3 spelled two ways)", "rejected",
        problems=[problem("duplicate_key", row=4, other_row=2)], problem_count=1)

    add("duplicate_column.csv", table([["STAFF_HEADCOUNT", "MOFA", "2025-Q3", "2940", "2941"]],
                                      header=["indicator", "reporter", "period", "value", "gia_tri"]).encode(),
        "'value' and its alias 'gia_tri' both in the header", "rejected",
        problems=[problem("duplicate_column", row=1, column="gia_tri")])

    add("missing_required_column.csv", table([["STAFF_HEADCOUNT", "MOFA", "2940"]],
                                              header=["indicator", "reporter", "value"]).encode(),
        "no period column", "rejected", problems=[problem("missing_columns", columns="period")])

    add("unnamed_column_with_values.csv", (
        "indicator,reporter,period,value,,note\n"
        "STAFF_HEADCOUNT,MOFA,2025-Q3,2940,surprise,\n"
    ).encode(), "a column with values but no header name", "rejected",
        problems=[problem("unnamed_column", row=1, position=5)])

    add("unknown_codes_suggest.csv", table([
        ["MISSION_ABROAD", "MOFA", "2025-Q3", "95", "", ""],
        ["STAFF_HEADCOUNT", "HA_NOI", "2025-Q3", "60", "", ""],
        ["", "MOFA", "2025-Q3", "1", "", ""],
    ]).encode(), "unknown indicator and reporter codes, with the closest known codes suggested", "rejected",
        problems=[problem("unknown_indicator", row=2, column="indicator", value="MISSION_ABROAD",
                          suggestions=["MISSIONS_ABROAD"]),
                  problem("unknown_reporter", row=3, column="reporter", value="HA_NOI", suggestions=["HANOI"]),
                  problem("unknown_indicator", row=4, column="indicator", value="")],
        problem_count=3)

    add("sql_in_codes.csv", table([
        ["'); DROP TABLE observations; --", "MOFA", "2025-Q3", "1", "", ""],
        ["STAFF_HEADCOUNT", "MOFA' OR '1'='1", "2025-Q3", "1", "", ""],
    ]).encode(), "SQL where codes belong: rejected as unknown codes, tables intact", "rejected",
        problems=[problem("unknown_indicator", row=2, column="indicator"),
                  problem("unknown_reporter", row=3, column="reporter")], problem_count=2)

    add("future_period.csv", table([
        ["STAFF_HEADCOUNT", "MOFA", "2027-Q1", "2900", "persons", ""],
        ["STAFF_SPECIALISTS", "MOFA", "2027", "650", "persons", ""],
        ["STAFF_HEADCOUNT", "MOFA", "Quý 2 năm 2027", "2901", "persons", ""],
    ]).encode(), "periods that have not begun on the day of the load (2026-11-22)", "rejected",
        problems=[problem("future_period", row=2, column="period"), problem("future_period", row=3, column="period"),
                  problem("future_period", row=4, column="period")], problem_count=3)

    add("quarter_for_annual.csv", table([["STAFF_SPECIALISTS", "MOFA", "2025-Q2", "600", "persons", ""]]).encode(),
        "a quarter period for an indicator the catalog marks annual", "rejected",
        problems=[problem("quarter_for_annual", row=2, column="period", indicator="STAFF_SPECIALISTS")])

    add("bad_period_spelling.csv", table([
        ["STAFF_HEADCOUNT", "MOFA", "2025/3", "1", "", ""],
        ["STAFF_HEADCOUNT", "MOFA", "Q5-2025", "2", "", ""],
        ["STAFF_HEADCOUNT", "MOFA", "2025-13", "3", "", ""],
        ["STAFF_HEADCOUNT", "MOFA", "", "4", "", ""],
        ["STAFF_HEADCOUNT", "MOFA", "25-Q1", "5", "", ""],
    ]).encode(), "periods that cannot be read", "rejected",
        problems=[problem("bad_period", row=r, column="period") for r in range(2, 7)], problem_count=5)

    add("kind_column_cannot_bypass.csv", table([["MISSIONS_ABROAD", "MOFA", "2025-Q3", "-3", "amount"]],
                                               header=["indicator", "reporter", "period", "value", "_kind"]).encode(),
        "a column named _kind does not change how the indicator is checked", "rejected",
        problems=[problem("negative_count", row=2, column="value", value="-3")], problem_count=1)

    add("number_too_large.csv", table([["BUDGET_OPERATING", "MOFA", "2024", "9" * 400, "", ""]]).encode(),
        "a value of 400 digits (would be inf)", "rejected",
        problems=[problem("not_a_number", row=2, column="value")], problem_count=1)

    na = ["#N/A", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "NaN", "inf", "-", ".."]
    add("excel_na_values.csv", table([["STAFF_HEADCOUNT", "MOFA", f"{2017 + i}-Q1", v, "", ""]
                                      for i, v in enumerate(na)]).encode(),
        "Excel error values and NaN, inf, -, .. in the value column", "rejected",
        problems=[problem("not_a_number", row=i + 2, column="value", value=v) for i, v in enumerate(na)],
        problem_count=len(na))

    add("xlsx_error_cells.xlsx", workbook([
        ("Sheet1", [["indicator", "reporter", "period", "value"], ["STAFF_HEADCOUNT", "MOFA", "2025-Q3", "#DIV/0!"],
                    ["STAFF_HEADCOUNT", "MOFA", "2025-Q2", "#N/A"], ["STAFF_HEADCOUNT", "MOFA", "2025-Q1", 2960]]),
    ]), "a workbook whose cells hold Excel error values", "rejected",
        problems=[problem("not_a_number", row=2, column="value", value="#DIV/0!"),
                  problem("not_a_number", row=3, column="value", value="#N/A")], problem_count=2)

    add("blank_value.csv", table([["STAFF_HEADCOUNT", "MOFA", "2025-Q3", "", "persons", "chưa có số liệu"],
                                  ["STAFF_HEADCOUNT", "MOFA", "2025-Q2", "2950", "persons", ""]]).encode(),
        "a blank value", "rejected", problems=[problem("blank_value", row=2, column="value")], problem_count=1)

    add("negative_count.csv", table([["MISSIONS_ABROAD", "MOFA", "2025-Q3", "-3", "agencies", ""]]).encode(),
        "a negative value for a count indicator", "rejected",
        problems=[problem("negative_count", row=2, column="value", value="-3")])

    add("non_whole_count.csv", table([["STAFF_HEADCOUNT", "MOFA", "2025-Q3", "2940.5", "persons", ""]]).encode(),
        "a count that is not a whole number", "rejected",
        problems=[problem("not_whole", row=2, column="value", value="2940.5")])

    add("percent_out_of_range.csv", table([
        ["DIGITAL_FULL_ONLINE_PCT", "MOFA", "2025-Q3", "120%", "%", ""],
        ["BUDGET_DISBURSED_PCT", "MOFA", "2025-Q3", "-5", "%", ""],
        ["DIGITAL_FULL_ONLINE_PCT", "MOFA", "2025-Q2", "100", "%", ""],
    ]).encode(), "percent values outside 0..100", "rejected",
        problems=[problem("percent_range", row=2, column="value", value="120%"),
                  problem("percent_range", row=3, column="value", value="-5")], problem_count=2)

    add("percent_sign_on_count.csv", table([["STAFF_HEADCOUNT", "MOFA", "2025-Q3", "12%", "", ""]]).encode(),
        "a percent sign on a count indicator", "rejected",
        problems=[problem("not_a_number", row=2, column="value", value="12%")])

    add("unit_mismatch.csv", table([["STAFF_HEADCOUNT", "MOFA", "2025-Q3", "2940", "nghìn người", ""],
                                    ["BUDGET_OPERATING", "MOFA", "2024", "3104", "million VND", ""]]).encode(),
        "a unit different from the catalog's", "rejected",
        problems=[problem("unit_mismatch", row=2, column="unit", value="nghìn người", expected="persons"),
                  problem("unit_mismatch", row=3, column="unit", value="million VND", expected="billion VND")],
        problem_count=2)

    add("restricted_breakdown_value.csv", table([
        ["MISSIONS_ABROAD", "MOFA", "2025-Q3", "67", "embassy"],
        ["MISSIONS_ABROAD", "MOFA", "2025-Q2", "66", "Đại sứ quán"],
        ["MISSIONS_ABROAD", "MOFA", "2025-Q1", "65", "embasy"],
    ], header=["indicator", "reporter", "period", "value", "mission_type"]).encode(),
        "a mission_type value outside the catalog's list", "rejected",
        problems=[problem("restricted_value", row=3, column="mission_type", value="Đại sứ quán"),
                  problem("restricted_value", row=4, column="mission_type", value="embasy")], problem_count=2)

    add("ambiguous_thousands.csv", table([
        ["BUDGET_OPERATING", "MOF", "2024", "1.234", "", ""],
        ["BUDGET_DIGITAL", "MOF", "2024", "2.500", "", ""],
        ["BUDGET_OPERATING", "MOF", "2023", "980", "", ""],
    ], delimiter=";").encode(), "amounts like 1.234 and nothing to settle whether the dot is decimal or thousands",
        "rejected", problems=[problem("ambiguous_numbers", column="value")], problem_count=1)

    add("mixed_conventions.csv", table([
        ["BUDGET_OPERATING", "MOF", "2024", "1,234.5", "", ""],
        ["BUDGET_OPERATING", "MOF", "2023", "1.100,5", "", ""],
    ]).encode(), "one value with a decimal dot and one with a decimal comma", "rejected",
        problems=[problem("mixed_numbers", column="value")], problem_count=1)

    add("mixed_conventions_count_vs_decimal.csv", table([
        ["STAFF_HEADCOUNT", "MOF", "2025-Q3", "1.250", "", ""],
        ["BUDGET_OPERATING", "MOF", "2024", "12.5", "", ""],
    ]).encode(), "a count settles dot-thousands but an amount says dot-decimal: mixed", "rejected",
        problems=[problem("mixed_numbers", column="value")], problem_count=1)

    bad_rows = "ghi chú: Đà Nẵng\n".encode() + "indicator,reporter,period,value,note\n".encode() + b"".join(
        f"STAFF_HEADCOUNT,MOFA,{1950 + i // 4}-Q{i % 4 + 1},1,".encode() + encode_cp1258("Đà Nẵng") + b"\n"
        for i in range(250))
    add("many_bad_bytes_capped.csv", bad_rows,
        "a UTF-8 file with Windows-1258 bytes on 250 rows: every row counted, the list capped at 200",
        "rejected", problem_count=250, problems=[problem("bad_encoding", row=3), problem("bad_encoding", row=202)])

    many = table([["STAFF_HEADCOUNT", "MOFA", f"{1950 + i // 4}-Q{i % 4 + 1}", "x", "", ""] for i in range(100)]
                 + [["NOPE", "MOFA", f"{1950 + i // 4}-Q{i % 4 + 1}", "1", "", ""] for i in range(150)],
                 header=["indicator", "reporter", "period", "value", "unit", "note"])
    add("many_problems_capped.csv", many.encode(), "250 bad rows: the report lists the first 200 and counts the rest",
        "rejected", problem_count=250, problems=[problem("not_a_number", row=2, column="value"),
                                                   problem("unknown_indicator", row=102, column="indicator")])


def issue14_fixtures() -> None:
    """Issue 14: small files that cost minutes or hours before the input bounds."""
    # The 13 KB CSV: a header of 2,000 columns and one row (97 s and 4 GB before).
    wide = ["indicator", "reporter", "period", "value", "unit", "note"] + [f"d{i}" for i in range(1994)]
    add("wide_header_2000_columns.csv",
        table([["STAFF_HEADCOUNT", "MOFA", "2025-Q3", "2940", "persons", ""] + [""] * 1994], header=wide).encode(),
        "a header of 2,000 columns and one row: over KPI_MAX_COLUMNS (200), rejected at once", "rejected",
        problems=[problem("too_many_columns", row=1, found=2000, limit=200)], problem_count=1)

    # The 5 KB workbook that declares A1:XFD1048576 and holds one cell at row 1,048,576.
    add("xlsx_declared_huge_dimension.xlsx", _sheet_patched(workbook([
        ("Sheet1", [["indicator", "reporter", "period", "value", "unit", "note"],
                    ["STAFF_HEADCOUNT", "MOFA", "2025-Q3", 2940, "persons", None],
                    ["STAFF_HEADCOUNT", "MOFA", "2025-Q2", 2935, "persons", None]]),
    ]), "A1:XFD1048576", '<row r="1048576"><c r="A1048576" t="inlineStr"><is><t>Nguồn: Bộ Ngoại giao</t></is></c></row>'),
        "a workbook declaring the whole sheet (A1:XFD1048576) with a source line at row 1,048,576: read as it is, not padded",
        "loaded", rows=2, encoding="xlsx", info=["skipped_footer"],
        checks=[check("STAFF_HEADCOUNT", "MOFA", "2025-Q3", 2940, row_number=2)])
    add("xlsx_value_in_last_column.xlsx", _sheet_patched(workbook([
        ("Báo cáo", [["indicator", "reporter", "period", "value", "unit", "note"],
                     ["STAFF_HEADCOUNT", "MOFA", "2025-Q3", 2940, "persons", None]]),
    ]), "A1:XFD1048576", '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'),
        "a workbook with a value in cell XFD1048576: a row of 16,384 cells, over KPI_MAX_ROW_CELLS, named by sheet and cell",
        "rejected", problems=[problem("sheet_too_wide", row=1048576, sheet="Báo cáo", cell="XFD1048576", found=16384)],
        problem_count=1)

    # As `kpi export` writes text a spreadsheet would run: with a leading apostrophe, dropped on ingest.
    add("export_neutralised_formulas.csv", table([
        ["STAFF_HEADCOUNT", "MOFA", "2025-Q1", "2960", "persons", "'=HYPERLINK(\"http://host/x\",\"y\")", "'@SUM(A1)"],
        ["STAFF_HEADCOUNT", "MOFA", "2025-Q2", "2950", "persons", "'+1+2", ""],
        ["STAFF_HEADCOUNT", "MOFA", "2025-Q3", "2940", "persons", "''trích dẫn", "'-x"],
        ["STAFF_HEADCOUNT", "MOFA", "2024-Q4", "2930", "persons", "'không đổi", ""],
    ], header=HEADER + ["program"]).encode(),
        "text kept from running as a formula by `kpi export` ('=, '+, '@, '-, ''): the apostrophe is dropped, "
        "a lone one before other text kept", "loaded", rows=4,
        checks=[check("STAFF_HEADCOUNT", "MOFA", "2025-Q1", 2960, breakdown='{"program":"@SUM(A1)"}',
                      note='=HYPERLINK("http://host/x","y")'),
                check("STAFF_HEADCOUNT", "MOFA", "2025-Q2", 2950, note="+1+2"),
                check("STAFF_HEADCOUNT", "MOFA", "2025-Q3", 2940, breakdown='{"program":"-x"}', note="'trích dẫn"),
                check("STAFF_HEADCOUNT", "MOFA", "2024-Q4", 2930, note="'không đổi")])


    # Terminal escape sequences in cells: recolour, retitle and clear the analyst's terminal.
    add("ansi_escape_in_cells.csv", table([
        ["STAFF_HEADCOUNT", "\x1b[2J\x1b]0;pwned\x07MOFA", "2025-Q3", "2940", "persons", ""],
        ["STAFF_HEADCOUNT", "MOFA", "2025-Q2", "\x1b[31m12", "persons", "\x9b31m"],
    ]).encode(), "ANSI escape sequences in cells: reported, shown as escapes in the report (never sent raw to a terminal)",
        "rejected", problems=[problem("unknown_reporter", row=2, column="reporter", value="\x1b[2J\x1b]0;pwned\x07MOFA"),
                              problem("not_a_number", row=3, column="value", value="\x1b[31m12")], problem_count=2)


def _sheet_patched(data: bytes, dimension: str, extra_row: str) -> bytes:
    """A workbook whose first sheet declares `dimension` and ends with `extra_row` (raw XML)."""
    src = zipfile.ZipFile(io.BytesIO(data))
    members = {}
    for info in src.infolist():
        body = src.read(info.filename)
        if info.filename == "xl/worksheets/sheet1.xml":
            body = re.sub(rb'<dimension ref="[^"]*"/>', f'<dimension ref="{dimension}"/>'.encode(), body)
            body = body.replace(b"</sheetData>", extra_row.encode() + b"</sheetData>")
        members[info.filename] = body
    return deterministic_zip(_zip(members))


def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, data in members.items():
            z.writestr(zipfile.ZipInfo(name, FIXED_TIME), data)
    return buf.getvalue()


# --------------------------------------------------------------------------------------------

def _toml_value(value) -> str:
    if value is None:
        return '"__none__"'
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {_toml_value(v)}" for k, v in value.items()) + " }"
    raise TypeError(value)


def manifest() -> str:
    lines = [
        "# Expected outcome of each file in this folder; written by tests/support/make_intake_fixtures.py.",
        "# outcome: loaded (rows = observations stored; checks = values to find, note \"__none__\" = NULL)",
        "#          rejected (problems = each must be reported with these fields, suggestions = the first ones",
        "#          offered; problem_count = total, listed or not)",
        "# Every file is ingested on 2026-11-22 into an empty warehouse.",
        "",
    ]
    for fx in FIXTURES:
        lines.append("[[fixture]]")
        for key, value in fx.items():
            if key in ("checks", "problems"):
                lines.append(f"{key} = [")
                lines.extend(f"  {_toml_value(v)}," for v in value)
                lines.append("]")
            else:
                lines.append(f"{key} = {_toml_value(value)}")
        lines.append("")
    return "\n".join(lines)


def build() -> dict[str, bytes]:
    FIXTURES.clear()
    FILES.clear()
    loaded_fixtures()
    rejected_fixtures()
    issue14_fixtures()
    return {**FILES, "expected.toml": manifest().encode()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only compare with the files on disk")
    args = parser.parse_args(argv)
    files = build()
    if args.check:
        stale = [n for n, d in files.items() if not (OUT / n).exists() or (OUT / n).read_bytes() != d]
        extra = sorted({p.name for p in OUT.iterdir()} - set(files)) if OUT.exists() else []
        for name in stale:
            print(f"differs: {name}")
        for name in extra:
            print(f"not generated: {name}")
        return 1 if stale or extra else 0
    OUT.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (OUT / name).write_bytes(data)
    n_loaded = sum(f["outcome"] == "loaded" for f in FIXTURES)
    print(f"wrote {len(FIXTURES)} fixtures ({n_loaded} loaded, {len(FIXTURES) - n_loaded} rejected) to {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
