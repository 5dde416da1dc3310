"""Number conventions, decided once per file from all its values, never guessed row by row.

`1,234.5` (dot decimal) and `1.234,5` (Vietnamese: comma decimal) are both common. Each value
is classified by shape; decisive shapes vote for a convention, ambiguous ones (`1.234`) follow
the vote, and a count indicator settles an ambiguous value because a count is whole. A file
whose values vote both ways, or only ambiguously, is rejected rather than misread.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

DOT, COMMA = "dot", "comma"

_SPACE_GROUPS = r"^\d{1,3}( \d{3})+([.,]\d+)?$"
_SHAPES: list[tuple[str, str]] = [  # (class, regex on the unsigned body without spaces)
    ("int", r"^\d+$"),
    ("amb_dot", r"^[1-9]\d{0,2}\.\d{3}$"),
    ("amb_comma", r"^[1-9]\d{0,2},\d{3}$"),
    ("dot", r"^\d+\.\d+$|^\d{1,3}(,\d{3}){2,}$|^\d{1,3}(,\d{3})+\.\d+$"),
    ("comma", r"^\d+,\d+$|^\d{1,3}(\.\d{3}){2,}$|^\d{1,3}(\.\d{3})+,\d+$"),
]


@dataclass(frozen=True)
class Convention:
    """The file's decimal mark, or why none could be chosen."""

    decimal: str | None  # DOT or COMMA; None when the file must be rejected
    problem: str | None = None  # 'ambiguous_numbers' | 'mixed_numbers'
    params: dict | None = None


def shape_columns(values: pl.Expr) -> list[pl.Expr]:
    """Columns `_body` (unsigned, no spaces or %), `_neg`, `_pct` and `_shape` for the value text:
    functions of the text alone, so the validator computes them once per distinct value."""
    pct = values.str.ends_with("%")
    body = values.str.strip_suffix("%").str.strip_chars()
    neg = body.str.starts_with("-")
    body = body.str.strip_prefix("-").str.strip_prefix("+").str.strip_chars()
    spaced = body.str.contains(" ", literal=True)
    body = pl.when(spaced & body.str.contains(_SPACE_GROUPS)).then(body.str.replace_all(" ", "", literal=True)).otherwise(body)
    shape = pl.lit("bad")
    for name, pattern in reversed(_SHAPES):
        shape = pl.when(body.str.contains(pattern)).then(pl.lit(name)).otherwise(shape)
    return [body.alias("_body"), neg.alias("_neg"), pct.alias("_pct"), shape.alias("_shape")]


def vote_expr(shape: pl.Expr, is_count: pl.Expr) -> pl.Expr:
    """Column `_vote`: the convention a value's shape speaks for, given its indicator's kind.

    A count is whole: `1.234` can only be 1234 (dot = thousands), `1,234` only 1234 (comma = thousands).
    """
    return (
        pl.when(shape == "amb_dot").then(pl.when(is_count).then(pl.lit(COMMA)).otherwise(pl.lit("amb")))
        .when(shape == "amb_comma").then(pl.when(is_count).then(pl.lit(DOT)).otherwise(pl.lit("amb")))
        .when(shape == "dot").then(pl.lit(DOT))
        .when(shape == "comma").then(pl.lit(COMMA))
        .otherwise(pl.lit(None, dtype=pl.String))
    ).alias("_vote")


def decide(votes: pl.DataFrame, raw_col: str = "value") -> Convention:
    """Pick the file's convention from the `_vote` column written by `vote_expr`: one row per
    distinct value (and kind), in the order the file first shows them."""
    votes = votes.filter(pl.col("_vote").is_not_null())
    firsts = dict(votes.group_by("_vote", maintain_order=True).agg(pl.col(raw_col).first()).iter_rows())
    if not firsts:
        return Convention(DOT)
    if DOT in firsts and COMMA in firsts:
        params: dict = {"dot_example": firsts[DOT], "comma_example": firsts[COMMA]}
        if "_first" in votes.columns:
            # Where each convention first shows (Excel's row numbers): the later one is the row at fault.
            rows = dict(votes.group_by("_vote", maintain_order=True).agg(pl.col("_first").min()).iter_rows())
            params.update({"dot_row": rows[DOT], "comma_row": rows[COMMA], "row": max(rows[DOT], rows[COMMA])})
        return Convention(None, "mixed_numbers", params)
    if DOT in firsts or COMMA in firsts:
        return Convention(DOT if DOT in firsts else COMMA)
    examples = votes[raw_col].unique(maintain_order=True).head(3).to_list()
    return Convention(None, "ambiguous_numbers", {"examples": ", ".join(examples)})


def parse_expr(decimal: str) -> pl.Expr:
    """Float value of `_body` under the chosen convention, null where the shape is not a number."""
    body = pl.col("_body")
    text = body.str.replace_all(",", "", literal=True) if decimal == DOT else (
        body.str.replace_all(".", "", literal=True).str.replace_all(",", ".", literal=True)
    )
    number = pl.when(pl.col("_shape") != "bad").then(text).otherwise(None).cast(pl.Float64, strict=False)
    return pl.when(pl.col("_neg")).then(-number).otherwise(number)


def format_number(value: float) -> str:
    """Canonical text for export: whole numbers bare, decimals with a dot, never ambiguous.

    `1.234` would read as one thousand two hundred and thirty-four under the Vietnamese
    convention, so such values get a trailing zero (`1.2340`), which no convention can misread.
    """
    if value == int(value) and abs(value) < 1e18:
        return str(int(value))
    text = repr(value)
    if "e" in text or "E" in text:
        from decimal import Decimal

        text = format(Decimal(text), "f")
    body = text.lstrip("-")
    head, _, tail = body.partition(".")
    if len(tail) == 3 and 1 <= len(head) <= 3 and head[0] != "0":
        text += "0"
    return text
