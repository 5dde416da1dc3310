"""One test per rule of DATA_CONTRACT.md "What is rejected".

Each bad file is ingested into a warehouse that already holds a good file; every test checks
that the whole file is rejected with exactly the expected problems (code, Excel row with the
header as row 1, column), that the warehouse is unchanged, and that the file sits in rejected/
beside a report naming the row and column.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from pipelines.ingest import FileOutcome, ingest
from pipelines.problems import MAX_REPORTED
from pipelines.warehouse.store import open_reader
from tests.conftest import HEADER, TODAY, csv_text, observation_count

GOOD = [  # rows 2..5 of every test file
    ["MISSIONS_ABROAD", "MOFA", "2025-Q1", "95", "agencies", ""],
    ["STAFF_SPECIALISTS", "MOFA", "2025", "500", "persons", "ghi chú"],
    ["DIGITAL_FULL_ONLINE_PCT", "MOFA", "2025-Q2", "45.5", "%", ""],
    ["BUDGET_OPERATING", "MOF", "2025", "1200.5", "billion VND", ""],
]
FIRST_BAD_ROW = len(GOOD) + 2


def row(indicator="MISSIONS_ABROAD", reporter="MOFA", period="2024-Q4", value="90", unit="agencies", note=""):
    return [indicator, reporter, period, value, unit, note]


@pytest.fixture
def judge(settings, catalog, write_csv):
    """judge(content, name='bad.csv', **write_kw) -> (outcome, [(code, row, column), ...]).

    Loads a good baseline first, ingests the bad file, and checks what holds for every
    rejection: status, no observation from it, warehouse unchanged, file and report filed.
    """
    [base] = ingest([write_csv("baseline.csv", GOOD)], settings, catalog, today=TODAY)
    assert base.status == "loaded"
    before = observation_count(settings)

    def run(content, name: str = "bad.csv", **write_kw) -> tuple[FileOutcome, list[tuple]]:
        path = write_csv(name, content, **write_kw)
        [outcome] = ingest([path], settings, catalog, today=TODAY)
        assert outcome.status == "rejected", outcome.summary_line()
        assert outcome.problem_count == len(outcome.problems) or outcome.problem_count > MAX_REPORTED
        with open_reader(settings.warehouse_path) as con:
            from_file = con.execute("SELECT count(*) FROM observations WHERE load_id = ?", [outcome.load_id]).fetchone()[0]
            status = con.execute("SELECT status FROM loads WHERE load_id = ?", [outcome.load_id]).fetchone()[0]
        assert from_file == 0 and status == "rejected"
        assert observation_count(settings) == before
        assert outcome.stored_as is not None and outcome.stored_as.parent == settings.rejected_dir
        assert outcome.stored_as.read_bytes() == path.read_bytes()
        assert outcome.report_path == outcome.stored_as.with_name(outcome.stored_as.name + ".report.txt")
        assert outcome.report_path.exists()
        return outcome, [(p.code, p.row, p.column) for p in outcome.problems]

    return run


def report_of(outcome: FileOutcome) -> str:
    assert outcome.report_path is not None
    return outcome.report_path.read_text(encoding="utf-8")


def assert_report_names(outcome: FileOutcome, problems: list[tuple]) -> None:
    """Each problem has a line in the report with the file name, its row and its column."""
    lines = report_of(outcome).splitlines()
    for _, row_no, column in problems:
        wanted = [outcome.file_name] + ([f"row {row_no}"] if row_no else []) + ([f"column {column}"] if column else [])
        assert any(all(w in line for w in wanted) for line in lines), (wanted, lines)


# --- columns -----------------------------------------------------------------------------

def test_missing_required_column_is_named(judge):
    header = ["indicator", "reporter", "value", "unit"]
    outcome, problems = judge([r[:2] + r[3:5] for r in GOOD], header=header)
    assert problems == [("missing_columns", None, None)]
    assert outcome.problems[0].params["columns"] == "period"
    assert "missing: period" in report_of(outcome)


def test_duplicated_column_is_named(judge):
    outcome, problems = judge([r + [r[3]] for r in GOOD], header=HEADER + ["Value"])
    assert problems == [("duplicate_column", 1, "Value")]
    assert_report_names(outcome, problems)


def test_vietnamese_alias_duplicating_a_column_is_rejected(judge):
    outcome, problems = judge([r + [r[3]] for r in GOOD], header=HEADER + ["giá trị"])
    assert problems == [("duplicate_column", 1, "giá trị")]


# --- codes -------------------------------------------------------------------------------

def test_unknown_indicator_suggests_closest_code(judge):
    outcome, problems = judge(GOOD + [row(indicator="MISSION_ABROAD"), row(indicator="STAFF_HEADCOUNTS", unit="")])
    assert problems == [
        ("unknown_indicator", FIRST_BAD_ROW, "indicator"),
        ("unknown_indicator", FIRST_BAD_ROW + 1, "indicator"),
    ]
    assert outcome.problems[0].params["suggestions"][0] == "MISSIONS_ABROAD"
    assert outcome.problems[1].params["suggestions"][0] == "STAFF_HEADCOUNT"
    assert "did you mean MISSIONS_ABROAD" in report_of(outcome)
    assert_report_names(outcome, problems)


def test_unknown_reporter_suggests_closest_code(judge):
    outcome, problems = judge(GOOD + [row(reporter="HANOY")])
    assert problems == [("unknown_reporter", FIRST_BAD_ROW, "reporter")]
    assert outcome.problems[0].params["suggestions"][0] == "HANOI"
    assert "'HANOY'" in report_of(outcome) and "did you mean HANOI" in report_of(outcome)
    assert_report_names(outcome, problems)


# --- periods -----------------------------------------------------------------------------

@pytest.mark.parametrize("period", ["2025-Q5", "Q3 2025", "2025/3", "03/2025", "quý ba 2025", ""])
def test_unreadable_period(judge, period):
    outcome, problems = judge(GOOD + [row(period=period)])
    assert problems == [("bad_period", FIRST_BAD_ROW, "period")]
    assert_report_names(outcome, problems)


def test_quarter_for_annual_indicator(judge):
    outcome, problems = judge(GOOD + [row("STAFF_SPECIALISTS", period="2025-Q2", unit="persons")])
    assert problems == [("quarter_for_annual", FIRST_BAD_ROW, "period")]
    assert "STAFF_SPECIALISTS is reported yearly" in report_of(outcome)


def test_future_period(judge):
    outcome, problems = judge(GOOD + [row(period="2027-Q1"), row("STAFF_SPECIALISTS", period="2027", unit="")])
    assert problems == [("future_period", FIRST_BAD_ROW, "period"), ("future_period", FIRST_BAD_ROW + 1, "period")]
    assert "22/11/2026" in report_of(outcome)
    assert_report_names(outcome, problems)


def test_current_quarter_and_year_are_not_future(settings, catalog, write_csv):
    path = write_csv("now.csv", [row(period="2026-Q4"), row("STAFF_SPECIALISTS", period="2026", unit="")])
    [outcome] = ingest([path], settings, catalog, today=TODAY)
    assert outcome.status == "loaded"


# --- values ------------------------------------------------------------------------------

@pytest.mark.parametrize("value", ["#N/A", "#DIV/0!", "#VALUE!", "NaN", "nan", "inf", "-inf", "-", "..", "abc", "12 chiếc"])
def test_value_that_is_not_a_number(judge, value):
    outcome, problems = judge(GOOD + [row(value=value)])
    assert problems == [("not_a_number", FIRST_BAD_ROW, "value")]
    assert f"'{value}' is not a number" in report_of(outcome)


def test_blank_value(judge):
    outcome, problems = judge(GOOD + [row(value=""), row(period="2024-Q3", value="   ")])
    assert problems == [("blank_value", FIRST_BAD_ROW, "value"), ("blank_value", FIRST_BAD_ROW + 1, "value")]
    assert_report_names(outcome, problems)


def test_negative_count(judge):
    outcome, problems = judge(GOOD + [row(value="-3")])
    assert problems == [("negative_count", FIRST_BAD_ROW, "value")]
    assert_report_names(outcome, problems)


def test_count_that_is_not_whole(judge):
    outcome, problems = judge(GOOD + [row(value="95.5")])
    assert problems == [("not_whole", FIRST_BAD_ROW, "value")]
    assert_report_names(outcome, problems)


@pytest.mark.parametrize("value", ["100.5", "-1", "120%"])
def test_percent_outside_0_to_100(judge, value):
    outcome, problems = judge(GOOD + [row("DIGITAL_FULL_ONLINE_PCT", value=value, unit="%")])
    assert problems == [("percent_range", FIRST_BAD_ROW, "value")]
    assert_report_names(outcome, problems)


def test_percent_sign_on_a_count_is_not_a_number(judge):
    outcome, problems = judge(GOOD + [row(value="12%")])
    assert problems == [("not_a_number", FIRST_BAD_ROW, "value")]


def test_unit_differing_from_catalog(judge):
    outcome, problems = judge(GOOD + [row(unit="persons")])
    assert problems == [("unit_mismatch", FIRST_BAD_ROW, "unit")]
    assert "catalog's unit 'agencies'" in report_of(outcome)
    assert_report_names(outcome, problems)


# --- structure ---------------------------------------------------------------------------

def test_row_with_more_cells_than_header(judge):
    outcome, problems = judge(GOOD + [row() + ["extra"]])
    assert problems == [("cell_count", FIRST_BAD_ROW, None)]
    assert "7 cells but the header has 6" in report_of(outcome)
    assert_report_names(outcome, problems)


def test_row_with_fewer_cells_than_header(judge):
    outcome, problems = judge(GOOD + [row()[:3], row(period="2024-Q3")[:5]])
    assert problems == [("cell_count", FIRST_BAD_ROW, None), ("cell_count", FIRST_BAD_ROW + 1, None)]
    assert_report_names(outcome, problems)


def test_unterminated_quote(judge):
    text = csv_text(GOOD) + 'MISSIONS_ABROAD,MOFA,2024-Q4,90,agencies,"no closing quote\n' + csv_text(GOOD, header=None)
    outcome, problems = judge(text)
    assert problems == [("unterminated_quote", FIRST_BAD_ROW, None)]
    assert_report_names(outcome, problems)


def test_nul_byte(judge):
    outcome, problems = judge(GOOD + [row(note="bad\x00byte")])
    assert problems == [("nul_byte", FIRST_BAD_ROW, None)]
    assert_report_names(outcome, problems)


def test_bytes_invalid_in_utf8_report_their_row(judge):
    data = csv_text(GOOD + [row(note="XXX"), row(period="2024-Q3", note="đúng")]).encode("utf-8")
    data = data.replace(b"XXX", b"Gi\xe1 tr\xf2")  # one Windows-1258 row inside a UTF-8 file
    outcome, problems = judge(data)
    assert problems == [("bad_encoding", FIRST_BAD_ROW, None)]
    assert "not valid UTF-8" in report_of(outcome)
    assert_report_names(outcome, problems)


def test_bytes_invalid_after_utf8_bom(judge):
    data = b"\xef\xbb\xbf" + csv_text(GOOD).encode("utf-8") + csv_text([row(note="\xff")], header=None).encode("latin-1")
    outcome, problems = judge(data)
    assert problems == [("bad_encoding", FIRST_BAD_ROW, None)]


def test_duplicate_key_within_file(judge):
    outcome, problems = judge(GOOD + [row(period="2025-Q1", value="96")])
    assert problems == [("duplicate_key", FIRST_BAD_ROW, None)]
    assert outcome.problems[0].params["other_row"] == 2
    assert "as row 2" in report_of(outcome)
    assert_report_names(outcome, problems)


def test_duplicate_key_through_another_period_spelling(judge):
    outcome, problems = judge(GOOD + [row(period="Quý 1/2025", value="96")])
    assert problems == [("duplicate_key", FIRST_BAD_ROW, None)]


def test_duplicate_key_with_breakdown(judge):
    header = HEADER + ["mission_type"]
    rows = [row(period="2025-Q1") + ["embassy"], row(period="2025-Q1") + [""], row(period="2025-Q1", value="1") + ["embassy"]]
    outcome, problems = judge(rows, header=header)
    assert problems == [("duplicate_key", 4, None)]
    assert outcome.problems[0].params["other_row"] == 2


# --- whole file --------------------------------------------------------------------------

@pytest.mark.parametrize("content", [b"", b"\n\n  \r\n", b"\xef\xbb\xbf", b"\xef\xbb\xbf\r\n"], ids=["zero", "blank", "bom", "bom-newline"])
def test_empty_file(judge, content):
    outcome, problems = judge(content)
    assert problems == [("empty_file", None, None)]
    assert "the file is empty" in report_of(outcome)


def test_header_with_no_rows(judge):
    outcome, problems = judge([])
    assert problems == [("header_only", 1, None)]
    assert "header but no data rows" in report_of(outcome)


PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
       b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")


def _zip_of_csv() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("data.csv", csv_text(GOOD))
    return buffer.getvalue()


@pytest.mark.parametrize(("content", "kind"), [(PNG, "a PNG image"), (_zip_of_csv(), "a zip archive"),
                                               (bytes(range(256)) * 4, "binary data")], ids=["png", "zip", "binary"])
def test_file_that_is_not_text(judge, content, kind):
    outcome, problems = judge(content, name="report.csv")  # the extension is not trusted
    assert problems == [("not_text", None, None)]
    assert kind in report_of(outcome)


def test_file_over_size_limit(judge, settings):
    settings.max_file_mb = 0.0005  # 524 bytes
    outcome, problems = judge(GOOD * 5)
    assert problems == [("file_too_large", None, None)]
    assert outcome.problems[0].params["limit_mb"] == "0"  # 524 bytes, shown in MB
    assert "over the 0 MB limit" in report_of(outcome) and "KPI_MAX_FILE_MB" in report_of(outcome)


# --- breakdowns --------------------------------------------------------------------------

def test_restricted_breakdown_value(judge):
    header = HEADER + ["mission_type"]
    rows = [row(period="2025-Q1") + [""], row(period="2025-Q1", value="60") + ["embassy"],
            row(period="2025-Q1", value="4") + ["embasy"], row(period="2025-Q1", value="3") + ["Embassy"]]
    outcome, problems = judge(rows, header=header)
    assert problems == [("restricted_value", 4, "mission_type"), ("restricted_value", 5, "mission_type")]
    assert "allowed: embassy, permanent_mission, consulate_general, other" in report_of(outcome)
    assert_report_names(outcome, problems)


# --- every problem is listed ---------------------------------------------------------------

def test_every_problem_in_the_file_is_listed(judge):
    rows = GOOD + [row(reporter="MOFAA"), row(period="2024-Q3", value="#N/A"), row("DIGITAL_FULL_ONLINE_PCT", period="2024-Q2", value="101", unit="%")]
    outcome, problems = judge(rows)
    assert problems == [
        ("unknown_reporter", FIRST_BAD_ROW, "reporter"),
        ("not_a_number", FIRST_BAD_ROW + 1, "value"),
        ("percent_range", FIRST_BAD_ROW + 2, "value"),
    ]
    assert outcome.problem_count == 3
    assert "3 problem(s)" in report_of(outcome)
    assert_report_names(outcome, problems)


def test_several_problems_in_one_row_are_all_listed(judge):
    outcome, problems = judge(GOOD + [row(reporter="XYZ", period="2031", value="-2", unit="people")])
    assert sorted(problems) == sorted([
        ("unknown_reporter", FIRST_BAD_ROW, "reporter"),
        ("future_period", FIRST_BAD_ROW, "period"),
        ("negative_count", FIRST_BAD_ROW, "value"),
        ("unit_mismatch", FIRST_BAD_ROW, "unit"),
    ])


def test_long_problem_list_is_capped_and_counted(judge):
    outcome, problems = judge([row(reporter=f"R{i}") for i in range(MAX_REPORTED + 100)])
    assert outcome.problem_count == MAX_REPORTED + 100
    assert problems == [("unknown_reporter", r, "reporter") for r in range(2, MAX_REPORTED + 2)]
    assert report_of(outcome).rstrip().endswith("... and 100 more")


# --- row numbers are the rows Excel shows ----------------------------------------------------

def test_row_numbers_count_title_block_and_blank_lines(judge):
    text = "BÁO CÁO SỐ LIỆU QUÝ 3/2025,,,,,\n,,,,,\n" + csv_text(GOOD) + "\n" + csv_text([row(value="#N/A")], header=None)
    outcome, problems = judge(text)
    # title (1), blank (2), header (3), GOOD (4..7), blank (8), bad row (9)
    assert problems == [("not_a_number", 9, "value")]


def test_row_numbers_count_a_quoted_multiline_cell_as_one_row(judge):
    rows = [row(period="2024-Q1", note="dòng một\ndòng hai\ndòng ba"), row(period="2024-Q2", value="#N/A")]
    outcome, problems = judge(rows)
    assert problems == [("not_a_number", 3, "value")]


def test_invalid_bytes_after_a_multiline_cell_report_the_excel_row(judge):
    rows = [row(period="2024-Q1", note="dòng một\ndòng hai"), row(period="2024-Q2", note="XXX")]
    data = csv_text(rows).encode("utf-8").replace(b"XXX", b"\xff")
    outcome, problems = judge(data)
    assert problems == [("bad_encoding", 3, None)]


def test_invalid_utf16_reports_the_excel_row(judge):
    rows = [row(period="2024-Q1", note="dòng một\ndòng hai"), row(period="2024-Q2", note="XXX")]
    text = csv_text(rows, delimiter="\t")
    data = b"\xff\xfe" + text.encode("utf-16-le").replace("XXX".encode("utf-16-le"), b"\x00\xd8A\x00")  # lone surrogate
    outcome, problems = judge(data, name="unicode.txt")
    assert problems == [("bad_encoding", 3, None)]
    assert "not valid UTF-16" in report_of(outcome)
