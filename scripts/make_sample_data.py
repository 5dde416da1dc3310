#!/usr/bin/env python3
"""Write the deterministic sample data set for the KPI dashboard into data/sample/.

Usage:  python scripts/make_sample_data.py [--out DIR]
        python scripts/make_sample_data.py --check   # exit 1 if data/sample/ differs from a fresh run

Standard library only. The output depends on nothing but this file: a fixed random
seed, no dates from the clock, values kept as integer tenths so that every split adds up
exactly. Running it twice gives byte-identical files.

The files imitate what reporters really send (see DATA_CONTRACT.md): one file per
reporter and topic, long form (indicator, reporter, period, value, unit, note, plus
breakdown columns where a blank cell means "total"), in several spellings that the contract
says must load: English or Vietnamese headers, comma / semicolon / tab delimiters, UTF-8
with or without BOM, Windows-1258, decimal comma, a title block and a source footer.

Only the MISSIONS_ABROAD totals of 2019 and 2023 are public figures (Lowy Institute Global
Diplomacy Index). Everything else is invented and says so in the `note` column.
"""

from __future__ import annotations

import argparse
import csv
import io
import random
import sys
import tempfile
from pathlib import Path

SEED = 292  # Resolution 292/NQ-CP
REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))  # run as a file: the one Windows-1258 encoder is the tests' (stdlib only)
from tests.support.cp1258 import encode_cp1258  # noqa: E402
DEFAULT_OUT = REPO_ROOT / "data" / "sample"

SAMPLE_NOTE = "Số liệu mẫu (sample data)"
LATE_PERIOD = "2026-Q3"  # CANTHO has not yet sent OFFICIALS_TRAINED for this quarter

# --------------------------------------------------------------------------------------
# Periods
# --------------------------------------------------------------------------------------
QUARTERS = [f"{y}-Q{q}" for y in range(2019, 2027) for q in range(1, 5)]
QUARTERS = QUARTERS[: QUARTERS.index("2026-Q3") + 1]  # 2019-Q1 .. 2026-Q3 (31 quarters)
YEARS = [str(y) for y in range(2019, 2026)]  # 2019 .. 2025 (complete years)

UNITS = {
    "MISSIONS_ABROAD": "agencies",
    "STAFF_HEADCOUNT": "persons",
    "STAFF_SPECIALISTS": "persons",
    "OFFICIALS_TRAINED": "persons",
    "OFFICIALS_IN_INTL_ORGS": "persons",
    "DIGITAL_FULL_ONLINE_PCT": "%",
    "DIGITAL_ONLINE_FILINGS_PCT": "%",
    "DIGITAL_SYSTEMS": "systems",
    "BUDGET_OPERATING": "billion VND",
    "BUDGET_DIGITAL": "billion VND",
    "BUDGET_DISBURSED_PCT": "%",
    "REMUNERATION_VS_ASEAN_PCT": "%",
    "LAWS_ENACTED": "laws",
    "VISUAL_IDENTITY_PCT": "%",
}
PERCENT = {code for code, unit in UNITS.items() if unit == "%"}


# --------------------------------------------------------------------------------------
# Values: integer tenths, so that splits and sums are exact
# --------------------------------------------------------------------------------------
class Val:
    """A non-negative number stored as integer tenths; dp = decimals to print (0 or 1)."""

    __slots__ = ("tenths", "dp")

    def __init__(self, tenths: int, dp: int):
        assert tenths >= 0 and dp in (0, 1)
        assert dp == 1 or tenths % 10 == 0, "whole-number value expected"
        self.tenths = tenths
        self.dp = dp


def count(n: int) -> Val:
    return Val(int(n) * 10, 0)


def tenths(t: int) -> Val:
    return Val(int(t), 1)


def one_dp(x: float) -> Val:
    return Val(int(round(x * 10)), 1)


def split_int(total: int, weights: list[float]) -> list[int]:
    """Split a whole number into parts proportional to weights (largest remainder)."""
    s = sum(weights)
    raw = [total * w / s for w in weights]
    parts = [int(r) for r in raw]
    order = sorted(range(len(raw)), key=lambda i: (-(raw[i] - parts[i]), i))
    for i in order[: total - sum(parts)]:
        parts[i] += 1
    assert sum(parts) == total and min(parts) >= 0
    return parts


