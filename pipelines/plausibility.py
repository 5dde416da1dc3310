"""Plausibility checks: numbers that read fine but are probably wrong, as warnings, never errors.

Pure functions, stdlib only, no I/O: given a file's observations, the current values already
stored and the catalog's per-indicator check settings, list what looks implausible and why,
with the numbers behind it, in both languages. A warning never rejects a file; the load asks
an analyst to acknowledge it (`kpi ingest --accept-warnings`, the upload page's confirmation).

Rules (each tested in tests/unit/test_plausibility.py):

* `jump`: a count or amount that changes against the same reporter's previous value (same
  breakdown, the latest stored period before it) beyond a bound: more than `max_ratio` times
  (default 5) or less than 1/`max_ratio`. With at least `ROBUST_MIN_HISTORY` stored values the
  bound is robust instead: the change's log-ratio is compared with the median and MAD of the
  series' past log-ratios (`robust_k` MADs, default 5, never tighter than ×1.5). When the ratio
  is close to a power of ten the warning names the likely cause ("×1,000: million instead of
  billion?") and quotes the note when it names a unit (e.g. "triệu đồng").
* `fraction_for_percent`: a percent indicator whose values in the file are all ≤ 1 while the
  reporter's stored values are above 1 (0.86 sent for 86 %).
* `breakdown_sum`: for an indicator that sums (count, amount), the rows of one breakdown
  dimension do not add up to the reporter's total row for the same period (the file's rows
  merged with what is stored), beyond `breakdown_tolerance` (relative, default 0.5 %). A
  dimension listed in `partial_breakdowns`, or a restricted dimension (mission_type) of which not every
  allowed value is present, may fall short of the total; only exceeding it warns.
* `out_of_range`: a value outside the catalog's declared `min_value`..`max_value`.

A count that is not a whole number and a percent outside 0..100 are hard errors of the data
contract and stay errors (pipelines/intake/validate.py); they are not repeated here.
"""

from __future__ import annotations

import json
import math
import statistics
from bisect import bisect_left
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from typing import Any, Iterable, Mapping, Sequence

from pipelines.periods import parse_period

DEFAULT_MAX_RATIO = 5.0
DEFAULT_ROBUST_K = 5.0
DEFAULT_BREAKDOWN_TOLERANCE = 0.005
ROBUST_MIN_HISTORY = 6  # stored values of one series before the median/MAD rule replaces the fixed bound
ROBUST_MIN_RATIO = 1.5  # the robust bound is never tighter than this factor
POWER_OF_TEN_SLACK = 0.12  # |log10(ratio) - k| within this: "a power of ten" (×1,082 counts as ×1,000)
UNIT_WORDS = ("triệu", "nghìn", "ngàn", "million", "thousand", "tỷ", "billion", "đồng", "vnd")


@dataclass(frozen=True)
class Checks:
    """One indicator's check settings (data/catalog/checks.csv; defaults when a field is blank)."""

    max_ratio: float = DEFAULT_MAX_RATIO
    robust_k: float = DEFAULT_ROBUST_K
    breakdown_tolerance: float = DEFAULT_BREAKDOWN_TOLERANCE
    min_value: float | None = None
    max_value: float | None = None
    expected_reporters: tuple[str, ...] = ()
    partial_breakdowns: tuple[str, ...] = ()  # dimensions whose rows need not cover the total


@dataclass(frozen=True)
class IndicatorInfo:
    """What the rules need from the catalog row."""

    code: str
    kind: str  # count | amount | percent
    unit: str
    checks: Checks = Checks()


@dataclass(frozen=True)
class Obs:
    """One observation; `row` is the row in the file (None for a stored value)."""

    indicator: str
    reporter: str
    period: str
    breakdown: str  # canonical JSON object, '{}' = total
    value: float
    row: int | None = None
    note: str | None = None


@dataclass(frozen=True)
class PlausibilityWarning:
    """One implausible value, located by file row and key, with the numbers behind the warning."""

    code: str
    indicator: str
    reporter: str
    period: str
    breakdown: str
    value: float
    row: int | None = None
    params: dict[str, Any] = field(default_factory=dict)

    def message(self, lang: str = "en") -> str:
        return warning_message(self.code, self.params, lang)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "PlausibilityWarning":
        return cls(**data)


# --- messages --------------------------------------------------------------------------------

