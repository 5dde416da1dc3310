"""What loading one validated file would change, worked out before anything is written.

Used by `kpi ingest` (to hold back a file with unacknowledged warnings and to record them),
by `kpi ingest --dry-run` and by the upload page's preview: new values, revised values
(old → new), unchanged values, plausibility warnings and the status moves per indicator and
horizon. It reads through whatever connection it is given (the writer's staging copy during
a load, a read-only view of the published file for a preview) and writes nothing.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING

import duckdb
import polars as pl

from pipelines.catalog import HORIZONS, Catalog
from pipelines.plausibility import Checks, IndicatorInfo, Obs, PlausibilityWarning, check_file
from pipelines.read_model.headline import assess_catalog, headline_coverage, headline_series
from pipelines.read_model.rows import table_exists

if TYPE_CHECKING:
    from pipelines.intake.staged import StagedRows

MAX_LISTED = 200  # revisions listed per file (all counted)
MAX_CHECKED_ROWS = 200_000  # plausibility runs in plain Python: bounded; larger files are loaded unchecked and say so


@dataclass(frozen=True)
class Revision:
    indicator: str
    reporter: str
    period: str
    breakdown: str
    old: float
    new: float
    row: int
    cell: str | None = None  # a workbook's cell (Sheet1!D14)
    excel: list | None = None  # [the cell's number, its number format]: the new value as the reporter's Excel shows it

    def new_text(self, lang: str) -> str:
        """The new value as the file shows it (a workbook's cell format), in the reader's marks."""
        from pipelines.intake.excel_cells import excel_text
        from pipelines.plausibility import fmt

        return excel_text(self.excel[0], self.excel[1], lang) if self.excel else fmt(self.new, lang)

    def old_text(self, lang: str) -> str:
        """The stored value under the new value's cell format (`85.2% → 86.0%`, where `85.2 → 86.0%`
        read as two kinds of number); as stored when the new value came from no workbook cell."""
        from pipelines.intake.excel_cells import excel_text
        from pipelines.plausibility import fmt

        if not self.excel or not self.excel[1]:
            return fmt(self.old, lang)
        number_format = self.excel[1]
        return excel_text(self.old / 100 if "%" in number_format else self.old, number_format, lang)


@dataclass(frozen=True)
class StatusMove:
    indicator: str
    horizon: int
    before: str | None
    after: str | None
    before_period: str | None
    after_period: str | None


@dataclass
class LoadPlan:
    """The effect of one file on the current values and statuses."""

    rows: int = 0
    new: int = 0
    revised: int = 0
    unchanged: int = 0
    revisions: list[Revision] = field(default_factory=list)
    warnings: list[PlausibilityWarning] = field(default_factory=list)
    status_moves: list[StatusMove] = field(default_factory=list)
    checks_skipped: bool = False

    def to_json(self, lang: str = "en") -> dict:
        return {
            "rows": self.rows, "new": self.new, "revised": self.revised, "unchanged": self.unchanged,
            "revisions": [asdict(r) for r in self.revisions],
            "warnings": [{**w.to_dict(), "message": w.message(lang)} for w in self.warnings],
            "status_moves": [asdict(m) for m in self.status_moves],
            "checks_skipped": self.checks_skipped,
        }


def indicator_info(catalog: Catalog) -> dict[str, IndicatorInfo]:
    """The plausibility rules' view of the catalog: kind, unit and checks.csv with defaults filled in."""
    out = {}
    for code, ind in catalog.indicators.items():
        row = catalog.checks.get(code)
        defaults = Checks()
        checks = defaults if row is None else Checks(
            max_ratio=row.max_ratio or defaults.max_ratio,
            robust_k=row.robust_k or defaults.robust_k,
            breakdown_tolerance=defaults.breakdown_tolerance if row.breakdown_tolerance is None else row.breakdown_tolerance,
            min_value=row.min_value, max_value=row.max_value, expected_reporters=row.reporters(),
            partial_breakdowns=row.partial(),
        )
        out[code] = IndicatorInfo(code, ind.kind, ind.unit, checks)
    return out


