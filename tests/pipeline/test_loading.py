"""What a load means (atomic, duplicates, revisions, traceability, filing) and the real-world
file shapes of DATA_CONTRACT.md that must load."""

from __future__ import annotations

import hashlib
import io
import json
import unicodedata

import pytest

from pipelines.ingest import ingest
from tests.conftest import HEADER, TODAY, csv_text, observation_count
from tests.support.cp1258 import encode_cp1258

BASE = [
    ["MISSIONS_ABROAD", "MOFA", "2025-Q3", "97", "agencies", "Thêm 1 tổng lãnh sự quán"],
    ["BUDGET_OPERATING", "MOF", "2025", "1234.5", "billion VND", "Ngân sách, đã giao"],
    ["DIGITAL_FULL_ONLINE_PCT", "MOFA", "2025-Q3", "12.5", "%", ""],
]
BASE_EXPECTED = {
    ("MISSIONS_ABROAD", "MOFA", "2025-Q3", "{}"): (97.0, "Thêm 1 tổng lãnh sự quán"),
    ("BUDGET_OPERATING", "MOF", "2025", "{}"): (1234.5, "Ngân sách, đã giao"),
    ("DIGITAL_FULL_ONLINE_PCT", "MOFA", "2025-Q3", "{}"): (12.5, None),
}


@pytest.fixture
def load(settings, catalog):
    def run(*paths):
        return ingest(list(paths), settings, catalog, today=TODAY)
    return run


@pytest.fixture
def current(query):
    def run() -> dict:
        rows = query("SELECT indicator, reporter, period, breakdown, value, note FROM current_observations")
        return {tuple(r[:4]): (r[4], r[5]) for r in rows}
    return run


def load_info(query, load_id: int) -> list:
    return json.loads(query("SELECT info FROM loads WHERE load_id = ?", [load_id])[0][0])


# --- meaning of a load ------------------------------------------------------------------------

def test_one_bad_row_in_a_thousand_loads_nothing(load, write_csv, settings):
    load(write_csv("base.csv", BASE))
    before = observation_count(settings)
    rows = [["OFFICIALS_TRAINED", "HANOI", "2025-Q1", str(i), "persons", "", f"C{i:04d}"] for i in range(1000)]
    rows[637][3] = "#DIV/0!"
    [outcome] = load(write_csv("big.csv", rows, header=HEADER + ["country"]))
    assert outcome.status == "rejected" and outcome.problem_count == 1
    assert (outcome.problems[0].code, outcome.problems[0].row) == ("not_a_number", 639)
    assert observation_count(settings) == before == 3


def test_same_bytes_twice_is_a_duplicate(load, write_csv, settings, query):
    path = write_csv("a.csv", BASE)
    [first] = load(path)
    again = write_csv("a_resent.csv", path.read_bytes())
    [second] = load(again)
    assert second.status == "duplicate" and second.duplicate_of == first.load_id
    assert second.rows == 0 and observation_count(settings) == 3
    assert second.stored_as.parent == settings.archive_dir and second.stored_as.exists()
    assert query("SELECT status, duplicate_of FROM loads WHERE load_id = ?", [second.load_id]) == [("duplicate", first.load_id)]


def test_duplicate_in_the_same_batch_is_recognised(load, write_csv, settings):
    a = write_csv("a.csv", BASE)
    b = write_csv("b.csv", a.read_bytes())
    outcomes = load(a, b)
    assert [o.status for o in outcomes] == ["loaded", "duplicate"]
    assert observation_count(settings) == 3


def test_rejected_file_sent_again_is_judged_again(load, write_csv):
    bad = write_csv("bad.csv", [BASE[0][:3] + ["x"] + BASE[0][4:]])
    assert load(bad)[0].status == "rejected"
    assert load(bad)[0].status == "rejected"  # not 'duplicate': nothing of it was loaded


