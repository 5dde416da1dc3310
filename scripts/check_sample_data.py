#!/usr/bin/env python3
"""Read back every sample file in data/sample/ and check it against the data contract.

Usage:  python scripts/check_sample_data.py [DIR] [--no-regen]

Standard library only, and independent of the generator: it reads the files the way the
contract says a reporter's file must be read (BOM / UTF-8 / Windows-1258, comma /
semicolon / tab, Vietnamese header aliases, title block and source footer, per-file number
convention including decimal comma, trailing delimiters) and asserts

  * per file: known indicator/reporter codes, units equal to the catalog's, periods spelled
    YYYY or YYYY-Qn in range and matching the indicator's frequency, values in range (whole
    non-negative counts, percents in 0..100), restricted breakdown values, unique keys, a
    total row (all breakdowns blank) for every breakdown, breakdowns adding up to the total,
    a note on every row, an unambiguous number convention;
  * across files: a key appears in one file only, except in a revision file that sorts after
    the file it revises and says it is a revision; after applying revisions the breakdowns
    still add up; every catalog indicator is covered over 2019 .. 2026-Q3; sum indicators
    come from several reporters, single-reporter ones from MOFA; the public mission figures
    and the intended trends hold; the folder stays under 1 MB;
  * unless --no-regen: running scripts/make_sample_data.py again gives the same bytes.

Exit code 0 when every check passes, 1 otherwise (every failure is listed).
"""

from __future__ import annotations

import argparse
import codecs
import csv
import io
import re
import subprocess
import sys
import tempfile
import unicodedata
from collections import defaultdict
from decimal import Decimal, InvalidOperation
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DIR = REPO_ROOT / "data" / "sample"
GENERATOR = REPO_ROOT / "scripts" / "make_sample_data.py"
MAX_BYTES = 1_000_000

# code: (unit, kind, frequency, combine) -- from KPI_CATALOG.md
CATALOG = {
    "MISSIONS_ABROAD": ("agencies", "count", "quarterly", "single"),
    "STAFF_HEADCOUNT": ("persons", "count", "quarterly", "sum"),
    "STAFF_SPECIALISTS": ("persons", "count", "annual", "sum"),
    "OFFICIALS_TRAINED": ("persons", "count", "quarterly", "sum"),
    "OFFICIALS_IN_INTL_ORGS": ("persons", "count", "annual", "single"),
    "DIGITAL_FULL_ONLINE_PCT": ("%", "percent", "quarterly", "single"),
    "DIGITAL_ONLINE_FILINGS_PCT": ("%", "percent", "quarterly", "single"),
    "DIGITAL_SYSTEMS": ("systems", "count", "annual", "single"),
    "BUDGET_OPERATING": ("billion VND", "amount", "annual", "sum"),
    "BUDGET_DIGITAL": ("billion VND", "amount", "annual", "sum"),
    "BUDGET_DISBURSED_PCT": ("%", "percent", "quarterly", "single"),
    "REMUNERATION_VS_ASEAN_PCT": ("%", "percent", "annual", "single"),
    "LAWS_ENACTED": ("laws", "count", "annual", "single"),
    "VISUAL_IDENTITY_PCT": ("%", "percent", "annual", "single"),
}
REPORTERS = {"MOFA", "MOF", "MOHA", "MOPS", "MOIT", "HANOI", "HCMC", "DANANG", "HAIPHONG",
             "CANTHO"}
RESTRICTED = {"mission_type": {"embassy", "permanent_mission", "consulate_general", "other"}}
FIRST_Q, LAST_Q = "2019-Q1", "2026-Q3"
FIRST_Y, LAST_Y = 2019, 2026  # 2026 has begun: allowed for annual indicators, not required
REQUIRED = ("indicator", "reporter", "period", "value")
ALIASES = {
    "indicator": "indicator", "ma_chi_tieu": "indicator", "chỉ tiêu": "indicator",
    "reporter": "reporter", "don_vi_bao_cao": "reporter", "đơn vị báo cáo": "reporter",
    "period": "period", "ky": "period", "kỳ": "period",
    "value": "value", "gia_tri": "value", "giá trị": "value",
    "unit": "unit", "don_vi_tinh": "unit", "đơn vị tính": "unit",
    "note": "note", "ghi_chu": "note", "ghi chú": "note",
}
BASE_COLUMNS = {"indicator", "reporter", "period", "value", "unit", "note"}
SAMPLE_MARK = "sample data"

failures: list[str] = []


def fail(msg: str) -> None:
    failures.append(msg)


# --------------------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------------------
def nfc(s: str) -> str:
    return unicodedata.normalize("NFC", s)


