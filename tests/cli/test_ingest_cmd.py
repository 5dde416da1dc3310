"""`kpi ingest`: exit codes, one line per file, --json."""

from __future__ import annotations

import json

from tests.conftest import HEADER

GOOD = [["MISSIONS_ABROAD", "MOFA", "2025-Q1", "95", "agencies", ""], ["MISSIONS_ABROAD", "MOFA", "2025-Q2", "96", "", ""]]
BAD = [["MISSIONS_ABROAD", "MOFA", "2025-Q1", "#N/A", "", ""], ["MISSIONS_ABROD", "MOFA", "2025-Q2", "96", "", ""]]


def file_lines(stdout: str) -> list[str]:
    """The per-file summary lines (details are indented under them)."""
    return [line for line in stdout.splitlines() if line and not line.startswith(" ")]


def test_all_loaded_exits_0_with_one_line_per_file(kpi, write_csv):
    a, b = write_csv("a.csv", GOOD), write_csv("b.csv", [["STAFF_SPECIALISTS", "MOFA", "2025", "500", "", ""]])
    result = kpi("ingest", a, b)
    assert result.returncode == 0, result.stderr
    assert file_lines(result.stdout) == ["loaded     a.csv: 2 rows", "loaded     b.csv: 1 rows"]


def test_any_rejected_exits_1_and_says_where(kpi, write_csv):
    result = kpi("ingest", write_csv("a.csv", GOOD), write_csv("bad.csv", BAD))
    assert result.returncode == 1
    lines = file_lines(result.stdout)
    assert len(lines) == 2 and lines[0].startswith("loaded") and lines[1].startswith("rejected   bad.csv: 2 problem(s)")
    assert "bad.csv, row 2, column value: '#N/A' is not a number" in result.stdout
    assert "bad.csv, row 3, column indicator: unknown indicator code 'MISSIONS_ABROD'; did you mean MISSIONS_ABROAD?" in result.stdout
    assert ".report.txt" in result.stdout


def test_folder_and_default_inbox(kpi, write_csv, data_dir):
    write_csv("a.csv", GOOD, folder=data_dir / "inbox")
    write_csv("b.csv", [["STAFF_SPECIALISTS", "MOFA", "2025", "500", "", ""]], folder=data_dir / "inbox")
    result = kpi("ingest")
    assert result.returncode == 0, result.stderr
    assert len(file_lines(result.stdout)) == 2
    assert list((data_dir / "inbox").iterdir()) == []
    assert len(list((data_dir / "archive").iterdir())) == 2


def test_empty_inbox_says_so(kpi):
    result = kpi("ingest")
    assert result.returncode == 0 and result.stdout.strip() == "no files to ingest"


def test_missing_path_exits_2_and_loads_nothing(kpi, write_csv, data_dir, tmp_path):
    good = write_csv("a.csv", GOOD)
    result = kpi("ingest", good, tmp_path / "nope.csv")
    assert result.returncode == 2
    assert "nope.csv" in result.stderr and "Traceback" not in result.stderr
    assert not (data_dir / "warehouse" / "kpi.duckdb").exists()
    assert good.exists()


def test_json_has_per_file_status_rows_and_problems(kpi, write_csv):
    result = kpi("ingest", "--json", write_csv("a.csv", GOOD), write_csv("bad.csv", BAD), write_csv("again.csv", GOOD))
    assert result.returncode == 1
    summary = json.loads(result.stdout)
    assert (summary["loaded"], summary["rejected"], summary["duplicate"]) == (1, 1, 1)
    a, bad, again = summary["files"]
    assert (a["file"], a["status"], a["rows"], a["problems"]) == ("a.csv", "loaded", 2, [])
    assert (bad["status"], bad["rows"], bad["problem_count"]) == ("rejected", 0, 2)
    assert [(p["code"], p["row"], p["column"]) for p in bad["problems"]] == [("not_a_number", 2, "value"), ("unknown_indicator", 3, "indicator")]
    assert bad["problems"][0]["message"] == "'#N/A' is not a number"
    assert bad["report"].endswith(".report.txt")
    assert (again["status"], again["duplicate_of"]) == ("duplicate", a["load_id"])


def test_default_language_is_vietnamese(kpi, write_csv):
    result = kpi("ingest", write_csv("a.csv", GOOD), env={"KPI_LANGUAGE": None})
    assert result.stdout == "đã nạp     a.csv: 2 dòng\n"


def test_lang_vi(kpi, write_csv):
    result = kpi("ingest", "--lang", "vi", write_csv("bad.csv", BAD))
    assert result.returncode == 1
    assert file_lines(result.stdout)[0].startswith("từ chối    bad.csv: 2 lỗi; bad.csv, dòng 2, cột value: '#N/A' không phải là số")


def test_breakdown_columns_in_the_template(kpi, write_csv):
    rows = [["MISSIONS_ABROAD", "MOFA", "2025-Q1", "60", "", "", "embassy", "JPN"]]
    result = kpi("ingest", write_csv("b.csv", rows, header=HEADER + ["mission_type", "country"]))
    assert result.returncode == 0, result.stdout + result.stderr


def test_escape_sequences_from_cells_and_names_never_reach_the_terminal_or_the_report(kpi, data_dir, tmp_path):
    """Issue 14: ANSI escapes from a cell were printed raw by `kpi ingest` and written into report.txt."""
    from pathlib import Path

    fixture = Path(__file__).resolve().parents[1] / "fixtures" / "intake" / "ansi_escape_in_cells.csv"
    inbox = data_dir / "inbox"
    inbox.mkdir(parents=True)
    (inbox / "ansi_escape_in_cells.csv").write_bytes(fixture.read_bytes())
    (inbox / "na\x1b[2Jme.csv").write_bytes(b"indicator,reporter,period,value\nNOPE,MOFA,2025,1\n")
    result = kpi("ingest")
    assert result.returncode == 1
    reports = list((data_dir / "rejected").glob("*.report.txt"))
    assert len(reports) == 2
    for text in [result.stdout, result.stderr, *(r.read_text(encoding="utf-8") for r in reports)]:
        assert not any(c in text for c in "\x1b\x07\x9b"), repr(text)
    assert "unknown reporter code '\\x1b[2J\\x1b]0;pwned\\x07MOFA'" in result.stdout
    assert "na\\x1b[2Jme.csv" in result.stdout
    status = kpi("status")
    assert "\x1b" not in status.stdout and "na\\x1b[2Jme.csv" in status.stdout


def test_json_names_the_reader_each_file_took(kpi, write_csv, tmp_path):
    """A regular file is split by the fast reader; a quoted line break needs the exact one."""
    regular = write_csv("regular.csv", GOOD)
    broken_line = tmp_path / "broken_line.csv"
    broken_line.write_text(",".join(HEADER) + '\nMISSIONS_ABROAD,MOFA,2025-Q3,97,,"two\nlines"\n', encoding="utf-8")
    result = kpi("ingest", "--json", regular, broken_line)
    assert result.returncode == 0, result.stderr
    files = {f["file"]: f for f in json.loads(result.stdout)["files"]}
    assert files["regular.csv"]["reader"] == "fast"
    assert files["broken_line.csv"]["status"] == "loaded" and files["broken_line.csv"]["reader"] == "exact"
