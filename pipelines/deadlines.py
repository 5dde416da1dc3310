"""Reporting deadlines and timeliness: pure functions, no I/O (the data status page and `kpi notify`).

A *report* is what one reporter owes for one period of one frequency: a value for every
indicator it is expected to send for that period. It is expected when the reporter has sent that
indicator before (from the first period it sent on) or is the catalog's single reporter for it.
It is due `deadline_days` after the period ends (data/catalog/deadlines.csv). Its arrival is
the day its last expected indicator first arrived (a later revision does not make it late).

Rates follow DHIS2's definitions, over the reports whose deadline has passed:
reporting rate = reports received / reports expected; on-time rate = reports received by
their deadline / reports expected.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from pipelines.periods import period_end, split_period

ON_TIME, LATE, MISSING, DUE = "on_time", "late", "missing", "due"


def due_date(period: str, deadline_days: int) -> date:
    """The last day a report for `period` is on time."""
    return period_end(period) + timedelta(days=deadline_days)


def frequency_of(period: str) -> str:
    return "annual" if split_period(period)[1] is None else "quarterly"


def periods_between(first: str, last: str) -> list[str]:
    """Periods of `first`'s frequency from `first` to `last` inclusive (same frequency)."""
    y, q = split_period(first)
    ly, lq = split_period(last)
    out = []
    if q is None:
        return [str(year) for year in range(y, ly + 1)]
    while (y, q) <= (ly, lq or 4):
        out.append(f"{y}-Q{q}")
        y, q = (y + 1, 1) if q == 4 else (y, q + 1)
    return out


def last_ended(frequency: str, today: date) -> str | None:
    """The latest period of this frequency that has ended before `today`."""
    if frequency == "annual":
        return str(today.year - 1)
    q = (today.month - 1) // 3 + 1
    return f"{today.year - 1}-Q4" if q == 1 else f"{today.year}-Q{q - 1}"


@dataclass(frozen=True)
class Report:
    """One reporter's report for one period, judged on `today`."""

    reporter: str
    period: str
    frequency: str
    due: date
    expected: int
    received: int
    arrived: date | None  # when complete
    status: str  # on_time | late | missing | due
    days_late: int | None = None

    @property
    def past_due(self) -> bool:
        return self.status != DUE


def judge(reporter: str, period: str, due: date, expected: set[str], arrivals: dict[str, date], today: date) -> Report:
    """The status of one report from the first arrival day of each indicator."""
    got = [arrivals[i] for i in expected if i in arrivals]
    complete = len(got) == len(expected)
    arrived = max(got) if complete and got else None
    if arrived is not None:
        late_by = (arrived - due).days
        status, days = (ON_TIME, None) if late_by <= 0 else (LATE, late_by)
    else:
        status, days = (DUE, None) if today <= due else (MISSING, (today - due).days)
    return Report(reporter, period, frequency_of(period), due, len(expected), len(got), arrived, status, days)


def reports(first_periods: dict[tuple[str, str], str], arrivals: dict[tuple[str, str, str], date],
            deadlines: dict[str, int], today: date, single_reporters: dict[str, str] | None = None,
            frequencies: dict[str, str] | None = None) -> list[Report]:
    """Every report expected up to the last ended period of each frequency.

    `first_periods`: (reporter, indicator) → the first period it sent; `arrivals`: (reporter,
    indicator, period) → first arrival day; `single_reporters`: indicator → the one reporter
    the catalog expects (expected from the first period anyone sent, if it never did);
    `frequencies`: indicator → catalog frequency (a period of another frequency is ignored).
    """
    starts = dict(first_periods)
    for indicator, reporter in (single_reporters or {}).items():
        if (reporter, indicator) not in starts:
            sent = [p for (r, i), p in first_periods.items() if i == indicator]
            if sent:
                starts[(reporter, indicator)] = min(sent)
    owed: dict[tuple[str, str], set[str]] = defaultdict(set)
    for (reporter, indicator), first in starts.items():
        freq = frequency_of(first)
        if frequencies and frequencies.get(indicator, freq) != freq:
            continue
        if freq not in deadlines:
            continue
        last = last_ended(freq, today)
        if last is None or first > last:
            continue
        for period in periods_between(first, last):
            owed[(reporter, period)].add(indicator)
    out = []
    for (reporter, period), expected in owed.items():
        got = {i: arrivals[(reporter, i, period)] for i in expected if (reporter, i, period) in arrivals}
        out.append(judge(reporter, period, due_date(period, deadlines[frequency_of(period)]), expected, got, today))
    return sorted(out, key=lambda r: (r.frequency, r.period, r.reporter))


@dataclass(frozen=True)
class Rates:
    period: str
    expected: int
    received: int
    on_time: int

    @property
    def reporting_rate(self) -> float:
        return 100.0 * self.received / self.expected if self.expected else 0.0

    @property
    def on_time_rate(self) -> float:
        return 100.0 * self.on_time / self.expected if self.expected else 0.0


def rates(items: list[Report]) -> list[Rates]:
    """DHIS2's reporting rate and on-time rate per period, over reports past their deadline."""
    per: dict[str, list[Report]] = defaultdict(list)
    for r in items:
        if r.past_due:
            per[r.period].append(r)
    return [
        Rates(period, len(rs), sum(r.status in (ON_TIME, LATE) for r in rs), sum(r.status == ON_TIME for r in rs))
        for period, rs in sorted(per.items())
    ]


def newly_missing(items: list[Report], today: date) -> list[Report]:
    """Reports missing at the deadline of the latest period of their frequency that is past due:
    what `kpi notify` tells analysts (older gaps were told when their own deadline passed)."""
    latest: dict[str, str] = {}
    for r in items:
        if r.past_due and r.period > latest.get(r.frequency, ""):
            latest[r.frequency] = r.period
    return [r for r in items if r.status == MISSING and latest.get(r.frequency) == r.period and r.due < today]