def test_later_file_revises_a_key_and_keeps_history(load, write_csv, current, query):
    [first] = load(write_csv("q3.csv", BASE))
    revision = [["MISSIONS_ABROAD", "MOFA", "2025-Q3", "98", "agencies", "hiệu chỉnh"],
                ["MISSIONS_ABROAD", "MOFA", "2025-Q2", "96", "agencies", ""]]
    [second] = load(write_csv("q3_revised.csv", revision))
    assert second.status == "loaded" and second.rows == 2 and second.revised == 1
    assert current()[("MISSIONS_ABROAD", "MOFA", "2025-Q3", "{}")] == (98.0, "hiệu chỉnh")
    history = query("""SELECT o.value, l.file_name FROM observations o JOIN loads l USING (load_id)
                       WHERE indicator = 'MISSIONS_ABROAD' AND period = '2025-Q3' ORDER BY load_id""")
    assert history == [(97.0, "q3.csv"), (98.0, "q3_revised.csv")]
    assert query("SELECT rows_loaded, rows_revised FROM loads WHERE load_id = ?", [second.load_id]) == [(2, 1)]
    assert query("SELECT rows_revised FROM loads WHERE load_id = ?", [first.load_id]) == [(0,)]


def test_every_observation_traces_to_file_hash_and_row(load, write_csv, query):
    path = write_csv("trace.csv", "Báo cáo thử\n\n" + csv_text(BASE))
    [outcome] = load(path)
    rows = query("""SELECT l.file_name, l.sha256, l.received_at, o.row_number, o.indicator
                    FROM observations o JOIN loads l USING (load_id) ORDER BY o.row_number""")
    sha = hashlib.sha256(path.read_bytes()).hexdigest()
    assert [(r[0], r[1], r[3], r[4]) for r in rows] == [
        ("trace.csv", sha, 4, "MISSIONS_ABROAD"), ("trace.csv", sha, 5, "BUDGET_OPERATING"),
        ("trace.csv", sha, 6, "DIGITAL_FULL_ONLINE_PCT"),
    ]
    assert all(r[2] is not None for r in rows)
    assert outcome.sha256 == sha


@pytest.mark.parametrize("countries", [["", "FR", "JP", "", "VN", ""], ["", "", "FR", "", "", "VN", ""]],
                         ids=["totals the fewer", "totals the more"])
def test_a_loads_breakdown_rows_are_stored_before_its_totals(countries, load, write_csv, query):
    """Totals (every breakdown blank) follow the rows with a breakdown, in file order within each
    part: a load's totals sit together, and the overview's scan of them skips the other row groups."""
    rows = [["OFFICIALS_TRAINED", "HANOI", f"{2016 + i}", str(10 + i), "persons", "", country] for i, country in enumerate(countries)]
    [outcome] = load(write_csv("mixed_totals.csv", rows, header=HEADER + ["country"]))
    assert outcome.status == "loaded"
    stored = query("SELECT row_number, breakdown FROM observations ORDER BY rowid")
    expected = [(i + 2, f'{{"country":"{c}"}}') for i, c in enumerate(countries) if c] + [(i + 2, "{}") for i, c in enumerate(countries) if not c]
    assert stored == expected


def test_inbox_files_move_to_archive_and_rejected(load, write_csv, settings):
    good = write_csv("good.csv", BASE, folder=settings.inbox_dir)
    bad = write_csv("bad.csv", [BASE[0][:3] + ["?"] + BASE[0][4:]], folder=settings.inbox_dir)
    good_bytes, bad_bytes = good.read_bytes(), bad.read_bytes()
    outcomes = ingest(None, settings, today=TODAY)  # default: the inbox
    assert [o.status for o in outcomes] == ["rejected", "loaded"]  # name order: bad.csv, good.csv
    assert list(settings.inbox_dir.iterdir()) == []
    rejected, loaded = outcomes
    assert loaded.stored_as.parent == settings.archive_dir and loaded.stored_as.read_bytes() == good_bytes
    assert rejected.stored_as.parent == settings.rejected_dir and rejected.stored_as.read_bytes() == bad_bytes
    assert loaded.stored_as.name.endswith("_good.csv")


def test_files_outside_the_inbox_are_copied_not_moved(load, write_csv, settings):
    path = write_csv("elsewhere.csv", BASE)
    [outcome] = load(path)
    assert path.exists()
    assert outcome.stored_as.parent == settings.archive_dir
    assert outcome.stored_as.read_bytes() == path.read_bytes()


