"""A validated file's rows as they wait to be loaded, the breakdown kept as its dimensions.

A row's breakdown key is the canonical JSON of its non-blank dimensions (`validate.breakdown_expr`).
Built for every row of a wide file (twenty filled dimensions: about 500 bytes a row, 493 MB for a
million rows), the keys outweighed everything else the load holds, and they were held whole by the
closed-quarter check, the load plan, the revision count and the insert. So the rows keep their
dimensions (category codes, or text for a dimension whose values hardly repeat) and DuckDB builds
each key with the same bytes as it reads the rows (`relation`): a vector at a time, never all at
once. `keyed` builds them in Polars instead, for what needs the rows in Python (a small file's
plausibility checks, the tests).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import duckdb
import polars as pl

# DuckDB binds the key's expression afresh in every query that reads the rows: past this many
# dimensions the binding costs more than the keys (2,000 dimensions: about half a second a
# query), so such a file's keys are built once, in Polars.
SQL_KEY_DIMENSIONS = 64
# The rows' own columns, as the warehouse's observations name them (the breakdown comes after `period`).
ROW_COLUMNS = ("row_number", "indicator", "reporter", "period", "value", "unit", "note")
# The characters json.dumps(ensure_ascii=False) escapes with a letter; every other one below 32
# is escaped as \u00XX (RARE_CONTROLS in validate.py).
LETTER_ESCAPES = (("\\", "\\\\"), ('"', '\\"'), ("\n", "\\n"), ("\r", "\\r"), ("\t", "\\t"))


def sql_text(text: str) -> str:
    """`text` as a DuckDB string literal (no backslash escapes in DuckDB's standard strings)."""
    return "'" + text.replace("'", "''") + "'"


def _sql_char(char: str) -> str:
    """One character as a DuckDB expression: a control character is not written into the SQL."""
    return f"chr({ord(char)})" if ord(char) < 32 else sql_text(char)


def breakdown_sql(dims: list[tuple[str, str]], rare_controls: bool = False, plain: bool = False,
                  filled: bool = False) -> str:
    """The DuckDB expression of `validate.breakdown_expr` over `dims` (each a dimension's name and
    the SQL column holding its values): the same bytes for every row, and the same shortcuts.

    `plain` only when no value holds a character json.dumps escapes, `rare_controls` when some
    value holds a control character other than \\n, \\r and \\t, `filled` when no value is blank.
    """
    if not dims:
        return sql_text("{}")
    ordered = sorted(dims)

    def text(column: str) -> str:
        if plain:
            return column
        pairs = list(LETTER_ESCAPES)
        if rare_controls:
            pairs += [(chr(c), json.dumps(chr(c))[1:-1]) for c in range(32) if chr(c) not in "\n\r\t"]
        for raw, escaped in pairs:
            column = f"replace({column}, {_sql_char(raw)}, {sql_text(escaped)})"
        return column

    if plain and filled:
        pieces: list[str] = []
        for i, (name, column) in enumerate(ordered):
            pieces += [sql_text(("{" if i == 0 else ",") + json.dumps(name, ensure_ascii=False) + ':"'), column, sql_text('"')]
        return f"concat({', '.join(pieces)}, '}}')"
    pairs = [f"CASE WHEN {column} <> '' THEN concat({sql_text(json.dumps(name, ensure_ascii=False) + ':' + chr(34))}, {text(column)}, '\"') END"
             for name, column in ordered]
    return f"concat('{{', concat_ws(',', {', '.join(pairs)}), '}}')"


@dataclass
class KeyShape:
    """What the dimensions' values need of the key (judged once for the file, on their distinct
    values): escaping at all, escaping of rare control characters, blanks left out."""

    escaped: bool
    rare_controls: bool
    filled: bool


class ArrowStream:
    """A Polars frame as an Arrow C stream (the PyCapsule interface), a new stream for each
    query that reads it. DuckDB reads it in place without pyarrow: neither its import (about 70
    ms a process) nor a conversion to a pyarrow table (0.1–0.2 s a million rows). (Given the
    Polars frame itself, DuckDB would convert it with pyarrow.)"""

    def __init__(self, frame: pl.DataFrame) -> None:
        self.frame = frame

    def __arrow_c_stream__(self, requested_schema: object = None) -> object:
        return self.frame.__arrow_c_stream__(requested_schema)


class StagedRows:
    """The rows to load: `frame` holds ROW_COLUMNS and one column per breakdown dimension
    (`dim_columns`, in the order of `dims`); the keys are built by whoever reads the rows."""

    def __init__(self, frame: pl.DataFrame, dims: list[str], dim_columns: list[str],
                 shape: Callable[[pl.DataFrame, list[str]], KeyShape],
                 keyed: Callable[[pl.DataFrame], pl.DataFrame]) -> None:
        self.frame = frame
        self.dims = dims
        self.dim_columns = dim_columns
        self._shape = shape
        self._keyed = keyed
        self._columns: pl.DataFrame | None = None
        self._keyed_frame: pl.DataFrame | None = None
        self._key_sql: str | None = None

    @property
    def height(self) -> int:
        return self.frame.height

    def keyed(self) -> pl.DataFrame:
        """The rows with their keys built in Polars (`breakdown`, a categorical), as a Polars
        frame of the observations' columns: costs the keys' memory, so only for what must have
        the rows in Python. Kept when DuckDB reads these keys too (see `keys_in_sql`)."""
        if self._keyed_frame is not None:
            return self._keyed_frame
        keyed = self._keyed(self.frame)
        if not self.keys_in_sql:
            self._keyed_frame = keyed
        return keyed

    def totals_marked(self) -> pl.DataFrame:
        """Indicator, reporter, period and value of every row, and the breakdown only as far as
        a total goes: '{}' on a row whose dimensions are all blank, null on the others (whose keys
        are not built). What the load plan's status moves read."""
        return self.frame.select(
            "indicator", "reporter", "period",
            pl.when(self._total()).then(pl.lit("{}")).alias("breakdown"),
            "value",
        )

    def _total(self) -> pl.Expr:
        """Whether a row is a total: every dimension blank (its key '{}')."""
        blank = [pl.col(c) == "" for c in self.dim_columns]
        return pl.all_horizontal(blank) if blank else pl.lit(True)

    @property
    def keys_in_sql(self) -> bool:
        """Whether DuckDB builds the keys (all but files of more than SQL_KEY_DIMENSIONS dimensions)."""
        return len(self.dims) <= SQL_KEY_DIMENSIONS

    def columns(self) -> pl.DataFrame:
        """The rows as one contiguous Polars frame, made once, which DuckDB reads in place (see
        `ArrowStream`): the dimensions as categoricals, `d0`, `d1`, … in the order of `dims` (no
        name from the file is ever an SQL identifier), or, past SQL_KEY_DIMENSIONS, the keys built
        in Polars (`breakdown`); and `_total`, whether every dimension is blank."""
        if self._columns is None:
            if self.keys_in_sql:
                frame = self.frame.select(
                    *ROW_COLUMNS,
                    *(pl.col(c).alias(f"d{i}") for i, c in enumerate(self.dim_columns)),
                    self._total().alias("_total"),
                )
            else:
                frame = self.keyed().with_columns((pl.col("breakdown") == "{}").alias("_total"))
            # One chunk: DuckDB stores batches of other sizes than its row groups in partly filled
            # row groups, which its checkpoint then rewrites (seconds for a million rows).
            self._columns = frame.rechunk()
        return self._columns

    def key_sql(self) -> str:
        """The breakdown key over `columns()`'s columns (see `breakdown_sql`), escaping only what
        the values need (judged once)."""
        if not self.keys_in_sql:
            return "breakdown"
        if self._key_sql is None:
            shape = self._shape(self.frame, self.dim_columns)
            self._key_sql = breakdown_sql([(d, f"d{i}") for i, d in enumerate(self.dims)], rare_controls=shape.rare_controls,
                                          plain=not shape.escaped, filled=shape.filled)
        return self._key_sql

    def relation(self, con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyRelation:
        """The rows as the observations' columns (`breakdown` after `period`) plus `_total`, for
        `con`'s queries to scan by name: DuckDB builds each key as it reads its row, in every
        query that asks for the breakdown (a few tenths of a second per million rows)."""
        return self._relation(con, self.columns())

    def parts(self, con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyRelation]:
        """The rows as `relation` gives them, in two parts to load one after the other: the rows
        with a breakdown, then the totals (so that a load's totals sit together in a few row
        groups). DuckDB reads every column of a stream it scans, filter or not: the larger part is
        filtered from the whole stream, the smaller one (usually the totals) is copied into a
        stream of its own, so no row is read twice (0.1 s a million rows) and little is copied."""
        columns = self.columns()
        totals = int(columns["_total"].sum())
        if totals in (0, columns.height):
            yield self._relation(con, columns)
            return
        few_totals = totals <= columns.height // 2
        for want in (False, True):  # the rows with a breakdown, then the totals
            if want == few_totals:
                yield self._relation(con, columns.filter(pl.col("_total") == want))
            else:
                yield self._relation(con, columns).filter(f"{'' if want else 'NOT '}_total")

    def _relation(self, con: duckdb.DuckDBPyConnection, columns: pl.DataFrame) -> duckdb.DuckDBPyRelation:
        return con.from_arrow(ArrowStream(columns)).project(
            f"row_number, indicator, reporter, period, {self.key_sql()} AS breakdown, value, unit, note, _total"
        )
