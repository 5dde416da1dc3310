"""Generated malformed files thrown at the ingest: every one ends loaded or rejected with a
report (never an exception), and a rejected one leaves the warehouse exactly as it was.

Malformed files are real fixtures that loaded, then broken: truncated, bytes injected (quotes,
NULs, invalid UTF-8), delimiters swapped, cells added, dropped or replaced by garbage numbers,
periods and codes, lines duplicated or dropped; plus plain random bytes behind real magic numbers.
"""

from __future__ import annotations

import random
import tomllib
import unicodedata
from itertools import count
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from pipelines.ingest import ingest
from pipelines.problems import format_problem, render_report
from pipelines.settings import Settings
from pipelines.warehouse.store import open_reader
from tests.intake.conftest import FIXTURES, TODAY, fingerprint, make_settings, run_cli

MANIFEST = tomllib.loads((FIXTURES / "expected.toml").read_text(encoding="utf-8"))["fixture"]
BASES = sorted(fx["name"] for fx in MANIFEST if fx["outcome"] == "loaded")
BASE_BYTES = {name: (FIXTURES / name).read_bytes() for name in BASES}

GARBAGE_CELLS = [
    b"", b" ", b"-", b"..", b"#N/A", b"#DIV/0!", b"NaN", b"inf", b"-inf", b"1e309", b"9" * 40, b"0x1F", b"1.234",
    b"1,234", b"1.234,5", b"1,234.5", b"1 234,5", b"12%", b"120%", b"-5", b"3.5", b"\xc2\xa01\xc2\xa0",
    b"2025-Q5", b"Q0/2025", b"2099", b"2027-Q1", b"Qu\xc3\xbd 3/20255", b"1899", b"2025Q", b"mofa", b"MOFA ",
    b"NOPE", b"'; DROP TABLE observations; --", b"=1+1", b"\"", b"\"\"", b"a\"b", b"\x00", b"\xff\xfe", b"\xc3",
    b"\xe1\xbb", b"embassy", b"\xd0\xcf\x11\xe0", b"\r", b"\n", b"\t", b";", b",",
]
MAGIC = [b"", b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"PK\x03\x04", b"\x89PNG\r\n\x1a\n", b"%PDF-1.4",
         b"\xd0\xcf\x11\xe0", b"indicator,reporter,period,value\n", b"\x1f\x8b"]


def _delimiter(data: bytes) -> bytes:
    head = data.split(b"\n", 1)[0]
    return max((b",", b";", b"\t"), key=head.count)


def _mutate(data: bytes, op: tuple) -> bytes:
    kind = op[0]
    lines = data.split(b"\n")
    pick = lambda frac, seq: min(int(frac * len(seq)), len(seq) - 1)  # noqa: E731
    if kind == "truncate":
        return data[: int(op[1] * len(data))]
    if kind == "insert":
        at = int(op[1] * len(data))
        return data[:at] + op[2] + data[at:]
    if kind == "swap_delimiter":
        return data.replace(op[1], op[2])
    if kind in ("cell", "extra_cell", "drop_cell"):
        i = pick(op[1], lines)
        delim = _delimiter(data)
        cells = lines[i].split(delim)
        j = pick(op[2], cells)
        if kind == "cell":
            cells[j] = op[3]
        elif kind == "extra_cell":
            cells.insert(j, op[3])
        elif len(cells) > 1:
            del cells[j]
        lines[i] = delim.join(cells)
        return b"\n".join(lines)
    if kind == "dup_line":
        i = pick(op[1], lines)
        return b"\n".join(lines[: i + 1] + [lines[i]] + lines[i + 1:])
    if kind == "drop_line":
        i = pick(op[1], lines)
        return b"\n".join(lines[:i] + lines[i + 1:])
    raise AssertionError(kind)


fraction = st.floats(0, 1, allow_nan=False)
garbage = st.one_of(st.sampled_from(GARBAGE_CELLS), st.binary(max_size=6),
                    st.text(max_size=6).map(lambda t: t.encode("utf-8", "surrogatepass")))
mutation = st.one_of(
    st.tuples(st.just("truncate"), fraction),
    st.tuples(st.just("insert"), fraction, garbage),
    st.tuples(st.just("swap_delimiter"), st.sampled_from([b",", b";", b"\t", b'"']),
              st.sampled_from([b",", b";", b"\t", b'"', b"", b"\n"])),
    st.tuples(st.just("cell"), fraction, fraction, garbage),
    st.tuples(st.just("extra_cell"), fraction, fraction, garbage),
    st.tuples(st.just("drop_cell"), fraction, fraction),
    st.tuples(st.just("dup_line"), fraction),
    st.tuples(st.just("drop_line"), fraction),
)


