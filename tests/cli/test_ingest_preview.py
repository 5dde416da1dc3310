"""`kpi ingest --dry-run` and `--accept-warnings`: a preview of what a load changes, and implausible
numbers held back until someone acknowledges them (golden files in tests/fixtures/plausibility/)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

GOLDEN = Path(__file__).resolve().parents[1] / "fixtures" / "plausibility"


@pytest.fixture
def golden(tmp_path):
    def copy(name: str, folder: Path | None = None) -> Path:
        target = (folder or tmp_path / "files")
        target.mkdir(parents=True, exist_ok=True)
        return Path(shutil.copy(GOLDEN / name, target / name))
    return copy


def test_budget_in_million_is_held_back_with_the_cause_in_both_languages(kpi, golden, data_dir, query):
    assert kpi("ingest", golden("budget_history.csv")).returncode == 0
    inbox = data_dir / "inbox"
    wrong = golden("budget_in_million.csv", inbox)
    result = kpi("ingest")
    assert result.returncode == 1
    assert result.stdout.splitlines()[0].startswith(
        "held back  budget_in_million.csv: 1 warning(s) not acknowledged; nothing loaded, the file stays where it is."
    )
    assert "re-run with --accept-warnings" in result.stdout
    assert ("warning  budget_in_million.csv, row 2: BUDGET_OPERATING HANOI 2025 (total): 39,385.5 is 1,082 times the previous "
            "value 36.4 (2024); the check allows ×0.2 … ×5; ×1,000: million instead of billion? "
            "(the note says 'Đơn vị: triệu đồng')") in result.stdout
    assert wrong.exists()  # never lost: still in the inbox
    assert query("SELECT count(*) FROM observations WHERE period = '2025'") == [(0,)]

    vi = kpi("ingest", "--lang", "vi")
    assert vi.stdout.splitlines()[0].startswith("tạm giữ    budget_in_million.csv: 1 cảnh báo chưa được xác nhận")
    assert "39.385,5 gấp 1.082 lần giá trị trước 36,4 (2024)" in vi.stdout and "ghi theo triệu thay vì tỷ?" in vi.stdout


def test_accept_warnings_loads_and_records_who_acknowledged(kpi, golden, data_dir, query):
    kpi("ingest", golden("budget_history.csv"))
    golden("budget_in_million.csv", data_dir / "inbox")
    result = kpi("ingest", "--accept-warnings", "--by", "lan.nguyen")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines()[0] == "loaded     budget_in_million.csv: 1 rows; 1 warning(s) acknowledged by lan.nguyen"
    rows = query("SELECT code, row_number, indicator, reporter, period, value, acknowledged_by, params FROM load_warnings")
    assert len(rows) == 1 and rows[0][:7] == ("jump", 2, "BUDGET_OPERATING", "HANOI", "2025", 39385.5, "lan.nguyen")
    assert json.loads(rows[0][7])["power"] == 3
    assert list((data_dir / "inbox").iterdir()) == []


def test_dry_run_lists_new_revised_unchanged_and_status_moves_and_writes_nothing(kpi, golden, write_csv, query, data_dir):
    kpi("ingest", golden("online_pct_history.csv"))
    before = query("SELECT count(*) FROM loads")
    revision = write_csv("revision.csv", [
        ["DIGITAL_FULL_ONLINE_PCT", "MOFA", "2026-Q1", "84.5", "%", ""],
        ["DIGITAL_FULL_ONLINE_PCT", "MOFA", "2026-Q2", "86", "%", ""],
        ["DIGITAL_FULL_ONLINE_PCT", "MOFA", "2026-Q3", "87", "%", ""],
    ])
    result = kpi("ingest", "--dry-run", revision)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "would load revision.csv: 3 rows: 1 new, 1 revised, 1 unchanged"
    assert "    revised  DIGITAL_FULL_ONLINE_PCT MOFA 2026-Q2 (total): 85.2 → 86  (row 3)" in lines
    assert any(line.startswith("    status  DIGITAL_FULL_ONLINE_PCT 2030:") and "(2026-Q2) →" in line and "(2026-Q3)" in line
               for line in lines)
    assert lines[-1] == "dry run: nothing was written and every file stays where it is"
    assert query("SELECT count(*) FROM loads") == before and revision.exists()


def test_dry_run_json_says_what_each_file_would_do(kpi, golden, write_csv):
    kpi("ingest", golden("online_pct_history.csv"))
    again = golden("online_pct_history.csv", Path(str(golden("budget_history.csv").parent) + "_again"))
    result = kpi("ingest", "--dry-run", "--json", golden("online_pct_as_fraction.csv"), again)
    assert result.returncode == 1  # a file would be held back
    out = json.loads(result.stdout)
    fraction, dup = out["files"]
    assert out["dry_run"] is True and out["held"] == 1 and out["duplicate"] == 1
    assert fraction["status"] == "held" and fraction["new"] == 1
    assert fraction["warnings"][0]["code"] == "fraction_for_percent"
    assert fraction["warnings"][0]["message"].startswith("0.86 looks like a fraction")
    assert dup["status"] == "duplicate"


def test_breakdown_rows_not_adding_up_are_a_warning_not_a_rejection(kpi, golden):
    result = kpi("ingest", "--dry-run", golden("programmes_156_vs_total_162.csv"))
    assert result.stdout.splitlines()[0].startswith("would hold programmes_156_vs_total_162.csv: 1 warning(s)")
    assert ("row 2: OFFICIALS_TRAINED HANOI 2026-Q3 (total): the rows by program add up to 156 but the total row says 162 "
            "(difference -6; tolerance 0.005)") in result.stdout
    vi = kpi("ingest", "--dry-run", "--lang", "vi", golden("programmes_156_vs_total_162.csv"))
    assert "các dòng theo program cộng lại được 156 nhưng dòng tổng là 162" in vi.stdout


def test_hard_errors_stay_errors_alongside_the_preview(kpi, write_csv):
    bad = write_csv("bad.csv", [["STAFF_HEADCOUNT", "MOFA", "2026-Q1", "12.5", "", ""]])
    result = kpi("ingest", "--dry-run", bad)
    assert result.returncode == 1
    assert result.stdout.startswith("would reject bad.csv: 1 problem(s); bad.csv, row 2, column value: 12.5 is not a whole number")


@pytest.mark.parametrize("lang, line", [
    ("en", "warning  budget_in_million_formatted.xlsx, 'Báo cáo'!D2, row 2: BUDGET_OPERATING HANOI 2025 (total): "
           "39,385.5 is 1,082 times the previous value 36.4 (2024)"),
    ("vi", "cảnh báo  budget_in_million_formatted.xlsx, 'Báo cáo'!D2, dòng 2: BUDGET_OPERATING HANOI 2025 (tổng): "
           "39.385,5 gấp 1.082 lần giá trị trước 36,4 (2024)"),
])
def test_workbook_warning_names_the_cell_and_quotes_the_value_as_excel_shows_it(kpi, golden, lang, line):
    """The cell holds 39385.5 under `#,##0.0`: a Vietnamese Excel shows 39.385,5, an English one 39,385.5."""
    assert kpi("ingest", golden("budget_history.csv")).returncode == 0
    result = kpi("ingest", "--dry-run", "--lang", lang, golden("budget_in_million_formatted.xlsx"))
    assert result.returncode == 1
    assert line in result.stdout, result.stdout


def test_workbook_fraction_for_percent_in_json(kpi, golden):
    kpi("ingest", golden("online_pct_history.csv"))
    result = kpi("ingest", "--dry-run", "--json", "--lang", "vi", golden("online_pct_as_fraction.xlsx"))
    (warning,) = json.loads(result.stdout)["files"][0]["warnings"]
    assert warning["params"]["cell"] == "Sheet1!D2" and warning["row"] == 2
    assert warning["message"].startswith("0,86 có vẻ là phân số")


@pytest.mark.parametrize("lang, text", [
    ("en", "percent_over_100_formatted.xlsx, Sheet1!D2, row 2, column value: 123.4% is outside 0..100"),
    ("vi", "percent_over_100_formatted.xlsx, Sheet1!D2, dòng 2, cột value: 123,4% nằm ngoài khoảng 0..100"),
])
def test_rejected_workbook_quotes_the_cell_as_excel_shows_it(kpi, golden, lang, text):
    result = kpi("ingest", "--lang", lang, golden("percent_over_100_formatted.xlsx"))
    assert result.returncode == 1
    assert text in result.stdout, result.stdout


@pytest.mark.parametrize("lang, line", [
    ("en", "    revised  DIGITAL_FULL_ONLINE_PCT MOFA 2026-Q2 (total): 85.2% → 86.0%  (Sheet!D2, row 2)"),
    ("vi", "    sửa đổi  DIGITAL_FULL_ONLINE_PCT MOFA 2026-Q2 (tổng): 85,2% → 86,0%  (Sheet!D2, dòng 2)"),
])
def test_dry_run_of_a_workbook_shows_old_and_new_values_as_its_cell_does(kpi, golden, tmp_path, lang, line):
    import openpyxl

    kpi("ingest", golden("online_pct_history.csv"))
    book = openpyxl.Workbook()
    book.active.append(["indicator", "reporter", "period", "value", "unit"])
    book.active.append(["DIGITAL_FULL_ONLINE_PCT", "MOFA", "2026-Q2", 0.86, "%"])
    book.active["D2"].number_format = "0.0%"
    path = tmp_path / "revision.xlsx"
    book.save(path)
    result = kpi("ingest", "--dry-run", "--lang", lang, path)
    assert line in result.stdout.splitlines(), result.stdout