def fmt(value: float | None, lang: str) -> str:
    """A number as the reader's language writes it (1.234,5 in Vietnamese); up to 4 significant decimals."""
    if value is None:
        return "—"
    if float(value).is_integer():
        text = f"{value:,.0f}"
    else:
        decimals = 1 if abs(value) >= 100 else 2 if abs(value) >= 1 else 4
        text = f"{value:,.{decimals}f}".rstrip("0").rstrip(".")
    if lang == "vi":
        text = text.replace(",", "\u0000").replace(".", ",").replace("\u0000", ".")
    return text


def _times(power: int, lang: str) -> str:
    return ("×" if power > 0 else "÷") + fmt(10.0 ** abs(power), lang)


_CAUSES: dict[str, dict[int, str]] = {
    "en": {
        3: "million instead of billion?", 6: "thousand instead of billion?", 9: "VND instead of billion VND?",
        -3: "billion instead of million?", 1: "an extra digit?", -1: "a digit missing?",
        2: "an extra two digits, or a percent written ×100?", -2: "two digits missing?",
    },
    "vi": {
        3: "ghi theo triệu thay vì tỷ?", 6: "ghi theo nghìn thay vì tỷ?", 9: "ghi theo đồng thay vì tỷ đồng?",
        -3: "ghi theo tỷ thay vì triệu?", 1: "thừa một chữ số?", -1: "thiếu một chữ số?",
        2: "thừa hai chữ số?", -2: "thiếu hai chữ số?",
    },
}

WARNINGS: dict[str, dict[str, str]] = {
    "jump": {
        "en": "{value} is {ratio} times the previous value {previous} ({previous_period}); the check allows {bound_text}{cause}",
        "vi": "{value} gấp {ratio} lần giá trị trước {previous} ({previous_period}); ngưỡng kiểm tra {bound_text}{cause}",
    },
    "fraction_for_percent": {
        "en": "{value} looks like a fraction: every value in the file is at most 1 while earlier values are around {typical} %; "
              "write {as_percent} for {as_percent} %",
        "vi": "{value} có vẻ là phân số: mọi giá trị trong tệp đều không quá 1 trong khi các kỳ trước khoảng {typical} %; "
              "hãy ghi {as_percent} cho {as_percent} %",
    },
    "breakdown_sum": {
        "en": "the rows by {dimension} add up to {parts} but the total row says {total} (difference {difference}; tolerance {tolerance})",
        "vi": "các dòng theo {dimension} cộng lại được {parts} nhưng dòng tổng là {total} (chênh lệch {difference}; dung sai {tolerance})",
    },
    "out_of_range": {
        "en": "{value} is outside the range the catalog declares for {indicator} ({low} to {high})",
        "vi": "{value} nằm ngoài khoảng danh mục quy định cho {indicator} ({low} đến {high})",
    },
}


def warning_message(code: str, params: Mapping[str, Any], lang: str = "en") -> str:
    """The warning in words, numbers written as the language writes them."""
    p = dict(params)
    nums = {k: fmt(v, lang) if isinstance(v, (int, float)) and not isinstance(v, bool) else v for k, v in p.items()}
    if code == "jump":
        ratio = p["ratio"]
        nums["ratio"] = fmt(round(ratio, 2) if ratio >= 0.01 else ratio, lang)
        bound = p["bound"]
        nums["bound_text"] = (f"×{fmt(round(1 / bound, 2), lang)} … ×{fmt(round(bound, 2), lang)}")
        cause = ""
        power = p.get("power")
        if power:
            guess = _CAUSES[lang].get(power, "")
            cause = f"; {_times(power, lang)}: {guess}".rstrip(": ")
            if p.get("note"):
                cause += (f" (the note says '{p['note']}')" if lang == "en" else f" (ghi chú: '{p['note']}')")
        nums["cause"] = cause
        if lang == "vi":
            nums["bound_text"] = nums["bound_text"].replace("…", "đến")
    if code == "breakdown_sum":
        nums["tolerance"] = fmt(p["tolerance"], lang)
    if p.get("excel"):  # a workbook's value as its cell shows it (e.g. 40.446,5 under #,##0.0)
        from pipelines.problems import shown_numbers

        nums.update(shown_numbers(p, lang))
    return WARNINGS[code][lang].format(**nums)


def warning_rows(warnings: Sequence[PlausibilityWarning]) -> str:
    """JSON for the load's record (one list per file)."""
    return json.dumps([w.to_dict() for w in warnings], ensure_ascii=False)


# --- rules -----------------------------------------------------------------------------------

