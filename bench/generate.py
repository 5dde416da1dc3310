"""Synthetic reporter files in the data contract's template, deterministic from a seed.

The key space is the catalog's: every indicator with the reporters that may send it (all
reporters for `sum` indicators, the single reporter otherwise), its frequency's periods
(quarters 2019-Q1 .. 2026-Q3, years 2019 .. 2025) and the breakdown dimensions a real report
of that indicator uses (country, mission_type, staff_category, program, service, budget_line;
a blank cell = the total over that dimension, so totals and subtotals occur naturally).
A file of n rows is n distinct keys drawn from that space, always with every headline key
(all breakdowns blank) first, so the dashboard has full headline series at every size.

Values follow each indicator's kind (whole non-negative counts, percents in 0..100 with one
decimal, some written `47.5%`, amounts with one decimal), units are the catalog's (some in
Vietnamese, some blank), 5 % of quarterly periods use another accepted spelling (`2025Q3`,
`Q3/2025`, `Quý 3/2025`) and a quarter of the rows carry a Vietnamese note, some with commas
or quotes. One number convention per file (dot decimal), UTF-8, comma, English headers.

`sample(n, seed)` returns both the text cells (what the file holds) and the canonical values
(what the warehouse must hold after an ingest), so a warehouse can be built without parsing
the file and the smoke test can check that both ways agree.
"""

from __future__ import annotations

import csv
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import polars as pl

from pipelines.catalog import Catalog, load_catalog
from pipelines.settings import DEFAULT_CATALOG_DIR

QUARTERS = [f"{y}-Q{q}" for y in range(2019, 2027) for q in range(1, 5)][:31]  # .. 2026-Q3
YEARS = [str(y) for y in range(2019, 2026)]
PERIODS = QUARTERS + YEARS

DIM_VALUES_EXTRA = {  # mission_type comes from the catalog (a restricted dimension), country from countries.csv
    "staff_category": ["civil_servant", "public_employee", "contract_staff", "seconded", "local_hire"],
    "program": ["foreign_language", "diplomatic_skills", "international_law", "digital_skills",
                "economic_diplomacy", "protocol", "cultural_diplomacy"],
    "service": ["consular_legalisation", "consular_certification", "official_passport",
                "intl_conference_approval", "visa_exemption"],
    "budget_line": ["representative_agencies", "regular_operations", "international_delegations",
                    "conferences_events", "it_infrastructure", "software_databases", "cybersecurity"],
}
DIMS = ["mission_type", "country", "staff_category", "program", "service", "budget_line"]
INDICATOR_DIMS = {
    "MISSIONS_ABROAD": ["mission_type", "country"],
    "STAFF_HEADCOUNT": ["staff_category", "country", "mission_type"],
    "STAFF_SPECIALISTS": ["staff_category", "program", "country"],
    "OFFICIALS_TRAINED": ["program", "staff_category", "country", "mission_type"],
    "OFFICIALS_IN_INTL_ORGS": ["country", "staff_category"],
    "DIGITAL_FULL_ONLINE_PCT": ["service"],
    "DIGITAL_ONLINE_FILINGS_PCT": ["service", "country"],
    "DIGITAL_SYSTEMS": ["service"],
    "BUDGET_OPERATING": ["budget_line", "country", "mission_type"],
    "BUDGET_DIGITAL": ["budget_line", "country"],
    "BUDGET_DISBURSED_PCT": ["budget_line", "country"],
    "REMUNERATION_VS_ASEAN_PCT": ["country"],
    "LAWS_ENACTED": [],
    "VISUAL_IDENTITY_PCT": ["country", "mission_type"],
}
BASE = {  # level of a headline value; breakdown rows are a share of it
    "MISSIONS_ABROAD": 95, "STAFF_HEADCOUNT": 300, "STAFF_SPECIALISTS": 40, "OFFICIALS_TRAINED": 60,
    "OFFICIALS_IN_INTL_ORGS": 90, "DIGITAL_SYSTEMS": 20, "BUDGET_OPERATING": 400.0, "BUDGET_DIGITAL": 60.0,
    "LAWS_ENACTED": 1,
}
NOTES = [
    "Số liệu sơ bộ, sẽ cập nhật khi có báo cáo chính thức",
    "Đã đối chiếu với báo cáo quý trước",
    "Bao gồm cán bộ biệt phái, hợp đồng",
    "Theo Quyết định số 1234/QĐ-BNG ngày 15/3/2025",
    "Số liệu ước tính của đơn vị",
    'Điều chỉnh theo kết quả rà soát "tinh gọn bộ máy"',
    "Chưa bao gồm các khoản chi chuyển nguồn",
    "Cơ quan đại diện mới thành lập trong kỳ",
]
COLUMNS = ["indicator", "reporter", "period", *DIMS, "value", "unit", "note"]