def decode(data: bytes) -> tuple[str, str]:
    if data.startswith(codecs.BOM_UTF8):
        return data[3:].decode("utf-8"), "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16"), "utf-16"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return data.decode("cp1258"), "cp1258"


def header_name(cell: str) -> str:
    s = nfc(cell).replace("\u00a0", " ").strip().lower()
    return ALIASES.get(s, s)


class SampleFile:
    def __init__(self, path: Path):
        self.path = path
        self.name = path.name
        data = path.read_bytes()
        self.size = len(data)
        if b"\x00" in data:
            raise ValueError("NUL byte")
        text, self.encoding = decode(data)
        self.nfd_text = text != nfc(text)
        text = nfc(text)
        self.crlf = "\r\n" in text
        self.delimiter, table, h = self._find_header(text)
        self.skipped_above = h
        header = [header_name(c) for c in table[h]]
        self.trailing_delimiter = header[-1] == "" and all(
            (len(r) == len(header) and r[-1].strip() == "") for r in table[h + 1:] if r)
        if self.trailing_delimiter:
            header = header[:-1]
            table = [r[:-1] if r and r[-1].strip() == "" else r for r in table]
        if len(set(header)) != len(header):
            raise ValueError(f"duplicated column name in {header}")
        self.columns = header
        self.dims = [c for c in header if c not in BASE_COLUMNS]
        self.header_style = self._header_style(table[h])

        body = table[h + 1:]
        # trailing blank lines and a source/footnote line (only its first cell filled)
        self.trailing_blank = 0
        self.footer: list[str] = []
        while body and not any(c.strip() for c in body[-1]):
            body.pop()
            self.trailing_blank += 1
        while body and body[-1][0].strip() and not any(c.strip() for c in body[-1][1:]):
            self.footer.insert(0, body.pop()[0].strip())
        self.rows: list[dict] = []
        for i, cells in enumerate(body):
            rownum = i + 2  # as the contract counts: header = row 1
            if len(cells) != len(header):
                fail(f"{self.name} row {rownum}: {len(cells)} cells, header has {len(header)}")
                continue
            r = {c: v.replace("\u00a0", " ").strip() for c, v in zip(header, cells)}
            r["_row"] = rownum
            self.rows.append(r)
        self.decimal = self._number_convention()

    @staticmethod
    def _find_header(text: str):
        found = []
        for d in (",", ";", "\t"):
            try:
                table = list(csv.reader(io.StringIO(text, newline=""), delimiter=d,
                                        strict=True))
            except csv.Error:
                continue
            for i, r in enumerate(table):
                names = {header_name(c) for c in r}
                if all(x in names for x in REQUIRED):
                    found.append((d, table, i))
                    break
        if len(found) != 1:
            raise ValueError(f"header found with {len(found)} delimiters, expected exactly 1")
        return found[0]

    @staticmethod
    def _header_style(cells: list[str]) -> str:
        raw = [nfc(c).replace("\u00a0", " ").strip() for c in cells]
        if "ma_chi_tieu" in [c.lower() for c in raw]:
            return "Vietnamese aliases (ASCII)"
        if "chỉ tiêu" in [c.lower() for c in raw]:
            return "Vietnamese aliases (with diacritics)"
        if any(c != c.strip() for c in cells):
            return "English (stray spaces)"
        if "Indicator" in raw:
            return "English (capitalised)"
        return "English"

    def _number_convention(self) -> str:
        """Decide the file's number convention from all its values: '.', ',' or 'plain'."""
        evidence = set()
        ambiguous = []
        for r in self.rows:
            v = r["value"].rstrip("%").replace(" ", "")
            if "." in v and "," in v:
                evidence.add("," if v.rfind(",") > v.rfind(".") else ".")
            elif "," in v:
                tail = v.split(",")
                if len(tail) > 2:
                    evidence.add(".")  # 1,234,567: comma thousands, dot decimal
                elif len(tail[1]) != 3:
                    evidence.add(",")
                else:
                    ambiguous.append(v)
            elif "." in v:
                tail = v.split(".")
                if len(tail) > 2:
                    evidence.add(",")
                elif len(tail[1]) != 3:
                    evidence.add(".")
                else:
                    ambiguous.append(v)
        if len(evidence) > 1:
            fail(f"{self.name}: mixes decimal-dot and decimal-comma numbers")
            return "mixed"
        if not evidence:
            if ambiguous:
                fail(f"{self.name}: number convention ambiguous (e.g. {ambiguous[0]!r})")
            return "plain"
        return evidence.pop()

    def number(self, text: str, percent: bool) -> Decimal | None:
        v = text.replace(" ", "")
        if v.endswith("%"):
            if not percent:
                return None
            v = v[:-1]
        if self.decimal == ",":
            v = v.replace(".", "").replace(",", ".")
        elif self.decimal == ".":
            v = v.replace(",", "")
        if not re.fullmatch(r"\d+(\.\d+)?", v):
            return None
        try:
            return Decimal(v)
        except InvalidOperation:
            return None