@lru_cache(maxsize=4096)  # a file's rows and their history hold a few dozen periods between them
def period_key(period: str) -> float:
    """Where a period ends, in years (quarters at their end), for ordering; invalid sorts first."""
    canon = parse_period(period)
    if canon is None:
        return -math.inf
    if "-Q" in canon:
        year, q = canon.split("-Q")
        return int(year) - 1 + int(q) / 4
    return float(canon)


def _power_of_ten(ratio: float) -> int | None:
    if ratio <= 0:
        return None
    exp = math.log10(ratio)
    k = round(exp)
    return k if k != 0 and abs(exp - k) <= POWER_OF_TEN_SLACK else None


def _unit_note(note: str | None) -> str | None:
    if not note:
        return None
    low = note.lower()
    return note.strip()[:80] if any(w in low for w in UNIT_WORDS) else None


def _series(history: Iterable[Obs]) -> dict[tuple[str, str, str], tuple[list[float], list[Obs]]]:
    """Each stored series (indicator, reporter, breakdown) in period order, with its periods' keys
    (the values before a period are then found by bisection, not by a pass over the series)."""
    out: dict[tuple[str, str, str], list[Obs]] = {}
    for o in history:
        out.setdefault((o.indicator, o.reporter, o.breakdown), []).append(o)
    series = {}
    for key, items in out.items():
        items.sort(key=lambda o: period_key(o.period))
        series[key] = ([period_key(o.period) for o in items], items)
    return series


def _jump_bound(past: list[Obs], checks: Checks) -> tuple[float, float]:
    """(centre, half-width) of the allowed log-ratio: robust over the history when long enough."""
    fixed = (0.0, math.log(checks.max_ratio))
    positive = [o.value for o in past if o.value > 0]
    if len(positive) < ROBUST_MIN_HISTORY:
        return fixed
    changes = [math.log(b / a) for a, b in zip(positive, positive[1:])]
    centre = statistics.median(changes)
    mad = statistics.median(abs(c - centre) for c in changes)
    return centre, max(checks.robust_k * 1.4826 * mad, math.log(ROBUST_MIN_RATIO))


def check_jumps(rows: Sequence[Obs], history: Iterable[Obs], info: Mapping[str, IndicatorInfo]) -> list[PlausibilityWarning]:
    """Counts and amounts that move too far from the same reporter's previous stored value."""
    stored = _series(history)
    out = []
    for o in rows:
        ind = info.get(o.indicator)
        if ind is None or ind.kind not in ("count", "amount"):
            continue
        keys, items = stored.get((o.indicator, o.reporter, o.breakdown), ([], []))
        past = items[:bisect_left(keys, period_key(o.period))]
        if not past:
            continue
        prev = past[-1]
        if prev.value <= 0 or o.value <= 0:
            continue
        ratio = o.value / prev.value
        centre, half = _jump_bound(past, ind.checks)
        if abs(math.log(ratio) - centre) <= half:
            continue
        bound = math.exp(half)
        params: dict[str, Any] = {
            "value": o.value, "previous": prev.value, "previous_period": prev.period, "ratio": ratio,
            "bound": bound, "robust": half != math.log(ind.checks.max_ratio) or centre != 0.0,
        }
        power = _power_of_ten(ratio)
        if power is not None:
            params["power"] = power
            note = _unit_note(o.note)
            if note:
                params["note"] = note
        out.append(PlausibilityWarning("jump", o.indicator, o.reporter, o.period, o.breakdown, o.value, o.row, params))
    return out


def check_fraction_for_percent(rows: Sequence[Obs], history: Iterable[Obs], info: Mapping[str, IndicatorInfo]) -> list[PlausibilityWarning]:
    """A percent indicator sent as fractions (all ≤ 1) by a reporter whose history is above 1."""
    stored: dict[tuple[str, str], list[float]] = {}
    for h in history:
        stored.setdefault((h.indicator, h.reporter), []).append(h.value)
    groups: dict[tuple[str, str], list[Obs]] = {}
    for o in rows:
        ind = info.get(o.indicator)
        if ind is not None and ind.kind == "percent":
            groups.setdefault((o.indicator, o.reporter), []).append(o)
    out = []
    for key, items in groups.items():
        past = stored.get(key, [])
        if not past or not all(o.value <= 1 for o in items):
            continue
        typical = statistics.median(past)
        if typical <= 1:
            continue
        for o in items:
            out.append(PlausibilityWarning(
                "fraction_for_percent", o.indicator, o.reporter, o.period, o.breakdown, o.value, o.row,
                {"value": o.value, "typical": round(typical, 1), "as_percent": round(o.value * 100, 2)},
            ))
    return out


