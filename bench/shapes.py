"""`make bench-shapes`: `kpi ingest` on every kind of valid file, not only the generator's (issue 21).

    python -m bench.shapes                          # 1M-row CSV shapes, the .xlsx at 100k rows, 3 repeats
    python -m bench.shapes --quick                  # tiny files, one repeat: checks that the matrix runs
    python -m bench.shapes --shapes mix,notes --repeats 5 --cpu 1 --dir /tmp/r21-bench

`bench/generate.py`'s files repeat their values a lot (a few hundred distinct periods, eight
notes, a few hundred breakdown values), which favours work done once per distinct value. The
shapes below are valid files in the contract's template that do not:

- mix: `bench/generate.py`'s file as it is (today's bench);
- breakdowns: the same rows with all six breakdown columns filled on every row, five of them
  all-distinct (`mission_type` keeps the catalog's four values: it is restricted);
- notes: the same rows with a note on every row, every note different, half with a comma
  (so half the lines hold a quoted field);
- one_indicator: every row OFFICIALS_TRAINED (ten reporters, 31 quarters, its four breakdowns);
- wide: 20 breakdown columns (the six and fourteen more), every one filled on every row;
- cp1258: mix's content in Windows-1258 (tone marks combining, as Vietnamese Excel writes it),
  `;` between cells and decimal commas;
- xlsx: mix's content as an Excel workbook (`--xlsx-rows`, default 100k), numbers as numbers.

Each file is measured, in the same run and repeat after repeat, by `kpi ingest --json` (whole
process; the reader it took is read from its output) and the references of `bench/baselines.py`:
DuckDB's bare `read_csv`, the same with `all_varchar`, Polars read as text → DuckDB, and pandas
`read_csv` + `to_sql` into SQLite. Every program runs in its own process (peak RSS from wait4,
see `bench.run.child`), pinned to one core with `taskset -c CPU` (`--cpu`, default 1; `--cpu -1`
does not pin) so that both sides get the same share of a shared machine. `kpi ingest` is set
against pandas + SQLite process for process (imports included, as a team's script would run), and
against DuckDB's `all_varchar` read by the query's own time (the stricter). Files are deterministic
from `--seed` and kept in `--dir` (default bench/.cache/shapes). Not a test and not in CI; the
smoke test (tests/bench/test_shapes_smoke.py) runs `--quick`.
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import shutil
import sys
import tempfile
import time
import unicodedata
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import polars as pl

from bench.generate import COLUMNS, DIMS, sample
from bench.run import ROOT, _clean_env, _last_json, _median, child, kpi_command, machine, prime, wait_quiet

SHAPES = ["mix", "breakdowns", "notes", "one_indicator", "wide", "cp1258", "xlsx"]
CSV_SHAPES = [s for s in SHAPES if s != "xlsx"]
BASELINES = ["duckdb", "duckdb_varchar", "polars_duckdb", "pandas_sqlite"]
AIM_VS_PANDAS, AIM_VS_DUCKDB, AIM_RSS_MB = 2.0, 2.5, 1024
EXTRA_DIMS = ["region", "subregion", "agency", "unit_level", "gender", "age_band", "grade", "channel",
              "funding_source", "project", "partner", "language", "course", "quarter_half"]


# -- shapes ---------------------------------------------------------------------------------------

def _ids(prefix: str, n: int, offset: int = 0) -> pl.Expr:
    """`prefix000001`, ...: distinct text per row."""
    return pl.lit(prefix) + (pl.int_range(offset, n + offset, dtype=pl.Int64).cast(pl.String).str.zfill(7))


def _mixed_radix(n: int, radices: list[int]) -> list[np.ndarray]:
    """Digit k of 0..n-1 in the given radices: distinct rows give distinct digit tuples."""
    index = np.arange(n, dtype=np.int64)
    digits = []
    for radix in radices:
        digits.append(index % radix)
        index //= radix
    return digits


def frame(shape: str, n: int, seed: int) -> pl.DataFrame:
    """The text cells of the shape's file (None = blank), in the template's columns."""
    if shape == "one_indicator":
        return _one_indicator(n, seed)
    base = sample(n, seed).select(COLUMNS)
    if shape in ("mix", "cp1258", "xlsx"):
        return base
    if shape == "notes":
        note = (pl.lit("Ghi chú ") + pl.int_range(0, n, dtype=pl.Int64).cast(pl.String)
                + pl.when(pl.int_range(0, n) % 2 == 0).then(pl.lit(": số liệu sơ bộ, cập nhật sau")).otherwise(pl.lit(" đã đối chiếu")))
        return base.with_columns(note.alias("note"))
    if shape == "breakdowns":
        from pipelines.catalog import load_catalog
        from pipelines.settings import DEFAULT_CATALOG_DIR

        missions = list(load_catalog(DEFAULT_CATALOG_DIR).allowed_values("mission_type") or [])
        return base.with_columns(
            pl.Series("mission_type", missions * (n // len(missions) + 1))[:n],
            _ids("C", n).alias("country"), _ids("staff_", n).alias("staff_category"), _ids("program_", n).alias("program"),
            _ids("service_", n).alias("service"), _ids("line_", n).alias("budget_line"),
        )
    if shape == "wide":
        from bench.generate import key_space

        values = key_space().dim_values
        radices = [len(values[d]) for d in DIMS]  # 4 x 249 x 5 x 7 x 5 x 7 = 1.2M distinct combinations
        if n > int(np.prod(radices)):
            raise ValueError(f"wide files hold at most {int(np.prod(radices))} rows")
        digits = _mixed_radix(n, radices)
        rng = np.random.default_rng(seed + 21)
        dims = {d: pl.Series(values[d], dtype=pl.String).gather(pl.Series(digit, dtype=pl.UInt32)) for d, digit in zip(DIMS, digits)}
        extra = {d: pl.Series([f"{d}_{i}" for i in range(3 + k * 3)], dtype=pl.String)
                 .gather(pl.Series(rng.integers(0, 3 + k * 3, n), dtype=pl.UInt32)) for k, d in enumerate(EXTRA_DIMS)}
        return base.with_columns(*(s.alias(d) for d, s in dims.items())).with_columns(
            *(s.alias(d) for d, s in extra.items())).select(*COLUMNS[:3], *DIMS, *EXTRA_DIMS, *COLUMNS[-3:])
    raise ValueError(f"unknown shape {shape!r}")


def _one_indicator(n: int, seed: int) -> pl.DataFrame:
    """n distinct keys of OFFICIALS_TRAINED (a count, quarterly, every reporter)."""
    from bench.generate import QUARTERS, key_space

    space = key_space()
    dims = ["program", "staff_category", "country", "mission_type"]
    radices = [len(space.reporters), len(QUARTERS)] + [len(space.dim_values[d]) + 1 for d in dims]
    total = int(np.prod(radices))
    rng = np.random.default_rng(seed + 31)
    keys = np.sort(rng.choice(total, size=n, replace=False))
    digits = []
    for radix in reversed(radices):
        digits.append(keys % radix)
        keys = keys // radix
    digits.reverse()
    gather = lambda vals, idx: pl.Series(vals, dtype=pl.String).gather(pl.Series(idx, dtype=pl.UInt32))  # noqa: E731
    return pl.DataFrame({
        "indicator": pl.repeat("OFFICIALS_TRAINED", n, eager=True),
        "reporter": gather(space.reporters, digits[0]),
        "period": gather(QUARTERS, digits[1]),
        **{d: gather([None, *space.dim_values[d]], digits[2 + k]) for k, d in enumerate(dims)},  # type: ignore[list-item]
        "value": pl.Series(rng.integers(0, 400, n)).cast(pl.String),
        "unit": pl.repeat("persons", n, eager=True),
        "note": pl.repeat(None, n, dtype=pl.String, eager=True),
    }).select("indicator", "reporter", "period", *dims, "value", "unit", "note")


_TONES = "\u0300\u0301\u0303\u0309\u0323"  # the combining tone marks Windows-1258 has


def _cp1258_text(text: str) -> str:
    """`text` spelled with the characters Windows-1258 has: a letter it lacks (most toned
    vowels) becomes its base letter and a combining tone mark, as Vietnamese Windows writes it.
    Decoding and NFC give `text` back."""
    out = []
    for ch in text:
        try:
            ch.encode("cp1258")
            out.append(ch)
        except UnicodeEncodeError:
            parts = unicodedata.normalize("NFD", ch)
            tones = "".join(c for c in parts if c in _TONES)
            spelled = unicodedata.normalize("NFC", "".join(c for c in parts if c not in _TONES)) + tones
            spelled.encode("cp1258")  # fails loudly if a character cannot be written
            out.append(spelled)
    return "".join(out)


def write(shape: str, n: int, seed: int, path: Path) -> Path:
    """The shape's file at `path` (written to a `.part` first, so a half-written file is never used)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    cells = frame(shape, n, seed)
    if shape == "cp1258":
        text_cols = [c for c in cells.columns if c != "value"]
        # Per distinct value (the mix repeats its texts), then the whole file encoded at once.
        cells = cells.with_columns(
            *(pl.col(c).replace_strict(u := cells[c].drop_nulls().unique(), [_cp1258_text(t) for t in u.to_list()],
                                       default=None) for c in text_cols),
            pl.col("value").str.replace(".", ",", literal=True),
        )
        text = cells.write_csv(separator=";", null_value="")
        tmp.write_bytes(text.encode("cp1258"))
    elif shape == "xlsx":
        _write_xlsx(cells, tmp)
    else:
        cells.write_csv(tmp, null_value="")
    tmp.replace(path)
    return path


