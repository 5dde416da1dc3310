"""Progress engine: status of each indicator against its 2030/2045 targets.

Pure functions, stdlib only, no I/O, so the CLI, the dashboard and the report share one
implementation (DESIGN.md, "Progress method").

Time: each period sits at its END, in years. t('YYYY') = YYYY, t('YYYY-Qn') = YYYY - 1 + n/4,
so '2025' and '2025-Q4' are both 2025.0 and '2025-Q2' is 2024.5; a horizon "by 2030" is
T = 2030.0.

Edge-case decisions (each tested in tests/unit/test_progress.py):

* Ordering: points are sorted stably by period_time; among equal times the later-listed point
  is "latest" (combine_headline lists '2025' before '2025-Q4', so the quarter wins).
* Baseline: the catalog's (baseline_period, baseline_value) when both are set; a catalog
  period without a value takes the value observed for that period; a value without a period
  is ignored (it cannot be placed in time). Otherwise the first point whose year >= 2025.
  With a catalog baseline a single later observation is enough to assess.
* Method: 'compound' for kind count/amount when baseline, latest and target are all > 0;
  otherwise 'linear' (growth from or to zero is infinite or undefined). This is also the
  fallback for a compound indicator whose latest value dropped to 0.
* 'achieved' needs only a latest value at or past the target in the desired direction
  (relative tolerance 1e-9). It is checked before anything else.
* Baseline already at/past the target but latest fell back: R is undefined (ratio None) and
  the status is 'deterioration' (the indicator moved away from a target it had met).
* Thresholds 0.95 / 0.6 / 0 are applied with a 1e-9 tolerance, so float noise in the rates
  never flips a badge (R that is mathematically 0.95 is on_track).
* Projections are clamped to [0, 100] for percent and to >= 0 for counts.
* No target for a horizon, or direction 'none': status None, trend (baseline, latest,
  observed rate, projection) still filled. Unknown direction: 'insufficient_data'.
* assess never raises: malformed periods and non-finite values are dropped, a malformed as_of
  gives 'insufficient_data', overflowing arithmetic leaves the affected numbers None, and
  every float in an Assessment is finite or None (JSON-safe).
"""

from __future__ import annotations

import math
import re
from dataclasses import asdict, dataclass, field
from typing import Iterable, Mapping, Sequence

__all__ = [
    "PERIOD_RE", "STATUSES", "PLAN_START_YEAR", "Point", "IndicatorSpec", "Assessment",
    "period_time", "period_le", "combine_headline", "cut_as_of", "assess", "assess_all",
    "projection_path", "required_path", "t_to_label",
]

#: Canonical periods only: 'YYYY' or 'YYYY-Qn' (n = 1..4). ASCII digits, no trailing newline.
PERIOD_RE = re.compile(r"^([0-9]{4})(?:-Q([1-4]))?\Z")

STATUSES = (
    "achieved", "on_track", "acceleration_needed", "limited_progress", "deterioration",
    "insufficient_data",
)
PLAN_START_YEAR = 2025  # default baseline: first observation on or after the plan's start
ON_TRACK, ACCELERATION = 0.95, 0.6
_EPS = 1e-9
_RESULT_KEYS = (
    "indicator", "horizon", "status", "method", "baseline_period", "baseline_value",
    "latest_period", "latest_value", "target", "target_source", "observed_rate",
    "required_rate", "ratio", "needed_rate", "projected_value",
)


@dataclass(frozen=True)
class Point:
    period: str
    value: float


@dataclass(frozen=True)
class IndicatorSpec:
    """What the engine needs from the catalog for one indicator."""

    code: str
    kind: str  # 'count' | 'amount' | 'percent'
    direction: str  # 'increase' | 'decrease' | 'none' -- explicit, no default
    combine: str  # 'sum' | 'single'
    single_reporter: str | None
    baseline_period: str | None = None
    baseline_value: float | None = None
    targets: Mapping[int, float] = field(default_factory=dict)  # horizon year -> target
    target_sources: Mapping[int, str] = field(default_factory=dict)  # plan|national|illustrative