def interp(points: dict[int, float], i: int) -> float:
    """Piecewise-linear interpolation through {index: value}."""
    keys = sorted(points)
    if i <= keys[0]:
        return points[keys[0]]
    for a, b in zip(keys, keys[1:]):
        if a <= i <= b:
            return points[a] + (points[b] - points[a]) * (i - a) / (b - a)
    return points[keys[-1]]


def q_index(period: str) -> int:
    return QUARTERS.index(period)


# --------------------------------------------------------------------------------------
# Rows
# --------------------------------------------------------------------------------------
def row(indicator, reporter, period, value: Val, note=SAMPLE_NOTE, **dims) -> dict:
    return {
        "indicator": indicator,
        "reporter": reporter,
        "period": period,
        "value": value,
        "unit": UNITS[indicator],
        "note": note,
        "dims": {k: v for k, v in dims.items() if v},
    }


def with_split(indicator, reporter, period, total: int, dim: str, shares: dict[str, float],
               dp: int, note=SAMPLE_NOTE, part_note=SAMPLE_NOTE) -> list[dict]:
    """A total row plus one row per category whose values add up exactly to the total.

    `total` is a whole count (dp=0) or tenths (dp=1)."""
    names = list(shares)
    parts = split_int(total, [shares[n] for n in names])
    mk = count if dp == 0 else tenths
    out = [row(indicator, reporter, period, mk(total), note)]
    out += [row(indicator, reporter, period, mk(p), part_note, **{dim: n})
            for n, p in zip(names, parts)]
    return out


# --------------------------------------------------------------------------------------
# MISSIONS_ABROAD
# --------------------------------------------------------------------------------------
# Totals follow the Lowy Institute Global Diplomacy Index (96 posts in 2017 and 2019, 94 in
# 2023). The split by country and type, and the quarters in which it changes, are sample
# data built to be consistent with those totals; every country listed has a Vietnamese
# embassy, but the list is not claimed to be the official one.
EMBASSIES_2019 = [
    # Asia
    "CHN", "JPN", "KOR", "PRK", "MNG", "LAO", "KHM", "THA", "MYS", "SGP", "IDN", "PHL",
    "BRN", "MMR", "IND", "BGD", "PAK", "LKA", "KAZ",
    # Middle East and North Africa
    "IRN", "ISR", "TUR", "SAU", "ARE", "KWT", "QAT", "EGY", "DZA", "MAR",
    # Sub-Saharan Africa
    "AGO", "MOZ", "TZA", "ZAF", "NGA",
    # Europe
    "RUS", "UKR", "BLR", "POL", "CZE", "SVK", "HUN", "ROU", "BGR", "DEU", "FRA", "GBR",
    "ITA", "ESP", "NLD", "BEL", "AUT", "CHE", "SWE", "NOR", "DNK",
    # Americas
    "USA", "CAN", "MEX", "CUB", "VEN", "BRA", "ARG", "CHL",
    # Oceania
    "AUS", "NZL",
]
CONSULATES_2019 = {
    "CHN": 6,  # Guangzhou, Kunming, Nanning, Hong Kong, Shanghai, Chongqing
    "LAO": 3, "USA": 2, "JPN": 2, "AUS": 2, "RUS": 2, "KHM": 2,
    "KOR": 1, "THA": 1, "IND": 1, "DEU": 1, "FRA": 1, "CAN": 1, "ARE": 1,
}
PERMANENT_MISSIONS = {
    "USA": 1,  # United Nations, New York
    "CHE": 1,  # United Nations, WTO and other organisations, Geneva
    "FRA": 1,  # UNESCO, Paris
    "IDN": 1,  # ASEAN, Jakarta
}
OTHER_OFFICES = {"TWN": 1}  # Vietnam Economic and Cultural Office, Taipei
# (first quarter in force, mission_type, country, change in count) -- sample events
MISSION_CHANGES = [
    ("2020-Q3", "consulate_general", "LAO", -1),
    ("2021-Q4", "consulate_general", "RUS", -1),
    ("2025-Q2", "embassy", "PAN", +1),
    ("2026-Q2", "consulate_general", "KOR", +1),
]
# Reported late, in the revision file: one more consulate general in force in 2026-Q3.
MISSION_REVISION = ("2026-Q3", "consulate_general", "JPN", +1)
MISSION_TYPES = ["embassy", "permanent_mission", "consulate_general", "other"]
LOWY = {"2019": 96, "2023": 94}  # Lowy Institute Global Diplomacy Index (2017 was 96 too)