def plan_load(con: duckdb.DuckDBPyConnection | None, observations: StagedRows, catalog: Catalog) -> LoadPlan:
    """Compare a validated file's observations with the current values seen through `con`.

    `con` None (nothing published yet): every value is new, nothing to compare with.
    """
    plan = LoadPlan(rows=observations.height)
    if con is None or not _anything_loaded(con):
        # Nothing to compare with: every value is new (what the queries below would find, without
        # converting the file's keys for DuckDB or scanning the empty tables).
        plan.new = observations.height
        history_rows: list[tuple] = []
        before_rows: list[tuple] = []
    else:
        # The rows as DuckDB reads them in place, each key built as its row is read (see
        # StagedRows); DuckDB reads only the columns a query names (not the notes).
        staged = observations.relation(con)  # noqa: F841 - scanned by DuckDB below
        # One pass over the file joined with the current values (each pass recomputes the view's
        # window over every stored row): the counts and the first revisions by row.
        counts = con.execute(
            f"""SELECT count(*) FILTER (WHERE c.value IS NULL),
                       count(*) FILTER (WHERE c.value IS NOT NULL AND c.value <> s.value),
                       count(*) FILTER (WHERE c.value = s.value),
                       min_by((s.indicator, s.reporter, s.period, s.breakdown, c.value, s.value, s.row_number),
                              s.row_number, {MAX_LISTED}) FILTER (WHERE c.value <> s.value)
                FROM staged s LEFT JOIN current_observations c USING (indicator, reporter, period, breakdown)"""
        ).fetchone()
        plan.new, plan.revised, plan.unchanged, listed = counts
        plan.revisions = [Revision(*r) for r in sorted(listed or [], key=lambda r: r[6])]
        history_rows = con.execute(
            """SELECT c.indicator, c.reporter, c.period, c.breakdown, c.value FROM current_observations c
               JOIN (SELECT DISTINCT indicator, reporter FROM staged) k USING (indicator, reporter)"""
        ).fetchall() if observations.height <= MAX_CHECKED_ROWS else []
        before_rows = con.execute(
            """SELECT indicator, reporter, period, value FROM current_observations
               WHERE breakdown = '{}' AND indicator IN (SELECT DISTINCT indicator FROM staged)"""
        ).fetchall()
    if observations.height > MAX_CHECKED_ROWS:
        plan.checks_skipped = True
    else:
        obs = observations.keyed().select("row_number", "indicator", "reporter", "period", "breakdown", "value", "note")
        rows = [Obs(i, r, p, b, v, n, note) for n, i, r, p, b, v, note in obs.with_columns(
            pl.col("indicator", "reporter", "period", "breakdown", "note").cast(pl.String)).iter_rows()]
        history = [Obs(i, r, p, b, v) for i, r, p, b, v in history_rows]
        plan.warnings = check_file(rows, history, indicator_info(catalog),
                                   {d: list(v) for d, v in catalog.restricted.items()})
    plan.status_moves = _status_moves(catalog, before_rows, observations.totals_marked())
    return plan


def _anything_loaded(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether any observation is stored (asked of the table: any view of current values is empty
    when it is, and asking the view would compute its window over every stored row)."""
    return table_exists(con, "observations") and con.execute("SELECT EXISTS (SELECT 1 FROM observations)").fetchone()[0]


def _status_moves(catalog: Catalog, before_rows: list[tuple], obs: pl.DataFrame) -> list[StatusMove]:
    """Statuses per indicator and horizon before and after the file's headline rows replace the current ones."""
    # Categoricals compared and made unique as they are: each distinct value cast once, not each row.
    touched = set(obs["indicator"].unique().cast(pl.String).to_list())
    if not touched:
        return []
    before: dict[str, list[tuple[str, str, float]]] = {}
    after_keys: dict[str, dict[tuple[str, str], float]] = {}
    for ind, rep, per, val in before_rows:
        before.setdefault(ind, []).append((rep, per, val))
        after_keys.setdefault(ind, {})[(rep, per)] = val
    headline = obs.filter(pl.col("breakdown") == "{}").select(
        pl.col("indicator", "reporter", "period").cast(pl.String), "value")
    for ind, rep, per, val in headline.iter_rows():
        after_keys.setdefault(ind, {})[(rep, per)] = val
    after = {ind: [(r, p, v) for (r, p), v in keyed.items()] for ind, keyed in after_keys.items()}
    sub = Catalog(catalog.pillars, {c: i for c, i in catalog.indicators.items() if c in touched},
                  catalog.reporters, catalog.restricted, catalog.checks)
    was = assess_catalog(sub, headline_series(sub, before), coverage=headline_coverage(sub, before))
    now = assess_catalog(sub, headline_series(sub, after), coverage=headline_coverage(sub, after))
    moves = []
    for code in sub.indicators:
        for a, b in zip(was.get(code, []), now.get(code, [])):
            if a.status is None and b.status is None:
                continue
            if (a.status, a.latest_period) != (b.status, b.latest_period):
                moves.append(StatusMove(code, a.horizon, a.status, b.status, a.latest_period, b.latest_period))
    return moves


def breakdown_text(breakdown: str) -> str:
    """'{"program":"A"}' → 'program=A'; the total → 'total'."""
    parsed = json.loads(breakdown)
    return ", ".join(f"{k}={v}" for k, v in parsed.items()) if parsed else "total"


__all__ = ["HORIZONS", "LoadPlan", "Revision", "StatusMove", "breakdown_text", "indicator_info", "plan_load"]
