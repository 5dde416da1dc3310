"""The indicator catalog: CSV files under `data/catalog/` that analysts edit, validated on load.

The catalog is data, not code. Every row goes through a pydantic model so that a broken
catalog stops the pipeline with the file, line and field at fault instead of loading nonsense.
"""

from __future__ import annotations

import csv
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from pipelines.periods import parse_period

HORIZONS = (2030, 2045)


class CatalogError(Exception):
    """The catalog files are broken; `problems` lists 'file line N, field F: reason' strings."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("catalog is invalid:\n  " + "\n  ".join(problems))


def _blank_to_none(cls: type, value: object) -> object:
    """An empty CSV cell means 'not set'."""
    return None if isinstance(value, str) and value.strip() == "" else value


def _upper_code(cls: type, v: str) -> str:
    """Codes are what reporters type in every file: upper-case letters, digits and _."""
    if not v or not v.replace("_", "").isalnum() or v != v.upper():
        raise ValueError("must be upper-case letters, digits and _")
    return v


class Pillar(BaseModel):
    model_config = ConfigDict(frozen=True, str_strip_whitespace=True)
    pillar: int
    name_vi: str
    name_en: str


class Reporter(BaseModel):
    model_config = ConfigDict(frozen=True, str_strip_whitespace=True)
    code: str
    kind: Literal["ministry", "locality", "unit"]
    name_vi: str
    name_en: str

    _code = field_validator("code")(_upper_code)


class DimensionValue(BaseModel):
    model_config = ConfigDict(frozen=True, str_strip_whitespace=True)
    dimension: str
    value: str
    name_vi: str
    name_en: str


class Indicator(BaseModel):
    """One row of indicators.csv; targets per horizon with where the number comes from."""

    model_config = ConfigDict(frozen=True, str_strip_whitespace=True)
    code: str
    pillar: int
    domain: str
    name_vi: str
    name_en: str
    unit: str
    unit_vi: str
    kind: Literal["count", "amount", "percent"]
    frequency: Literal["quarterly", "annual"]
    combine: Literal["sum", "single"]
    single_reporter: str | None = None
    direction: Literal["increase", "decrease", "none"]
    baseline_period: str | None = None
    baseline_value: float | None = None
    target_2030: float | None = None
    target_2030_source: Literal["plan", "national", "illustrative"] | None = None
    target_2045: float | None = None
    target_2045_source: Literal["plan", "national", "illustrative"] | None = None
    plan_source: str = ""
    plan_source_en: str = ""  # the same line in English, for English pages and decks

    _blanks = field_validator(
        "single_reporter", "baseline_period", "baseline_value", "target_2030",
        "target_2030_source", "target_2045", "target_2045_source", mode="before",
    )(_blank_to_none)

    _code = field_validator("code")(_upper_code)

    @field_validator("baseline_period")
    @classmethod
    def _period(cls, v: str | None) -> str | None:
        if v is None:
            return None
        parsed = parse_period(v)
        if parsed is None:
            raise ValueError("must be YYYY or YYYY-Qn")
        return parsed

    @model_validator(mode="after")
    def _consistent(self) -> "Indicator":
        if self.baseline_value is not None and self.baseline_period is None:
            raise ValueError("baseline_value needs a baseline_period (a period alone takes the observed value)")
        for year in HORIZONS:
            target = getattr(self, f"target_{year}")
            source = getattr(self, f"target_{year}_source")
            if (target is None) != (source is None):
                raise ValueError(f"target_{year} and target_{year}_source go together: fill both or neither")
            if target is not None and self.direction == "none":
                raise ValueError(f"direction 'none' cannot have target_{year}")
            if target is not None and self.kind == "percent" and not 0 <= target <= 100:
                raise ValueError(f"target_{year} of a percent indicator must be within 0..100")
        return self

    def target(self, horizon: int) -> float | None:
        return getattr(self, f"target_{horizon}", None)

    def target_source(self, horizon: int) -> str | None:
        return getattr(self, f"target_{horizon}_source", None)

    def name(self, lang: str) -> str:
        return self.name_vi if lang == "vi" else self.name_en

    def source_line(self, lang: str) -> str:
        """Where the plan sets this indicator, in the reader's language (Vietnamese if no English)."""
        return self.plan_source_en if lang == "en" and self.plan_source_en else self.plan_source

    def unit_label(self, lang: str) -> str:
        return self.unit_vi if lang == "vi" else self.unit


EMAIL_RE = r"^[^@\s,;:<>]+@[^@\s,;:<>]+\.[^@\s,;:<>]+$"


class Deadline(BaseModel):
    """deadlines.csv: a report for a period of this frequency is due this many days after the period ends."""

    model_config = ConfigDict(frozen=True, str_strip_whitespace=True)
    frequency: Literal["quarterly", "annual"]
    deadline_days: int = Field(ge=0, le=366)
    note: str = ""