def mission_network(period: str, changes) -> dict[str, dict[str, int]]:
    net = {
        "embassy": {c: 1 for c in EMBASSIES_2019},
        "permanent_mission": dict(PERMANENT_MISSIONS),
        "consulate_general": dict(CONSULATES_2019),
        "other": dict(OTHER_OFFICES),
    }
    for start, mtype, country, delta in changes:
        if q_index(period) >= q_index(start):
            net[mtype][country] = net[mtype].get(country, 0) + delta
    return {t: {c: n for c, n in sorted(net[t].items()) if n > 0} for t in MISSION_TYPES}


def total_note(period: str, total: int) -> str:
    year = period[:4]
    if year in LOWY:
        assert LOWY[year] == total, (period, total)
        return f"Lowy Institute Global Diplomacy Index {year}: {total}"
    return SAMPLE_NOTE


def missions_rows() -> list[dict]:
    out = []
    ind = "MISSIONS_ABROAD"
    for p in QUARTERS:
        net = mission_network(p, MISSION_CHANGES)
        total = sum(sum(v.values()) for v in net.values())
        out.append(row(ind, "MOFA", p, count(total), total_note(p, total)))
        for t in MISSION_TYPES:
            out.append(row(ind, "MOFA", p, count(sum(net[t].values())), mission_type=t))
        for t in MISSION_TYPES:
            for c, n in net[t].items():
                out.append(row(ind, "MOFA", p, count(n), mission_type=t, country=c))
    return out


def missions_revision_rows() -> list[dict]:
    p, mtype, country, _ = MISSION_REVISION
    net = mission_network(p, MISSION_CHANGES + [MISSION_REVISION])
    total = sum(sum(v.values()) for v in net.values())
    note = ("Hiệu chỉnh (revision) số liệu quý 3/2026 trong mofa_missions_2019-2026Q3.csv: "
            "bổ sung 1 tổng lãnh sự quán tại Nhật Bản (JPN) thành lập cuối quý. " + SAMPLE_NOTE)
    ind = "MISSIONS_ABROAD"
    return [
        row(ind, "MOFA", p, count(total), note),
        row(ind, "MOFA", p, count(sum(net[mtype].values())), note, mission_type=mtype),
        row(ind, "MOFA", p, count(net[mtype][country]), note, mission_type=mtype,
            country=country),
    ]


# --------------------------------------------------------------------------------------
# Staff, training, budget, digital, institutions (all invented)
# --------------------------------------------------------------------------------------
STAFF_SHARES = {"civil_servant": 0.70, "public_employee": 0.22, "contract_staff": 0.08}
PROGRAM_SHARES = {"foreign_language": 0.35, "diplomatic_skills": 0.30,
                  "international_law": 0.20, "digital_skills": 0.15}
BUDGET_LINES_MOFA = {"representative_agencies": 0.58, "regular_operations": 0.24,
                     "international_delegations": 0.11, "conferences_events": 0.07}
BUDGET_LINES = {"regular_operations": 0.62, "international_delegations": 0.25,
                "conferences_events": 0.13}
DIGITAL_LINES = {"it_infrastructure": 0.50, "software_databases": 0.35,
                 "cybersecurity": 0.15}

# STAFF_HEADCOUNT: (2019-Q1, 2026-Q3) foreign-affairs staff per reporter, slowly falling
HEADCOUNT = {"MOFA": None, "MOHA": (46, 41), "MOIT": (84, 76), "MOPS": (122, 112),
             "HANOI": (64, 58), "HCMC": (78, 71), "DANANG": (36, 33)}
# STAFF_SPECIALISTS, annual 2019 -> 2025
SPECIALISTS = {"MOFA": [185, 196, 210, 226, 241, 262, 298], "MOHA": (8, 15),
               "MOIT": (12, 22), "MOPS": (15, 26), "HANOI": (6, 12), "HCMC": (8, 16)}
