"""A rejection report the analyst can act on, and the same one everywhere: printed by
`kpi ingest`, written beside the file in rejected/, and stored in the load log."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from pipelines.ingest import ingest
from pipelines.problems import MAX_REPORTED, Problem, format_problem, render_report
from pipelines.settings import Settings
from pipelines.warehouse.store import open_reader
from tests.intake.conftest import FIXTURES, TODAY, make_settings, run_cli

MANY = "many_problems_capped.csv"  # 100 non-numbers (rows 2..101) and 150 unknown codes (rows 102..251)


def _drop(settings: Settings, *names: str) -> None:
    settings.inbox_dir.mkdir(parents=True, exist_ok=True)
    for name in names:
        shutil.copyfile(FIXTURES / name, settings.inbox_dir / name)


def _stored(settings: Settings, file_name: str) -> tuple[list[Problem], int, str]:
    with open_reader(settings.warehouse_path) as con:
        problems, count, stored_as = con.execute(
            "SELECT problems, problem_count, stored_as FROM loads WHERE file_name = ? AND status = 'rejected'",
            [file_name]).fetchone()
    return [Problem.from_dict(d) for d in json.loads(problems)], count, stored_as


def test_the_list_is_capped_and_says_how_many_more(intake_settings: Settings) -> None:
    _drop(intake_settings, MANY)
    [outcome] = ingest(None, intake_settings, today=TODAY, lang="en")
    assert outcome.problem_count == 250
    assert len(outcome.problems) == MAX_REPORTED == 200
    assert [p.row for p in outcome.problems] == list(range(2, 202)), "the first problems of the file, in row order"
    assert {p.code for p in outcome.problems} == {"not_a_number", "unknown_indicator"}

    report = outcome.report_path.read_text(encoding="utf-8")
    lines = report.splitlines()
    assert lines[0].startswith(f"File {MANY} was rejected: 250 problem(s). Nothing was loaded")
    assert lines[-1] == "... and 50 more"
    assert sum(line.startswith(f"{MANY}, row ") for line in lines) == 200

    stored, count, _ = _stored(intake_settings, MANY)
    assert count == 250 and stored == outcome.problems


def test_the_listed_problems_are_the_files_first_whichever_rule_found_them(intake_settings: Settings) -> None:
    """The unknown-code rule runs first and finds 1,000 problems on late rows; the period rule
    runs later and finds 10 on the first rows. The report must start with those 10."""
    lines = ["indicator,reporter,period,value"]
    lines += ["MISSIONS_ABROAD,MOFA,2025-Q9,94"] * 10  # rows 2..11: a quarter that does not exist
    lines += [f"NOT_A_CODE_{i},MOFA,2025,1" for i in range(1000)]  # rows 12..1011
    intake_settings.inbox_dir.mkdir(parents=True, exist_ok=True)
    (intake_settings.inbox_dir / "late_codes.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    [outcome] = ingest(None, intake_settings, today=TODAY, lang="en")
    assert outcome.problem_count == 1010
    assert [(p.row, p.code) for p in outcome.problems[:10]] == [(r, "bad_period") for r in range(2, 12)]
    assert [p.row for p in outcome.problems] == list(range(2, 2 + MAX_REPORTED))


def test_each_problem_gives_excel_row_column_value_and_reason_in_both_languages(intake_settings: Settings) -> None:
    _drop(intake_settings, MANY)
    ingest(None, intake_settings, today=TODAY)
    [first] = [p for p in _stored(intake_settings, MANY)[0] if p.row == 2]
    assert format_problem(first, MANY, "en") == f"{MANY}, row 2, column value: 'x' is not a number"
    assert format_problem(first, MANY, "vi") == f"{MANY}, dòng 2, cột value: 'x' không phải là số"


def test_rows_are_counted_as_excel_shows_them_below_a_title_block(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "data")
    settings.inbox_dir.mkdir(parents=True)
    text = (FIXTURES / "title_block_and_footer.csv").read_text(encoding="utf-8-sig").replace(";75;", ";bảy lăm;")
    (settings.inbox_dir / "title.csv").write_text(text, encoding="utf-8")
    [outcome] = ingest(None, settings, today=TODAY)
    assert outcome.status == "rejected"
    [problem] = outcome.problems
    assert (problem.code, problem.row, problem.column, problem.value) == ("not_a_number", 5, "value", "bảy lăm")


def test_unknown_codes_come_with_the_closest_known_codes(intake_settings: Settings) -> None:
    _drop(intake_settings, "unknown_codes_suggest.csv")
    [outcome] = ingest(None, intake_settings, today=TODAY)
    by_row = {p.row: p for p in outcome.problems}
    assert by_row[2].message("en") == "unknown indicator code 'MISSION_ABROAD'; did you mean MISSIONS_ABROAD?"
    assert by_row[2].message("vi") == "mã chỉ tiêu 'MISSION_ABROAD' không có trong danh mục; có phải là MISSIONS_ABROAD?"
    assert by_row[3].params["suggestions"][0] == "HANOI"
    assert "HANOI" in by_row[3].message("vi")


def test_cli_report_file_and_load_log_say_the_same(intake_settings: Settings) -> None:
    _drop(intake_settings, MANY, "unknown_codes_suggest.csv", "utf8_plain_comma.csv")
    done = run_cli(intake_settings, "ingest", "--lang", "vi")
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    out = done.stdout.splitlines()
    for name in (MANY, "unknown_codes_suggest.csv"):
        stored, count, stored_as = _stored(intake_settings, name)
        report_path = Path(stored_as + ".report.txt")
        report = report_path.read_text(encoding="utf-8")
        # (b) beside the file == (c) rendered again from the load log
        assert report == render_report(name, stored, count, "vi")
        assert Path(stored_as).parent == intake_settings.rejected_dir
        # (a) the CLI: the summary line with the count and the first problem, then the next ones, all from the report
        [summary] = [line for line in out if line.startswith("từ chối") and name in line]
        assert f"{count} lỗi; " + format_problem(stored[0], name, "vi") in summary
        printed = [line.strip() for line in out if line.startswith("    ") and line.strip().startswith(f"{name}, ")]
        assert printed and all(line in report.splitlines() for line in printed)
        assert f"báo cáo: {report_path}" in done.stdout
    assert "... và 230 lỗi khác" in done.stdout  # 20 shown of 250
    assert any(line.startswith("đã nạp") and "utf8_plain_comma.csv" in line for line in out)


def test_cli_json_carries_the_same_problems_as_the_load_log(intake_settings: Settings) -> None:
    _drop(intake_settings, "unknown_codes_suggest.csv")
    done = run_cli(intake_settings, "ingest", "--json", "--lang", "en")
    assert done.returncode == 1
    [entry] = json.loads(done.stdout)["files"]
    stored, count, _ = _stored(intake_settings, "unknown_codes_suggest.csv")
    assert entry["problem_count"] == count == 3
    assert [Problem.from_dict({k: v for k, v in p.items() if k != "message"}) for p in entry["problems"]] == stored
    assert entry["problems"][0]["message"] == stored[0].message("en")
    assert Path(entry["report"]).read_text(encoding="utf-8") == render_report(
        "unknown_codes_suggest.csv", stored, count, "en")