@dataclass(frozen=True)
class Assessment:
    """One indicator at one horizon, with the working shown beside the badge."""

    indicator: str
    horizon: int
    status: str | None
    method: str | None = None
    baseline_period: str | None = None
    baseline_value: float | None = None
    latest_period: str | None = None
    latest_value: float | None = None
    target: float | None = None
    target_source: str | None = None
    observed_rate: float | None = None
    required_rate: float | None = None
    ratio: float | None = None
    needed_rate: float | None = None
    projected_value: float | None = None
    # Not part of as_dict(): lets projection_path clamp percent/count paths like projected_value.
    kind: str | None = None

    def as_dict(self) -> dict:
        d = asdict(self)
        return {k: d[k] for k in _RESULT_KEYS}


# --- time ------------------------------------------------------------------------------------

def period_time(period: str) -> float:
    """End of the period in years; raises ValueError for a non-canonical period."""
    m = PERIOD_RE.match(period) if isinstance(period, str) else None
    if m is None:
        raise ValueError(f"not a canonical period (YYYY or YYYY-Qn): {period!r}")
    year, q = int(m.group(1)), m.group(2)
    return float(year) if q is None else year - 1 + int(q) / 4


def period_le(a: str, b: str) -> bool:
    """True when period a ENDS no later than period b ends.

    This is the as-of rule: as of '2026-Q2' (t=2025.5) includes '2026-Q1', '2026-Q2' and the
    annual '2025' (t=2025.0), but not the annual '2026' (t=2026.0), which is not over yet.
    """
    return period_time(a) <= period_time(b)


def t_to_label(t: float) -> str:
    """Inverse of period_time, rounding to the nearest quarter end; whole years give 'YYYY'."""
    year = math.floor(t)
    n = round((t - year) * 4)
    if n in (0, 4):
        return str(year + n // 4)
    return f"{year + 1}-Q{n}"


def _valid_period(p: object) -> bool:
    return isinstance(p, str) and PERIOD_RE.match(p) is not None


def _finite(x: object) -> float | None:
    """x as a float when it is a finite number (int, float, Decimal...), else None.

    Strings and bools are refused: a value must already be numeric.
    """
    if isinstance(x, (str, bytes, bool)) or x is None:
        return None
    try:
        f = float(x)  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError):
        return None
    return f if math.isfinite(f) else None


# --- series ----------------------------------------------------------------------------------

def _sorted(points: Iterable[Point]) -> list[Point]:
    return sorted(points, key=lambda p: (period_time(p.period), p.period))


def combine_headline(rows: Iterable[tuple[str, str, float]], spec: IndicatorSpec) -> list[Point]:
    """Headline series from reporters' headline rows (reporter, period, value).

    'sum': per period, the sum over the reporters that reported that period (a reporter
    missing a period simply does not contribute; nothing is imputed).
    'single': spec.single_reporter's rows; when it is None, the reporter with the most
    periods (ties: alphabetical first), which is the only one when there is only one.
    A repeated (reporter, period) keeps the last row; malformed periods and non-finite values
    are skipped. Sorted by (period_time, period). Unknown combine: ValueError (catalog bug).
    """
    by_key: dict[tuple[str, str], float] = {}
    for reporter, period, value in rows:
        v = _finite(value)
        if v is not None and _valid_period(period):
            by_key[(reporter, period)] = v
    if spec.combine == "sum":
        totals: dict[str, float] = {}
        for (_, period), v in by_key.items():
            totals[period] = totals.get(period, 0.0) + v
        return _sorted(Point(p, v) for p, v in totals.items())
    if spec.combine == "single":
        reporter = spec.single_reporter
        if reporter is None:
            counts: dict[str, int] = {}
            for r, _ in by_key:
                counts[r] = counts.get(r, 0) + 1
            if not counts:
                return []
            reporter = min(counts, key=lambda r: (-counts[r], r))
        return _sorted(Point(p, v) for (r, p), v in by_key.items() if r == reporter)
    raise ValueError(f"unknown combine {spec.combine!r} for {spec.code}")