def _write_xlsx(cells: pl.DataFrame, path: Path) -> None:
    """A workbook as Excel would hold the file: numbers as numbers (percents with a % format)."""
    import openpyxl
    from openpyxl.cell import WriteOnlyCell

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("Sheet1")
    sheet.append(cells.columns)
    value_at = cells.columns.index("value")
    for row in cells.iter_rows():
        out: list = [c if c is not None else None for c in row]
        text = row[value_at]
        if text.endswith("%"):
            cell = WriteOnlyCell(sheet, value=float(text[:-1]) / 100)
            cell.number_format = "0.0%"
            out[value_at] = cell
        else:
            out[value_at] = int(text) if text.isdigit() else float(text)
        sheet.append(out)
    book.save(path)


def shape_file(shape: str, n: int, seed: int, folder: Path) -> Path:
    suffix = "xlsx" if shape == "xlsx" else "csv"
    path = folder / f"shape_{shape}_{n}_seed{seed}.{suffix}"
    if not path.exists():
        write(shape, n, seed, path)
    return path


def baseline_format(shape: str) -> dict:
    """How the references are told to read the file (a team's script would know its files)."""
    if shape == "cp1258":
        return {"delimiter": ";", "encoding": "cp1258", "decimal": ","}
    if shape == "xlsx":
        return {"excel": True}
    return {}


