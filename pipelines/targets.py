"""The target register: a target's later versions (value, effective date, source, reason).

indicators.csv holds each indicator's target as the plan first set it; targets.csv lists the
revisions since. A status is computed against the target in force at the as-of date, and
pages and decks show the current target with the earlier one and when it changed. Kept as
data: an analyst records a revision by adding a row, never by editing the original.

Targets are national. A row with a `reporter` and/or a `breakdown` (`dimension=value`, e.g.
`program=negotiation`) instead gives that one series a target of its own: the series of that
reporter (all of its breakdowns' total when `breakdown` is blank), of that breakdown member
(summed over reporters when `reporter` is blank), or of both. Only such a series gets a status;
any other single reporter's or breakdown's series shows its trend. Series targets never revise
the national one.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, field_validator

from pipelines.catalog import HORIZONS, Catalog

TARGETS_FILE = "targets.csv"


class TargetVersion(BaseModel):
    """One revision of an indicator's target for a horizon, in force from `effective_from` on."""

    model_config = ConfigDict(frozen=True, str_strip_whitespace=True)
    indicator: str
    horizon: int
    value: float
    effective_from: date
    source: Literal["plan", "national", "illustrative"]
    reason_vi: str
    reason_en: str = ""
    reporter: str = ""  # a series target: that reporter's own series (blank: national, or every reporter)
    breakdown: str = ""  # a series target: `dimension=value`, that breakdown member's series

    @property
    def national(self) -> bool:
        return not self.reporter and not self.breakdown

    @property
    def breakdown_key(self) -> str:
        """The breakdown as observations store it (canonical JSON; '{}' = the total)."""
        return breakdown_key(self.breakdown)

    @field_validator("horizon")
    @classmethod
    def _horizon(cls, v: int) -> int:
        if v not in HORIZONS:
            raise ValueError(f"must be one of {', '.join(map(str, HORIZONS))}")
        return v

    @field_validator("reason_vi")
    @classmethod
    def _reason(cls, v: str) -> str:
        if not v:
            raise ValueError("say why the target changed (a decision, a document)")
        return v

    def reason(self, lang: str) -> str:
        return self.reason_en if lang == "en" and self.reason_en else self.reason_vi


def breakdown_key(text: str) -> str:
    """`program=negotiation` → '{"program":"negotiation"}', as the validator writes a breakdown."""
    import json

    if not text:
        return "{}"
    dimension, _, value = text.partition("=")
    return json.dumps({dimension.strip().lower(): value.strip()}, ensure_ascii=False, separators=(",", ":"))


def check_versions(catalog: Catalog, versions: list[tuple[int, TargetVersion]], file_name: str) -> list[str]:
    """Cross-checks with indicators.csv: a known indicator that has a target there (a series
    target: a known reporter, a `dimension=value` breakdown with an allowed value), a percent
    within 0..100, one version per indicator, series, horizon and date."""
    problems, seen = [], {}
    for line, v in versions:
        ind = catalog.indicators.get(v.indicator)
        if ind is None:
            problems.append(f"{file_name} line {line}, field indicator: {v.indicator!r} is not in indicators.csv")
            continue
        if v.reporter and v.reporter not in catalog.reporters:
            problems.append(f"{file_name} line {line}, field reporter: {v.reporter!r} is not in reporters.csv")
        if v.breakdown:
            dimension, eq, value = v.breakdown.partition("=")
            allowed = catalog.allowed_values(dimension.strip().lower())
            if not eq or not dimension.strip() or not value.strip():
                problems.append(f"{file_name} line {line}, field breakdown: write dimension=value (e.g. program=negotiation)")
            elif allowed is not None and value.strip() not in allowed:
                problems.append(f"{file_name} line {line}, field breakdown: {value.strip()!r} is not an allowed "
                                f"{dimension.strip()}; allowed: {', '.join(allowed)}")
        if not v.national:
            pass  # a series' own target: nothing in indicators.csv to revise
        elif ind.target(v.horizon) is None:
            problems.append(f"{file_name} line {line}, field horizon: {v.indicator} has no {v.horizon} target in "
                            "indicators.csv to revise; set it there first")
        if ind.kind == "percent" and not 0 <= v.value <= 100:
            problems.append(f"{file_name} line {line}, field value: a percent target must be within 0..100")
        key = (v.indicator, v.reporter, v.breakdown_key, v.horizon, v.effective_from)
        if key in seen:
            problems.append(f"{file_name} line {line}, field effective_from: same indicator, series, horizon and date as line {seen[key]}")
        seen.setdefault(key, line)
    return problems


def in_force(catalog: Catalog, as_of: date) -> Catalog:
    """The catalog with each target replaced by the version in force on `as_of` (the latest one
    effective on or before it; the original when none is)."""
    latest: dict[tuple[str, int], TargetVersion] = {}
    for v in sorted(catalog.target_versions, key=lambda v: v.effective_from):
        if v.effective_from <= as_of and v.national:
            latest[(v.indicator, v.horizon)] = v
    if not latest:  # the originals (a catalog already put in force at a later date goes back to them)
        return catalog if catalog.base_indicators is None else replace(catalog, indicators=catalog.base_indicators)
    indicators = dict(catalog.original_indicators())
    for (code, horizon), v in latest.items():
        if code in indicators:
            indicators[code] = indicators[code].model_copy(
                update={f"target_{horizon}": v.value, f"target_{horizon}_source": v.source})
    return replace(catalog, indicators=indicators, base_indicators=catalog.original_indicators())


def previous_target(catalog: Catalog, code: str, horizon: int, as_of: date) -> tuple[float | None, TargetVersion] | None:
    """(the target before, the version now in force) when the target in force on `as_of` is a revision."""
    versions = sorted((v for v in catalog.target_versions if v.indicator == code and v.horizon == horizon
                       and v.national and v.effective_from <= as_of), key=lambda v: v.effective_from)
    if not versions:
        return None
    original = catalog.original_indicators().get(code)
    before = versions[-2].value if len(versions) > 1 else (original.target(horizon) if original else None)
    return before, versions[-1]


def changes_between(catalog: Catalog, start: date, end: date) -> list[tuple[float | None, TargetVersion]]:
    """Target revisions effective in (start, end], each with the value it replaced."""
    out = []
    for v in sorted(catalog.target_versions, key=lambda v: (v.effective_from, v.indicator, v.horizon)):
        if start < v.effective_from <= end and v.national:
            found = previous_target(catalog, v.indicator, v.horizon, v.effective_from)
            out.append((found[0] if found else None, v))
    return out


def series_targets(catalog: Catalog, code: str, reporter: str, breakdown: str, as_of: date) -> dict[int, TargetVersion]:
    """horizon → the target in force on `as_of` that the catalog gives this one series (reporter ''
    = every reporter; breakdown '{}' = the total); empty when it has none (then: its trend only)."""
    out: dict[int, TargetVersion] = {}
    for v in sorted(catalog.target_versions, key=lambda v: v.effective_from):
        if (v.indicator == code and not v.national and v.reporter == reporter and v.breakdown_key == breakdown
                and v.effective_from <= as_of):
            out[v.horizon] = v
    return out
