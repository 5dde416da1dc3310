"""A chunk's column as category codes and its distinct values, for rules judged once per value.

A file repeats its codes, periods, units, values and most breakdown values on row after row:
cast to a categorical (one hash per cell, a cast the staged rows need anyway), a column's
distinct values are a few hundred strings, which the rules judge at no cost, and a verdict or a
cleaned value reaches the rows by the rows' codes (a gather of integers, no string hashed again).
"""

from __future__ import annotations

import polars as pl


class Coded:
    """One column of a chunk: `column` (the rows, a categorical), `values` (its distinct values
    as text, each once, a null among them when a row holds one) and their codes."""

    def __init__(self, column: pl.Series) -> None:
        self.column = column
        distinct = column.unique()
        self.values = distinct.cast(pl.String)
        self.codes = distinct.to_physical()
        self._positions: pl.Series | None = None

    def positions(self) -> pl.Series:
        """Each row's index into `values` (null for a null cell): any Series aligned with
        `values` gathered by it gives each row its value's entry."""
        if self._positions is None:
            known = self.codes.is_not_null()
            codes = self.codes.filter(known)
            at = pl.int_range(0, self.codes.len(), dtype=pl.UInt32, eager=True).filter(known)
            size = int(codes.max() or 0) + 1 if codes.len() else 1
            index = pl.repeat(None, size, dtype=pl.UInt32, eager=True).scatter(codes, at)
            self._positions = index.gather(self.column.to_physical())
        return self._positions

    def per_row(self, aligned: pl.Series) -> pl.Series:
        """`aligned` (one entry per distinct value, in the order of `values`) for every row."""
        return aligned.gather(self.positions())
