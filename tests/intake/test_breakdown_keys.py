"""Breakdown keys of files with many dimensions, or dimensions whose values never repeat: the
validator keeps the dimensions as codes (or text) and builds the keys only once the file has
passed, so the keys and the duplicate-key report are checked here against plain Python."""

from __future__ import annotations

import json
import random

import duckdb

from pipelines.intake.check import check_bytes
from tests.intake.conftest import TODAY
from tests.intake.test_fast_reader import CATALOG

# Twenty dimensions of a dozen values each: their codes do not fit one 64-bit integer.
DIMS = [f"dim_{i:02d}" for i in range(20)]


def _file(rows: list[dict[str, str]], dims: list[str]) -> bytes:
    def cell(text: str) -> str:
        return '"' + text.replace('"', '""') + '"' if any(c in text for c in ',"') else text

    lines = [",".join(["indicator", "reporter", "period", "value", *dims])]
    lines += [",".join(["MISSIONS_ABROAD", "MOFA", "2023", "1", *(cell(r[d]) for d in dims)]) for r in rows]
    return ("\n".join(lines) + "\n").encode("utf-8")


def _rows(n: int, seed: int, distinct: bool) -> list[dict[str, str]]:
    rng = random.Random(seed)
    values = ["", "a", "b", 'say "hi"', "back\\slash", "Hà Nội", "x,y", "c", "d", "e", "f", "g"]
    rows, seen = [], set()
    while len(rows) < n:
        row = {d: rng.choice(values) for d in DIMS}
        if distinct:
            row["program"] = f"program {len(rows):05d}"
        key = tuple(row.items())
        if key not in seen:
            seen.add(key)
            rows.append(row)
    return rows


def _expected_key(row: dict[str, str]) -> str:
    return json.dumps({d: v for d, v in sorted(row.items()) if v}, ensure_ascii=False, separators=(",", ":"))


def _check(data: bytes):
    read, checked = check_bytes(lambda: data, 1 << 30, CATALOG, TODAY)
    assert read.reader == "fast" and checked is not None
    return checked


def test_keys_of_twenty_dimensions_are_the_canonical_json_of_each_row() -> None:
    rows = _rows(400, seed=1, distinct=False)
    checked = _check(_file(rows, DIMS))
    assert checked.ok, checked.problems
    assert checked.observations["breakdown"].cast(str).to_list() == [_expected_key(r) for r in rows]


def test_keys_with_a_dimension_that_never_repeats_are_the_canonical_json_of_each_row() -> None:
    rows = _rows(400, seed=2, distinct=True)
    checked = _check(_file(rows, [*DIMS, "program"]))
    assert checked.ok, checked.problems
    assert checked.observations["breakdown"].cast(str).to_list() == [_expected_key(r) for r in rows]


def test_the_keys_duckdb_builds_while_loading_are_the_canonical_json_of_each_row() -> None:
    rows = _rows(400, seed=5, distinct=True)
    rows.append({d: "" for d in [*DIMS, "program"]})  # the total
    checked = _check(_file(rows, [*DIMS, "program"]))
    assert checked.ok, checked.problems
    con = duckdb.connect()
    staged = checked.staged.relation(con)  # noqa: F841 - scanned by name
    keys = con.execute("SELECT breakdown, _total FROM staged ORDER BY row_number").fetchall()
    assert keys == [(_expected_key(r), _expected_key(r) == "{}") for r in rows]


def test_past_sixty_four_dimensions_the_keys_duckdb_reads_are_built_once_in_polars_and_the_same() -> None:
    dims = [f"dim_{i:02d}" for i in range(70)]
    rng = random.Random(6)
    rows = [{d: rng.choice(["", "a", 'say "hi"', "Hà Nội"]) for d in dims} for _ in range(30)]
    rows.append({d: "" for d in dims})  # the total
    checked = _check(_file(rows, dims))
    assert checked.ok, checked.problems
    assert not checked.staged.keys_in_sql
    con = duckdb.connect()
    staged = checked.staged.relation(con)  # noqa: F841 - scanned by name
    keys = con.execute("SELECT breakdown, _total FROM staged ORDER BY row_number").fetchall()
    assert keys == [(_expected_key(r), _expected_key(r) == "{}") for r in rows]


def test_a_repeated_key_among_twenty_dimensions_names_both_rows() -> None:
    rows = _rows(400, seed=3, distinct=False)
    rows.insert(300, dict(rows[120]))  # file rows: header 1, so rows[120] is row 122, the copy row 302
    checked = _check(_file(rows, DIMS))
    assert [(p.code, p.row, p.params) for p in checked.problems] == [("duplicate_key", 302, {"other_row": 122})]


def test_a_repeated_key_with_a_dimension_that_never_repeats_names_both_rows() -> None:
    rows = _rows(400, seed=4, distinct=True)
    rows.insert(350, dict(rows[7]))
    rows.insert(10, {**rows[8], "dim_00": rows[8]["dim_00"] + " "})  # a trailing space is trimmed: the same key
    checked = _check(_file(rows, [*DIMS, "program"]))
    # rows[8] is row 10 and its copy row 12; rows[7] is row 9 and its copy, moved by one, row 353.
    assert [(p.code, p.row, p.params) for p in checked.problems] == [
        ("duplicate_key", 12, {"other_row": 10}), ("duplicate_key", 353, {"other_row": 9})]