# -- measurement ----------------------------------------------------------------------------------

def _pinned(cmd: list[str], cpu: int) -> list[str]:
    taskset = shutil.which("taskset")
    return [taskset, "-c", str(cpu), *cmd] if cpu >= 0 and taskset else cmd


def measure(shape: str, file: Path, n: int, repeats: int, work: Path, cpu: int, quiet: tuple[float, float],
            baselines: list[str], kpi_src: Path | None = None) -> dict:
    prime(file)
    runs: dict[str, list[dict]] = {"kpi_ingest": [], **{b: [] for b in baselines}}
    fmt = json.dumps(baseline_format(shape))
    for _ in range(repeats):
        load = wait_quiet(*quiet)
        data = work / "ingest_data"
        shutil.rmtree(data, ignore_errors=True)
        env = _clean_env(KPI_DATA_DIR=str(data), KPI_MAX_FILE_MB="2048", KPI_LANGUAGE="en")
        kpi = kpi_command()
        if kpi_src is not None:  # another checkout's code (e.g. `git archive main`): found before the installed one
            # PYTHONSAFEPATH: `-m` would otherwise put the working directory (this checkout) first.
            env.update(PYTHONPATH=str(kpi_src), PYTHONSAFEPATH="1")
            kpi = [sys.executable, "-m", "kpi"]
        result = child(_pinned([*kpi, "ingest", "--json", "--accept-warnings", "--by", "bench", str(file)], cpu), env)
        summary = json.loads(result["stdout"]) if result["stdout"].startswith("{") else {}
        loaded = summary.get("files", [{}])[0]
        if result["rc"] != 0 or loaded.get("status") != "loaded" or loaded.get("rows") != n:
            problems = [p.get("message") for p in loaded.get("problems", [])][:5]
            raise RuntimeError(f"kpi ingest did not load {file.name}: rc={result['rc']} {problems} {result['stderr'][-2000:]}")
        runs["kpi_ingest"].append({"wall": result["wall"], "cpu": result["cpu"], "rss_mb": result["rss_mb"], "load": load,
                                   "reader": loaded.get("reader")})
        shutil.rmtree(data, ignore_errors=True)
        for kind in baselines:
            db = work / f"baseline_{kind}.db"
            for leftover in (db, Path(str(db) + ".wal")):
                leftover.unlink(missing_ok=True)
            result = child(_pinned([sys.executable, "-m", "bench.baselines", kind, str(file), str(db), fmt], cpu))
            inner = _last_json(result["stdout"]) if result["rc"] == 0 else {"error": result["stderr"][-300:]}
            if "rows" in inner and inner["rows"] != n:
                inner["error"] = f"stored {inner['rows']} rows, not {n}"
            runs[kind].append({"wall": result["wall"], "cpu": result["cpu"], "rss_mb": result["rss_mb"],
                               "seconds": inner.get("seconds"), "error": inner.get("error")})
            for leftover in (db, Path(str(db) + ".wal")):
                leftover.unlink(missing_ok=True)
    return {"shape": shape, "rows": n, "file_mb": file.stat().st_size / 1e6, "runs": runs, **summarise(runs)}


