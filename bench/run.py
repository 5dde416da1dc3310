"""`make bench`: ingest and dashboard speed against DuckDB's own limits (issue 7).

    python -m bench.run                      # full run: files of 100k, 1M, 5M rows; warehouses of 1M, 5M, 20M
    python -m bench.run --quick              # a tiny run (2k rows, 5k observations, one repeat): seconds
    python -m bench.run --sizes 1000000 --warehouses 5000000 --repeats 3

Generated files and warehouses are kept in bench/.cache (deterministic from --seed; rebuilt
when the generator changes). Every measurement runs in a child process; medians are reported.
Results: bench/.cache/results-<time>.json and a Markdown report (printed, and written to
bench/.cache/report.md, or --report). Not a test and not part of CI.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CACHE = ROOT / "bench" / ".cache"
FULL_SIZES = [100_000, 1_000_000, 5_000_000]
FULL_WAREHOUSES = [1_000_000, 5_000_000, 20_000_000]
BASELINES = ["duckdb", "duckdb_varchar", "duckdb_whole_sniff", "pandas_sqlite", "polars_duckdb"]
AIM_RATIO_DUCKDB, AIM_VS_PANDAS, AIM_RSS_MB = 2.0, 2.0, 2048
AIM_OVERVIEW_WARM_S, AIM_OVERVIEW_COLD_S = 0.3, 2.0


# -- processes ----------------------------------------------------------------------------------

def _clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KPI_")}
    env.update(extra)
    return env


# A minimal process starts each measured one and reports its rusage: Linux carries the
# parent's peak RSS over fork/exec into the child's ru_maxrss, so children of this (large)
# process would all report at least its size. The launcher's own ~10 MB is the floor.
LAUNCHER = """
import json, os, sys, time
out, cmd = sys.argv[1], sys.argv[2:]
start = time.perf_counter()
pid = os.posix_spawn(cmd[0], cmd, os.environ)
_, status, usage = os.wait4(pid, 0)
wall = time.perf_counter() - start
with open(out, "w") as handle:
    json.dump({"wall": wall, "cpu": usage.ru_utime + usage.ru_stime, "rss_mb": usage.ru_maxrss / 1024,
               "rc": os.waitstatus_to_exitcode(status)}, handle)
"""


def child(cmd: list[str], env: dict[str, str] | None = None, timeout: float = 3600) -> dict:
    """Run a process to the end: wall time (start-up included), CPU, its own peak RSS, exit code, output."""
    if not os.path.isabs(cmd[0]):
        cmd = [shutil.which(cmd[0]) or cmd[0], *cmd[1:]]
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err, \
            tempfile.NamedTemporaryFile("r", suffix=".json") as usage_file:
        proc = subprocess.Popen([sys.executable, "-S", "-c", LAUNCHER, usage_file.name, *cmd],
                                stdout=out, stderr=err, env=env or _clean_env(), cwd=ROOT, start_new_session=True)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, 9)  # the launcher and the measured process: their own session
            raise
        out.seek(0)
        err.seek(0)
        usage = json.loads(usage_file.read() or "{}")
        if not usage:
            raise RuntimeError(f"launcher failed: {err.read().decode('utf-8', 'replace')[-2000:]}")
        return {**usage, "stdout": out.read().decode("utf-8", "replace"), "stderr": err.read().decode("utf-8", "replace")}


def _last_json(text: str) -> dict:
    for line in reversed(text.strip().splitlines()):
        if line.startswith("{"):
            return json.loads(line)
    raise ValueError(f"no JSON in output: {text[-500:]!r}")


def kpi_command() -> list[str]:
    script = Path(sys.executable).with_name("kpi")
    return [str(script)] if script.exists() else [sys.executable, "-m", "kpi"]


def evict(path: Path) -> None:
    """Drop the file's pages from the OS page cache (no root needed), so the next read is cold."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
    finally:
        os.close(fd)