@st.composite
def malformed_files(draw) -> bytes:
    data = BASE_BYTES[draw(st.sampled_from(BASES))]
    for op in draw(st.lists(mutation, min_size=1, max_size=4)):
        data = _mutate(data, op)
    return data


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """One warehouse for all examples, with data in it, so 'unchanged' means something."""
    settings = make_settings(tmp_path_factory.mktemp("prop") / "data")
    settings.inbox_dir.mkdir(parents=True)
    (settings.inbox_dir / "base.csv").write_bytes(BASE_BYTES["utf8_plain_comma.csv"])
    assert [o.status for o in ingest(None, settings, today=TODAY)] == ["loaded"]
    return settings


_names = count()


def _check_one(settings: Settings, data: bytes, suffix: str = ".csv") -> None:
    before = fingerprint(settings)
    path = settings.inbox_dir / f"case_{next(_names):05d}{suffix}"
    path.write_bytes(data)
    outcomes = ingest(None, settings, today=TODAY)  # any exception fails the test
    assert len(outcomes) == 1
    [o] = outcomes
    if o.status == "held":  # plausible-looking but implausible numbers: kept in the inbox, nothing written
        assert path.exists() and fingerprint(settings) == before and o.plan and o.plan.warnings
        path.unlink()
        return
    assert not path.exists(), "the file was not filed away"
    after = fingerprint(settings)
    if o.status == "rejected":
        assert after == before, "a rejected file changed the warehouse"
        assert o.problem_count >= len(o.problems) >= 1
        for p in o.problems:
            format_problem(p, o.file_name, "en"), format_problem(p, o.file_name, "vi")
        assert o.report_path.read_text(encoding="utf-8") == render_report(o.file_name, o.problems, o.problem_count, "en")
        assert o.stored_as.read_bytes() == data
    elif o.status == "loaded":
        assert o.rows >= 1 and after[0] == before[0] + o.rows
        with open_reader(settings.warehouse_path) as con:
            rows = con.execute("SELECT indicator, reporter, period, breakdown, note, value FROM observations"
                               " WHERE load_id = ?", [o.load_id]).fetchall()
        assert len(rows) == o.rows
        for *texts, value in rows:
            assert value == value and abs(value) != float("inf")
            assert all(t is None or unicodedata.is_normalized("NFC", t) for t in texts)
    else:
        assert o.status == "duplicate" and after == before


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=malformed_files())
def test_mutated_real_files_load_or_are_rejected_whole(shared: Settings, data: bytes) -> None:
    _check_one(shared, data)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(magic=st.sampled_from(MAGIC), body=st.binary(max_size=3000), suffix=st.sampled_from([".csv", ".xlsx", ".txt"]))
def test_random_bytes_are_rejected_with_a_reason(shared: Settings, magic: bytes, body: bytes, suffix: str) -> None:
    _check_one(shared, magic + body, suffix)


def test_malformed_files_through_the_cli(tmp_path: Path) -> None:
    """A few malformed files, chosen by a fixed seed, through `python -m kpi ingest`."""
    settings = make_settings(tmp_path / "data")
    settings.inbox_dir.mkdir(parents=True)
    rng = random.Random(2026)
    for i in range(4):
        data = BASE_BYTES[rng.choice(BASES)]
        at = rng.randrange(len(data) + 1)
        data = data[:at] + rng.choice(GARBAGE_CELLS) + data[at:]
        (settings.inbox_dir / f"broken_{i}.csv").write_bytes(data)
    (settings.inbox_dir / "noise.bin").write_bytes(bytes(rng.randrange(256) for _ in range(2000)))
    done = run_cli(settings, "ingest", "--lang", "en")
    assert done.returncode in (0, 1), done.stderr
    assert "Traceback" not in done.stderr and done.stderr == ""
    lines = [line for line in done.stdout.splitlines() if not line.startswith(" ")]
    assert len(lines) == 5 and all(line.split()[0] in ("loaded", "rejected", "duplicate") for line in lines)
    assert not any(settings.inbox_dir.iterdir())