def summarise(runs: dict[str, list[dict]]) -> dict:
    out: dict = {}
    for kind, items in runs.items():
        ok = [r for r in items if not r.get("error")]
        out[kind] = {
            "wall": _median([r["wall"] for r in ok]), "wall_min": min((r["wall"] for r in ok), default=None),
            "cpu": _median([r["cpu"] for r in ok]), "seconds": _median([r.get("seconds") for r in ok]),
            "max_rss_mb": max((r["rss_mb"] for r in ok), default=None),
            "error": next((r["error"] for r in items if r.get("error")), None),
        }
    kpi = out["kpi_ingest"]
    kpi["readers"] = sorted({r["reader"] or "?" for r in runs["kpi_ingest"]})  # "?": a kpi that does not say
    kpi["load"] = _median([r["load"] for r in runs["kpi_ingest"]])
    duck = out.get("duckdb_varchar", {}).get("seconds")
    pandas = out.get("pandas_sqlite", {}).get("wall")
    out["vs_duckdb_varchar"] = kpi["wall"] / duck if kpi["wall"] and duck else None
    out["vs_pandas"] = pandas / kpi["wall"] if kpi["wall"] and pandas else None
    return out


# -- report ---------------------------------------------------------------------------------------

def _s(v: float | None, digits: int = 2) -> str:
    return "—" if v is None else f"{v:.{digits}f}"


def _ref(r: dict) -> str:
    if r is None:
        return "—"
    if r.get("error"):
        return "failed: " + r["error"].replace("|", "/").replace("\n", " ")[:70]
    return _s(r["seconds"])


def _rows(n: int) -> str:
    return f"{n // 1_000_000}M" if n % 1_000_000 == 0 else (f"{n // 1000}k" if n % 1000 == 0 else str(n))


def aims(r: dict) -> str:
    """Met / not met for the issue's three aims (CSV shapes only)."""
    if r["shape"] == "xlsx":
        return "n/a (the aims are for CSV)"
    kpi = r["kpi_ingest"]
    parts = [
        f"pandas ≥{AIM_VS_PANDAS:g}×: {'met' if (r['vs_pandas'] or 0) >= AIM_VS_PANDAS else 'NOT met'}",
        f"≤{AIM_VS_DUCKDB:g}× DuckDB: " + ("—" if r["vs_duckdb_varchar"] is None else
                                        ("met" if r["vs_duckdb_varchar"] <= AIM_VS_DUCKDB else "NOT met")),
        f"RSS <{AIM_RSS_MB} MB: {'met' if (kpi['max_rss_mb'] or 1e9) < AIM_RSS_MB else 'NOT met'}",
        f"fast reader: {'met' if kpi['readers'] == ['fast'] else 'NOT met'}",
    ]
    return "; ".join(parts)