def cut_as_of(points: Iterable[Point], as_of: str | None) -> list[Point]:
    """Points whose period ends no later than as_of ends (see period_le), in input order.

    Points with a malformed period are dropped (they cannot be placed in time); a malformed
    as_of raises ValueError, since it is the caller's input to validate.
    """
    limit = math.inf if as_of is None else period_time(as_of)
    return [p for p in points if _valid_period(p.period) and period_time(p.period) <= limit]


# --- rates -----------------------------------------------------------------------------------

def _rate(method: str, y0: float, y1: float, dt: float) -> float | None:
    """Per-year rate taking y0 to y1 in dt years; None when not finite."""
    try:
        if method == "compound":
            r = (y1 / y0) ** (1.0 / dt) - 1.0
        else:
            r = (y1 - y0) / dt
    except (ArithmeticError, ValueError):
        return None
    return _finite(r)


def _grow(method: str, y: float, rate: float, dt: float) -> float | None:
    try:
        v = y * (1.0 + rate) ** dt if method == "compound" else y + rate * dt
    except (ArithmeticError, ValueError):
        return None
    return _finite(v)


def _clamp(kind: str | None, v: float) -> float:
    if kind == "percent":
        return min(100.0, max(0.0, v))
    if kind == "count":
        return max(0.0, v)
    return v


def _method(kind: str, values: Iterable[float | None]) -> str:
    if kind in ("count", "amount") and all(v > 0 for v in values if v is not None):
        return "compound"
    return "linear"


def _grade(r: float) -> str:
    if r >= ON_TRACK - _EPS:
        return "on_track"
    if r >= ACCELERATION - _EPS:
        return "acceleration_needed"
    if r >= -_EPS:
        return "limited_progress"
    return "deterioration"


# --- assessment ------------------------------------------------------------------------------

def _baseline(spec: IndicatorSpec, pts: Sequence[Point]) -> tuple[str, float] | None:
    bp, bv = spec.baseline_period, _finite(spec.baseline_value)
    if bp is not None:
        if not _valid_period(bp):
            return None
        if bv is not None:
            return bp, bv
        found = [p.value for p in pts if p.period == bp]
        return (bp, found[-1]) if found else None
    for p in pts:
        if int(p.period[:4]) >= PLAN_START_YEAR:
            return p.period, p.value
    return None


