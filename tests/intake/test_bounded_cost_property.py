"""Issue 14, the property: whatever shape a file takes (thousands of columns, huge cells, rows of
trailing delimiters, workbooks declaring or reaching the far corner of a sheet), `kpi ingest`
judges it in bounded time and memory under the default limits: loaded, or rejected with a reason.

Memory is the process's peak resident set (VmHWM, reset before each file through
/proc/self/clear_refs), so Polars' and DuckDB's own allocations count too; one test runs the real
`kpi ingest` process on the worst files and reads its own peak through a small launcher."""

from __future__ import annotations

import io
import re
import shutil
import time
import zipfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings, strategies as st

from pipelines.ingest import ingest
from tests.intake.conftest import FIXTURES, TODAY, cli_env, make_settings
from tests.intake.test_limits import million_row_workbook
from tests.support.cli import run_kpi_measured

HEADER = ["indicator", "reporter", "period", "value", "unit", "note"]
SECONDS = 15  # per file, on a shared 2-core machine (the worst files took minutes to hours)
MEMORY_MB = 600  # growth of the peak RSS per file (the 13 KB file took 4 GB)


def _hwm_kb() -> int:
    return int(re.search(r"VmHWM:\s+(\d+)", Path("/proc/self/status").read_text()).group(1))


def _rss_kb() -> int:
    return int(re.search(r"VmRSS:\s+(\d+)", Path("/proc/self/status").read_text()).group(1))


def _judge(tmp: Path, name: str, data: bytes) -> tuple[str, float, float]:
    """(status, seconds, MB of peak RSS over the RSS before) of ingesting one file."""
    data_dir = tmp / "data"
    shutil.rmtree(data_dir, ignore_errors=True)
    settings = make_settings(data_dir)
    settings.inbox_dir.mkdir(parents=True)
    (settings.inbox_dir / name).write_bytes(data)
    Path("/proc/self/clear_refs").write_text("5")  # the peak starts again from here
    base = _rss_kb()
    started = time.monotonic()
    [outcome] = ingest(None, settings, today=TODAY)
    took = time.monotonic() - started
    grown = (_hwm_kb() - base) / 1024
    assert outcome.status in ("loaded", "rejected")
    if outcome.status == "rejected":
        assert outcome.problems and all(p.message("en") for p in outcome.problems)
    return outcome.status, took, grown


@st.composite
def pathological_csv(draw) -> bytes:
    columns = draw(st.sampled_from([6, 50, 199, 201, 2_000, 20_000]))
    extra = [f"d{i}" for i in range(columns - 6)]
    cell = draw(st.sampled_from([1, 1_000, 99_000, 101_000, 3_000_000]))
    quoted = draw(st.booleans())
    trailing = draw(st.sampled_from([0, 10, 999, 5_000, 200_000]))
    rows = draw(st.integers(1, 3))
    big = ("ghi chú\n" if quoted else "ghi chú ") * (cell // 8 + 1)
    big = big[:cell]
    lines = [",".join(HEADER + extra)]
    for i in range(rows):
        note = f'"{big}"' if quoted else big.replace("\n", " ")
        lines.append(",".join(["STAFF_HEADCOUNT", "MOFA", f"{2020 + i}", "1", "persons", note] + ["x"] * len(extra)) + "," * trailing)
    return ("\n".join(lines) + "\n").encode()


def _sheet_xml(dimension: str, rows: list[tuple[int, list[tuple[int, str]]]]) -> str:
    from openpyxl.utils import get_column_letter

    body = "".join(
        f'<row r="{r}">' + "".join(f'<c r="{get_column_letter(c)}{r}" t="inlineStr"><is><t>{v}</t></is></c>' for c, v in cells) + "</row>"
        for r, cells in rows)
    return ('<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            f'<dimension ref="{dimension}"/><sheetData>{body}</sheetData></worksheet>')


@st.composite
def pathological_workbook(draw) -> bytes:
    from openpyxl.utils import get_column_letter

    last_col = draw(st.sampled_from([4, 1_000, 1_001, 16_384]))
    last_row = draw(st.sampled_from([3, 1_048_576]))
    dimension = f"A1:{get_column_letter(draw(st.sampled_from([4, 16_384])))}{draw(st.sampled_from([3, 1_048_576]))}"
    rows = [(1, list(enumerate(["indicator", "reporter", "period", "value"], start=1))),
            (2, list(enumerate(["STAFF_HEADCOUNT", "MOFA", "2025-Q3", "2940"], start=1)))]
    rows.append((last_row, [(last_col, draw(st.sampled_from(["Nguồn: Bộ Ngoại giao", "1"])))]))
    template = million_row_workbook(0)
    src = zipfile.ZipFile(io.BytesIO(template))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                body = _sheet_xml(dimension, sorted(rows)).encode()
            archive.writestr(info.filename, body)
    return out.getvalue()


@settings(max_examples=6, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(data=pathological_csv())
def test_any_pathological_csv_is_judged_in_bounded_time_and_memory(tmp_path_factory, data: bytes) -> None:
    status, took, grown = _judge(tmp_path_factory.mktemp("csv"), "odd.csv", data)
    assert took < SECONDS, f"{len(data)} bytes took {took:.1f} s"
    assert grown < MEMORY_MB, f"{len(data)} bytes grew the peak RSS by {grown:.0f} MB"


@settings(max_examples=6, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(data=pathological_workbook())
def test_any_pathological_workbook_is_judged_in_bounded_time_and_memory(tmp_path_factory, data: bytes) -> None:
    status, took, grown = _judge(tmp_path_factory.mktemp("xlsx"), "odd.xlsx", data)
    assert took < SECONDS, f"took {took:.1f} s"
    assert grown < MEMORY_MB, f"grew the peak RSS by {grown:.0f} MB"


def test_kpi_ingest_of_the_worst_files_stays_within_bounds(tmp_path: Path) -> None:
    """The real process, its own peak RSS (through the launcher, not pytest's): the issue's files in one batch."""
    settings_ = make_settings(tmp_path / "data")
    inbox = settings_.inbox_dir
    inbox.mkdir(parents=True)
    for name in ("wide_header_2000_columns.csv", "xlsx_declared_huge_dimension.xlsx", "xlsx_value_in_last_column.xlsx"):
        shutil.copyfile(FIXTURES / name, inbox / name)
    (inbox / "million_rows.xlsx").write_bytes(million_row_workbook(1_048_575))
    (inbox / "wide_10000.csv").write_bytes((",".join(HEADER + [f"d{i}" for i in range(9_994)]) + "\n").encode() * 2)
    (inbox / "note_50mb.csv").write_bytes((",".join(HEADER) + "\nSTAFF_HEADCOUNT,MOFA,2025,1,persons," + "x" * 50_000_000 + "\n").encode())
    started = time.monotonic()
    result, peak_mb, _ = run_kpi_measured(settings_, "ingest", "--json", env=cli_env(settings_), cwd=tmp_path)
    took = time.monotonic() - started
    assert result.returncode == 1, result.stderr  # all but one rejected
    assert took < 60, f"took {took:.1f} s"
    assert peak_mb < 1_000, f"peak RSS {peak_mb:.0f} MB"
    assert len(list(settings_.archive_dir.iterdir())) == 1 and len(list(settings_.rejected_dir.iterdir())) == 10