# OFFICIALS_TRAINED: average per quarter in 2019
TRAINED_BASE = {"MOFA": 380, "MOIT": 55, "MOPS": 70, "HANOI": 95, "HCMC": 110,
                "DANANG": 40, "HAIPHONG": 32, "CANTHO": 24}
TRAINED_SEASON = [0.8, 1.0, 0.9, 1.3]
TRAINED_COVID = {"2020-Q1": 0.9, "2020-Q2": 0.4, "2020-Q3": 0.6, "2020-Q4": 0.8,
                 "2021-Q1": 0.8, "2021-Q2": 0.6, "2021-Q3": 0.4, "2021-Q4": 0.7,
                 "2022-Q1": 0.85}
# BUDGET_OPERATING, billion VND, 2019 -> 2025 (MOFA as a path, others start/end)
BUDGET_OP = {"MOFA": [3150, 3080, 3120, 3290, 3420, 3560, 3780], "MOF": (128, 165),
             "HANOI": (46, 68), "HCMC": (58, 86), "DANANG": (26, 39),
             "HAIPHONG": (21, 33), "CANTHO": (13, 20)}
BUDGET_DIG = {"MOFA": [86, 92, 108, 131, 152, 178, 255], "MOF": (9.5, 24),
              "HANOI": (2.8, 7.5), "HCMC": (3.6, 9.8), "DANANG": (1.6, 4.4)}