def assess(spec: IndicatorSpec, points: Sequence[Point], horizon: int,
           as_of: str | None = None) -> Assessment:
    """Status of one indicator for one horizon (e.g. 2030), using data as of `as_of`."""
    code = str(getattr(spec, "code", ""))
    try:
        T = float(horizon)
    except (TypeError, ValueError, OverflowError):
        T = math.nan
    if (as_of is not None and not _valid_period(as_of)) or not math.isfinite(T):
        return Assessment(code, horizon, "insufficient_data")

    clean = [Point(p.period, v) for p in points
             if _valid_period(getattr(p, "period", None))
             and (v := _finite(getattr(p, "value", None))) is not None]
    pts = sorted(cut_as_of(clean, as_of), key=lambda p: period_time(p.period))  # stable
    kind, direction = spec.kind, spec.direction
    sign = {"increase": 1.0, "decrease": -1.0}.get(direction)

    latest = pts[-1] if pts else None
    base = _baseline(spec, pts)
    target = _finite(spec.targets.get(horizon))  # shown whenever the catalog has one
    source = spec.target_sources.get(horizon) if target is not None else None

    t_lat = period_time(latest.period) if latest else None
    y_lat = latest.value if latest else None
    t0 = period_time(base[0]) if base else None
    y0 = base[1] if base else None
    goal = target if sign is not None else None  # only a directed target drives a status

    method = _method(kind, (y0, y_lat, goal)) if latest or base else None
    r_obs = (_rate(method, y0, y_lat, t_lat - t0)
             if base and latest and t_lat > t0 else None)
    r_req = _rate(method, y0, goal, T - t0) if base and goal is not None and T > t0 else None

    achieved = (goal is not None and latest is not None
                and (sign * (y_lat - goal) >= 0 or math.isclose(y_lat, goal, rel_tol=_EPS)))
    needed = (_rate(method, y_lat, goal, T - t_lat)
              if goal is not None and latest and not achieved and T > t_lat else None)
    projected = (_grow(method, y_lat, r_obs, T - t_lat)
                 if r_obs is not None and T >= t_lat else None)
    if projected is not None:
        projected = _clamp(kind, projected)

    ratio = None
    if direction == "none" or (sign is not None and goal is None):
        status = None
    elif sign is None or latest is None:
        status = "insufficient_data"
    elif achieved:
        status = "achieved"
    elif r_obs is None or r_req is None:
        status = "insufficient_data"
    else:
        a, b = sign * r_obs, sign * r_req
        if b <= 0:  # baseline already at/past target, latest fell back: R undefined
            status = "deterioration" if a < 0 else "on_track"
        else:
            ratio = _finite(a / b)
            status = "insufficient_data" if ratio is None else _grade(ratio)

    return Assessment(
        indicator=code, horizon=horizon, status=status, method=method,
        baseline_period=base[0] if base else None, baseline_value=y0,
        latest_period=latest.period if latest else None, latest_value=y_lat,
        target=target, target_source=source, observed_rate=r_obs, required_rate=r_req,
        ratio=ratio, needed_rate=needed, projected_value=projected, kind=kind,
    )


def assess_all(spec: IndicatorSpec, points: Sequence[Point], as_of: str | None = None,
               horizons: Sequence[int] = (2030, 2045)) -> list[Assessment]:
    """One Assessment per horizon, in the order given."""
    return [assess(spec, points, h, as_of) for h in horizons]


# --- chart paths -----------------------------------------------------------------------------

def _path(method: str, t0: float, y0: float, rate: float, t1: float, step: float,
          kind: str | None, end: float | None = None) -> list[tuple[float, float]]:
    if step <= 0 or not math.isfinite(step):
        raise ValueError("step must be a positive number of years")
    if t1 < t0:
        return []
    ts, k = [], 0
    while t0 + k * step < t1 - _EPS:
        ts.append(t0 + k * step)
        k += 1
    ts.append(t1)
    out = []
    for t in ts:
        v = _grow(method, y0, rate, t - t0)
        if v is None:
            return []
        out.append((t, _clamp(kind, v)))
    if end is not None:
        out[-1] = (t1, end)
    return out


def projection_path(assessment: Assessment, step: float = 1.0) -> list[tuple[float, float]]:
    """(t, value) from the latest point to the horizon at the observed rate; [] if unknown."""
    a = assessment
    if a.observed_rate is None or a.latest_period is None or a.latest_value is None:
        return []
    return _path(a.method or "linear", period_time(a.latest_period), a.latest_value,
                 a.observed_rate, float(a.horizon), step, a.kind, a.projected_value)


def required_path(assessment: Assessment, step: float = 1.0) -> list[tuple[float, float]]:
    """(t, value) from the baseline to the target at the required rate; [] if unknown."""
    a = assessment
    if (a.required_rate is None or a.baseline_period is None or a.baseline_value is None
            or a.target is None):
        return []
    return _path(a.method or "linear", period_time(a.baseline_period), a.baseline_value,
                 a.required_rate, float(a.horizon), step, None, a.target)
