"""Text that a spreadsheet would run as a formula, made inert on the way out and restored on the way in.

OWASP's rule for CSV injection: a text cell starting with `= + - @`, a tab, a carriage return or
a NUL gets a leading apostrophe, which Excel and LibreOffice take as "this is text"; numbers are
never touched, so -5 stays -5. A text starting with an apostrophe gets one more, so that the
reverse is exact: on ingest, a leading apostrophe followed by one of those characters or by
another apostrophe is dropped (`'=SUM(A1)` -> `=SUM(A1)`, `''abc` -> `'abc`; `'abc` is kept
whole). That is also what Excel means by such an apostrophe: it is never part of the value.
So `kpi export` -> `kpi ingest` gives back every note and breakdown value as it was.

Used by `kpi export` (pipelines/read_model/export.py) and the dashboard's CSV/XLSX downloads
(dashboard/exports.py), and by the validator for the reverse (note and breakdown columns).
"""

from __future__ import annotations

import polars as pl

FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\0")
_PREFIXED = ("'",) + FORMULA_START  # what gets the apostrophe: the above, and an apostrophe
_PREFIXED_PATTERN = "^['=+\\-@\t\r\x00]"
_RESTORE_PATTERN = "^'['=+\\-@\t\r\x00]"


def neutralise(text: str) -> str:
    """The text as a spreadsheet shows it without running it."""
    return "'" + text if text.startswith(_PREFIXED) else text


def restore(text: str) -> str:
    """The reverse of `neutralise`: the text as it was before an export prefixed it."""
    return text[1:] if len(text) > 1 and text[0] == "'" and text[1] in _PREFIXED else text


def neutralise_expr(expr: pl.Expr) -> pl.Expr:
    """`neutralise` on a string column, natively (no Python callable runs inside Polars)."""
    return pl.when(expr.str.contains(_PREFIXED_PATTERN)).then(pl.lit("'") + expr).otherwise(expr)


def restore_needed_expr(expr: pl.Expr) -> pl.Expr:
    """True where `restore` would change the text."""
    return expr.str.contains(_RESTORE_PATTERN)


def restore_expr(expr: pl.Expr) -> pl.Expr:
    """`restore` on a string column, natively."""
    return pl.when(expr.str.contains(_RESTORE_PATTERN)).then(expr.str.slice(1)).otherwise(expr)


def neutralise_frame(frame: pl.DataFrame) -> pl.DataFrame:
    """Every text column neutralised; numeric columns (and their negative numbers) untouched."""
    return frame.with_columns(neutralise_expr(pl.col(c)).alias(c) for c, dtype in frame.schema.items() if dtype == pl.String)