class Gen:
    def __init__(self):
        self.rng = random.Random(SEED)

    def noise(self, pct: float) -> float:
        """A multiplicative factor in [1 - pct, 1 + pct]."""
        return 1 + pct * (2 * self.rng.random() - 1)

    # -- staff -------------------------------------------------------------------------
    def headcount(self, reporter: str, split: bool) -> list[dict]:
        ind = "STAFF_HEADCOUNT"
        out = []
        for i, p in enumerate(QUARTERS):
            if reporter == "MOFA":
                # -0.8 % a year, a streamlining step in 2025 (Resolution 18), then -1 % a year
                f = 1 - 0.002 * i
                if i >= q_index("2025-Q2"):
                    f -= 0.035
                if i >= q_index("2025-Q3"):
                    f -= 0.015
                total = round(3180 * f)
                shares = {"civil_servant": 0.70 + 0.001 * i, "public_employee": 0.22,
                          "contract_staff": 0.08 - 0.001 * i}
            else:
                a, b = HEADCOUNT[reporter]
                total = round(a + (b - a) * i / (len(QUARTERS) - 1))
                shares = STAFF_SHARES
            if split:
                out += with_split(ind, reporter, p, total, "staff_category", shares, 0)
            else:
                out.append(row(ind, reporter, p, count(total)))
        return out

    def specialists(self, reporter: str) -> list[dict]:
        spec = SPECIALISTS[reporter]
        if isinstance(spec, tuple):
            a, b = spec
            spec = [round(a + (b - a) * k / (len(YEARS) - 1)) for k in range(len(YEARS))]
        return [row("STAFF_SPECIALISTS", reporter, y, count(v)) for y, v in zip(YEARS, spec)]

    # -- training ----------------------------------------------------------------------
    def trained(self, reporter: str, split: bool, note=SAMPLE_NOTE) -> list[dict]:
        ind = "OFFICIALS_TRAINED"
        out = []
        base = TRAINED_BASE[reporter]
        for i, p in enumerate(QUARTERS):
            year = int(p[:4])
            growth = 1.04 ** (min(year, 2024) - 2019) * 1.10 ** max(0, year - 2024)
            x = base * TRAINED_SEASON[i % 4] * TRAINED_COVID.get(p, 1.0) * growth
            total = max(0, round(x * self.noise(0.08)))
            if split:
                shares = dict(PROGRAM_SHARES)
                shares["digital_skills"] = 0.10 + 0.006 * i  # digital skills gain ground
                out += with_split(ind, reporter, p, total, "program", shares, 0, note, note)
            else:
                out.append(row(ind, reporter, p, count(total), note))
        return out

    # -- budget ------------------------------------------------------------------------
    def budget(self, ind: str, reporter: str, path, lines: dict | None) -> list[dict]:
        if isinstance(path, tuple):
            a, b = path
            path = [a * (b / a) ** (k / (len(YEARS) - 1)) for k in range(len(YEARS))]
        out = []
        for y, v in zip(YEARS, path):
            t = round(v * self.noise(0.02) * 10)  # tenths of a billion VND
            if lines:
                out += with_split(ind, reporter, y, t, "budget_line", lines, 1)
            else:
                out.append(row(ind, reporter, y, tenths(t)))
        return out

    def disbursed(self) -> list[dict]:
        ind = "BUDGET_DISBURSED_PCT"
        ytd = [19.0, 43.0, 66.0, 94.0]  # share disbursed, year to date, at quarter end
        out = []
        for i, p in enumerate(QUARTERS):
            year, q = int(p[:4]), i % 4
            x = ytd[q] + 0.6 * (year - 2019) - (4.0 if year == 2020 and q > 0 else 0.0)
            x += 1.5 * (2 * self.rng.random() - 1)
            x = min(x, 99.5)
            out.append(row(ind, "MOFA", p, one_dp(x),
                           SAMPLE_NOTE + "; lũy kế từ đầu năm (year to date)"))
        return out

    # -- digital -----------------------------------------------------------------------
    def full_online(self) -> list[dict]:
        # Q4 anchors: -> ~80 % by end 2025 (national target), ~85 % in 2026-Q3
        anchors = {-1: 16.0, 3: 26.0, 7: 41.0, 11: 55.0, 15: 64.0, 19: 70.5, 23: 76.0,
                   27: 80.4, 31: 86.6}
        return [row("DIGITAL_FULL_ONLINE_PCT", "MOFA", p, one_dp(interp(anchors, i)))
                for i, p in enumerate(QUARTERS)]

    def online_filings(self) -> list[dict]:
        ind = "DIGITAL_ONLINE_FILINGS_PCT"
        services = {  # weight (share of applications), 2019-Q1 %, 2026-Q3 %
            "consular_legalisation": (0.45, 6.0, 68.0),
            "consular_certification": (0.30, 5.0, 64.0),
            "official_passport": (0.15, 2.0, 45.0),
            "intl_conference_approval": (0.10, 10.0, 82.0),
        }
        out = []
        n = len(QUARTERS) - 1
        for i, p in enumerate(QUARTERS):
            s = (i / n) ** 0.8  # faster early take-up
            parts = {}
            for name, (_, a, b) in services.items():
                x = a + (b - a) * s + 1.0 * (2 * self.rng.random() - 1)
                parts[name] = one_dp(min(100.0, max(0.0, x)))
            tot = sum(services[k][0] * v.tenths for k, v in parts.items())
            out.append(row(ind, "MOFA", p, tenths(round(tot))))
            out += [row(ind, "MOFA", p, v, service=k) for k, v in parts.items()]
        return out

    def annual_series(self, ind: str, values: list, dp: int, note=SAMPLE_NOTE,
                      years=YEARS) -> list[dict]:
        mk = (lambda v: count(v)) if dp == 0 else one_dp
        return [row(ind, "MOFA", y, mk(v), note) for y, v in zip(years, values)]


# --------------------------------------------------------------------------------------
# File writing
# --------------------------------------------------------------------------------------
EN = {"indicator": "indicator", "reporter": "reporter", "period": "period",
      "value": "value", "unit": "unit", "note": "note"}
EN_TITLE = {k: v.capitalize() for k, v in EN.items()}
VI_ASCII = {"indicator": "ma_chi_tieu", "reporter": "don_vi_bao_cao", "period": "ky",
            "value": "gia_tri", "unit": "don_vi_tinh", "note": "ghi_chu"}
VI = {"indicator": "Chỉ tiêu", "reporter": "Đơn vị báo cáo", "period": "Kỳ",
      "value": "Giá trị", "unit": "Đơn vị tính", "note": "Ghi chú"}

def fmt_value(v: Val, decimal: str, thousands: bool, percent_sign: bool) -> str:
    whole, frac = divmod(v.tenths, 10)
    s = str(whole)
    if thousands:
        sep = "." if decimal == "," else ","
        groups = []
        while len(s) > 3:
            groups.insert(0, s[-3:])
            s = s[:-3]
        s = sep.join([s] + groups)
    if v.dp == 1:
        s += decimal + str(frac)
    if percent_sign:
        s += "%"
    return s