def prime(path: Path) -> None:
    with open(path, "rb") as handle:
        while handle.read(1 << 24):
            pass


def wait_quiet(threshold: float, max_wait: float) -> float:
    """Wait (at most max_wait s) until the 1-minute load average is below threshold; return it."""
    deadline = time.monotonic() + max_wait
    while os.getloadavg()[0] >= threshold and time.monotonic() < deadline:
        time.sleep(5)
    return os.getloadavg()[0]


# -- inputs ---------------------------------------------------------------------------------------

def code_hash() -> str:
    """Changes when the generator or the builder changes: cached inputs are then rebuilt."""
    digest = hashlib.sha256()
    for name in ("generate.py", "warehouse.py"):
        digest.update((ROOT / "bench" / name).read_bytes())
    return digest.hexdigest()[:8]


def input_file(n: int, seed: int, cache: Path) -> Path:
    from bench.generate import sample, write_csv

    path = cache / f"file_{n}_seed{seed}_{code_hash()}.csv"
    if not path.exists():
        write_csv(sample(n, seed), path)
    return path


def warehouse_file(n: int, seed: int, cache: Path) -> tuple[Path, dict]:
    from bench.warehouse import build

    path = cache / f"warehouse_{n}_seed{seed}_{code_hash()}.duckdb"
    meta_path = path.with_suffix(".json")
    if not path.exists() or not meta_path.exists():
        start = time.perf_counter()
        meta = build(path, n, seed)
        meta["build_s"] = time.perf_counter() - start
        meta_path.write_text(json.dumps(meta))
    return path, json.loads(meta_path.read_text())


def verify_builder(work: Path, seed: int, n: int = 3000) -> dict:
    """The builder stores what `kpi ingest` stores for the same rows (checked on a small file)."""
    import duckdb

    from bench.generate import sample, write_csv
    from bench.warehouse import build
    from pipelines.ingest import ingest
    from pipelines.settings import Settings

    file = write_csv(sample(n, seed + 1000), work / "verify" / f"bench_{n}_seed{seed + 1000}.csv")
    settings = Settings(data_dir=work / "verify" / "data", _env_file=None)  # type: ignore[call-arg]
    outcome = ingest([file], settings, lang="en", acknowledged_by="bench")[0]  # random values trip the plausibility checks
    built, _ = work / "verify" / "built.duckdb", build(work / "verify" / "built.duckdb", n, seed)
    query = """SELECT row_number, indicator, reporter, period, breakdown, value, unit, note
               FROM observations ORDER BY row_number"""
    rows = []
    for db in (settings.warehouse_path, built):
        con = duckdb.connect(str(db), read_only=True)
        rows.append(con.execute(query).fetchall())
        con.close()
    shutil.rmtree(work / "verify")
    return {"rows": n, "ingest_status": outcome.status, "identical": outcome.status == "loaded" and rows[0] == rows[1]}


# -- measurements ----------------------------------------------------------------------------------

