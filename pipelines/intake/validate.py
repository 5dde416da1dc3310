"""Table to validated observations: every rule of the data contract, vectorised in Polars.

Pure: no files, no database. Returns either the normalised rows ready to load or every
problem found (capped for display, all counted), so a file is always judged whole.
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass, field
from datetime import date

import polars as pl

from pipelines.catalog import Catalog
from pipelines.intake import numbers
from pipelines.intake.tabular import OPTIONAL, REQUIRED, Table
from pipelines.periods import parse_period, period_start
from pipelines.problems import MAX_REPORTED, Problem

OBS_SCHEMA = {
    "row_number": pl.Int32,
    "indicator": pl.String,
    "reporter": pl.String,
    "period": pl.String,
    "breakdown": pl.String,
    "value": pl.Float64,
    "unit": pl.String,
    "note": pl.String,
}


@dataclass
class Validated:
    """The outcome for one file: observations to load, or the problems that reject it."""

    observations: pl.DataFrame | None
    problems: list[Problem] = field(default_factory=list)
    problem_count: int = 0
    info: list[tuple[str, dict]] = field(default_factory=list)
    rows_read: int = 0

    @property
    def ok(self) -> bool:
        return self.problem_count == 0 and self.observations is not None


class _Collector:
    """Keeps, for each rule, the problems of its earliest rows (so the report's first rows are
    the file's first problems, whichever rules found them) and counts them all."""

    def __init__(self) -> None:
        self.items: list[Problem] = []
        self.count = 0
        self._kept: dict[str, int] = {}

    def add(self, problem: Problem) -> None:
        """Problems of one code arrive in row order: the first MAX_REPORTED of each are enough."""
        self.count += 1
        kept = self._kept.get(problem.code, 0)
        if kept < MAX_REPORTED:
            self.items.append(problem)
            self._kept[problem.code] = kept + 1

    def add_rows(self, frame: pl.DataFrame, code: str, column: str | None, value_col: str | None, params=None) -> None:
        """One problem per row of `frame`; `params` may be a function of the row dict."""
        self.count += frame.height
        earliest = frame.bottom_k(MAX_REPORTED, by="row_number").sort("row_number") if frame.height > MAX_REPORTED else frame
        for rec in earliest.iter_rows(named=True):
            extra = params(rec) if callable(params) else (params or {})
            value = rec.get(value_col) if value_col else None
            self.items.append(Problem(code, row=rec["row_number"], column=column, value=value, params=extra))

    def sorted(self) -> list[Problem]:
        return sorted(self.items, key=lambda p: (p.row or 0, p.column or ""))[:MAX_REPORTED]


def _suggest(value: str, known: list[str]) -> list[str]:
    upper = value.upper()
    return difflib.get_close_matches(upper, known, n=3, cutoff=0.5)


def _clean(expr: pl.Expr) -> pl.Expr:
    return (
        expr.str.normalize("NFC")
        .str.replace_all("[\u00a0\u202f\u2007]", " ")
        .str.strip_chars()
    )


# Control characters JSON must escape besides \n, \r and \t (e.g. Word's line break \x0b pasted into Excel).
RARE_CONTROLS = "[\x00-\x08\x0b\x0c\x0e-\x1f]"
# Every character json.dumps(ensure_ascii=False) escapes: a file whose breakdown values hold none
# (nearly every file) skips the escaping passes.
JSON_ESCAPED = r'[\x00-\x1f"\\]'


def _json_text(expr: pl.Expr, rare_controls: bool = False) -> pl.Expr:
    """A string as a JSON string literal, exactly as json.dumps(ensure_ascii=False) writes it."""
    pairs = [("\\", "\\\\"), ('"', '\\"'), ("\n", "\\n"), ("\r", "\\r"), ("\t", "\\t")]
    if rare_controls:  # one pass per character: only paid when a file holds one
        pairs += [(chr(c), json.dumps(chr(c))[1:-1]) for c in range(32) if chr(c) not in "\n\r\t"]
    escaped = expr
    for raw, esc in pairs:
        escaped = escaped.str.replace_all(raw, esc, literal=True)
    return pl.lit('"') + escaped + pl.lit('"')


def breakdown_expr(dims: list[str], prefix: str = "", rare_controls: bool = False, plain: bool = False) -> pl.Expr:
    """Canonical key of the breakdown: JSON object of the non-blank dimensions, sorted by name.

    `prefix` is what the frame's column names carry before the dimension's name; pass
    `rare_controls` when some value holds a character matching RARE_CONTROLS, and `plain`
    only when no value holds a character matching JSON_ESCAPED (then nothing needs escaping).
    """
    if not dims:
        return pl.lit("{}")

    def quoted(d: str) -> pl.Expr:
        col = pl.col(prefix + d)
        return pl.lit('"') + col + pl.lit('"') if plain else _json_text(col, rare_controls)

    parts = [
        pl.when(pl.col(prefix + d) != "").then(pl.lit(json.dumps(d, ensure_ascii=False) + ":") + quoted(d))
        for d in sorted(dims)
    ]
    return pl.lit("{") + pl.concat_str(parts, separator=",", ignore_nulls=True) + pl.lit("}")


# Breakdown columns carry this prefix in the frame, so a file's column named `row_number`,
# `_value` or `_kind` can never collide with (or impersonate) the validator's own columns.
DIM = "dim:"


def per_value(frame: pl.DataFrame, column: str, expr: pl.Expr) -> pl.Expr:
    """`expr` (a function of `column` alone) evaluated once per distinct value and mapped back:
    a file repeats its codes, periods, units and notes on row after row (a 1M-row file holds a
    few hundred distinct periods), so the string work shrinks by orders of magnitude."""
    distinct = frame.select(pl.col(column).unique())
    if distinct.height > frame.height // 4:
        return expr.alias(column)
    mapped = distinct.select(pl.col(column), expr.alias("_new"))
    return pl.col(column).replace_strict(mapped[column], mapped["_new"]).alias(column)


def _frame_name(column: str) -> str:
    return column if column in REQUIRED or column in OPTIONAL else DIM + column


def frame_from_table(table: Table) -> pl.DataFrame:
    """The table's named columns under their canonical names (breakdowns prefixed with DIM), plus the row number."""
    position: dict[str, int] = {}
    for i, c in enumerate(table.columns):
        if c:
            position[_frame_name(c)] = i  # a repeated name keeps its first place and its last column
    return table.frame.select(pl.col("row_number"), *(pl.col(f"c{i}").alias(name) for name, i in position.items()))


def validate(table: Table, catalog: Catalog, today: date) -> Validated:
    """Apply every row-level and file-level rule; never raises on bad content."""
    out = Validated(observations=None, rows_read=table.height)
    if table.skipped_title:
        out.info.append(("skipped_title", {"count": len(table.skipped_title), "rows": _rows_text(table.skipped_title)}))
    if table.skipped_footer:
        out.info.append(("skipped_footer", {"count": len(table.skipped_footer), "rows": _rows_text(table.skipped_footer)}))
    found = _Collector()
    for p in table.problems:
        found.add(p)
    if any(p.code in ("missing_columns", "duplicate_column", "unterminated_quote", "stray_line_break") for p in table.problems):
        return _finish(out, found)
    if not table.height:  # no row to judge: only the structure's problems, or "no data at all"
        if found.count == 0:
            found.add(Problem("header_only", row=table.header_row))
        return _finish(out, found)

    frame = frame_from_table(table)
    present = set(frame.columns)
    dims = [c.removeprefix(DIM) for c in frame.columns if c.startswith(DIM)]
    # NFC and the space folding change only non-ASCII text: a column without any (most of a file) is only trimmed.
    text_cols = [c for c in frame.columns if c != "row_number"]
    # A column is rewritten only when something changes: a copy of every column of a large file
    # doubles its memory.
    ascii_only = frame.select((pl.col(c).str.len_bytes() == pl.col(c).str.len_chars()).all() for c in text_cols).row(0)
    plain = [c for c, ascii in zip(text_cols, ascii_only) if ascii]
    padded = frame.select(pl.col(c).str.contains(r"^\s|\s$").any() for c in plain).row(0) if plain else ()
    frame = frame.with_columns(
        *(pl.col(c).str.strip_chars() for c, pad in zip(plain, padded) if pad),
        *(per_value(frame, c, _clean(pl.col(c))) for c in text_cols if c not in plain),
    )
    for col in OPTIONAL:
        if col not in present:
            frame = frame.with_columns(pl.lit("").alias(col))

    # Codes: indicator and reporter must be in the catalog.
    ind = catalog.indicators
    codes = list(ind)

    def attribute(values: list[str], name: str) -> pl.Expr:  # a mapped column, not a join: no copy of the frame
        return pl.col("indicator").replace_strict(codes, values, default=None, return_dtype=pl.String).alias(name)

    catalog_unit = attribute([i.unit for i in ind.values()], "_unit")
    frame = frame.with_columns(attribute([i.kind for i in ind.values()], "_kind"), catalog_unit)
    unknown = frame.filter(pl.col("_kind").is_null())
    hints = {v: _suggest(v, list(ind)) for v in unknown["indicator"].unique().to_list()}
    found.add_rows(
        unknown.filter(pl.col("indicator") != ""), "unknown_indicator", "indicator", "indicator",
        lambda r: {"suggestions": hints.get(r["indicator"], [])},
    )
    found.add_rows(unknown.filter(pl.col("indicator") == ""), "unknown_indicator", "indicator", "indicator")
    reporters = list(catalog.reporters)
    bad_rep = frame.filter(~pl.col("reporter").is_in(reporters))
    rep_hints = {v: _suggest(v, reporters) for v in bad_rep["reporter"].unique().to_list()}
    found.add_rows(bad_rep, "unknown_reporter", "reporter", "reporter", lambda r: {"suggestions": rep_hints.get(r["reporter"], [])})

    # Periods: one of the contract's spellings, begun already, and a year for annual indicators.
    spellings = frame["period"].unique().to_list()
    canonical = {s: parse_period(s) for s in spellings}
    frame = frame.with_columns(
        pl.col("period").replace_strict(canonical, default=None, return_dtype=pl.String).alias("_period")
    )
    found.add_rows(frame.filter(pl.col("_period").is_null()), "bad_period", "period", "period")
    future = {s for s, p in canonical.items() if p is not None and period_start(p) > today}
    found.add_rows(
        frame.filter(pl.col("period").is_in(list(future))), "future_period", "period", "period",
        {"today": today.strftime("%d/%m/%Y")},
    )
    annual = [code for code, i in ind.items() if i.frequency == "annual"]
    quarterly = frame.filter(pl.col("_period").str.contains("-Q") & pl.col("indicator").is_in(annual))
    found.add_rows(quarterly, "quarter_for_annual", "period", "period", lambda r: {"indicator": r["indicator"]})

    # Values: the file's number convention first, then each row's kind rules.
    # Lazy, so that the shared sub-expressions (the value's cleaned body) are computed once.
    values = frame.lazy().select(pl.col("value").unique()).with_columns(numbers.shape_columns(pl.col("value"))).collect()
    found.add_rows(frame.filter(pl.col("value") == ""), "blank_value", "value", None)
    # Votes per distinct (value, count or not) pair, in the order the file first shows them: a
    # vote column over every row (nested when/then on strings) cost 1.5 GB for 5M rows.
    pairs = (
        frame.lazy().filter(pl.col("_kind").is_not_null())
        .group_by("value", (pl.col("_kind") == "count").alias("_count"))
        .agg(pl.col("row_number").min().alias("_first"))
        .join(values.lazy().select("value", "_shape"), on="value")
        .with_columns(numbers.vote_expr(pl.col("_shape"), pl.col("_count")))
        .sort("_first")
        .collect()
    )
    convention = numbers.decide(pairs)
    if convention.decimal is None:
        found.add(Problem(convention.problem or "ambiguous_numbers", column="value", params=convention.params or {}))
        return _finish(out, found)
    out.info.append(("number_convention", {"decimal": "." if convention.decimal == numbers.DOT else ","}))
    values = values.with_columns(numbers.parse_expr(convention.decimal).alias("_value"))
    frame = frame.with_columns(
        pl.col("value").replace_strict(values["value"], values["_value"], return_dtype=pl.Float64).alias("_value"),
        pl.col("value").replace_strict(values["value"], values["_pct"], return_dtype=pl.Boolean).alias("_pct"),
    )
    not_number = (pl.col("value") != "") & (  # 400 digits parse as inf: not a number either
        pl.col("_value").is_null() | ~pl.col("_value").is_finite() | (pl.col("_pct") & (pl.col("_kind") != "percent"))
    )
    found.add_rows(frame.filter(not_number), "not_a_number", "value", "value")
    valued = ~not_number & pl.col("_value").is_not_null()  # a mask, not a filtered copy of the frame
    is_count = pl.col("_kind") == "count"
    found.add_rows(frame.filter(valued & is_count & (pl.col("_value") < 0)), "negative_count", "value", "value",
                   lambda r: {"indicator": r["indicator"]})
    found.add_rows(frame.filter(valued & is_count & (pl.col("_value") >= 0) & (pl.col("_value") != pl.col("_value").round(0))),
                   "not_whole", "value", "value", lambda r: {"indicator": r["indicator"]})
    found.add_rows(frame.filter(valued & (pl.col("_kind") == "percent") & ((pl.col("_value") < 0) | (pl.col("_value") > 100))),
                   "percent_range", "value", "value", lambda r: {"indicator": r["indicator"]})
    frame = frame.drop("_pct", "_kind")

    # Unit: optional, but when given it must be the catalog's (English or Vietnamese spelling).
    unit_lc = pl.col("unit").str.to_lowercase()
    unit_vi = attribute([i.unit_vi for i in ind.values()], "_unit_vi")
    mismatch = (
        (pl.col("unit") != "") & pl.col("_unit").is_not_null()
        & (unit_lc != pl.col("_unit").str.to_lowercase()) & (unit_lc != unit_vi.str.to_lowercase())
    )
    # Judged first per indicator and distinct unit (a few dozen pairs), the rows only if one is wrong.
    used_units = frame.lazy().group_by("indicator").agg(pl.col("unit").unique()).explode("unit")
    if used_units.with_columns(catalog_unit).select(mismatch.any()).collect().item():
        found.add_rows(frame.filter(mismatch), "unit_mismatch", "unit", "unit",
                       lambda r: {"expected": r["_unit"], "indicator": r["indicator"]})

    # Restricted breakdown dimensions.
    for dim in dims:
        allowed = catalog.allowed_values(dim)
        if allowed is None:
            continue
        bad = frame.filter((pl.col(DIM + dim) != "") & ~pl.col(DIM + dim).is_in(list(allowed)))
        found.add_rows(bad, "restricted_value", dim, DIM + dim, {"dimension": dim, "allowed": ", ".join(allowed)})

    # Keys must be unique within the file. The breakdown key is built once per distinct
    # combination of breakdown values, which also gives each row a small integer to compare.
    if dims:
        dim_cols = [DIM + d for d in dims]
        combos = frame.select(dim_cols).unique().with_row_index("_combo")

        def any_dim_value(pattern: str) -> bool:
            return combos.select(pl.any_horizontal([pl.col(c).str.contains(pattern) for c in dim_cols]).any()).item()

        escaped = any_dim_value(JSON_ESCAPED)
        rare = escaped and any_dim_value(RARE_CONTROLS)
        combos = combos.with_columns(breakdown_expr(dims, DIM, rare_controls=rare, plain=not escaped).alias("_breakdown"))
        keys = frame.select(dim_cols).join(combos, on=dim_cols, how="left", maintain_order="left")
        frame = frame.with_columns(keys["_combo"], keys["_breakdown"])
        del keys
    else:
        frame = frame.with_columns(_breakdown=pl.lit("{}"), _combo=pl.lit(0, dtype=pl.UInt32))
    key = ["indicator", "reporter", "_period", "_combo"]
    keyed = frame.filter(pl.col("_period").is_not_null()) if frame["_period"].has_nulls() else frame
    if keyed.select(pl.struct(key).is_duplicated().any()).item():  # pair rows with their first only when a key repeats
        first_row = keyed.group_by(key).agg(pl.col("row_number").min().alias("_first"))
        dupes = keyed.join(first_row, on=key).filter(pl.col("row_number") != pl.col("_first"))
        found.add_rows(dupes, "duplicate_key", None, None, lambda r: {"other_row": r["_first"]})

    if found.count:
        return _finish(out, found)
    out.observations = frame.select(
        pl.col("row_number"),
        pl.col("indicator"),
        pl.col("reporter"),
        pl.col("_period").alias("period"),
        pl.col("_breakdown").alias("breakdown"),
        pl.col("_value").alias("value"),
        pl.col("_unit").alias("unit"),
        pl.when(pl.col("note") == "").then(None).otherwise(pl.col("note")).alias("note"),
    ).cast(OBS_SCHEMA)  # type: ignore[arg-type]
    return out


def _finish(out: Validated, found: _Collector) -> Validated:
    out.problems = found.sorted()
    out.problem_count = found.count
    return out


def _rows_text(rows: list[int]) -> str:
    return ", ".join(str(r) for r in rows[:10]) + (" …" if len(rows) > 10 else "")