def write_file(out_dir: Path, name: str, rows: list[dict], *, dims: list[str],
               order: list[str] | None = None, header=EN, delimiter=",",
               encoding="utf-8", newline="\n", decimal=".", thousands=False,
               percent_sign=False, title: str | None = None, footer: str | None = None,
               trailing_delimiter=False, trailing_blank_line=False,
               pad_header=False) -> int:
    """Write rows in one reporter's style. Returns the number of data rows."""
    order = order or ["indicator", "reporter", "period", *dims, "value", "unit", "note"]
    assert set(order) >= {"indicator", "reporter", "period", "value"}
    assert set(dims) <= set(order)
    labels = [header.get(c, c) for c in order]
    if pad_header:
        labels = [f" {x} " for x in labels]

    # one key once per file
    keys = [(r["indicator"], r["reporter"], r["period"], tuple(sorted(r["dims"].items())))
            for r in rows]
    assert len(keys) == len(set(keys)), f"duplicate key in {name}"
    assert all(set(r["dims"]) <= set(dims) for r in rows), name

    def cells(r):
        out = []
        for c in order:
            if c == "value":
                out.append(fmt_value(r["value"], decimal, thousands,
                                     percent_sign and r["indicator"] in PERCENT))
            elif c in ("indicator", "reporter", "period", "unit", "note"):
                out.append(r[c])
            else:
                out.append(r["dims"].get(c, ""))
        return out

    buf = io.StringIO()
    w = csv.writer(buf, delimiter=delimiter, lineterminator=newline,
                   quoting=csv.QUOTE_MINIMAL)
    width = len(order)

    def put(cs):
        w.writerow(cs + ([""] if trailing_delimiter else []))

    if title:
        put([title] + [""] * (width - 1))
        put([""] * width)
    put(labels)
    for r in rows:
        put(cells(r))
    if footer:
        put([footer] + [""] * (width - 1))
    text = buf.getvalue()
    if trailing_blank_line:
        text += newline
    if encoding == "cp1258":
        data = encode_cp1258(text)
    else:
        data = text.encode(encoding)
    (out_dir / name).write_bytes(data)
    return len(rows)