def measure_ingest(file: Path, n: int, repeats: int, work: Path, baselines: list[str], quiet: tuple[float, float]) -> dict:
    prime(file)
    runs: dict[str, list[dict]] = {"kpi_ingest": [], **{b: [] for b in baselines}}
    for _ in range(repeats):
        load = wait_quiet(*quiet)
        data = work / "ingest_data"
        shutil.rmtree(data, ignore_errors=True)
        env = _clean_env(KPI_DATA_DIR=str(data), KPI_MAX_FILE_MB="2048", KPI_LANGUAGE="en")
        result = child([*kpi_command(), "ingest", "--json", "--accept-warnings", "--by", "bench", str(file)], env)
        summary = json.loads(result["stdout"]) if result["stdout"].startswith("{") else {}
        loaded = summary.get("files", [{}])[0]
        if result["rc"] != 0 or loaded.get("status") != "loaded" or loaded.get("rows") != n:
            raise RuntimeError(f"kpi ingest did not load {file.name}: rc={result['rc']} {result['stdout'][-2000:]} {result['stderr'][-2000:]}")
        runs["kpi_ingest"].append({"wall": result["wall"], "cpu": result["cpu"], "rss_mb": result["rss_mb"], "load": load})
        shutil.rmtree(data, ignore_errors=True)
        for kind in baselines:
            db = work / f"baseline_{kind}.db"
            for leftover in (db, Path(str(db) + ".wal")):
                leftover.unlink(missing_ok=True)
            result = child([sys.executable, "-m", "bench.baselines", kind, str(file), str(db)])
            inner = _last_json(result["stdout"]) if result["rc"] == 0 else {"error": result["stderr"][-300:]}
            if "rows" in inner and inner["rows"] != n:
                inner["error"] = f"stored {inner['rows']} rows, not {n}"
            runs[kind].append({"wall": result["wall"], "cpu": result["cpu"], "rss_mb": result["rss_mb"], "seconds": inner.get("seconds"),
                               "error": inner.get("error")})
            for leftover in (db, Path(str(db) + ".wal")):
                leftover.unlink(missing_ok=True)
    return {"rows": n, "file_mb": file.stat().st_size / 1e6, "runs": runs, **summarise_ingest(runs)}


def _median(values: list[float]) -> float | None:
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def summarise_ingest(runs: dict[str, list[dict]]) -> dict:
    out: dict = {}
    for kind, items in runs.items():
        ok = [r for r in items if not r.get("error")]
        out[kind] = {
            "wall": _median([r["wall"] for r in ok]),
            "wall_min": min((r["wall"] for r in ok), default=None),
            "seconds_min": min((r["seconds"] for r in ok if r.get("seconds") is not None), default=None),
            "cpu": _median([r["cpu"] for r in ok]),
            "load": _median([r["load"] for r in items if "load" in r]),
            "seconds": _median([r.get("seconds") for r in ok]),
            "rss_mb": _median([r["rss_mb"] for r in ok]),
            "max_rss_mb": max((r["rss_mb"] for r in ok), default=None),
            "error": next((r["error"] for r in items if r.get("error")), None),
        }
    kpi = out["kpi_ingest"]["wall"]
    duck = out.get("duckdb", {}).get("seconds") or out.get("duckdb_varchar", {}).get("seconds")
    pandas = out.get("pandas_sqlite", {}).get("wall")
    out["ratio_vs_duckdb"] = kpi / duck if kpi and duck else None
    ref = out["duckdb"] if out.get("duckdb", {}).get("seconds") else out.get("duckdb_varchar", {})
    out["ratio_vs_duckdb_best"] = (out["kpi_ingest"]["wall_min"] / ref["seconds_min"]
                                   if out["kpi_ingest"]["wall_min"] and ref.get("seconds_min") else None)
    out["speedup_vs_pandas_best"] = (out["pandas_sqlite"]["wall_min"] / out["kpi_ingest"]["wall_min"]
                                     if out.get("pandas_sqlite", {}).get("wall_min") and out["kpi_ingest"]["wall_min"] else None)
    out["ratio_vs_duckdb_reference"] = "duckdb" if out.get("duckdb", {}).get("seconds") else "duckdb_varchar"
    out["speedup_vs_pandas"] = pandas / kpi if kpi and pandas else None
    return out