def test_report_and_temp_files_in_the_inbox_are_skipped(settings, write_csv):
    write_csv("good.csv", BASE, folder=settings.inbox_dir)
    write_csv("~$good.csv", b"lock", folder=settings.inbox_dir)
    write_csv(".hidden.csv", b"x", folder=settings.inbox_dir)
    write_csv("old.csv.report.txt", b"report", folder=settings.inbox_dir)
    outcomes = ingest(None, settings, today=TODAY)
    assert [o.file_name for o in outcomes] == ["good.csv"]


# --- real-world shapes that must load --------------------------------------------------------

def _text(rows=BASE, delimiter=",", header=HEADER) -> str:
    return csv_text(rows, delimiter, header)


VI_HEADER = ["Chỉ tiêu", "Đơn vị báo cáo", "Kỳ", "Giá trị", "Đơn vị tính", "Ghi chú"]
ASCII_ALIASES = ["ma_chi_tieu", "don_vi_bao_cao", "ky", "gia_tri", "don_vi_tinh", "ghi_chu"]
COMMA_ROWS = [r[:3] + [r[3].replace(".", ",")] + r[4:] for r in BASE]


SHAPES = {
    "utf8": _text().encode(),
    "utf8-bom": b"\xef\xbb\xbf" + _text().encode(),
    "crlf": _text().replace("\n", "\r\n").encode(),
    "semicolon": _text(delimiter=";").encode(),
    "tab": _text(delimiter="\t").encode(),
    "ascii-aliases": _text(header=ASCII_ALIASES).encode(),
    "vietnamese-headers": _text(delimiter=";", header=["CHỈ TIÊU", " Đơn vị báo cáo ", "Kỳ\u00a0", "Giá  trị", "đơn vị tính", "Ghi chú"]).encode(),
    "decimal-comma": _text(COMMA_ROWS, delimiter=";").encode(),
    "decimal-comma-thousands": _text([BASE[0], BASE[1][:3] + ["1.234,5"] + BASE[1][4:], COMMA_ROWS[2]], delimiter=";").encode(),
    "dot-decimal-thousands": _text([BASE[0], BASE[1][:3] + ["1,234.5"] + BASE[1][4:], BASE[2]]).encode(),
    "space-thousands": _text([BASE[0], BASE[1][:3] + ["1 234,5"] + BASE[1][4:], COMMA_ROWS[2]], delimiter=";").encode(),
    "nbsp-thousands": _text([BASE[0], BASE[1][:3] + ["1\u00a0234,5"] + BASE[1][4:], COMMA_ROWS[2]], delimiter=";").encode(),
    "percent-sign": _text([BASE[0], BASE[1], BASE[2][:3] + ["12.5%"] + BASE[2][4:]]).encode(),
    "percent-sign-decimal-comma": _text([BASE[0], COMMA_ROWS[1], BASE[2][:3] + ["12,5 %"] + BASE[2][4:]], delimiter=";").encode(),
    "trailing-delimiter": "".join(line + ",\n" for line in _text().splitlines()).encode(),
    "blank-lines": ("\n" + _text().replace("\n", "\n\n", 1) + "\n\n,,,,,\n\n").encode(),
    "spaces-around-cells": "\n".join(" , ".join(f" {c} " for c in line.split(",")) if i == 0 else line
                                     for i, line in enumerate(_text(delimiter=",").splitlines())).encode(),
    "unicode-units": _text([BASE[0][:4] + ["cơ quan"] + BASE[0][5:], BASE[1][:4] + ["tỷ đồng"] + BASE[1][5:], BASE[2]]).encode(),
    "nfd-text": unicodedata.normalize("NFD", _text(header=VI_HEADER)).encode(),
    "windows-1258": encode_cp1258(_text(delimiter=";", header=VI_HEADER)),
    "utf16-le-tab": b"\xff\xfe" + _text(delimiter="\t", header=VI_HEADER).replace("\n", "\r\n").encode("utf-16-le"),
    "utf16-be-tab": b"\xfe\xff" + _text(delimiter="\t", header=VI_HEADER).encode("utf-16-be"),
}