# --------------------------------------------------------------------------------------
# The files
# --------------------------------------------------------------------------------------
def build(out_dir: Path) -> dict[str, int]:
    out_dir.mkdir(parents=True, exist_ok=True)
    g = Gen()
    counts: dict[str, int] = {}

    def emit(name, rows, **kw):
        counts[name] = write_file(out_dir, name, rows, **kw)

    # MOFA -------------------------------------------------------------------------------
    emit("mofa_missions_2019-2026Q3.csv", missions_rows(),
         dims=["mission_type", "country"])
    emit("mofa_missions_revision_2026Q3.csv", missions_revision_rows(),
         dims=["mission_type", "country"])

    staff_digital = (
        g.headcount("MOFA", split=True)
        + g.specialists("MOFA")
        + g.annual_series("OFFICIALS_IN_INTL_ORGS", [57, 58, 60, 63, 66, 70, 76], 0)
        + g.full_online()
        + g.online_filings()
        + g.annual_series("DIGITAL_SYSTEMS", [14, 16, 19, 21, 24, 27, 31], 0)
    )
    emit("mofa_staff_digital.csv", staff_digital, dims=["staff_category", "service"],
         order=["period", "indicator", "reporter", "staff_category", "service", "value",
                "unit", "note"],
         header=EN_TITLE, newline="\r\n")

    emit("mofa_training.csv",
         g.trained("MOFA", split=True,
                   note=SAMPLE_NOTE + ", gồm các lớp tập trung và trực tuyến"),
         dims=["program"])

    mofa_budget = (
        g.budget("BUDGET_OPERATING", "MOFA", BUDGET_OP["MOFA"], BUDGET_LINES_MOFA)
        + g.budget("BUDGET_DIGITAL", "MOFA", BUDGET_DIG["MOFA"], DIGITAL_LINES)
        + g.disbursed()
    )
    emit("mofa_budget.csv", mofa_budget, dims=["budget_line"], thousands=True)

    institutions = (
        g.annual_series("LAWS_ENACTED", [0, 0, 0, 0, 0, 0, 1, 2], 0,
                        years=YEARS + ["2026"])
        + g.annual_series("REMUNERATION_VS_ASEAN_PCT",
                          [55.0, 55.5, 56.0, 57.5, 59.0, 61.5, 65.5], 1)
        + g.annual_series("VISUAL_IDENTITY_PCT",
                          [4.0, 6.5, 9.0, 14.5, 21.0, 30.5, 47.5], 1)
    )
    emit("mofa_institutions_identity.csv", institutions, dims=[],
         order=["indicator", "reporter", "period", "value", "note"], percent_sign=True)

    # Other ministries --------------------------------------------------------------------
    emit("mof_budget.csv",
         g.budget("BUDGET_OPERATING", "MOF", BUDGET_OP["MOF"], BUDGET_LINES)
         + g.budget("BUDGET_DIGITAL", "MOF", BUDGET_DIG["MOF"], DIGITAL_LINES),
         dims=["budget_line"], header=VI, delimiter=";", encoding="utf-8-sig",
         decimal=",", thousands=True, newline="\r\n")

    emit("moha_staff.csv", g.headcount("MOHA", split=True) + g.specialists("MOHA"),
         dims=["staff_category"])

    emit("moit_staff_training.csv",
         g.headcount("MOIT", split=False) + g.specialists("MOIT")
         + g.trained("MOIT", split=True),
         dims=["program"], newline="\r\n", trailing_delimiter=True,
         trailing_blank_line=True)

    emit("mops_staff_training.csv",
         g.headcount("MOPS", split=False) + g.specialists("MOPS")
         + g.trained("MOPS", split=False),
         dims=[], order=["indicator", "reporter", "period", "value", "note"],
         delimiter=";", pad_header=True)

    # Localities ------------------------------------------------------------------------
    vn_style = dict(header=VI_ASCII, delimiter=";", encoding="utf-8-sig", newline="\r\n")
    emit("hanoi_training.csv", g.trained("HANOI", split=True), dims=["program"],
         title="BÁO CÁO SỐ LIỆU ĐÀO TẠO CÁN BỘ ĐỐI NGOẠI GIAI ĐOẠN 2019 - QUÝ 3/2026",
         footer="Nguồn: Sở Ngoại vụ Hà Nội", **vn_style)
    emit("hanoi_staff_budget.csv",
         g.headcount("HANOI", split=True) + g.specialists("HANOI")
         + g.budget("BUDGET_OPERATING", "HANOI", BUDGET_OP["HANOI"], BUDGET_LINES)
         + g.budget("BUDGET_DIGITAL", "HANOI", BUDGET_DIG["HANOI"], None),
         dims=["staff_category", "budget_line"], decimal=",", thousands=True, **vn_style)
    emit("hcmc_training.csv", g.trained("HCMC", split=True), dims=["program"], **vn_style)
    emit("hcmc_staff_budget.csv",
         g.headcount("HCMC", split=True) + g.specialists("HCMC")
         + g.budget("BUDGET_OPERATING", "HCMC", BUDGET_OP["HCMC"], BUDGET_LINES)
         + g.budget("BUDGET_DIGITAL", "HCMC", BUDGET_DIG["HCMC"], None),
         dims=["staff_category", "budget_line"], decimal=",", thousands=True, **vn_style)
    emit("danang_staff_training_budget.csv",
         g.headcount("DANANG", split=False) + g.trained("DANANG", split=False)
         + g.budget("BUDGET_OPERATING", "DANANG", BUDGET_OP["DANANG"], None)
         + g.budget("BUDGET_DIGITAL", "DANANG", BUDGET_DIG["DANANG"], None),
         dims=[], header=VI, delimiter=";", encoding="cp1258", newline="\r\n",
         decimal=",", thousands=True)
    emit("haiphong_training_budget.csv",
         g.trained("HAIPHONG", split=False)
         + g.budget("BUDGET_OPERATING", "HAIPHONG", BUDGET_OP["HAIPHONG"], None),
         dims=[], decimal=",", thousands=True, **vn_style)
    # Cần Thơ is the late reporter: its 2026-Q3 training figure has not arrived, so the
    # national 2026-Q3 total of OFFICIALS_TRAINED is provisional (a newcomer sees both at once).
    emit("cantho_training_budget.csv",
         [r for r in g.trained("CANTHO", split=False) if r["period"] != LATE_PERIOD]
         + g.budget("BUDGET_OPERATING", "CANTHO", BUDGET_OP["CANTHO"], None),
         dims=[], header=VI_ASCII, delimiter="\t", decimal=",", thousands=True)
    counts[COMMENTARY_FILE] = write_commentary(out_dir)
    return counts


