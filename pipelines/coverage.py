"""Completeness of summed roll-ups: which reporters each period's total is expected to include.

Pure functions, stdlib only. A `sum` indicator's total for a period is complete when every
expected reporter has reported it; otherwise it is provisional (drawn hollow, "8 of 9
reporters", never the latest value behind a status). Expected reporters come from the
catalog (checks.csv `expected_reporters`) or, when it lists none, from those who reported the
indicator in the previous `LOOKBACK` periods: a reporter who sends the year late makes the
year provisional; a reporter who joins adds to the total without making anything provisional.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Sequence

from pipelines.plausibility import period_key

LOOKBACK = 4  # previous periods whose reporters are expected again


@dataclass(frozen=True)
class Coverage:
    """Who was expected in a period's total and who reported."""

    period: str
    reported: tuple[str, ...]
    expected: tuple[str, ...]

    @property
    def missing(self) -> tuple[str, ...]:
        return tuple(r for r in self.expected if r not in self.reported)

    @property
    def complete(self) -> bool:
        return not self.missing

    @property
    def counted(self) -> int:
        """Expected reporters that reported (a newcomer counts in the total, not in 'k of n')."""
        return sum(r in self.reported for r in self.expected)

    def label(self, lang: str = "en") -> str:
        """'4 of 9 reporters' / '4 trên 9 đơn vị báo cáo'."""
        n, k = len(self.expected), self.counted
        return f"{k} of {n} reporters" if lang == "en" else f"{k} trên {n} đơn vị báo cáo"


def period_coverage(rows: Iterable[tuple[str, str, float]], expected: Sequence[str] = (),
                    lookback: int = LOOKBACK) -> dict[str, Coverage]:
    """Coverage of each period of one indicator's headline rows (reporter, period, value)."""
    by_period: dict[str, set[str]] = {}
    for reporter, period, _ in rows:
        by_period.setdefault(period, set()).add(reporter)
    periods = sorted(by_period, key=period_key)
    out = {}
    for i, period in enumerate(periods):
        reported = by_period[period]
        if expected:
            exp = set(expected)
        else:
            exp = set().union(*(by_period[p] for p in periods[max(0, i - lookback):i])) if i else set(reported)
            exp |= reported  # a newcomer is expected from now on, and is never "missing" here
        out[period] = Coverage(period, tuple(sorted(reported)), tuple(sorted(exp)))
    return out


def provisional(coverage: dict[str, Coverage]) -> set[str]:
    """The periods whose total misses an expected reporter."""
    return {p for p, c in coverage.items() if not c.complete}