def measure_incremental(db: Path, file: Path, n: int, repeats: int, work: Path, quiet: tuple[float, float]) -> dict:
    """`kpi ingest` of one more file into a warehouse that already holds millions of observations:
    publish-and-swap copies the whole database first, so this grows with what is stored."""
    runs = []
    for _ in range(repeats):
        data = work / "incremental_data"
        shutil.rmtree(data, ignore_errors=True)
        (data / "warehouse").mkdir(parents=True)
        shutil.copyfile(db, data / "warehouse" / "kpi.duckdb")
        wait_quiet(*quiet)
        env = _clean_env(KPI_DATA_DIR=str(data), KPI_MAX_FILE_MB="2048", KPI_LANGUAGE="en")
        result = child([*kpi_command(), "ingest", "--json", "--accept-warnings", "--by", "bench", str(file)], env)
        summary = json.loads(result["stdout"]) if result["stdout"].startswith("{") else {}
        loaded = summary.get("files", [{}])[0]
        if result["rc"] != 0 or loaded.get("status") != "loaded" or loaded.get("rows") != n:
            raise RuntimeError(f"incremental ingest failed: rc={result['rc']} {result['stderr'][-2000:]}")
        runs.append({"wall": result["wall"], "cpu": result["cpu"], "rss_mb": result["rss_mb"], "revised": loaded.get("revised")})
        shutil.rmtree(data, ignore_errors=True)
    return {"rows": n, "wall": _median([r["wall"] for r in runs]), "cpu": _median([r["cpu"] for r in runs]),
            "max_rss_mb": max(r["rss_mb"] for r in runs), "revised": runs[0]["revised"], "runs": runs}


def measure_reads(db: Path, repeats: int, quiet: tuple[float, float]) -> dict:
    out: dict = {}
    for what in ("overview", "indicator"):
        cold, warm, sizes = [], [], []
        for _ in range(repeats):
            wait_quiet(*quiet)
            evict(db)
            result = child([sys.executable, "-m", "bench.read_probe", what, str(db), "4"])
            if result["rc"] != 0:
                raise RuntimeError(f"read probe {what} failed: {result['stderr'][-2000:]}")
            probe = _last_json(result["stdout"])
            cold.append(probe["first"])
            warm.extend(probe["again"])
            sizes.append(probe["result_size"])
        out[what] = {"cold": _median(cold), "warm": _median(warm), "cold_min": min(cold), "warm_min": min(warm, default=None),
                     "cold_runs": cold, "warm_runs": warm,
                     "result_size": sizes[0]}
    first, cached = {"overview": [], "indicator": []}, {"overview": [], "indicator": []}
    for _ in range(repeats):
        wait_quiet(*quiet)
        evict(db)
        result = child([sys.executable, "-m", "bench.read_probe", "cached", str(db), "4"])
        if result["rc"] != 0:
            raise RuntimeError(f"read probe cached failed: {result['stderr'][-2000:]}")
        probe = _last_json(result["stdout"])
        for what in first:
            first[what].append(probe[what]["first"])
            cached[what].extend(probe[what]["cached"])
    for what in first:
        out[what]["app_first"] = _median(first[what])
        out[what]["cached"] = _median(cached[what])
    return out


# -- scaling and report ---------------------------------------------------------------------------

def slope(sizes: list[int], values: list[float | None]) -> float | None:
    """Exponent b of value ~ size^b (least squares on logs): 1 = linear."""
    pairs = [(math.log(s), math.log(v)) for s, v in zip(sizes, values) if v]
    if len(pairs) < 2:
        return None
    mx = sum(x for x, _ in pairs) / len(pairs)
    my = sum(y for _, y in pairs) / len(pairs)
    den = sum((x - mx) ** 2 for x, _ in pairs)
    return sum((x - mx) * (y - my) for x, y in pairs) / den if den else None


def per_million(sizes: list[int], values: list[float | None]) -> list[float | None]:
    """Marginal cost of each step between sizes, per million rows (or observations)."""
    return [(b - a) / ((t - s) / 1e6) if a is not None and b is not None else None
            for s, t, a, b in zip(sizes, sizes[1:], values, values[1:])]