# Commentary for the indicators off track in the latest sample quarter (the commentary template,
# pipelines/intake/commentary_file.py), so the review pack shows a "why" and an owner on first run.
COMMENTARY_FILE = "commentary_2026Q3.csv"
COMMENTARY = [
    ("MISSIONS_ABROAD", "2026-Q3", "MOFA", "vi",
     "Thành lập thêm 1 tổng lãnh sự quán tại Nhật Bản; tổng số cơ quan đại diện là 97 (số liệu mẫu).",
     "Tốc độ mở cơ quan mới chậm hơn lộ trình cần thiết để đạt khoảng 115 cơ quan vào năm 2030.",
     "Trình đề án mở 3 cơ quan đại diện mới trong năm 2027; rà soát ưu tiên địa bàn trong quý 1/2027."),
    ("MISSIONS_ABROAD", "2026-Q3", "MOFA", "en",
     "One consulate general opened in Japan; 97 representative agencies in all (sample data).",
     "New agencies open more slowly than the path to about 115 by 2030 requires.",
     "Submit the plan for 3 new agencies in 2027; review priority locations in Q1 2027."),
    ("OFFICIALS_IN_INTL_ORGS", "2026-Q3", "MOFA", "vi",
     "Số cán bộ Việt Nam làm việc tại các tổ chức quốc tế gần như không đổi so với năm trước (số liệu mẫu).",
     "Ít vị trí tuyển dụng phù hợp; yêu cầu ngoại ngữ và kinh nghiệm cao.",
     "Lập danh sách ứng viên tiềm năng và hỗ trợ ứng tuyển cho 10 vị trí trong năm 2027."),
    ("REMUNERATION_VS_ASEAN_PCT", "2026-Q3", "MOF", "vi",
     "Chế độ đãi ngộ tại cơ quan đại diện đạt khoảng 65% mặt bằng chung ASEAN (số liệu mẫu).",
     "Điều chỉnh chế độ phụ thuộc vào dự toán ngân sách năm 2027.",
     "Bộ Tài chính phối hợp Bộ Ngoại giao trình phương án điều chỉnh phụ cấp trong quý 2/2027."),
]


def write_commentary(out_dir: Path) -> int:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["indicator", "quarter", "owner", "lang", "happened", "challenges", "next_steps"])
    w.writerows(COMMENTARY)
    (out_dir / COMMENTARY_FILE).write_bytes(buf.getvalue().encode("utf-8"))
    return len(COMMENTARY)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT,
                    help=f"output folder (default: {DEFAULT_OUT.relative_to(REPO_ROOT)})")
    ap.add_argument("--check", action="store_true",
                    help="write nothing; exit 1 if the folder differs from a fresh run")
    args = ap.parse_args(argv)
    if args.check:
        return check(args.out)
    counts = build(args.out)
    width = max(map(len, counts))
    for name, n in counts.items():
        size = (args.out / name).stat().st_size
        print(f"{name:<{width}}  {n:>5} rows  {size:>7} bytes")
    print(f"{len(counts)} files, {sum(counts.values())} rows -> {args.out}")
    return 0


def check(folder: Path) -> int:
    """Compare `folder`'s CSV files with a fresh run, byte for byte; print each difference."""
    with tempfile.TemporaryDirectory() as tmp:
        build(Path(tmp))
        fresh = {p.name: p.read_bytes() for p in Path(tmp).glob("*.csv")}
    have = {p.name: p.read_bytes() for p in folder.glob("*.csv")}
    problems = [f"differs: {n}" for n in sorted(set(fresh) & set(have)) if fresh[n] != have[n]]
    problems += [f"missing: {n}" for n in sorted(set(fresh) - set(have))]
    problems += [f"not generated: {n}" for n in sorted(set(have) - set(fresh))]
    print("\n".join(problems) or f"{len(have)} files in {folder} match a fresh run")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
