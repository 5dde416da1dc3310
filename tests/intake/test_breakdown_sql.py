"""The breakdown key DuckDB builds while it loads (`staged.breakdown_sql`) is byte for byte the
canonical JSON Python writes, and the one Polars builds (`validate.breakdown_expr`), whatever the
dimensions' names and values hold: quotes, backslashes, control characters, blanks, Vietnamese."""

from __future__ import annotations

import json

import duckdb
import polars as pl
from hypothesis import HealthCheck, given, settings, strategies as st

from pipelines.intake.staged import breakdown_sql
from pipelines.intake.validate import DIM, _key_shape, breakdown_expr

# Everything json.dumps escapes (every control character, quote, backslash) and what it does not
# (DEL, line and paragraph separators, non-ASCII letters, a single quote for the SQL literal).
ALPHABET = [chr(c) for c in range(32)] + list('"\\\'/ ab,:{}') + ["\x7f", "\u2028", "\u2029", "ầ", "ộ", "😀"]
values = st.one_of(st.just(""), st.text(alphabet=ALPHABET, max_size=6))
names = st.lists(st.text(alphabet=ALPHABET[32:] + ["\x0b", "\n"], min_size=1, max_size=5), min_size=1, max_size=5, unique=True)


def _expected(row: dict[str, str]) -> str:
    return json.dumps({d: v for d, v in sorted(row.items()) if v}, ensure_ascii=False, separators=(",", ":"))


CON = duckdb.connect()


def _sql_keys(frame: pl.DataFrame, dims: list[str], **shape: bool) -> list[str]:
    columns = frame.select(*(pl.col(DIM + d).alias(f"d{i}") for i, d in enumerate(dims)), pl.int_range(pl.len()).alias("i"))
    staged = CON.from_arrow(columns.to_arrow(compat_level=pl.CompatLevel.newest()))
    sql = breakdown_sql([(d, f"d{i}") for i, d in enumerate(dims)], **shape)
    return [key for key, in staged.project(f"{sql} AS k, i").order("i").project("k").fetchall()]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), dims=names, categorical=st.booleans())
def test_duckdbs_key_is_the_canonical_json_of_the_non_blank_dimensions(data, dims: list[str], categorical: bool) -> None:
    rows = data.draw(st.lists(st.fixed_dictionaries({d: values for d in dims}), min_size=1, max_size=8))
    frame = pl.DataFrame({DIM + d: [r[d] for r in rows] for d in dims}, schema={DIM + d: pl.String for d in dims})
    if categorical:
        frame = frame.with_columns(pl.col(DIM + d).cast(pl.Categorical) for d in dims)
    expected = [_expected(r) for r in rows]
    # Every escape applied: right for any value.
    assert _sql_keys(frame, dims, rare_controls=True) == expected
    # Only what these values need, as the load judges it: the same bytes.
    shape = _key_shape(frame, [DIM + d for d in dims])
    flags = {"rare_controls": shape.rare_controls, "plain": not shape.escaped, "filled": shape.filled}
    assert _sql_keys(frame, dims, **flags) == expected
    text = frame.with_columns(pl.col(DIM + d).cast(pl.String) for d in dims)
    assert text.select(breakdown_expr(dims, DIM, **flags))[:, 0].to_list() == expected


def test_no_dimension_is_the_total() -> None:
    assert duckdb.sql(f"SELECT {breakdown_sql([])}").fetchall() == [("{}",)]