@pytest.mark.parametrize("shape", list(SHAPES))
def test_real_world_shape_loads(shape, load, write_csv, current):
    [outcome] = load(write_csv(f"{shape}.csv", SHAPES[shape]))
    assert outcome.status == "loaded", outcome.summary_line()
    assert outcome.rows == 3
    assert current() == BASE_EXPECTED


def test_windows_1258_text_is_stored_as_nfc(load, write_csv, query):
    [outcome] = load(write_csv("cp1258.csv", SHAPES["windows-1258"]))
    notes = {r[0] for r in query("SELECT note FROM observations WHERE note IS NOT NULL")}
    assert notes == {"Thêm 1 tổng lãnh sự quán", "Ngân sách, đã giao"}
    assert all(unicodedata.is_normalized("NFC", n) for n in notes)
    assert query("SELECT encoding, delimiter FROM loads") == [("Windows-1258", ";")]


def test_nfd_breakdown_values_become_nfc_keys(load, write_csv, current):
    rows = [["OFFICIALS_TRAINED", "HANOI", "2025-Q1", "5", "", unicodedata.normalize("NFD", "Tiếng Anh")]]
    [first] = load(write_csv("nfd.csv", rows, header=["indicator", "reporter", "period", "value", "unit", "chương trình"]))
    rows[0][3], rows[0][5] = "6", "Tiếng Anh"
    [second] = load(write_csv("nfc.csv", rows, header=["indicator", "reporter", "period", "value", "unit", "chương trình"]))
    assert second.revised == 1  # same key once normalised
    assert current() == {("OFFICIALS_TRAINED", "HANOI", "2025-Q1", '{"chương_trình":"Tiếng Anh"}'): (6.0, None)}


@pytest.mark.parametrize(("spelling", "canonical"), [
    ("2025Q3", "2025-Q3"), ("2025-q3", "2025-Q3"), ("Q3/2025", "2025-Q3"), ("Q3-2025", "2025-Q3"),
    ("Quý 3/2025", "2025-Q3"), ("quý 3 năm 2025", "2025-Q3"), ("Quý 3 năm 2025", "2025-Q3"),
    (unicodedata.normalize("NFD", "Quý 3/2025"), "2025-Q3"), (" 2025 ", "2025"),
])
def test_period_spellings_are_normalised(spelling, canonical, load, write_csv, current):
    indicator = "MISSIONS_ABROAD" if "Q" in canonical else "STAFF_SPECIALISTS"
    [outcome] = load(write_csv("p.csv", [[indicator, "MOFA", spelling, "97", "", ""]]))
    assert outcome.status == "loaded", outcome.summary_line()
    assert list(current()) == [(indicator, "MOFA", canonical, "{}")]


def test_title_block_and_source_footer_are_skipped_and_logged(load, write_csv, current, query):
    text = "BÁO CÁO SỐ LIỆU QUÝ 3/2025;;;;;\n;;;;;\n" + _text(delimiter=";") + "Nguồn: Bộ Ngoại giao;;;;;\n\n"
    [outcome] = load(write_csv("titled.csv", text))
    assert outcome.status == "loaded" and outcome.rows == 3
    assert current() == BASE_EXPECTED
    info = dict((code, params) for code, params in load_info(query, outcome.load_id))
    assert info["skipped_title"] == {"count": 1, "rows": "1"}
    assert info["skipped_footer"] == {"count": 1, "rows": "7"}
    assert any("skipped 1 row(s) above the header" in line for line in outcome.to_json()["info"])


def test_quoted_newline_in_a_note_is_kept(load, write_csv, current):
    rows = [BASE[0][:5] + ["dòng một\ndòng hai, có dấu phẩy và \"ngoặc\""]]
    [outcome] = load(write_csv("multiline.csv", rows))
    assert outcome.status == "loaded"
    assert current()[("MISSIONS_ABROAD", "MOFA", "2025-Q3", "{}")][1] == 'dòng một\ndòng hai, có dấu phẩy và "ngoặc"'


def test_whole_percent_with_sign(load, write_csv, current):
    [outcome] = load(write_csv("pct.csv", [["DIGITAL_FULL_ONLINE_PCT", "MOFA", "2025-Q3", "12%", "%", ""]]))
    assert outcome.status == "loaded"
    assert list(current().values()) == [(12.0, None)]