def check_breakdown_sums(rows: Sequence[Obs], history: Iterable[Obs], info: Mapping[str, IndicatorInfo],
                         restricted: Mapping[str, Iterable[str]] | None = None) -> list[PlausibilityWarning]:
    """Rows of one breakdown dimension that do not add up to the reporter's total for the period.

    The file's rows are merged with what is stored (the file wins on a shared key), and only the
    dimensions the file sends rows of are judged (a file revising only the total is not). The warning sits on the total row when the file has it,
    else on the file's first row of the dimension.
    """
    merged: dict[tuple[str, str, str, str], Obs] = {}
    for h in history:
        merged[(h.indicator, h.reporter, h.period, h.breakdown)] = h
    touched = set()
    for o in rows:
        merged[(o.indicator, o.reporter, o.period, o.breakdown)] = o
        touched.add((o.indicator, o.reporter, o.period))
    totals: dict[tuple[str, str, str], Obs] = {}
    parts: dict[tuple[str, str, str, str], list[Obs]] = {}
    parsed: dict[str, dict] = {}  # each distinct key parsed once (they repeat from period to period)
    for (ind, rep, per, bd), o in merged.items():
        if (ind, rep, per) not in touched:
            continue
        meta = info.get(ind)
        if meta is None or meta.kind not in ("count", "amount"):
            continue
        dims = parsed.get(bd)
        if dims is None:
            dims = parsed[bd] = json.loads(bd)
        if not dims:
            totals[(ind, rep, per)] = o
        elif len(dims) == 1:
            parts.setdefault((ind, rep, per, next(iter(dims))), []).append(o)
    out = []
    for (ind, rep, per, dim), items in sorted(parts.items()):
        total = totals.get((ind, rep, per))
        if total is None:
            continue
        in_file = [o for o in items if o.row is not None]
        if not in_file:  # judged only where the file sends rows of the dimension (a total-only revision is not)
            continue
        checks = info[ind].checks
        tolerance = checks.breakdown_tolerance
        s = sum(o.value for o in items)
        diff = s - total.value
        if abs(diff) <= tolerance * max(abs(total.value), 1e-9) + 1e-9:
            continue
        if diff < 0 and _partial(dim, items, checks, restricted or {}):
            continue
        anchor = total if total.row is not None else min(in_file, key=lambda o: o.row or 0)
        out.append(PlausibilityWarning(
            "breakdown_sum", ind, rep, per, anchor.breakdown, anchor.value, anchor.row,
            {"dimension": dim, "parts": s, "total": total.value, "difference": diff, "tolerance": tolerance,
             "rows": sorted(o.row for o in in_file)},
        ))
    return out


def _partial(dim: str, items: list[Obs], checks: Checks, restricted: Mapping[str, Iterable[str]]) -> bool:
    """Rows that need not cover the total: a dimension the catalog calls partial, or a restricted
    dimension (e.g. mission_type) of which not every allowed value is present."""
    if dim.lower() in checks.partial_breakdowns:
        return True
    allowed = restricted.get(dim.lower())
    if allowed is None:
        return False
    present = {json.loads(o.breakdown)[dim] for o in items}
    return not set(allowed) <= present


def check_ranges(rows: Sequence[Obs], info: Mapping[str, IndicatorInfo]) -> list[PlausibilityWarning]:
    """Values outside the catalog's declared min_value..max_value."""
    out = []
    for o in rows:
        ind = info.get(o.indicator)
        if ind is None:
            continue
        low, high = ind.checks.min_value, ind.checks.max_value
        if (low is not None and o.value < low) or (high is not None and o.value > high):
            out.append(PlausibilityWarning(
                "out_of_range", o.indicator, o.reporter, o.period, o.breakdown, o.value, o.row,
                {"value": o.value, "indicator": o.indicator, "low": low if low is not None else "−∞",
                 "high": high if high is not None else "∞"},
            ))
    return out


def check_file(rows: Sequence[Obs], history: Iterable[Obs], info: Mapping[str, IndicatorInfo],
               restricted: Mapping[str, Iterable[str]] | None = None) -> list[PlausibilityWarning]:
    """Every rule over one file's observations against the stored current values; in row order.

    `restricted`: the catalog's restricted dimensions (dimension → allowed values)."""
    history = list(history)
    found = (check_jumps(rows, history, info) + check_fraction_for_percent(rows, history, info)
             + check_breakdown_sums(rows, history, info, restricted) + check_ranges(rows, info))
    return sorted(found, key=lambda w: (w.row if w.row is not None else 0, w.code))