def report(results: dict) -> str:
    m = results["machine"]
    lines = [
        f"Run {results['started']} · {m['cores']} cores ({m['cpu']}), {m['memory_gb']} GB · Python {m['python']}, "
        f"DuckDB {m['duckdb']}, Polars {m['polars']}, pandas {m['pandas']} · commit {m['commit']}",
        f"Command: `{results['command']}` · seed {results['seed']} · pinned to core {results['cpu']} · "
        + (f"`kpi ingest` from {results['kpi_src']} · " if results.get("kpi_src") else "")
        + f"total {results['total_s'] / 60:.1f} min · load average at start {results['load_start']:.2f}, at end {results['load_end']:.2f}",
        "",
        "Seconds of wall time, median of the repeats (best in brackets for `kpi ingest`); `kpi ingest` and pandas + "
        "SQLite are whole processes (as a team's script would run), the DuckDB and Polars references the work alone "
        "(query); peak RSS in MB.",
        "",
        "| shape | rows | MB | reader | `kpi ingest` wall (best) | CPU | peak RSS | DuckDB `read_csv` | DuckDB `all_varchar` | "
        "Polars → DuckDB | pandas + SQLite (RSS) | kpi / DuckDB `all_varchar` | pandas / kpi | aims |",
        "|---|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in results["shapes"]:
        k, p = r["kpi_ingest"], r.get("pandas_sqlite") or {}
        lines.append(
            f"| {r['shape']} | {_rows(r['rows'])} | {r['file_mb']:.0f} | {', '.join(k['readers'])} | {_s(k['wall'])} ({_s(k['wall_min'])}) | "
            f"{_s(k['cpu'])} | {_s(k['max_rss_mb'], 0)} | {_ref(r.get('duckdb'))} | {_ref(r.get('duckdb_varchar'))} | "
            f"{_ref(r.get('polars_duckdb'))} | {_s(p.get('wall'))} ({_s(p.get('max_rss_mb'), 0)}) | "
            f"{_s(r['vs_duckdb_varchar'], 1)}× | {_s(r['vs_pandas'], 2)}× | {aims(r)} |"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.shapes", description=__doc__.split("\n\n")[0])
    parser.add_argument("--shapes", default=",".join(SHAPES), help=f"comma-separated, of: {', '.join(SHAPES)}")
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows of each CSV shape (default 1M)")
    parser.add_argument("--xlsx-rows", type=int, default=100_000, help="rows of the workbook (default 100k)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--cpu", type=int, default=1, help="pin every measured process to this core (-1: do not pin)")
    parser.add_argument("--dir", type=Path, default=ROOT / "bench" / ".cache" / "shapes", help="where the files are kept")
    parser.add_argument("--no-baselines", action="store_true", help="only `kpi ingest`")
    parser.add_argument("--kpi-src", type=Path, help="run `kpi ingest` from this source tree (e.g. an unpacked "
                        "`git archive main`) instead of this checkout: a before/after in one run")
    parser.add_argument("--quick", action="store_true", help="3,000-row files (500 for the workbook), one repeat, no waiting")
    parser.add_argument("--report", type=Path, help="also write the Markdown report here")
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("--quiet-load", type=float, default=1.5)
    parser.add_argument("--quiet-wait", type=float, default=15.0)
    args = parser.parse_args(argv)
    shapes = [s.strip() for s in args.shapes.split(",") if s.strip()]
    unknown = set(shapes) - set(SHAPES)
    if unknown:
        parser.error(f"unknown shape(s): {', '.join(sorted(unknown))}")
    rows, xlsx_rows, repeats = (3000, 500, 1) if args.quick else (args.rows, args.xlsx_rows, args.repeats)
    quiet = (args.quiet_load, 0.0 if args.quick else args.quiet_wait)
    args.dir.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="work-", dir=args.dir))
    started = time.perf_counter()
    results: dict = {
        "started": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "command": "python -m bench.shapes " + " ".join(argv if argv is not None else sys.argv[1:]),
        "seed": args.seed, "cpu": args.cpu, "machine": machine(), "kpi_src": str(args.kpi_src) if args.kpi_src else None,
        "load_start": os.getloadavg()[0], "shapes": [],
    }
    # The measured `kpi` reads our modules' bytecode, never compiles them: with
    # PYTHONDONTWRITEBYTECODE set (as on some machines) every run would, a few tenths of a second.
    source = args.kpi_src or ROOT
    compileall.compile_dir(str(source / "kpi"), quiet=1)
    compileall.compile_dir(str(source / "pipelines"), quiet=1)
    try:
        for shape in shapes:
            n = xlsx_rows if shape == "xlsx" else rows
            print(f"bench.shapes: {shape}, {n:,} rows: file ...", file=sys.stderr)
            file = shape_file(shape, n, args.seed, args.dir)
            print(f"bench.shapes: {shape}: measuring × {repeats} ...", file=sys.stderr)
            results["shapes"].append(measure(shape, file, n, repeats, work, args.cpu, quiet,
                                             [] if args.no_baselines else BASELINES, args.kpi_src))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    results["total_s"] = time.perf_counter() - started
    results["load_end"] = os.getloadavg()[0]
    text = report(results)
    if args.json:
        args.json.write_text(json.dumps(results, indent=1, default=str))
    if args.report:
        args.report.write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