def test_count_with_dot_thousands_reads_as_whole(load, write_csv, current):
    rows = [["STAFF_HEADCOUNT", "MOFA", "2025-Q1", "2.950", "", ""], ["STAFF_HEADCOUNT", "MOHA", "2025-Q1", "1.200", "", ""]]
    [outcome] = load(write_csv("counts.csv", rows))
    assert outcome.status == "loaded"
    assert {k[1]: v[0] for k, v in current().items()} == {"MOFA": 2950.0, "MOHA": 1200.0}


def test_xlsx_first_sheet_loads(load, write_csv, current, tmp_path, query):
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Báo cáo"
    sheet.append(["BÁO CÁO SỐ LIỆU QUÝ 3/2025"])
    sheet.append([])
    sheet.append(VI_HEADER + ["mission_type"])
    sheet.append(["MISSIONS_ABROAD", "MOFA", "2025-Q3", 97, "agencies", "Thêm 1 tổng lãnh sự quán"])
    sheet.append(["MISSIONS_ABROAD", "MOFA", "2025-Q3", 70, None, None, "embassy"])
    sheet.append(["BUDGET_OPERATING", "MOF", 2025, 1234.5, "billion VND", "Ngân sách, đã giao"])
    sheet.append(["DIGITAL_FULL_ONLINE_PCT", "MOFA", "2025-Q3", 0.125, "%"])
    sheet.cell(row=7, column=4).number_format = "0.0%"
    sheet.append(["Nguồn: Bộ Ngoại giao"])
    workbook.create_sheet("Khác").append(["not", "read"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    [outcome] = load(write_csv("bao_cao.xlsx", buffer.getvalue()))
    assert outcome.status == "loaded", outcome.summary_line()
    assert current() == {**BASE_EXPECTED, ("MISSIONS_ABROAD", "MOFA", "2025-Q3", '{"mission_type":"embassy"}'): (70.0, None)}
    assert query("SELECT row_number FROM observations ORDER BY row_number") == [(4,), (5,), (6,), (7,)]


# --- number conventions that cannot be decided ------------------------------------------------

def test_only_ambiguous_numbers_is_rejected(load, write_csv, settings):
    rows = [["BUDGET_OPERATING", r, "2025", "1.500", "", ""] for r in ("MOF", "MOFA", "HANOI")]
    [outcome] = load(write_csv("ambiguous.csv", rows))
    assert outcome.status == "rejected"
    assert [(p.code, p.column) for p in outcome.problems] == [("ambiguous_numbers", "value")]
    assert "1.500" in outcome.problems[0].message("en")
    assert observation_count(settings) == 0


def test_mixed_decimal_marks_are_rejected(load, write_csv, settings):
    rows = [["BUDGET_OPERATING", "MOF", "2025", "1.5", "", ""], ["BUDGET_OPERATING", "MOFA", "2025", "2,5", "", ""]]
    [outcome] = load(write_csv("mixed.csv", rows, delimiter=";"))
    assert outcome.status == "rejected"
    assert [(p.code, p.column) for p in outcome.problems] == [("mixed_numbers", "value")]
    message = outcome.problems[0].message("en")
    assert "1.5" in message and "2,5" in message


def test_ambiguous_value_follows_the_files_convention(load, write_csv, current):
    rows = [["BUDGET_OPERATING", "MOF", "2025", "1.500", "", ""], ["BUDGET_OPERATING", "MOFA", "2025", "2,5", "", ""]]
    [outcome] = load(write_csv("decided.csv", rows, delimiter=";"))
    assert outcome.status == "loaded"
    assert {k[1]: v[0] for k, v in current().items()} == {"MOF": 1500.0, "MOFA": 2.5}


def _workbook(rows, formats=None) -> bytes:
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for r in rows:
        sheet.append(r)
    for (r, c), fmt in (formats or {}).items():
        sheet.cell(row=r, column=c).number_format = fmt
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_xlsx_numbers_are_typed_so_never_ambiguous(load, write_csv, current):
    data = _workbook([HEADER, ["BUDGET_DIGITAL", "MOFA", 2025, 12.345], ["DIGITAL_FULL_ONLINE_PCT", "MOFA", "2025-Q3", 0.12345],
                      ["BUDGET_OPERATING", "MOF", 2025, 1.5e20], ["BUDGET_OPERATING", "MOFA", 2025, 0.00001]],
                     formats={(3, 4): "0.000%"})
    [outcome] = load(write_csv("typed.xlsx", data))
    assert outcome.status == "loaded", outcome.summary_line()
    assert {k[0] + k[1]: v[0] for k, v in current().items()} == pytest.approx(
        {"BUDGET_DIGITALMOFA": 12.345, "DIGITAL_FULL_ONLINE_PCTMOFA": 12.345, "BUDGET_OPERATINGMOF": 1.5e20,
         "BUDGET_OPERATINGMOFA": 0.00001})


def test_breakdown_with_a_control_character_exports(load, write_csv, settings):
    from pipelines.read_model.export import export_csv
    from pipelines.read_model.visibility import INCLUDING_PENDING

    # Word's manual line break (\x0b) survives a paste into Excel and a CSV export.
    rows = [["OFFICIALS_TRAINED", "HANOI", "2025-Q1", "5", "", "a\x0bb", "Tiếng\x0bAnh\x1f"]]
    [outcome] = load(write_csv("vt.csv", rows, header=HEADER + ["program"]))
    assert outcome.status == "loaded"
    exported = export_csv(settings.warehouse_path, view=INCLUDING_PENDING)  # the format, not sign-off
    assert exported.split("\n")[1] == "OFFICIALS_TRAINED,HANOI,2025-Q1,5,persons,a\x0bb,Tiếng\x0bAnh\x1f"


def test_a_file_named_twice_is_ingested_once(settings, write_csv, catalog):
    path = write_csv("a.csv", BASE, folder=settings.inbox_dir)
    outcomes = ingest([settings.inbox_dir, path, settings.inbox_dir / "." / "a.csv"], settings, catalog, today=TODAY)
    assert [o.status for o in outcomes] == ["loaded"]
    assert not path.exists() and outcomes[0].stored_as.exists()


def test_old_mac_csv_with_cr_only_line_ends_loads(settings, tmp_path):
    from pipelines.ingest import ingest

    from tests.conftest import TODAY

    path = tmp_path / "mac.csv"
    path.write_bytes(b"indicator,reporter,period,value\rMISSIONS_ABROAD,MOFA,2025-Q1,94\rMISSIONS_ABROAD,MOFA,2025-Q2,95\r")
    [outcome] = ingest([path], settings, today=TODAY)
    assert outcome.status == "loaded" and outcome.rows == 2


def test_a_line_break_in_an_unquoted_cell_is_named_as_such(settings, tmp_path):
    from pipelines.ingest import ingest

    from tests.conftest import TODAY

    path = tmp_path / "cr.csv"
    path.write_bytes(b"indicator,reporter,period,value,note\nMISSIONS_ABROAD,MOFA,2025-Q1,94,a\rb\n")
    [outcome] = ingest([path], settings, today=TODAY)
    assert outcome.status == "rejected"
    assert [(p.code, p.row) for p in outcome.problems] == [("stray_line_break", 2)]


def test_a_re_sent_identical_value_supersedes_but_is_not_counted_as_revised(settings, write_csv):
    from pipelines.ingest import ingest

    from tests.conftest import TODAY

    first = write_csv("a.csv", [["MISSIONS_ABROAD", "MOFA", "2026-Q3", "96", "agencies", ""]])
    ingest([first], settings, today=TODAY)
    again = write_csv("b.csv", [["MISSIONS_ABROAD", "MOFA", "2026-Q3", "96", "agencies", "re-sent"],
                                ["MISSIONS_ABROAD", "MOFA", "2026-Q2", "95", "agencies", ""]])
    [outcome] = ingest([again], settings, today=TODAY)
    assert (outcome.status, outcome.rows, outcome.revised) == ("loaded", 2, 0)
    changed = write_csv("c.csv", [["MISSIONS_ABROAD", "MOFA", "2026-Q3", "97", "agencies", "revision"]])
    [outcome] = ingest([changed], settings, today=TODAY)
    assert outcome.revised == 1
