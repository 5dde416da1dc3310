"""Table to validated observations: every rule of the data contract, vectorised in Polars.

Pure: no files, no database. Returns either the normalised rows ready to load or every
problem found (capped for display, all counted), so a file is always judged whole, even when
its rows arrive in chunks.
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass, field
from datetime import date

import polars as pl

from pipelines.catalog import Catalog
from pipelines.formulas import restore_expr, restore_needed_expr
from pipelines.intake import numbers
from pipelines.intake.limits import Budget, OverLimit, default_budget, kb
from pipelines.intake.coded import Coded
from pipelines.intake.header import OPTIONAL, REQUIRED
from pipelines.intake.nfc import MAY_CHANGE_UNDER_NFC
from pipelines.intake.staged import KeyShape, StagedRows
from pipelines.intake.table import Rows
from pipelines.periods import parse_period, period_start
from pipelines.problems import MAX_REPORTED, Problem

# What each chunk's rows keep for the file-level rules and the load, as categoricals (Arrow
# dictionaries for DuckDB): a 5M-row file's rows then take a few hundred megabytes. The breakdown
# dimensions are kept too, and the key is built from them at the end. A note or a dimension whose
# values hardly repeat is kept as text instead (`_RowRules.note_as_text`, `dim_dtypes`).
STAGED_CATEGORICAL = ("indicator", "reporter", "_period", "_unit", "value", "note")
# The columns judged by their distinct values (see `_RowRules.check`): the note only when its
# values repeat, and breakdowns too when theirs do.
CODED_COLUMNS = ("indicator", "reporter", "period", "value", "unit", "note")


@dataclass
class Validated:
    """The outcome for one file: the rows to load (`staged`), or the problems that reject it."""

    staged: StagedRows | None
    problems: list[Problem] = field(default_factory=list)
    problem_count: int = 0
    info: list[tuple[str, dict]] = field(default_factory=list)
    rows_read: int = 0

    @property
    def ok(self) -> bool:
        return self.problem_count == 0 and self.staged is not None

    @property
    def observations(self) -> pl.DataFrame | None:
        """The rows to load with their breakdown keys built in Polars, each time it is asked
        for: the keys of a wide file take hundreds of megabytes, so the load reads `staged`."""
        return None if self.staged is None else self.staged.keyed()


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


# Spaces folded to a plain one before trimming (Excel and Word put them in numbers and names).
ODD_SPACES = "[\u00a0\u202f\u2007]"


def _clean(expr: pl.Expr) -> pl.Expr:
    return (
        expr.str.normalize("NFC")
        .str.replace_all(ODD_SPACES, " ")
        .str.strip_chars()
    )


def _cleaned(values: pl.Series, free_text: bool) -> pl.Series:
    """`values` (a column's distinct values) cleaned as `_cleaned_columns` cleans a column;
    `values` itself when nothing changes."""
    cleaned, rewritten = _cleaned_columns(values.to_frame(), [values.name], free_text)
    return cleaned[values.name] if rewritten else values


# Columns judged at once by `_cleaned_columns`: a few strings of a chunk's text held at a time,
# and few Polars calls for a file of thousands of columns.
JOINED_COLUMNS = 16


def _cleaned_columns(frame: pl.DataFrame, columns: list[str], free_text: bool = True) -> tuple[dict[str, pl.Series], set[str]]:
    """Each of `frame`'s `columns` in NFC, odd spaces folded, trimmed, and (`free_text`) what
    `kpi export` kept from running as a formula ('=SUM(A1)) given back as it was; and the
    columns that were rewritten (the others are `frame`'s own).

    What a column needs is found first (a rewritten column is a copy): NFC only for text holding
    a character NFC may change (see nfc.py), the odd spaces folded only where there are some, a
    trim where some cell starts or ends with a space. ASCII text can need only the trim; the two
    patterns are looked for in the cells joined into one string (one scan instead of a regex call
    per cell; the NUL between cells matches neither). JOINED_COLUMNS columns are judged in each
    Polars call."""
    out: dict[str, pl.Series] = {}
    rewritten: set[str] = set()
    for at in range(0, len(columns), JOINED_COLUMNS):
        group = columns[at: at + JOINED_COLUMNS]
        flags = frame.select(
            pl.concat_list(
                (pl.col(c).str.len_bytes() == pl.col(c).str.len_chars()).all(),
                (pl.col(c).str.len_bytes() != pl.col(c).str.strip_chars().str.len_bytes()).any(),
                pl.col(c).str.starts_with("'").any() if free_text else pl.lit(False),
            ).alias(str(i))
            for i, c in enumerate(group)
        ).row(0)
        other = [c for c, (ascii, _, _) in zip(group, flags) if not ascii]
        needs = frame.select(
            pl.concat_list(
                pl.col(c).str.join("\x00").str.contains(MAY_CHANGE_UNDER_NFC),
                pl.col(c).str.join("\x00").str.contains(ODD_SPACES),
            ).alias(str(i))
            for i, c in enumerate(other)
        ).row(0) if other else ()
        needs_by_column = dict(zip(other, needs))
        cleaned, restore = [], []
        for c, (_, padded, apostrophe) in zip(group, flags):
            nfc, odd = needs_by_column.get(c, (False, False))
            if nfc:
                cleaned.append(per_value(frame, c, _clean(pl.col(c))))
            elif odd:
                cleaned.append(per_value(frame, c, pl.col(c).str.replace_all(ODD_SPACES, " ").str.strip_chars()))
            elif padded:
                cleaned.append(pl.col(c).str.strip_chars())
            if free_text and (apostrophe or nfc or odd or padded):  # judged exactly below
                restore.append(c)
        part = frame.select(group).with_columns(cleaned) if cleaned else frame.select(group)
        prefixed = part.select(restore_needed_expr(pl.col(c)).any() for c in restore).row(0) if restore else ()
        restored = [c for c, needed in zip(restore, prefixed) if needed]
        if restored:
            part = part.with_columns(restore_expr(pl.col(c)).alias(c) for c in restored)
        changed = {*restored, *(c for c, (_, padded, _) in zip(group, flags) if padded or needs_by_column.get(c, (False, False)) != (False, False))}
        out.update((c, part[c] if c in changed else frame[c]) for c in group)
        rewritten |= changed
    return out, rewritten


class _RowsAtFault:
    """A chunk's rows as cleaned text, with each row's indicator kind and unit and its canonical
    period: what the rules' row filters read, built only once some distinct value failed a rule."""

    def __init__(self, row_number: pl.Series, coded: dict[str, Coded], clean: dict[str, pl.Series],
                 texts: dict[str, pl.Series], kinds: pl.Series, units: pl.Series, periods: pl.Series) -> None:
        self.parts = (row_number, coded, clean, texts, kinds, units, periods)
        self._frame: pl.DataFrame | None = None

    def frame(self) -> pl.DataFrame:
        if self._frame is None:
            row_number, coded, clean, texts, kinds, units, periods = self.parts
            indicator = coded["indicator"]
            self._frame = pl.DataFrame([
                row_number,
                *(column.per_row(clean[c]).alias(c) for c, column in coded.items()),
                *texts.values(),
                indicator.per_row(kinds).alias("_kind"),
                indicator.per_row(units).alias("_unit"),
                coded["period"].per_row(periods).alias("_period"),
            ])
        return self._frame


# Control characters JSON must escape besides \n, \r and \t (e.g. Word's line break \x0b pasted into Excel).
RARE_CONTROLS = "[\x00-\x08\x0b\x0c\x0e-\x1f]"
# Every character json.dumps(ensure_ascii=False) escapes: a file whose breakdown values hold none
# (nearly every file) skips the escaping passes.
JSON_ESCAPED = r'[\x00-\x1f"\\]'
# The same as lists of characters, for `str.contains_any` (Aho-Corasick: four times the speed of
# the regex's character class on a column of distinct notes or breakdown values).
JSON_ESCAPED_CHARS = ['"', "\\", *map(chr, range(32))]
RARE_CONTROL_CHARS = [chr(c) for c in range(32) if chr(c) not in "\n\r\t"]


def _json_text(expr: pl.Expr, rare_controls: bool = False) -> pl.Expr:
    """A string as a JSON string literal, exactly as json.dumps(ensure_ascii=False) writes it."""
    pairs = [("\\", "\\\\"), ('"', '\\"'), ("\n", "\\n"), ("\r", "\\r"), ("\t", "\\t")]
    if rare_controls:  # one pass per character: only paid when a file holds one
        pairs += [(chr(c), json.dumps(chr(c))[1:-1]) for c in range(32) if chr(c) not in "\n\r\t"]
    escaped = expr
    for raw, esc in pairs:
        escaped = escaped.str.replace_all(raw, esc, literal=True)
    return pl.lit('"') + escaped + pl.lit('"')


def breakdown_expr(dims: list[str], prefix: str = "", rare_controls: bool = False, plain: bool = False,
                   filled: bool = False) -> pl.Expr:
    """Canonical key of the breakdown: JSON object of the non-blank dimensions, sorted by name.

    `prefix` is what the frame's column names carry before the dimension's name; pass
    `rare_controls` when some value holds a character matching RARE_CONTROLS, and `plain`
    only when no value holds a character matching JSON_ESCAPED (then nothing needs escaping);
    `filled` only when no value is blank (then, if plain too, each key is one concatenation:
    half the time of one string per pair).
    """
    if not dims:
        return pl.lit("{}")
    if plain and filled:
        pieces: list[pl.Expr] = []
        for i, d in enumerate(sorted(dims)):
            pieces += [pl.lit(("{" if i == 0 else ",") + json.dumps(d, ensure_ascii=False) + ':"'), pl.col(prefix + d), pl.lit('"')]
        return pl.concat_str([*pieces, pl.lit("}")])

    def pair(d: str) -> pl.Expr:
        col, name = pl.col(prefix + d), json.dumps(d, ensure_ascii=False) + ":"
        if plain:  # one string built per cell, not one per `+`
            return pl.concat_str([pl.lit(name + '"'), col, pl.lit('"')])
        return pl.lit(name) + _json_text(col, rare_controls)

    parts = [pl.when(pl.col(prefix + d) != "").then(pair(d)) for d in sorted(dims)]
    return pl.lit("{") + pl.concat_str(parts, separator=",", ignore_nulls=True) + pl.lit("}")


# Breakdown columns carry this prefix in the frame, so a file's column named `row_number`,
# `_value` or `_kind` can never collide with (or impersonate) the validator's own columns.
DIM = "dim:"


def per_value(frame: pl.DataFrame, column: str, expr: pl.Expr) -> pl.Expr:
    """`expr` (a function of `column` alone) evaluated once per distinct value and mapped back:
    a file repeats its codes, periods, units and notes on row after row (a 1M-row file holds a
    few hundred distinct periods), so the string work shrinks by orders of magnitude."""
    # A HyperLogLog estimate first: the exact distinct values of a column that hardly repeats
    # (a note on every row) cost a hash table as large as the column, for nothing.
    if _mostly_distinct(frame, [column])[0]:
        return expr.alias(column)
    distinct = frame.select(pl.col(column).unique())
    if distinct.height > frame.height // 4:
        return expr.alias(column)
    mapped = distinct.select(pl.col(column), expr.alias("_new"))
    return pl.col(column).replace_strict(mapped[column], mapped["_new"]).alias(column)


def _frame_name(column: str) -> str:
    return column if column in REQUIRED or column in OPTIONAL else DIM + column


def _named(cells: pl.DataFrame, columns: list[str]) -> pl.DataFrame:
    """The cells' named columns under their canonical names (breakdowns prefixed with DIM), plus the row number."""
    position: dict[str, int] = {}
    for i, c in enumerate(columns):
        if c:
            position[_frame_name(c)] = i  # a repeated name keeps its first place and its last column
    return cells.select(pl.col("row_number"), *(pl.col(f"c{i}").alias(name) for name, i in position.items()))


STRUCTURE_PROBLEMS = ("missing_columns", "duplicate_column", "unterminated_quote", "stray_line_break",
                      "too_many_columns", "too_many_cells", "too_many_rows", "cell_too_large", "time_limit")


def oversized_cells(chunk: pl.DataFrame, columns: list[str], max_bytes: int, nfc_pending: bool = False) -> list[Problem]:
    """A problem per cell (in row order, the first MAX_REPORTED) over the bytes-per-cell limit.

    `nfc_pending`: the cells are Windows-1258 text not yet in NFC (LinesTable.nfc_pending), and
    a cell's size is its NFC's, as when the whole text was normalised first. NFC adds at most a
    byte per two-byte combining mark to such text (tests/intake/test_windows_1258_fast.py), so
    only a cell over half the limit as it is can be over it in NFC: only those are normalised.
    """
    cells = [c for c in chunk.columns if c != "row_number"]
    if not cells:
        return []
    candidate = max_bytes // 2 if nfc_pending else max_bytes
    longest = chunk.select(pl.col(c).str.len_bytes().max() for c in cells).row(0)
    over = [(i, c) for i, (c, n) in enumerate(zip(cells, longest)) if n is not None and n > candidate]
    problems: list[Problem] = []
    for i, c in over:
        size = (pl.col(c).str.normalize("NFC") if nfc_pending else pl.col(c)).str.len_bytes()
        rows = (chunk.filter(pl.col(c).str.len_bytes() > candidate).select("row_number", size.alias("n"))
                .filter(pl.col("n") > max_bytes).head(MAX_REPORTED))
        name = columns[i] if i < len(columns) and columns[i] else str(i + 1)
        problems += [Problem("cell_too_large", row=r, column=name, params={"size_kb": kb(n), "limit_kb": kb(max_bytes)})
                     for r, n in rows.iter_rows()]
    return sorted(problems, key=lambda p: (p.row or 0, p.column or ""))[:MAX_REPORTED]


def validate(table: Rows, catalog: Catalog, today: date, budget: Budget | None = None) -> Validated:
    """Apply every row-level and file-level rule; never raises on bad content.

    Row-level rules run on each chunk of rows as it is read, which keeps of it only the columns
    the file-level rules and the load need (codes as categoricals: a few bytes a row). The
    file-level rules (the number convention, which needs every value; duplicate keys) and the
    value rules that depend on the convention run on those columns once the last chunk is in.
    A LinesTable may raise Irregular from its chunks (the caller then reads the file exactly), a
    RecordsTable BrokenText (the caller then judges the file by that problem alone).
    """
    out = Validated(staged=None)
    found = _Collector()
    for p in table.problems:
        found.add(p)
    header_problems = len(table.problems)
    structure_broken = any(p.code in STRUCTURE_PROBLEMS for p in table.problems)
    rules = None if structure_broken else _RowRules(table.columns, catalog, today)
    budget = budget or default_budget()
    staged: list[pl.DataFrame] = []
    for chunk in table.chunks():
        budget.check_time()
        # Before any rule: a 50 MB note would otherwise be normalised, stored and shown.
        too_large = oversized_cells(chunk, table.columns, budget.limits.max_cell_bytes, getattr(table, "nfc_pending", False))
        if too_large:
            raise OverLimit(too_large)
        out.rows_read += chunk.height
        if rules is not None and chunk.height:
            staged.append(rules.check(chunk, found))
        del chunk
    for p in table.problems[header_problems:]:  # found while the rows were read (unnamed columns)
        found.add(p)
    if table.skipped_title:
        out.info.append(("skipped_title", {"count": len(table.skipped_title), "rows": _rows_text(table.skipped_title)}))
    if table.skipped_footer:
        out.info.append(("skipped_footer", {"count": len(table.skipped_footer), "rows": _rows_text(table.skipped_footer)}))
    if rules is None:
        return _finish(out, found)
    if not out.rows_read:  # no row to judge: only the structure's problems, or "no data at all"
        if found.count == 0:
            found.add(Problem("header_only", row=table.header_row))
        return _finish(out, found)
    frame = pl.concat(staged, rechunk=False) if len(staged) > 1 else staged[0]
    del staged
    budget.check_time()
    out.staged = _file_rules(frame, found, out, rules)
    return _finish(out, found) if found.count else out


class _RowRules:
    """The rules each row is judged by alone, applied chunk by chunk; what they need from the
    catalog is prepared once per file, and the Python work (suggestions, period spellings) is
    remembered across chunks."""

    def __init__(self, columns: list[str], catalog: Catalog, today: date) -> None:
        self.columns = columns
        self.catalog = catalog
        self.today = today
        self.dims = [c for c in dict.fromkeys(columns) if c and _frame_name(c).startswith(DIM)]
        self.present = {_frame_name(c) for c in columns if c}
        ind = catalog.indicators
        self.codes = list(ind)
        self.kinds = pl.Enum(sorted({i.kind for i in ind.values()}))
        self.annual = [code for code, i in ind.items() if i.frequency == "annual"]
        self.reporters = list(catalog.reporters)
        # Categories of this file's own, one set per column: each column's codes are then small
        # integers counted from 0 (a lookup index for values, a compact key for duplicates).
        self.categorical = {c: pl.Categorical(pl.Categories.random()) for c in (*STAGED_CATEGORICAL, "_breakdown")}
        self.dim_categorical = {DIM + d: pl.Categorical(pl.Categories.random()) for d in self.dims}
        # The file's period and unit columns are not staged, only judged: categories of their own.
        self.file_categorical = {c: pl.Categorical(pl.Categories.random()) for c in ("period", "unit")}
        # How each breakdown dimension is kept (decided on the first chunk, so that every chunk's
        # column has the same type): as category codes when its values repeat, as text when they
        # hardly do (categories of a million distinct values cost more than the text itself).
        self.dim_dtypes: dict[str, pl.DataType] | None = None
        # Likewise the note (decided on the first chunk): as text when it hardly repeats (a note
        # on every row, each its own), as category codes otherwise.
        self.note_as_text: bool | None = None
        self.hints: dict[tuple[str, int], list[str]] = {}
        self.periods: dict[str, str | None] = {}

    def attribute(self, values: list, name: str, dtype: pl.DataType = pl.String) -> pl.Expr:
        """A catalog attribute of each row's indicator: a mapped column, not a join (no copy of the frame)."""
        return pl.col("indicator").replace_strict(self.codes, values, default=None, return_dtype=dtype).alias(name)

    def _suggest(self, value: str, known: list[str]) -> list[str]:
        """Close matches of a wrong code, worked out once per file for each list it was checked against."""
        key = (value, id(known))
        if key not in self.hints:
            self.hints[key] = _suggest(value, known)
        return self.hints[key]

    def check(self, chunk: pl.DataFrame, found: _Collector) -> pl.DataFrame:
        """Judge one chunk's rows; return them as the columns the file-level rules need.

        Every column whose values repeat is cast to its categorical first (the staged rows keep
        it so: STAGED_CATEGORICAL) and judged on its distinct values (`Coded`): cleaning, catalog
        lookups and each rule's test cost nothing per row, and only a rule that some value fails
        looks at the rows (`_RowsAtFault`), with the same filters as always. A breakdown column
        whose values hardly repeat is cleaned and judged row by row, as text; so is the note.
        """
        frame = _named(chunk, self.columns)
        for col in OPTIONAL:
            if col not in self.present:
                frame = frame.with_columns(pl.lit("").alias(col))
        dim_cols = list(self.dim_categorical)
        if self.dim_dtypes is None:  # how each dimension is kept is decided on the first chunk
            raw_distinct = dict(zip(dim_cols, _mostly_distinct(frame, dim_cols)))
            # Past KEY_CODE_COLUMNS dimensions (a file of thousands of columns, a few rows) every
            # one is judged as text, a few columns to each Polars call (`_cleaned_columns`).
            as_text = {c for c in dim_cols if raw_distinct[c] or len(dim_cols) > KEY_CODE_COLUMNS}
        else:
            as_text = {c for c, dtype in self.dim_dtypes.items() if dtype == pl.String}
        if self.note_as_text is None:
            self.note_as_text = _mostly_distinct(frame, ["note"])[0]
        categories = {**self.categorical, **self.file_categorical, **self.dim_categorical}
        coded_columns = [c for c in CODED_COLUMNS if c != "note" or not self.note_as_text]
        names = [*coded_columns, *(c for c in dim_cols if c not in as_text)]
        cast = frame.select(pl.col(c).cast(categories[c]) for c in names)
        coded = {c: Coded(cast[c]) for c in names}
        del cast
        free_text = {"note", *dim_cols}
        clean = {c: _cleaned(coded[c].values, c in free_text) for c in names}
        changed = {c for c in names if clean[c] is not coded[c].values and not clean[c].equals(coded[c].values)}
        texts, rewritten = _cleaned_columns(frame, [*(c for c in dim_cols if c in as_text), *(["note"] if self.note_as_text else [])])

        indicators = self.catalog.indicators.values()
        kinds = self.catalog_values(clean["indicator"], [i.kind for i in indicators], self.kinds)
        units = self.catalog_values(clean["indicator"], [i.unit for i in indicators])
        periods = self._canonical(clean["period"])
        at_fault = _RowsAtFault(frame["row_number"], coded, clean, texts, kinds, units, periods)
        if kinds.is_null().any() or (~clean["reporter"].is_in(self.reporters)).any():
            self._report_codes(at_fault.frame(), found)
        future = [s for s, p in zip(clean["period"].to_list(), periods.to_list()) if p is not None and period_start(p) > self.today]
        quarterly, annual = periods.str.contains("-Q"), clean["indicator"].is_in(self.annual)
        if (periods.is_null().any() or bool(future) or (clean["value"] == "").any()
                or (quarterly.any() and annual.any()
                    and (coded["period"].per_row(quarterly) & coded["indicator"].per_row(annual)).any())):
            self._report_periods(at_fault.frame(), future, found)
        if self._units_may_mismatch(coded, clean):
            self._report_units(at_fault.frame(), found)
        for dim in self.dims:
            allowed = self.catalog.allowed_values(dim)
            if allowed is None:
                continue
            values = texts[DIM + dim] if DIM + dim in texts else clean[DIM + dim]
            if ((values != "") & ~values.is_in(list(allowed))).any():
                self._report_restricted(at_fault.frame(), dim, allowed, found)
        del at_fault

        if self.dim_dtypes is None:
            redo = [c for c in dim_cols if c in changed or c in rewritten]
            cleaned = pl.DataFrame([texts[c] if c in texts else coded[c].per_row(clean[c]).alias(c) for c in redo])
            raw_distinct.update(zip(redo, _mostly_distinct(cleaned, redo)))
            self.dim_dtypes = {c: pl.String() if raw_distinct[c] else dtype for c, dtype in self.dim_categorical.items()}
        return pl.DataFrame([
            frame["row_number"],
            coded["indicator"].per_row(kinds).alias("_kind"),
            self._staged(coded["indicator"], clean["indicator"], "indicator" in changed),
            self._staged(coded["reporter"], clean["reporter"], "reporter" in changed),
            coded["period"].per_row(periods.cast(self.categorical["_period"])).alias("_period"),
            coded["indicator"].per_row(units.cast(self.categorical["_unit"])).alias("_unit"),
            self._staged(coded["value"], clean["value"], "value" in changed),
            self._staged(coded["note"], clean["note"], "note" in changed, blank_as_null=True) if "note" in coded
            else texts["note"].to_frame().select(pl.when(pl.col("note") != "").then(pl.col("note"))).to_series(),
            *self._staged_dims(coded, clean, changed, texts),
        ])

    def catalog_values(self, indicators: pl.Series, values: list, dtype: pl.DataType = pl.String) -> pl.Series:
        """A catalog attribute of each (distinct) indicator: null for a code not in the catalog."""
        return indicators.replace_strict(self.codes, values, default=None, return_dtype=dtype)

    def _canonical(self, spellings: pl.Series) -> pl.Series:
        """The canonical period of each distinct spelling (null when it is none of the contract's);
        the spellings are parsed once per file."""
        for spelling in spellings.to_list():
            if spelling not in self.periods:
                self.periods[spelling] = parse_period(spelling)
        canonical = {s: self.periods[s] for s in spellings.to_list()}
        return spellings.replace_strict(canonical, default=None, return_dtype=pl.String)

    def _units_may_mismatch(self, coded: dict[str, Coded], clean: dict[str, pl.Series]) -> bool:
        """Whether some row's unit is not its indicator's, judged per distinct pair of indicator
        and unit (found as one integer per row from the two columns' positions)."""
        unit, indicator = clean["unit"], clean["indicator"]
        if not (unit != "").any():
            return False
        size = unit.len()
        pair = (coded["indicator"].positions().cast(pl.UInt64) * size + coded["unit"].positions()).unique()
        pairs = pl.DataFrame({"indicator": indicator.gather(pair // size), "unit": unit.gather(pair % size)})
        return bool(pairs.select(self._unit_mismatch(self.attribute([i.unit for i in self.catalog.indicators.values()], "_unit")).any()).item())

    def _unit_mismatch(self, catalog_unit: pl.Expr) -> pl.Expr:
        """A given unit that is neither the indicator's English nor its Vietnamese spelling."""
        unit_lc = pl.col("unit").str.to_lowercase()
        unit_vi = self.attribute([i.unit_vi for i in self.catalog.indicators.values()], "_unit_vi")
        return ((pl.col("unit") != "") & catalog_unit.is_not_null()
                & (unit_lc != catalog_unit.str.to_lowercase()) & (unit_lc != unit_vi.str.to_lowercase()))

    def _staged(self, column: Coded, clean: pl.Series, changed: bool, blank_as_null: bool = False) -> pl.Series:
        """A coded column as the staged rows keep it: its cleaned values, in its categorical
        (the rows' own codes when cleaning changed nothing), blanks as nulls if asked."""
        rows = column.per_row(clean.cast(column.column.dtype)) if changed else column.column
        if blank_as_null and (clean == "").any():
            rows = pl.select(pl.when(~column.per_row(clean == "")).then(rows)).to_series()
        return rows

    def _staged_dims(self, coded: dict[str, Coded], clean: dict[str, pl.Series], changed: set[str],
                     texts: dict[str, pl.Series]) -> list[pl.Series]:
        """The breakdown columns as kept (see dim_dtypes), from whichever way each was judged."""
        assert self.dim_dtypes is not None
        as_text = pl.DataFrame([texts[c] for c in self.dim_dtypes if c in texts]).select(
            pl.col(c) if dtype == pl.String else pl.col(c).cast(dtype) for c, dtype in self.dim_dtypes.items() if c in texts)
        columns = []
        for name, dtype in self.dim_dtypes.items():
            if name in texts:
                columns.append(as_text[name])
            elif dtype == pl.String:
                columns.append(coded[name].per_row(clean[name]).alias(name))
            else:
                columns.append(coded[name].per_row(clean[name].cast(dtype)).alias(name) if name in changed else coded[name].column)
        return columns

    def _report_codes(self, frame: pl.DataFrame, found: _Collector) -> None:
        """Indicator and reporter must be in the catalog."""
        unknown = frame.filter(pl.col("_kind").is_null())
        found.add_rows(
            unknown.filter(pl.col("indicator") != ""), "unknown_indicator", "indicator", "indicator",
            lambda r: {"suggestions": self._suggest(r["indicator"], self.codes)},
        )
        found.add_rows(unknown.filter(pl.col("indicator") == ""), "unknown_indicator", "indicator", "indicator")
        bad_rep = frame.filter(~pl.col("reporter").is_in(self.reporters))
        found.add_rows(bad_rep, "unknown_reporter", "reporter", "reporter",
                       lambda r: {"suggestions": self._suggest(r["reporter"], self.reporters)})

    def _report_periods(self, frame: pl.DataFrame, future: list[str], found: _Collector) -> None:
        """One of the contract's spellings, begun already, a year for annual indicators; a value present."""
        found.add_rows(frame.filter(pl.col("_period").is_null()), "bad_period", "period", "period")
        found.add_rows(
            frame.filter(pl.col("period").is_in(future)), "future_period", "period", "period",
            {"today": self.today.strftime("%d/%m/%Y")},
        )
        quarterly = frame.filter(pl.col("_period").str.contains("-Q") & pl.col("indicator").is_in(self.annual))
        found.add_rows(quarterly, "quarter_for_annual", "period", "period", lambda r: {"indicator": r["indicator"]})
        found.add_rows(frame.filter(pl.col("value") == ""), "blank_value", "value", None)

    def _report_units(self, frame: pl.DataFrame, found: _Collector) -> None:
        """Unit: optional, but when given it must be the catalog's (English or Vietnamese spelling)."""
        found.add_rows(frame.filter(self._unit_mismatch(pl.col("_unit"))), "unit_mismatch", "unit", "unit",
                       lambda r: {"expected": r["_unit"], "indicator": r["indicator"]})

    def _report_restricted(self, frame: pl.DataFrame, dim: str, allowed: list[str], found: _Collector) -> None:
        """A restricted breakdown dimension takes only the catalog's values."""
        bad = frame.filter((pl.col(DIM + dim) != "") & ~pl.col(DIM + dim).is_in(list(allowed)))
        found.add_rows(bad, "restricted_value", dim, DIM + dim, {"dimension": dim, "allowed": ", ".join(allowed)})

    def with_breakdown_key(self, frame: pl.DataFrame) -> pl.DataFrame:
        """The staged rows with each row's breakdown as canonical JSON (`_breakdown`) in place of
        the dimensions' columns: built once per distinct combination of values when combinations
        repeat (as in most files), once per row when they do not.

        The dimensions' codes give each row's combination as one integer (or a few), cheap to
        find the distinct ones of and to map back by. When nearly every row is its own
        combination (a `program` column of distinct values, or twenty filled dimensions), the key
        is built on every row instead, slice by slice, so that only a slice's dimensions are ever
        text at once. The load does not come here (DuckDB builds its keys: StagedRows.relation),
        only what needs the rows in Python (`Validated.observations`).
        """
        dim_cols = [DIM + d for d in self.dims]
        if not self.dims:
            return frame.with_columns(pl.lit("{}", dtype=pl.String).cast(self.categorical["_breakdown"]).alias("_breakdown")).rechunk()
        if len(dim_cols) <= KEY_CODE_COLUMNS and all(isinstance(frame[c].dtype, pl.Categorical) for c in dim_cols):
            combo = frame.select(_key_code(frame, dim_cols).alias("_combo"))["_combo"]
            if combo.n_unique() <= frame.height * REPEATED_SHARE:
                combos = frame.select(dim_cols).with_columns(combo).unique(subset="_combo", keep="any")
                combos = combos.with_columns(pl.col(c).cast(pl.String) for c in dim_cols)
                combos = combos.select("_combo", self._key_expr(combos, dim_cols).cast(self.categorical["_breakdown"]))
                keys = combo.to_frame().join(combos, on="_combo", how="left", maintain_order="left")["_breakdown"]
                return frame.drop(dim_cols).with_columns(keys).rechunk()  # codes only: one Arrow batch for DuckDB
            del combo
        key = self._key_expr(frame, dim_cols)  # the escaping the values need, judged once for the file
        parts = []
        for at in range(0, frame.height, KEY_SLICE_ROWS):
            part = frame.slice(at, KEY_SLICE_ROWS).rechunk()  # one chunk per column, as the keys will be
            parts.append(part.drop(dim_cols).with_columns(part.select(pl.col(c).cast(pl.String) for c in dim_cols).select(key)))
            del part
        return pl.concat(parts, rechunk=False) if len(parts) > 1 else parts[0]

    def _key_expr(self, frame: pl.DataFrame, dim_cols: list[str]) -> pl.Expr:
        """The breakdown key of text dimensions, escaping only what `frame`'s values need."""
        shape = _key_shape(frame, dim_cols)
        key = breakdown_expr(self.dims, DIM, rare_controls=shape.rare_controls, plain=not shape.escaped, filled=shape.filled)
        return key.alias("_breakdown")

    def keyed_observations(self, frame: pl.DataFrame) -> pl.DataFrame:
        """The staged rows (`StagedRows.frame`) as the observations' columns, keys built in Polars."""
        return self.with_breakdown_key(frame).select(
            "row_number", "indicator", "reporter", "period", pl.col("_breakdown").alias("breakdown"), "value", "unit", "note")


def _key_shape(frame: pl.DataFrame, dim_cols: list[str]) -> KeyShape:
    """What the key of `frame`'s dimensions needs: escaping, rare controls, blanks (categorical
    dimensions are judged by their distinct values, found once)."""
    values = [frame[c].unique().cast(pl.String) if isinstance(frame[c].dtype, pl.Categorical) else frame[c] for c in dim_cols]
    escaped = any(v.str.contains_any(JSON_ESCAPED_CHARS).any() for v in values)
    rare = escaped and any(v.str.contains_any(RARE_CONTROL_CHARS).any() for v in values)
    filled = not escaped and not any((v == "").any() for v in values)
    return KeyShape(escaped, rare, filled)


# Rows whose breakdown keys are built at once when each row has its own: their dimensions as text
# and their keys are all that is held beside the file's codes. DuckDB's row group size: DuckDB
# stores Arrow batches of other sizes in partly filled row groups, which its checkpoint then
# rewrites (3 s more CPU for a million rows in batches of 131,072).
KEY_SLICE_ROWS = 122_880


def _file_rules(frame: pl.DataFrame, found: _Collector, out: Validated, rules: _RowRules) -> StagedRows | None:
    """The rules that need every row at once, on the columns `_RowRules.check` kept: the number
    convention and the value rules that depend on it, then unique keys. Returns the rows to load
    (their breakdown as its dimensions: see StagedRows), or None when a rule failed."""
    # Values: the file's number convention first, then each row's kind rules.
    # Lazy, so that the shared sub-expressions (the value's cleaned body) are computed once.
    # `value` is a categorical: the rules work on its distinct texts, mapped back by their codes.
    values = (
        frame.lazy().select(pl.col("value").unique())
        .with_columns(pl.col("value").to_physical().alias("_code"), *numbers.shape_columns(pl.col("value").cast(pl.String)))
        .collect()
    )
    size = values["_code"].max() + 1  # type: ignore[operator]

    def by_code(column: str, dtype: pl.DataType) -> pl.Expr:
        """The column of `values` for each row: a lookup by the value's code (no hashing)."""
        lookup = pl.Series(column, [None] * size, dtype=dtype).scatter(values["_code"], values[column])
        return pl.lit(lookup).gather(pl.col("value").to_physical()).alias(column)

    # Votes per distinct (value, count or not) pair, in the order the file first shows them: a
    # vote column over every row (nested when/then on strings) cost gigabytes on large files.
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
        params = dict(convention.params or {})
        found.add(Problem(convention.problem or "ambiguous_numbers", row=params.pop("row", None), column="value", params=params))
    else:
        out.info.append(("number_convention", {"decimal": "." if convention.decimal == numbers.DOT else ","}))
        values = values.with_columns(numbers.parse_expr(convention.decimal).alias("_value"))
        frame = frame.with_columns(by_code("_value", pl.Float64), by_code("_pct", pl.Boolean))
        not_number = (pl.col("value") != "") & (  # 400 digits parse as inf: not a number either
            pl.col("_value").is_null() | ~pl.col("_value").is_finite() | (pl.col("_pct") & (pl.col("_kind") != "percent"))
        )
        valued = ~not_number & pl.col("_value").is_not_null()  # a mask, not a filtered copy of the frame
        is_count = pl.col("_kind") == "count"
        rules_of_values = {
            "not_a_number": not_number,
            "negative_count": valued & is_count & (pl.col("_value") < 0),
            "not_whole": valued & is_count & (pl.col("_value") >= 0) & (pl.col("_value") != pl.col("_value").round(0)),
            "percent_range": valued & (pl.col("_kind") == "percent") & ((pl.col("_value") < 0) | (pl.col("_value") > 100)),
        }
        # Each rule judged first on the distinct pairs of value and kind (found as one integer per
        # row), the rows filtered only for a rule some pair fails.
        kind_names = rules.kinds.categories.to_list()
        kinds = len(kind_names) + 1  # the last for no kind (an unknown indicator)
        pair = (pl.col("value").to_physical().cast(pl.UInt64) * kinds
                + pl.col("_kind").to_physical().cast(pl.UInt64).fill_null(kinds - 1)).unique().alias("_pair")
        pairs_of_values = (
            frame.select(pair)
            .select((pl.col("_pair") // kinds).cast(pl.UInt32).alias("_code"),
                    (pl.col("_pair") % kinds).replace_strict(list(range(len(kind_names))), kind_names, default=None,
                                                             return_dtype=pl.String).alias("_kind"))
            .join(values.select("_code", "value", "_value", "_pct"), on="_code", how="left")
        )
        failing = pairs_of_values.select(rule.any().alias(code) for code, rule in rules_of_values.items()).row(0, named=True)
        if failing["not_a_number"]:
            found.add_rows(frame.filter(not_number), "not_a_number", "value", "value")
        for code in ("negative_count", "not_whole", "percent_range"):
            if failing[code]:
                found.add_rows(frame.filter(rules_of_values[code]), code, "value", "value", lambda r: {"indicator": r["indicator"]})

    # Keys must be unique within the file: the key's columns are categoricals (the breakdown as its
    # dimensions' codes, or text for a dimension whose values hardly repeat: equal values, equal
    # key), compared as one integer, or by a hash of the row when that integer would not fit or
    # some dimension is text (equal hashes are then checked exactly).
    dim_cols = [DIM + d for d in rules.dims]
    key = ["indicator", "reporter", "_period", *dim_cols]
    keyed = frame.filter(pl.col("_period").is_not_null()) if frame["_period"].has_nulls() else frame
    codes = [c for c in key if isinstance(keyed[c].dtype, pl.Categorical)]
    texts = [c for c in key if c not in codes]
    # The leading codes that fit one integer first: when they already differ on every row (as in
    # a wide file, whose first few dimensions nearly pin each row), so does the whole key.
    first_word = _key_words(keyed, codes[:KEY_CODE_COLUMNS])[0]
    if keyed.select(first_word.n_unique()).item() == keyed.height:
        distinct_keys = keyed.height
    elif len(key) > KEY_CODE_COLUMNS:
        distinct_keys = keyed.select(pl.struct(*(pl.col(c).to_physical() for c in codes), *texts).hash().n_unique()).item()
    elif texts:  # dimensions kept as text: the row's hash (collisions only undercount)
        # The codes and the first text first: when they already differ on every row (a
        # dimension of distinct values), so does the whole key, and the other texts are not hashed.
        words = _key_code(keyed, codes).alias("_codes")
        distinct_keys = keyed.select(pl.struct(words, texts[0]).hash().n_unique()).item()
        if distinct_keys < keyed.height and len(texts) > 1:
            distinct_keys = keyed.select(pl.struct(words, *texts).hash().n_unique()).item()
    else:
        distinct_keys = keyed.select(_key_code(keyed, key).n_unique()).item()
    if distinct_keys < keyed.height:  # pair rows with their first only when a key may repeat
        first_row = keyed.group_by(key).agg(pl.col("row_number").min().alias("_first"))
        dupes = keyed.join(first_row, on=key).filter(pl.col("row_number") != pl.col("_first"))
        found.add_rows(dupes, "duplicate_key", None, None, lambda r: {"other_row": r["_first"]})
    del keyed

    if found.count:
        return None
    # The rows keep their dimensions: the keys are built by whoever reads them (staged.py).
    staged = frame.select(
        pl.col("row_number"),
        pl.col("indicator"),
        pl.col("reporter"),
        pl.col("_period").alias("period"),
        pl.col("_value").alias("value"),
        pl.col("_unit").alias("unit"),
        pl.col("note"),
        *dim_cols,
    )
    return StagedRows(staged, rules.dims, dim_cols, _key_shape, rules.keyed_observations)


# Work per distinct value pays off only when values repeat: below this share of distinct values
# (or combinations) per row; above it, plain per-row expressions cost less (no hashing, no map back).
REPEATED_SHARE = 0.25


def _mostly_distinct(frame: pl.DataFrame, columns: list[str]) -> tuple[bool, ...]:
    """For each column, whether it holds distinct values on more than REPEATED_SHARE of the rows,
    by a HyperLogLog estimate (one pass, no hash table: about 0.01 s per column of 500k values)."""
    if not columns:
        return ()
    estimates = frame.select(pl.col(c).approx_n_unique() for c in columns).row(0)
    return tuple(n > frame.height * REPEATED_SHARE for n in estimates)


# _key_code nests one arithmetic step per column, and Polars plans a nested expression in time
# quadratic in its depth (minutes and gigabytes for a one-row file with thousands of breakdown
# columns). Wider files skip the distinct-combination shortcut instead.
KEY_CODE_COLUMNS = 64


def _key_code(frame: pl.DataFrame, key: list[str]) -> pl.Expr:
    """One integer per distinct combination of the categorical columns `key` (their codes in
    mixed radix), or, when that integer would not fit in 64 bits, a struct of a few such integers
    (each packing the codes of consecutive columns). Finding distinct integers takes a fraction
    of the time and memory of hashing rows of several columns."""
    words = _key_words(frame, key)
    if len(words) == 1:
        return words[0]
    return pl.struct(*(w.alias(f"_w{i}") for i, w in enumerate(words)))


def _key_words(frame: pl.DataFrame, key: list[str]) -> list[pl.Expr]:
    """The codes of the categorical columns `key` packed in mixed radix into 64-bit integers,
    as many consecutive columns to each as fit (at least one integer, 0 for no column)."""
    sizes = [(code or 0) + 1 for code in frame.select(pl.col(c).to_physical().max() for c in key).row(0)] if key else []
    words: list[pl.Expr] = []
    code, room = pl.lit(0, dtype=pl.UInt64), 1
    for column, size in zip(key, sizes):
        if room * size >= 1 << 64:
            words.append(code)
            code, room = pl.lit(0, dtype=pl.UInt64), 1
        code = code * size + pl.col(column).to_physical().cast(pl.UInt64)
        room *= size
    return [*words, code]


def _finish(out: Validated, found: _Collector) -> Validated:
    out.problems = found.sorted()
    out.problem_count = found.count
    return out


def _rows_text(rows: list[int]) -> str:
    return ", ".join(str(r) for r in rows[:10]) + (" …" if len(rows) > 10 else "")