@dataclass(frozen=True)
class Segment:
    indicator: str
    reporters: list[int]  # indexes into KeySpace.reporters
    periods: list[int]  # indexes into PERIODS
    dims: list[str]
    radices: list[int]  # reporters, periods, then each dim's values + 1 (0 = blank)
    size: int
    offset: int


@dataclass(frozen=True)
class KeySpace:
    catalog: Catalog
    reporters: list[str]
    dim_values: dict[str, list[str]]
    segments: list[Segment]
    size: int


@lru_cache(maxsize=1)
def key_space(catalog_dir: Path = DEFAULT_CATALOG_DIR) -> KeySpace:
    catalog = load_catalog(catalog_dir)
    with open(catalog_dir / "countries.csv", encoding="utf-8") as handle:
        countries = [r["iso3"] for r in csv.DictReader(handle)]
    dim_values = {"mission_type": list(catalog.allowed_values("mission_type") or []), "country": countries,
                  **DIM_VALUES_EXTRA}
    reporters = list(catalog.reporters)
    segments, offset = [], 0
    for code, ind in catalog.indicators.items():
        reps = list(range(len(reporters))) if ind.combine == "sum" else [reporters.index(ind.single_reporter or "MOFA")]
        periods = [PERIODS.index(p) for p in (QUARTERS if ind.frequency == "quarterly" else YEARS)]
        dims = INDICATOR_DIMS.get(code, [])
        radices = [len(reps), len(periods)] + [len(dim_values[d]) + 1 for d in dims]
        size = int(np.prod(radices))
        segments.append(Segment(code, reps, periods, dims, radices, size, offset))
        offset += size
    return KeySpace(catalog, reporters, dim_values, segments, offset)


def _headline_keys(space: KeySpace) -> np.ndarray:
    out = []
    for seg in space.segments:
        per_rp = int(np.prod(seg.radices[2:]))  # keys per (reporter, period); blank dims = local index 0
        out.append(seg.offset + np.arange(seg.radices[0] * seg.radices[1], dtype=np.int64) * per_rp)
    return np.concatenate(out)


def sample_keys(n: int, seed: int, space: KeySpace | None = None) -> np.ndarray:
    """n distinct global key indexes, sorted (so a file is grouped by indicator, reporter, period)."""
    space = space or key_space()
    if n > space.size:
        raise ValueError(f"at most {space.size} distinct keys exist; asked for {n}")
    rng = np.random.default_rng(seed)
    heads = _headline_keys(space)
    if n <= len(heads):
        return np.sort(rng.choice(heads, size=n, replace=False))
    k = n - len(heads)
    draw = rng.choice(space.size, size=min(space.size, k + len(heads)), replace=False)
    draw = draw[~np.isin(draw, heads)][:k]
    return np.sort(np.concatenate([heads, draw]))


def _gather(values: list[str], idx: np.ndarray) -> pl.Series:
    return pl.Series(values, dtype=pl.String).gather(pl.Series(idx, dtype=pl.UInt32))