class Contact(BaseModel):
    """reporter_contacts.csv: who at a reporter hears about their files, in which language."""

    model_config = ConfigDict(frozen=True, str_strip_whitespace=True)
    reporter: str
    email: str = Field(pattern=EMAIL_RE)
    language: Literal["vi", "en"]
    name: str = ""
class IndicatorChecks(BaseModel):
    """One row of the optional checks.csv: plausibility bounds and expected reporters per indicator.

    Blank cells take the defaults of pipelines/plausibility.py; an indicator without a row
    takes them all. `expected_reporters` (space-separated codes) says who must report each
    period of a summed indicator for the period to count as complete. `partial_breakdowns`
    (space-separated dimensions) names breakdowns whose rows need not cover the total: for
    those only rows adding up to MORE than the total are a warning.
    """

    model_config = ConfigDict(frozen=True, str_strip_whitespace=True)
    indicator: str
    max_ratio: float | None = None
    robust_k: float | None = None
    breakdown_tolerance: float | None = None
    min_value: float | None = None
    max_value: float | None = None
    expected_reporters: str | None = None
    partial_breakdowns: str | None = None

    _blanks = field_validator(
        "max_ratio", "robust_k", "breakdown_tolerance", "min_value", "max_value", "expected_reporters",
        "partial_breakdowns", mode="before",
    )(_blank_to_none)

    @model_validator(mode="after")
    def _sane(self) -> "IndicatorChecks":
        if self.max_ratio is not None and self.max_ratio <= 1:
            raise ValueError("max_ratio must be above 1 (e.g. 5 for 'more than 5 times or less than a fifth')")
        if self.robust_k is not None and self.robust_k <= 0:
            raise ValueError("robust_k must be above 0")
        if self.breakdown_tolerance is not None and not 0 <= self.breakdown_tolerance < 1:
            raise ValueError("breakdown_tolerance is a share of the total, within 0..1 (e.g. 0.005)")
        if self.min_value is not None and self.max_value is not None and self.min_value > self.max_value:
            raise ValueError("min_value is above max_value")
        return self

    def reporters(self) -> tuple[str, ...]:
        return tuple(self.expected_reporters.split()) if self.expected_reporters else ()

    def partial(self) -> tuple[str, ...]:
        return tuple(d.lower() for d in self.partial_breakdowns.split()) if self.partial_breakdowns else ()


@dataclass(frozen=True)
class Catalog:
    """The validated catalog: lookups the validator and the dashboard need."""

    pillars: dict[int, Pillar]
    indicators: dict[str, Indicator]
    reporters: dict[str, Reporter]
    restricted: dict[str, dict[str, DimensionValue]] = field(default_factory=dict)
    # Optional files (issue 19): reporting deadlines per frequency and reporters' contacts.
    deadlines: dict[str, int] = field(default_factory=dict)
    contacts: dict[str, list[Contact]] = field(default_factory=dict)
    checks: dict[str, IndicatorChecks] = field(default_factory=dict)
    target_versions: tuple = ()  # pipelines.targets.TargetVersion, from targets.csv: revisions since the plan
    base_indicators: dict[str, Indicator] | None = None  # as indicators.csv sets them, when targets were put in force

    def original_indicators(self) -> dict[str, Indicator]:
        """The indicators with their targets as indicators.csv sets them (before any revision)."""
        return self.base_indicators if self.base_indicators is not None else self.indicators

    def allowed_values(self, dimension: str) -> dict[str, DimensionValue] | None:
        return self.restricted.get(dimension)


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _read_rows(path: Path, problems: list[str]) -> list[tuple[int, dict[str, str]]]:
    """Rows of a catalog CSV with their line numbers (header = line 1)."""
    if not path.exists():
        problems.append(f"{path.name}: file is missing from {path.parent}")
        return []
    try:
        text = _nfc(path.read_text(encoding="utf-8-sig"))
    except UnicodeDecodeError as exc:
        problems.append(f"{path.name}: not UTF-8 ({exc.reason} at byte {exc.start}); save it as CSV UTF-8")
        return []
    reader = csv.reader(text.splitlines())
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        problems.append(f"{path.name}: file is empty")
        return []
    rows = []
    for line_no, cells in enumerate(reader, start=2):
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != len(header):
            problems.append(f"{path.name} line {line_no}: {len(cells)} cells, header has {len(header)}")
            continue
        rows.append((line_no, dict(zip(header, cells))))
    return rows


def _validate(model: type[BaseModel], path: Path, rows, problems: list[str]) -> list[tuple[int, BaseModel]]:
    good = []
    for line_no, record in rows:
        try:
            good.append((line_no, model.model_validate(record)))
        except ValidationError as exc:
            for err in exc.errors():
                where = ".".join(str(x) for x in err["loc"])
                msg = err["msg"].removeprefix("Value error, ")
                # A rule across fields has no single location; its message names the fields.
                problems.append(f"{path.name} line {line_no}, field {where}: {msg}" if where
                                else f"{path.name} line {line_no}: {msg}")
    return good