# --------------------------------------------------------------------------------------
# Checks
# --------------------------------------------------------------------------------------
def period_ok(period: str, freq: str) -> bool:
    if freq == "quarterly":
        return bool(re.fullmatch(r"\d{4}-Q[1-4]", period)) and FIRST_Q <= period <= LAST_Q
    return bool(re.fullmatch(r"\d{4}", period)) and FIRST_Y <= int(period) <= LAST_Y


def expected_periods(freq: str) -> list[str]:
    if freq == "quarterly":
        qs = [f"{y}-Q{q}" for y in range(2019, 2027) for q in range(1, 5)]
        return [q for q in qs if q <= LAST_Q]
    return [str(y) for y in range(FIRST_Y, 2026)]  # 2019..2025 required, 2026 optional


def check_rows(f: SampleFile) -> list[dict]:
    """Validate each row; return observations {key, indicator, reporter, period, dims, value, note}."""
    obs = []
    for r in f.rows:
        where = f"{f.name} row {r['_row']}"
        ind, rep, per = r["indicator"], r["reporter"], r["period"]
        if ind not in CATALOG:
            fail(f"{where}: unknown indicator {ind!r}")
            continue
        unit, kind, freq, combine = CATALOG[ind]
        if rep not in REPORTERS:
            fail(f"{where}: unknown reporter {rep!r}")
        if combine == "single" and rep != "MOFA":
            fail(f"{where}: single-reporter indicator {ind} reported by {rep}, expected MOFA")
        if not period_ok(per, freq):
            article = "an" if freq == "annual" else "a"
            fail(f"{where}: period {per!r} is not {article} {freq} period in 2019 .. {LAST_Q}")
        if "unit" in r and r["unit"] != unit:
            fail(f"{where}: unit {r['unit']!r}, catalog says {unit!r}")
        val = f.number(r["value"], kind == "percent")
        if val is None:
            fail(f"{where}: value {r['value']!r} is not a number")
            continue
        if kind == "count" and val != val.to_integral_value():
            fail(f"{where}: count {val} is not a whole number")
        if kind == "percent" and not (0 <= val <= 100):
            fail(f"{where}: percent {val} outside 0..100")
        note = r.get("note", "")
        if not note:
            fail(f"{where}: no note")
        dims = {d: r[d] for d in f.dims if r[d]}
        for d, v in dims.items():
            if d in RESTRICTED and v not in RESTRICTED[d]:
                fail(f"{where}: {d}={v!r} not in {sorted(RESTRICTED[d])}")
            if d == "country" and not re.fullmatch(r"[A-Z]{3}", v):
                fail(f"{where}: country {v!r} is not an ISO 3166-1 alpha-3 code")
        if not dims and ind != "MISSIONS_ABROAD" and SAMPLE_MARK not in note:
            fail(f"{where}: total row of invented data without a 'sample data' note")
        key = (ind, rep, per, tuple(sorted(dims.items())))
        obs.append({"key": key, "indicator": ind, "reporter": rep, "period": per,
                    "dims": dims, "value": val, "note": note, "file": f.name,
                    "row": r["_row"]})
    return obs


def check_unique(name: str, obs: list[dict]) -> None:
    seen = {}
    for o in obs:
        if o["key"] in seen:
            fail(f"{name} rows {seen[o['key']]} and {o['row']}: same key {o['key']}")
        seen[o["key"]] = o["row"]


def check_breakdowns(label: str, obs, require_totals: bool) -> None:
    """Totals exist for every breakdown; children over one more dimension add up to the parent
    (counts and amounts) or bracket it (percents)."""
    groups = defaultdict(dict)
    for o in obs:
        groups[(o["indicator"], o["reporter"], o["period"])][o["key"][3]] = o["value"]
    for (ind, rep, per), rows in groups.items():
        where = f"{label}: {ind} {rep} {per}"
        if require_totals and () not in rows:
            fail(f"{where}: breakdown rows without a total row")
        kind = CATALOG[ind][1]
        for parent, pval in rows.items():
            pdims = dict(parent)
            children = defaultdict(list)
            for dims, val in rows.items():
                d = dict(dims)
                extra = set(d) - set(pdims)
                if len(d) == len(pdims) + 1 and len(extra) == 1 and all(
                        d.get(k) == v for k, v in pdims.items()):
                    children[extra.pop()].append(val)
            for dim, vals in children.items():
                if kind == "percent":
                    if not (min(vals) <= pval <= max(vals)):
                        fail(f"{where} {pdims or 'total'}: {pval} not between the "
                             f"{dim} values {min(vals)}..{max(vals)}")
                elif sum(vals) != pval:
                    fail(f"{where} {pdims or 'total'}: {dim} rows sum to {sum(vals)}, "
                         f"not {pval}")