def sample(n: int, seed: int = 7) -> pl.DataFrame:
    """n rows: text columns as written to the file (COLUMNS, None = blank cell) and canonical
    columns `_period`, `_value`, `_unit`, `_note` (what an ingest stores)."""
    space = key_space()
    keys = sample_keys(n, seed, space)
    rng = np.random.default_rng(seed + 1)
    seg_of = np.searchsorted([s.offset for s in space.segments], keys, side="right") - 1
    ind_idx = seg_of.astype(np.int64)
    rep_idx = np.zeros(n, dtype=np.int64)
    per_idx = np.zeros(n, dtype=np.int64)
    dim_idx = {d: np.zeros(n, dtype=np.int64) for d in DIMS}  # 0 = blank, i = value i-1
    for s, seg in enumerate(space.segments):
        mask = seg_of == s
        if not mask.any():
            continue
        local = keys[mask] - seg.offset
        digits = []
        for radix in reversed(seg.radices):
            digits.append(local % radix)
            local = local // radix
        digits.reverse()
        rep_idx[mask] = np.asarray(seg.reporters)[digits[0]]
        per_idx[mask] = np.asarray(seg.periods)[digits[1]]
        for d, digit in zip(seg.dims, digits[2:]):
            dim_idx[d][mask] = digit

    inds = space.catalog.indicators
    codes = list(inds)
    kind = np.array([inds[c].kind for c in codes])[ind_idx]
    headline = np.all([dim_idx[d] == 0 for d in DIMS], axis=0)
    years = np.array([int(p[:4]) + (int(p[-1]) - 1) / 4 if "-Q" in p else int(p) for p in PERIODS])[per_idx] - 2019
    base = np.array([float(BASE.get(c, 50)) for c in codes])[ind_idx]
    level = base * (1 + 0.03 * years) * (1 + 0.05 * (2 * rng.random(n) - 1))
    value = np.where(headline, level, level * rng.uniform(0.01, 0.5, n))
    value = np.where(kind == "percent", np.clip(20 + 60 * years / 8 + rng.normal(0, 8, n), 0, 100), value)
    value = np.where(kind == "count", np.round(value), np.round(value, 1))
    is_laws = ind_idx == codes.index("LAWS_ENACTED") if "LAWS_ENACTED" in codes else np.zeros(n, bool)
    value = np.where(is_laws, np.minimum(4, np.floor(years / 2)), value)

    frame = pl.DataFrame({
        "indicator": _gather(codes, ind_idx),
        "reporter": _gather(space.reporters, rep_idx),
        "_period": _gather(PERIODS, per_idx),
        **{d: _gather([None, *space.dim_values[d]], dim_idx[d]) for d in DIMS},  # type: ignore[list-item]
        "_value": pl.Series(value, dtype=pl.Float64),
        "_kind": pl.Series(kind),
        "_unit": _gather([inds[c].unit for c in codes], ind_idx),
        "_unit_vi": _gather([inds[c].unit_vi for c in codes], ind_idx),
        "_spelling": pl.Series(rng.integers(0, 60, n), dtype=pl.Int64),
        "_unit_pick": pl.Series(rng.integers(0, 10, n), dtype=pl.Int64),
        "_pct_pick": pl.Series(rng.integers(0, 5, n), dtype=pl.Int64),
        # a quarter of the rows carry a note
        "note": _gather([unicodedata.normalize("NFC", t) for t in NOTES] + [None] * (3 * len(NOTES)),  # type: ignore[list-item]
                        rng.integers(0, 4 * len(NOTES), n)),
    })
    year, quarter = pl.col("_period").str.slice(0, 4), pl.col("_period").str.slice(6, 1)
    quarterly = pl.col("_period").str.contains("-Q")
    spelled = (
        pl.when(quarterly & (pl.col("_spelling") == 0)).then(year + pl.lit("Q") + quarter)
        .when(quarterly & (pl.col("_spelling") == 1)).then(pl.lit("Q") + quarter + pl.lit("/") + year)
        .when(quarterly & (pl.col("_spelling") == 2)).then(pl.lit("Quý ") + quarter + pl.lit("/") + year)
        .otherwise(pl.col("_period"))
    )
    number = (
        pl.when(pl.col("_kind") == "count").then(pl.col("_value").cast(pl.Int64).cast(pl.String))
        .otherwise(pl.col("_value").round(1).cast(pl.String))  # `12.0`, `1234.5`: dot, no exponent
    )
    value_text = pl.when((pl.col("_kind") == "percent") & (pl.col("_pct_pick") == 0)).then(number + pl.lit("%")).otherwise(number)
    frame = frame.with_columns(
        spelled.alias("period"),
        value_text.alias("value"),
        pl.when(pl.col("_unit_pick") < 8).then(pl.col("_unit"))
        .when(pl.col("_unit_pick") == 8).then(pl.col("_unit_vi")).otherwise(None).alias("unit"),
    )
    frame = frame.with_columns(pl.col("note").alias("_note"))
    return frame.select(*COLUMNS, "_period", "_value", "_unit", "_note")


def write_csv(frame: pl.DataFrame, path: Path) -> Path:
    """The file a reporter would send: the template's columns, blank = empty cell."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    frame.select(COLUMNS).write_csv(tmp, null_value="")
    tmp.replace(path)
    return path


def ensure_file(n: int, seed: int, folder: Path) -> Path:
    """The generated file for (n, seed), made once and kept in the cache folder."""
    path = folder / f"bench_{n}_seed{seed}.csv"
    if not path.exists():
        write_csv(sample(n, seed), path)
    return path