def verdict(sizes: list[int], values: list[float | None]) -> str:
    """Linear = a fixed part plus the same cost per extra row at every step (within 30 %)."""
    steps = [m for m in per_million(sizes, values) if m is not None]
    known = [v for v in values if v is not None]
    if not steps or not known:
        return "—"
    if known[0] > 0 and known[-1] / known[0] < (sizes[-1] / sizes[0]) / 4:
        return f"far below linear (fixed costs dominate): ×{known[-1] / known[0]:.1f} for ×{sizes[-1] / sizes[0]:.0f} the size"
    fixed = known[0] - steps[0] * sizes[0] / 1e6
    if len(steps) == 1:
        return f"≈ {fixed:.2f} + {steps[0]:.3g} per million (two sizes only)"
    if min(steps) > 0 and max(steps) <= 1.3 * min(steps):
        return f"linear: ≈ {fixed:.2f} + {statistics.mean(steps):.3g} per million"
    if steps[-1] > 1.3 * steps[0]:
        return "super-linear: each extra row costs more as the size grows"
    return "sub-linear: each extra row costs less as the size grows"


def machine() -> dict:
    import duckdb
    import polars

    try:
        import pandas
        pandas_version = pandas.__version__
    except ImportError:
        pandas_version = None
    mem_kb = next(int(line.split()[1]) for line in open("/proc/meminfo") if line.startswith("MemTotal"))
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")), platform.processor())
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    dirty = subprocess.run(["git", "status", "--porcelain", "pipelines"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    return {
        "cores": os.cpu_count(), "memory_gb": round(mem_kb / 1024 / 1024, 1), "cpu": cpu,
        "python": platform.python_version(), "duckdb": duckdb.__version__, "polars": polars.__version__,
        "pandas": pandas_version, "os": platform.platform(), "commit": head + (" (pipelines/ modified)" if dirty else ""),
    }


def _s(v: float | None, digits: int = 2) -> str:
    return "—" if v is None else f"{v:.{digits}f}"


def _ms(v: float | None) -> str:
    return "—" if v is None else (f"{v * 1000:.0f}" if v >= 0.01 else f"{v * 1000:.2f}")


def _pair(r: dict, key: str) -> str:
    return f"{_ms(r[key])} / {_ms(r.get(key + '_min'))}"


def _rows(n: int) -> str:
    return f"{n // 1_000_000}M" if n % 1_000_000 == 0 else (f"{n // 1000}k" if n % 1000 == 0 else str(n))


def report(results: dict) -> str:
    m = results["machine"]
    lines = [
        f"Run {results['started']} · {m['cores']} cores ({m['cpu']}), {m['memory_gb']} GB · Python {m['python']}, "
        f"DuckDB {m['duckdb']}, Polars {m['polars']}, pandas {m['pandas']} · commit {m['commit']}",
        f"Command: `{results['command']}` · seed {results['seed']} · total {results['total_s'] / 60:.1f} min · "
        f"load average at start {results['load_start']:.2f}, at end {results['load_end']:.2f}",
        "",
    ]
    if results.get("verify"):
        v = results["verify"]
        lines += [f"Warehouse builder check: a {v['rows']}-row file through `kpi ingest` and through the builder "
                  f"give {'identical' if v['identical'] else 'DIFFERENT'} observations.", ""]
    ingest = results.get("ingest", [])
    if ingest:
        lines += [
            "### Ingest (seconds of wall time, median / best of the repeats; whole process unless said; CPU = user + system, median)",
            "",
            "| rows | file MB | repeats | load avg | `kpi ingest` wall | `kpi ingest` CPU | peak RSS MB | DuckDB `read_csv` (query) | "
            "ratio kpi / DuckDB | pandas + SQLite wall | kpi faster than pandas by |",
            "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for r in ingest:
            duck = r["duckdb"]
            if duck["seconds"] is not None:
                duck_text = f"{_s(duck['seconds'])} / {_s(duck['seconds_min'])}"
            else:
                varchar = r["duckdb_varchar"]
                duck_text = (f"failed ({(duck['error'] or '')[:60]}…); `all_varchar`: "
                             f"{_s(varchar['seconds'])} / {_s(varchar['seconds_min'])}")
            k, p = r["kpi_ingest"], r["pandas_sqlite"]
            lines.append(
                f"| {_rows(r['rows'])} | {r['file_mb']:.0f} | {len(r['runs']['kpi_ingest'])} | {_s(k.get('load'), 1)} | "
                f"{_s(k['wall'])} / {_s(k['wall_min'])} | {_s(k['cpu'])} | {k['max_rss_mb']:.0f} | {duck_text} | "
                f"{_s(r['ratio_vs_duckdb'], 1)}× / {_s(r.get('ratio_vs_duckdb_best'), 1)}× | "
                f"{_s(p['wall'])} / {_s(p['wall_min'])} | {_s(r['speedup_vs_pandas'], 2)}× / {_s(r.get('speedup_vs_pandas_best'), 2)}× |"
            )
        lines += [
            "",
            "References on the same files (seconds; query = the work alone, process = start-up included; peak RSS MB):",
            "",
            "| rows | DuckDB process wall (CPU) | DuckDB peak RSS | DuckDB `all_varchar` (query) | DuckDB `sample_size=-1` (query) | "
            "pandas peak RSS | Polars strings + NFC + cast → DuckDB (work) | Polars peak RSS |",
            "|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for r in ingest:
            d, v, w, p, q = (r[k] for k in ("duckdb", "duckdb_varchar", "duckdb_whole_sniff", "pandas_sqlite", "polars_duckdb"))
            d_proc = d if d["wall"] is not None else v
            lines.append(
                f"| {_rows(r['rows'])} | {_s(d_proc['wall'])} ({_s(d_proc['cpu'])}) | {_s(d_proc['max_rss_mb'], 0)} | "
                f"{_s(v['seconds'])} | {_s(w['seconds'])} | {_s(p['max_rss_mb'], 0)} | {_s(q['seconds'])} | {_s(q['max_rss_mb'], 0)} |"
            )
        lines.append("")
    reads = results.get("reads", [])
    if reads:
        lines += [
            "### Dashboard server-side time (ms; median / best)",
            "",
            "| observations stored | current values | DB MB | overview cold | overview warm (uncached) | overview cached (app) | "
            "indicator page cold | indicator warm (uncached) | indicator cached (app) |",
            "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for r in reads:
            lines.append(
                f"| {_rows(r['observations'])} | {r['current']:,} | {r['bytes'] / 1e6:.0f} | {_pair(r['overview'], 'cold')} | "
                f"{_pair(r['overview'], 'warm')} | {_ms(r['overview']['cached'])} | {_pair(r['indicator'], 'cold')} | "
                f"{_pair(r['indicator'], 'warm')} | {_ms(r['indicator']['cached'])} |"
            )
        lines.append("")
    if any(r.get("incremental") for r in reads):
        lines += ["### One more file into a full warehouse (`kpi ingest`, whole process; median)", "",
                  "| observations stored | DB MB | file rows | values revised | wall s (CPU) | peak RSS MB |",
                  "|---:|---:|---:|---:|---:|---:|"]
        for r in reads:
            inc = r.get("incremental")
            if inc:
                lines.append(f"| {_rows(r['observations'])} | {r['bytes'] / 1e6:.0f} | {_rows(inc['rows'])} | {inc['revised']:,} | "
                             f"{_s(inc['wall'])} ({_s(inc['cpu'])}) | {inc['max_rss_mb']:.0f} |")
        lines.append("")
    lines += ["### Scaling (per step: the extra cost per million rows or observations; b: exponent of value ~ size^b)", "",
              "| figure | sizes | values | extra per million, step by step | b | verdict |", "|---|---|---|---|---:|---|"]
    for name, sizes, values in results.get("scaling", []):
        shown = ", ".join(_s(v, 3) for v in values)
        steps = ", ".join(_s(m, 3) for m in per_million(sizes, values))
        lines.append(f"| {name} | {', '.join(_rows(s) for s in sizes)} | {shown} | {steps} | {_s(slope(sizes, values), 2)} | "
                     f"{verdict(sizes, values)} |")
    lines += ["", "### Aims", "", "| aim | measured | met |", "|---|---|---|"]
    for aim, measured, met in results.get("aims", []):
        lines.append(f"| {aim} | {measured} | {'met' if met else ('not met' if met is not None else 'not measured')} |")
    return "\n".join(lines) + "\n"


def aims(results: dict) -> list[tuple[str, str, bool | None]]:
    by_rows = {r["rows"]: r for r in results.get("ingest", [])}
    out: list[tuple[str, str, bool | None]] = []
    one = by_rows.get(1_000_000)
    if one:
        out.append((f"1M-row ingest within {AIM_RATIO_DUCKDB:g}× DuckDB's bare read_csv (whole process)",
                    f"median {_s(one['ratio_vs_duckdb'], 1)}× ({_s(one['kpi_ingest']['wall'])} s vs "
                    f"{_s(one['duckdb']['seconds'] or one['duckdb_varchar']['seconds'])} s); best {_s(one.get('ratio_vs_duckdb_best'), 1)}×",
                    one["ratio_vs_duckdb"] is not None and one["ratio_vs_duckdb"] <= AIM_RATIO_DUCKDB))
        out.append((f"1M-row ingest at least {AIM_VS_PANDAS:g}× faster than pandas + SQLite",
                    f"median {_s(one['speedup_vs_pandas'])}× ({_s(one['kpi_ingest']['wall'])} s vs {_s(one['pandas_sqlite']['wall'])} s); "
                    f"best {_s(one.get('speedup_vs_pandas_best'))}×",
                    one["speedup_vs_pandas"] is not None and one["speedup_vs_pandas"] >= AIM_VS_PANDAS))
    five = by_rows.get(5_000_000)
    if five:
        out.append((f"5M-row ingest peak RSS under {AIM_RSS_MB} MB", f"{five['kpi_ingest']['max_rss_mb']:.0f} MB",
                    five["kpi_ingest"]["max_rss_mb"] < AIM_RSS_MB))
    reads = {r["observations"]: r for r in results.get("reads", [])}
    if 5_000_000 in reads:
        r = reads[5_000_000]["overview"]
        out.append((f"overview with 5M observations under {AIM_OVERVIEW_WARM_S * 1000:.0f} ms warm (cached)",
                    f"{_ms(r['cached'])} ms cached; {_ms(r['warm'])} ms uncached re-run", r["cached"] < AIM_OVERVIEW_WARM_S))
        out.append((f"overview with 5M observations under {AIM_OVERVIEW_COLD_S:g} s cold",
                    f"{_ms(r['cold'])} ms (fresh process, file evicted from the page cache)", r["cold"] < AIM_OVERVIEW_COLD_S))
    return out


def scaling(results: dict) -> list[tuple[str, list[int], list[float | None]]]:
    out = []
    ingest = results.get("ingest", [])
    if len(ingest) > 1:
        sizes = [r["rows"] for r in ingest]
        out.append(("kpi ingest, s", sizes, [r["kpi_ingest"]["wall"] for r in ingest]))
        out.append(("kpi ingest peak RSS, MB", sizes, [r["kpi_ingest"]["max_rss_mb"] for r in ingest]))
        out.append(("DuckDB read_csv all_varchar, s", sizes, [r["duckdb_varchar"]["seconds"] for r in ingest]))
        out.append(("pandas + SQLite, s", sizes, [r["pandas_sqlite"]["wall"] for r in ingest]))
        out.append(("Polars + DuckDB, s", sizes, [r["polars_duckdb"]["seconds"] for r in ingest]))
    reads = results.get("reads", [])
    if len(reads) > 1:
        sizes = [r["observations"] for r in reads]
        for what in ("overview", "indicator"):
            for key in ("cold", "warm", "cached"):
                out.append((f"{what} {key}, s", sizes, [r[what][key] for r in reads]))
        if all(r.get("incremental") for r in reads):
            out.append(("one more file into the warehouse, s", sizes, [r["incremental"]["wall"] for r in reads]))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", help="comma-separated row counts of the ingested files (default 100000,1000000,5000000)")
    parser.add_argument("--warehouses", help="comma-separated observation counts of the read warehouses (default 1M,5M,20M)")
    parser.add_argument("--repeats", type=int, help="repeats per ingest size (default: 5 up to 100k rows, 3 above)")
    parser.add_argument("--read-repeats", type=int, default=3, help="fresh processes per read measurement (default 3)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--quick", action="store_true", help="tiny sizes, one repeat: checks that the bench works")
    parser.add_argument("--no-ingest", action="store_true")
    parser.add_argument("--no-reads", action="store_true")
    parser.add_argument("--cache-dir", type=Path, default=DEFAULT_CACHE)
    parser.add_argument("--report", type=Path, help="also write the Markdown report here")
    parser.add_argument("--quiet-load", type=float, default=1.5,
                        help="before each measurement wait until the 1-min load average is below this (default 1.5)")
    parser.add_argument("--quiet-wait", type=float, default=15.0, help="wait at most this many seconds for it (default 15)")
    args = parser.parse_args(argv)

    parse = lambda text: [int(float(x)) for x in text.split(",") if x.strip()]  # noqa: E731
    sizes = parse(args.sizes) if args.sizes else ([2000] if args.quick else FULL_SIZES)
    warehouses = parse(args.warehouses) if args.warehouses else ([5000] if args.quick else FULL_WAREHOUSES)
    read_repeats = 1 if args.quick else args.read_repeats
    quiet = (args.quiet_load, 0.0 if args.quick else args.quiet_wait)
    cache = args.cache_dir
    cache.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="work-", dir=cache))
    started = time.perf_counter()
    results: dict = {
        "started": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "command": "python -m bench.run " + " ".join(argv if argv is not None else sys.argv[1:]),
        "seed": args.seed, "machine": machine(), "load_start": os.getloadavg()[0],
    }
    try:
        print("bench: verifying the warehouse builder against kpi ingest ...", file=sys.stderr)
        results["verify"] = verify_builder(work, args.seed)
        if not results["verify"]["identical"]:
            raise SystemExit("bench: the warehouse builder does not store what kpi ingest stores; fix bench/warehouse.py")
        if not args.no_ingest:
            results["ingest"] = []
            for n in sizes:
                repeats = args.repeats or (1 if args.quick else (5 if n <= 100_000 else 3))
                print(f"bench: generating {n:,} rows ...", file=sys.stderr)
                file = input_file(n, args.seed, cache)
                print(f"bench: ingest {n:,} rows × {repeats} ...", file=sys.stderr)
                results["ingest"].append(measure_ingest(file, n, repeats, work, BASELINES, quiet))
        if not args.no_reads:
            results["reads"] = []
            for n in warehouses:
                print(f"bench: warehouse of {n:,} observations ...", file=sys.stderr)
                db, meta = warehouse_file(n, args.seed, cache)
                print(f"bench: reads on {n:,} observations ...", file=sys.stderr)
                entry = {**meta, **measure_reads(db, read_repeats, quiet)}
                if not args.no_ingest:
                    print(f"bench: one more {sizes[0]:,}-row file into {n:,} observations ...", file=sys.stderr)
                    entry["incremental"] = measure_incremental(db, input_file(sizes[0], args.seed + 1, cache), sizes[0],
                                                               1 if args.quick else 2, work, quiet)
                results["reads"].append(entry)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    results["total_s"] = time.perf_counter() - started
    results["load_end"] = os.getloadavg()[0]
    results["scaling"] = scaling(results)
    results["aims"] = aims(results)
    text = report(results)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S")
    (cache / f"results-{stamp}.json").write_text(json.dumps(results, indent=1, default=str))
    (cache / "report.md").write_text(text)
    if args.report:
        args.report.write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