def check_all(folder: Path, regen: bool) -> None:
    paths = sorted(folder.glob("*.csv"))
    if not paths:
        fail(f"no CSV files in {folder}")
        return
    total_size = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())
    if total_size >= MAX_BYTES:
        fail(f"{folder} holds {total_size} bytes, limit {MAX_BYTES}")

    merged: dict[tuple, dict] = {}
    first_file: dict[tuple, str] = {}
    table = []
    for p in paths:  # name order = load order: a later file supersedes
        try:
            f = SampleFile(p)
        except (ValueError, UnicodeDecodeError, csv.Error) as e:
            fail(f"{p.name}: unreadable: {e}")
            continue
        obs = check_rows(f)
        check_unique(f.name, obs)
        is_revision = "revision" in f.name
        if not is_revision:
            check_breakdowns(f.name, obs, require_totals=True)
        for o in obs:
            if o["key"] in merged:
                earlier = first_file[o["key"]]
                if not is_revision:
                    fail(f"{f.name} row {o['row']}: key {o['key']} already in {earlier}")
                elif "revision" not in o["note"].lower():
                    fail(f"{f.name} row {o['row']}: re-stated value without a revision note")
                elif not earlier < f.name:
                    fail(f"{f.name} sorts before {earlier}, which it revises")
            elif is_revision:
                fail(f"{f.name} row {o['row']}: revision of a key no earlier file has")
            else:
                first_file[o["key"]] = f.name
            merged[o["key"]] = o
        quirks = [f.encoding, {",": "comma", ";": "semicolon", "\t": "tab"}[f.delimiter],
                  f.header_style]
        if f.decimal == ",":
            quirks.append("decimal comma")
        if any("," in r["value"] for r in f.rows) and f.decimal == ".":
            quirks.append("thousands comma (quoted)")
        if any(r["value"].endswith("%") for r in f.rows):
            quirks.append("percent sign")
        if "unit" not in f.columns:
            quirks.append("no unit column")
        if f.skipped_above:
            quirks.append(f"{f.skipped_above} title rows")
        if f.footer:
            quirks.append(f"footer {f.footer[0]!r}")
        if f.trailing_delimiter:
            quirks.append("trailing delimiter")
        if f.trailing_blank:
            quirks.append("trailing blank line")
        if f.crlf:
            quirks.append("CRLF")
        if f.nfd_text:
            quirks.append("decomposed text")
        if f.columns[0] != "indicator":
            quirks.append("columns reordered")
        if f.dims:
            quirks.append("breakdowns: " + "/".join(f.dims))
        table.append((f.name, len(f.rows), ", ".join(quirks)))

    current = list(merged.values())
    check_breakdowns("after revisions", current, require_totals=True)
    check_coverage(current)
    check_plausibility(current)
    print_table(table, total_size)
    if regen:
        check_regeneration(folder, paths)


# The sample's late reporter: its missing quarter makes that quarter's national total provisional.
LATE = {("OFFICIALS_TRAINED", "CANTHO"): ["2026-Q3"]}


def check_coverage(current) -> None:
    series = defaultdict(set)
    for o in current:
        if not o["dims"]:
            series[(o["indicator"], o["reporter"])].add(o["period"])
    reporters = defaultdict(set)
    for ind, rep in series:
        reporters[ind].add(rep)
    for ind, (_, _, freq, combine) in CATALOG.items():
        if ind not in reporters:
            fail(f"coverage: no data for {ind}")
            continue
        if combine == "sum" and len(reporters[ind]) < 3:
            fail(f"coverage: {ind} (sum) has only {sorted(reporters[ind])}")
        for rep in reporters[ind]:
            missing = [p for p in expected_periods(freq) if p not in series[(ind, rep)]]
            if missing == LATE.get((ind, rep)):  # the one late reporter the sample shows on purpose
                continue
            if missing:
                fail(f"coverage: {ind} {rep} lacks {missing[:5]}"
                     f"{' ...' if len(missing) > 5 else ''}")