def _unique(items, key: str, path: Path, problems: list[str]) -> dict:
    out: dict = {}
    for line_no, item in items:
        k = getattr(item, key)
        if k in out:
            problems.append(f"{path.name} line {line_no}, field {key}: {k!r} appears twice")
        out[k] = item
    return out


def load_catalog(catalog_dir: Path) -> Catalog:
    """Read and cross-check every catalog file; raise CatalogError listing all problems."""
    problems: list[str] = []
    p_path, i_path = catalog_dir / "pillars.csv", catalog_dir / "indicators.csv"
    r_path, d_path = catalog_dir / "reporters.csv", catalog_dir / "dimension_values.csv"
    pillars = _unique(_validate(Pillar, p_path, _read_rows(p_path, problems), problems), "pillar", p_path, problems)
    before = len(problems)
    reporters = _unique(_validate(Reporter, r_path, _read_rows(r_path, problems), problems), "code", r_path, problems)
    reporters_whole = len(problems) == before  # else a contact of a broken row is not a second problem
    ind_raw = _read_rows(i_path, problems)
    ind_rows = _validate(Indicator, i_path, ind_raw, problems)
    indicators = _unique(ind_rows, "code", i_path, problems)
    for line_no, ind in ind_rows:
        if pillars and ind.pillar not in pillars:
            problems.append(f"{i_path.name} line {line_no}, field pillar: {ind.pillar} is not in pillars.csv")
        if ind.single_reporter and reporters and ind.single_reporter not in reporters:
            problems.append(
                f"{i_path.name} line {line_no}, field single_reporter: {ind.single_reporter!r} is not in reporters.csv"
            )
    restricted: dict[str, dict[str, DimensionValue]] = {}
    if d_path.exists():
        for line_no, dv in _validate(DimensionValue, d_path, _read_rows(d_path, problems), problems):
            values = restricted.setdefault(dv.dimension.lower(), {})
            if dv.value in values:
                problems.append(f"{d_path.name} line {line_no}, field value: {dv.value!r} appears twice")
            values[dv.value] = dv
    deadlines: dict[str, int] = {}
    dl_path = catalog_dir / "deadlines.csv"
    if dl_path.exists():
        for line_no, dl in _validate(Deadline, dl_path, _read_rows(dl_path, problems), problems):
            if dl.frequency in deadlines:
                problems.append(f"{dl_path.name} line {line_no}, field frequency: {dl.frequency!r} appears twice")
            deadlines[dl.frequency] = dl.deadline_days
    contacts: dict[str, list[Contact]] = {}
    c_path = catalog_dir / "reporter_contacts.csv"
    if c_path.exists():
        for line_no, contact in _validate(Contact, c_path, _read_rows(c_path, problems), problems):
            if reporters_whole and contact.reporter not in reporters:
                problems.append(f"{c_path.name} line {line_no}, field reporter: {contact.reporter!r} is not in reporters.csv")
            contacts.setdefault(contact.reporter, []).append(contact)
    # Checked against every code written in indicators.csv: a row broken there is reported once, there.
    known_codes = {rec.get("code", "").strip() for _, rec in ind_raw}
    checks = _load_checks(catalog_dir / "checks.csv", known_codes, reporters, problems)
    if not indicators and not problems:
        problems.append(f"{i_path.name}: no indicators")
    versions: list = []
    t_path = catalog_dir / "targets.csv"
    if t_path.exists():  # optional: a catalog without revisions has no file
        from pipelines.targets import TargetVersion, check_versions

        versions = _validate(TargetVersion, t_path, _read_rows(t_path, problems), problems)
        problems += check_versions(Catalog(pillars, indicators, reporters, restricted=restricted), versions, t_path.name)
    if problems:
        raise CatalogError(problems)
    return Catalog(pillars=pillars, indicators=indicators, reporters=reporters, restricted=restricted,
                   deadlines=deadlines, contacts=contacts, checks=checks,
                   target_versions=tuple(v for _, v in versions))


def _load_checks(path: Path, indicators: set[str], reporters: dict, problems: list[str]) -> dict[str, IndicatorChecks]:
    """checks.csv is optional: without it every indicator takes the default checks."""
    if not path.exists():
        return {}
    rows = _validate(IndicatorChecks, path, _read_rows(path, problems), problems)
    for line_no, row in rows:
        if indicators and row.indicator not in indicators:
            problems.append(f"{path.name} line {line_no}, field indicator: {row.indicator!r} is not in indicators.csv")
        for code in row.reporters():
            if reporters and code not in reporters:
                problems.append(f"{path.name} line {line_no}, field expected_reporters: {code!r} is not in reporters.csv")
    return _unique(rows, "indicator", path, problems)