def check_plausibility(current) -> None:
    tot = defaultdict(dict)  # indicator -> period -> summed headline value
    notes = {}
    for o in current:
        if not o["dims"]:
            d = tot[o["indicator"]]
            d[o["period"]] = d.get(o["period"], 0) + o["value"]
            if o["indicator"] == "MISSIONS_ABROAD":
                notes[o["period"]] = o["note"]

    def expect(cond, msg):
        if not cond:
            fail("plausibility: " + msg)

    def rising(ind, strict_last=True):
        s = [tot[ind][p] for p in sorted(tot[ind])]
        expect(all(a <= b for a, b in zip(s, s[1:])), f"{ind} should never fall: {s}")
        if strict_last:
            expect(s[-1] > s[0], f"{ind} should rise")

    m = tot["MISSIONS_ABROAD"]
    for year, n in (("2019", 96), ("2023", 94)):
        for q in range(1, 5):
            p = f"{year}-Q{q}"
            expect(m.get(p) == n, f"MISSIONS_ABROAD {p} = {m.get(p)}, Lowy says {n}")
            expect("Lowy" in notes.get(p, ""), f"MISSIONS_ABROAD {p} note should cite Lowy")
    expect(m.get("2025-Q4") == 95, "MISSIONS_ABROAD 2025-Q4 should be 95")
    expect(m.get("2026-Q3") in (96, 97), "MISSIONS_ABROAD 2026-Q3 should be 96-97")
    expect(all(90 <= v <= 115 for v in m.values()), "MISSIONS_ABROAD outside 90..115")

    d = tot["DIGITAL_FULL_ONLINE_PCT"]
    rising("DIGITAL_FULL_ONLINE_PCT")
    expect(75 <= d["2025-Q4"] <= 82, f"DIGITAL_FULL_ONLINE_PCT 2025-Q4 = {d['2025-Q4']}")
    expect(83 <= d["2026-Q3"] <= 88, f"DIGITAL_FULL_ONLINE_PCT 2026-Q3 = {d['2026-Q3']}")
    r = tot["REMUNERATION_VS_ASEAN_PCT"]
    expect(all(55 <= v <= 70 for v in r.values()), f"REMUNERATION_VS_ASEAN_PCT {r}")
    rising("REMUNERATION_VS_ASEAN_PCT")
    rising("LAWS_ENACTED")
    expect(max(tot["LAWS_ENACTED"].values()) <= 2, "LAWS_ENACTED should stay within 0..2")
    rising("VISUAL_IDENTITY_PCT")
    rising("DIGITAL_SYSTEMS")

    h = tot["STAFF_HEADCOUNT"]
    years = sorted({p[:4] for p in h})
    means = [sum(v for p, v in h.items() if p.startswith(y)) /
             sum(1 for p in h if p.startswith(y)) for y in years]
    expect(all(a > b for a, b in zip(means, means[1:])),
           f"STAFF_HEADCOUNT yearly means should fall: {[round(x) for x in means]}")


def print_table(table, total_size) -> None:
    w = max(len(n) for n, _, _ in table)
    print(f"{'file':<{w}}  {'rows':>5}  quirks")
    for name, n, q in table:
        print(f"{name:<{w}}  {n:>5}  {q}")
    print(f"{len(table)} files, {sum(n for _, n, _ in table)} data rows, "
          f"{total_size} bytes in the folder")


def check_regeneration(folder: Path, paths) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([sys.executable, str(GENERATOR), "--out", tmp], check=True,
                       stdout=subprocess.DEVNULL)
        fresh = {p.name: p.read_bytes() for p in Path(tmp).glob("*.csv")}
    have = {p.name: p.read_bytes() for p in paths}
    if set(fresh) != set(have):
        fail(f"regeneration: file sets differ: {sorted(set(fresh) ^ set(have))}")
    for name in sorted(set(fresh) & set(have)):
        if fresh[name] != have[name]:
            fail(f"regeneration: {name} differs from a fresh run of the generator")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("folder", nargs="?", type=Path, default=DEFAULT_DIR)
    ap.add_argument("--no-regen", action="store_true",
                    help="skip re-running the generator to compare bytes")
    args = ap.parse_args(argv)
    check_all(args.folder, regen=not args.no_regen)
    if failures:
        print(f"\nFAILED: {len(failures)} problem(s)")
        for msg in failures[:200]:
            print("  - " + msg)
        if len(failures) > 200:
            print(f"  ... and {len(failures) - 200} more")
        return 1
    print("\nOK: all checks passed")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
