"""Serving bench (issue 13): many protocol-level sessions against one `streamlit run`, no browsers.

    .venv/bin/python -m bench.serving --sessions 20 --views 6 --think 1
    .venv/bin/python -m bench.serving --sessions 20 --views 6 --think 1 --ingest-rows 20000 --ingests 3
    .venv/bin/python -m bench.serving --sessions 50 --views 6 --think 1

- The dashboard runs over a copy of `kpi demo`'s sample warehouse (a fresh data folder), pinned
  to core 0 with `taskset`; this client (and any ingest) run pinned to core 1, so the CPU
  figures are the server's own.
- Each page is viewed once, untimed, to fill the caches; then N sessions × V views cycle over
  every reader page (the indicator page with and without `?code=`), each session starting on
  its own page, with a think time (±20 %) between views (`bench.streamlit_client`).
- Recorded: p50/p95/max view time (all and per page), errors (exception elements, unknown
  pages), hung or dropped sessions, views per second, the server's CPU ms per view (utime +
  stime from /proc/PID/stat over the run ÷ views completed) and its peak RSS (VmHWM), and a
  `/_stcore/health` probe every 0.5 s (any failure or answer over 5 s is reported).
- `--ingest-rows N`: `kpi ingest` loads generated files (bench.generate, N rows, a new seed
  each) one after another while the sessions browse, at most `--ingests`; every publish empties
  the pages' caches for all sessions at once.
- The floor: the same run against `bench/floor_app.py`, a bare Streamlit app whose pages send
  as many elements as the dashboard's (counted on the warm-up views); the dashboard's CPU per
  view is reported as a multiple of it.

Prints a Markdown summary and writes JSON to bench/.cache/serving-<time>.json (or --json).
Not a test and not part of CI; tests/load/test_serving.py runs a small version in CI.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from bench.streamlit_client import PAGES, LoadSummary, Page, StreamlitSession, run_load

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / "bench" / ".cache"
CLK_TCK = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pinned(cmd: list[str], cpu: int | None) -> list[str]:
    """`cmd` under `taskset -c cpu` when there is such a core and taskset exists."""
    if cpu is None or shutil.which("taskset") is None or cpu >= (os.cpu_count() or 1):
        return cmd
    return ["taskset", "-c", str(cpu), *cmd]


def pin_self(cpu: int | None) -> None:
    if cpu is not None and cpu < (os.cpu_count() or 1):
        os.sched_setaffinity(0, {cpu})


def cpu_seconds(pid: int) -> float:
    """utime + stime of a process (all its threads), in seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


@dataclass
class Server:
    """A `streamlit run` on a free loopback port, its log in a file."""

    process: subprocess.Popen
    url: str
    log_path: Path

    @property
    def pid(self) -> int:
        return self.process.pid

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)

    def log_text(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace") if self.log_path.exists() else ""


def start_server(app: Path, env: dict[str, str], log_path: Path, cpu: int | None = 0, timeout_s: float = 60.0,
                 extra_args: list[str] | None = None) -> Server:
    """Start `streamlit run app` pinned to `cpu` (from the project root, so its .streamlit/config.toml
    applies; `extra_args` override it); wait until /_stcore/health answers."""
    port = free_port()
    cmd = pinned([sys.executable, "-m", "streamlit", "run", str(app), "--server.port", str(port),
                  "--server.address", "127.0.0.1", "--server.headless", "true",
                  "--server.fileWatcherType", "none", "--browser.gatherUsageStats", "false",
                  *(extra_args or [])], cpu)
    log = open(log_path, "wb")  # noqa: SIM115 - handed to the child
    env = {**env, "PYTHONUNBUFFERED": "1"}  # the log is read while the server runs
    process = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    log.close()
    # taskset execs the command, so process.pid is the server's pid.
    server = Server(process, f"http://127.0.0.1:{port}", log_path)
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"streamlit exited with {process.returncode}:\n{server.log_text()}")
        if health_ok(server.url, 1.0):
            return server
        time.sleep(0.2)
    server.stop()
    raise RuntimeError(f"streamlit did not answer within {timeout_s} s:\n{server.log_text()}")


def health_ok(url: str, timeout_s: float) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=timeout_s) as response:
            return response.status == 200
    except OSError:
        return False


class HealthProbe(threading.Thread):
    """GET /_stcore/health every `every_s`; records each answer's time and every failure."""

    def __init__(self, url: str, every_s: float = 0.5, timeout_s: float = 5.0) -> None:
        super().__init__(daemon=True)
        self.url, self.every_s, self.timeout_s = url, every_s, timeout_s
        self.times: list[float] = []
        self.failures: list[str] = []
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.is_set():
            start = time.perf_counter()
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=self.timeout_s) as response:
                    response.read()
                    if response.status != 200:
                        self.failures.append(f"{time.strftime('%H:%M:%S')} status {response.status}")
            except OSError as exc:
                self.failures.append(f"{time.strftime('%H:%M:%S')} {exc!r}")
            self.times.append(time.perf_counter() - start)
            self._stop_event.wait(self.every_s)

    def stop(self) -> None:
        self._stop_event.set()
        self.join(self.timeout_s + 1)

    def summary(self) -> dict[str, Any]:
        return {"probes": len(self.times), "failures": len(self.failures), "failure_samples": self.failures[:5],
                "max_s": max(self.times) if self.times else None}


class Ingester(threading.Thread):
    """`kpi ingest` of generated files, one after another, until stopped or `count` are done."""

    def __init__(self, env: dict[str, str], rows: int, count: int, folder: Path, cpu: int | None = 1,
                 first_delay_s: float = 1.0) -> None:
        super().__init__(daemon=True)
        self.env, self.rows, self.count, self.folder, self.cpu = env, rows, count, folder, cpu
        self.first_delay_s = first_delay_s
        self.runs: list[dict[str, Any]] = []
        self._stop_event = threading.Event()

    def prepare(self) -> list[Path]:
        """Generate the files first (so the generator's CPU is not part of the run)."""
        from bench.generate import ensure_file

        self.files = [ensure_file(self.rows, 1000 + i, self.folder) for i in range(self.count)]
        return self.files

    def run(self) -> None:
        if self._stop_event.wait(self.first_delay_s):
            return
        kpi = str(Path(sys.executable).with_name("kpi"))
        for path in self.files:
            if self._stop_event.is_set():
                break
            copy = self.folder / f"ingest-{len(self.runs)}-{path.name}"  # ingest moves its file to archive/
            shutil.copyfile(path, copy)
            start = time.time()
            done = subprocess.run(pinned([kpi, "ingest", "--json", "--accept-warnings", "--by", "bench", str(copy)], self.cpu), env=self.env,
                                  capture_output=True, text=True, timeout=300)
            self.runs.append({"file": path.name, "started": start, "seconds": time.time() - start,
                              "returncode": done.returncode, "loaded": '"loaded"' in done.stdout,
                              "output": (done.stdout + done.stderr)[-500:]})

    def stop(self) -> None:
        self._stop_event.set()


def sample_env(data_dir: Path) -> dict[str, str]:
    """The environment of a dashboard over `data_dir` in local demo mode (no users file)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("KPI_")}
    env.update(KPI_DATA_DIR=str(data_dir), KPI_CONFIG_DIR=str(data_dir / "no-config"))
    return env


def make_sample_warehouse(data_dir: Path) -> dict[str, str]:
    env = sample_env(data_dir)
    kpi = str(Path(sys.executable).with_name("kpi"))
    subprocess.run([kpi, "demo"], env=env, check=True, capture_output=True, timeout=120)
    # The sample closes 2026-Q2; the ingest revises older periods too, which a closed quarter refuses.
    subprocess.run([kpi, "reopen", "--quarter", "2026-Q2", "--reason", "load test: the ingest revises old periods"],
                   env=env, check=True, capture_output=True, timeout=120)
    return env


async def warm(url: str, pages: list[Page] | tuple[Page, ...]) -> dict[str, int]:
    """One untimed view of each page; returns each page_name's number of delta messages."""
    counts: dict[str, int] = {}
    async with StreamlitSession(url, view_timeout_s=120) as session:
        for page in pages:
            result = await session.view(page)
            if not result.ok:
                raise RuntimeError(f"warm-up view of {page.label} failed: {result.status} {result.exceptions}")
            counts.setdefault(page.name, result.deltas)
    return counts


@dataclass
class Measured:
    summary: LoadSummary
    cpu_s: float
    peak_rss_mb: float
    health: dict[str, Any]
    ingests: list[dict[str, Any]] = field(default_factory=list)

    @property
    def cpu_ms_per_view(self) -> float | None:
        return 1000 * self.cpu_s / self.summary.completed if self.summary.completed else None

    def to_dict(self) -> dict[str, Any]:
        return {**self.summary.to_dict(), "server_cpu_s": self.cpu_s, "cpu_ms_per_view": self.cpu_ms_per_view,
                "peak_rss_mb": self.peak_rss_mb, "health": self.health, "ingests": self.ingests}


def measure(server: Server, pages: list[Page] | tuple[Page, ...], sessions: int, views: int, think_s: float,
            ingester: Ingester | None = None, view_timeout_s: float = 30.0) -> Measured:
    """One load run against a warm server, with the health probe and optionally an ingest."""
    probe = HealthProbe(server.url)
    cpu0 = cpu_seconds(server.pid)
    probe.start()
    if ingester is not None:
        ingester.start()
    try:
        summary = asyncio.run(run_load(server.url, pages, sessions, views, think_s, view_timeout_s=view_timeout_s))
    finally:
        cpu1 = cpu_seconds(server.pid)
        if ingester is not None:
            ingester.stop()
            ingester.join(300)
        probe.stop()
    return Measured(summary, cpu1 - cpu0, peak_rss_mb(server.pid), probe.summary(),
                    ingester.runs if ingester is not None else [])


async def _views(url: str, page: Page, count: int) -> None:
    async with StreamlitSession(url) as session:
        for _ in range(count):
            result = await session.view(page)
            if not result.ok:
                raise RuntimeError(f"{page.label}: {result.status} {result.exceptions}")


def per_page_cpu(server: Server, pages: list[Page] | tuple[Page, ...], count: int) -> dict[str, float]:
    """Server CPU ms per view of each page alone: one session, `count` views in a row."""
    out = {}
    for page in pages:
        cpu0 = cpu_seconds(server.pid)
        asyncio.run(_views(server.url, page, count))
        out[page.label] = 1000 * (cpu_seconds(server.pid) - cpu0) / count
    return out


def fmt(value: float | None, scale: float = 1.0, digits: int = 2) -> str:
    return "–" if value is None else f"{value * scale:.{digits}f}"


def report(args: argparse.Namespace, app: Measured, floor: Measured | None, meta: dict[str, Any]) -> str:
    a = app.to_dict()
    lines = [
        f"## Serving: {args.sessions} sessions × {args.views} views, think {args.think:g} s"
        + (f", ingest of {args.ingest_rows:,}-row files" if args.ingest_rows else ""),
        "",
        f"- when: {meta['started']} · load average at start {meta['loadavg']} · commit {meta['commit']}",
        f"- command: `{meta['command']}`",
        f"- views: {a['completed']}/{a['planned']} completed · errors {a['errors']} · hung/dropped {a['hangs']}"
        f" · connect failures {a['connect_failures']}",
        f"- view time: p50 {fmt(a['all']['p50_s'])} s · p95 {fmt(a['all']['p95_s'])} s · max {fmt(a['all']['max_s'])} s"
        f" · {fmt(a['views_per_s'])} views/s over {fmt(a['wall_s'], digits=1)} s",
        f"- server CPU: {fmt(app.cpu_ms_per_view, digits=0)} ms per view ({fmt(app.cpu_s, digits=1)} s in all)"
        f" · peak RSS {fmt(app.peak_rss_mb, digits=0)} MB",
        f"- health probe: {a['health']['probes']} probes, {a['health']['failures']} failures, max {fmt(a['health']['max_s'])} s",
    ]
    if floor is not None and floor.cpu_ms_per_view:
        ratio = (app.cpu_ms_per_view or 0) / floor.cpu_ms_per_view
        f = floor.to_dict()
        lines.append(f"- floor (bare Streamlit, same elements): {fmt(floor.cpu_ms_per_view, digits=0)} ms per view,"
                     f" p50 {fmt(f['all']['p50_s'])} s, p95 {fmt(f['all']['p95_s'])} s → the dashboard costs **{ratio:.2f}×** the floor")
    if app.ingests:
        ok = sum(r["returncode"] == 0 and r["loaded"] for r in app.ingests)
        lines.append(f"- ingests: {ok}/{len(app.ingests)} loaded, "
                     + ", ".join(f"{r['seconds']:.1f} s" for r in app.ingests))
    lines += ["", "| page | views | p50 s | p95 s | max s |", "|---|---|---|---|---|"]
    for label, s in a["by_page"].items():
        lines.append(f"| {label} | {s['n']} | {fmt(s['p50_s'])} | {fmt(s['p95_s'])} | {fmt(s['max_s'])} |")
    if a["error_samples"]:
        lines += ["", "Errors: " + "; ".join(a["error_samples"])]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--views", type=int, default=6, help="views per session")
    parser.add_argument("--think", type=float, default=1.0, help="seconds between views (±20 %%)")
    parser.add_argument("--ingest-rows", type=int, default=0, help="rows per ingested file (0: no ingest)")
    parser.add_argument("--ingests", type=int, default=3, help="at most this many ingests during the run")
    parser.add_argument("--no-floor", action="store_true", help="skip the bare-Streamlit floor")
    parser.add_argument("--floor-defaults", action="store_true",
                        help="also the floor with Streamlit's default runner settings (a full GC after every run),"
                             " as the issue measured it; the main floor runs with the project's config")
    parser.add_argument("--server-cpu", type=int, default=0, help="core for the server (client and ingest: the other)")
    parser.add_argument("--view-timeout", type=float, default=30.0)
    parser.add_argument("--per-page", type=int, default=10,
                        help="also: CPU per view of each page alone, over this many views (0: skip)")
    parser.add_argument("--json", type=Path, help="where to write the results")
    args = parser.parse_args(argv)

    client_cpu = 1 - args.server_cpu if (os.cpu_count() or 1) > 1 else None
    pin_self(client_cpu)
    CACHE.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    meta = {
        "started": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "loadavg": " ".join(f"{x:.2f}" for x in os.getloadavg()),
        "commit": subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip(),
        "command": " ".join([".venv/bin/python -m bench.serving", *(argv if argv is not None else sys.argv[1:])]),
        "python": platform.python_version(), "cpus": os.cpu_count(),
    }
    pages = list(PAGES)
    with tempfile.TemporaryDirectory(prefix="kpi-serving-") as tmp:
        data = Path(tmp) / "data"
        env = make_sample_warehouse(data)
        ingester = None
        if args.ingest_rows:
            ingester = Ingester(env, args.ingest_rows, args.ingests, Path(tmp) / "files", cpu=client_cpu)
            (Path(tmp) / "files").mkdir()
            ingester.prepare()
        server = start_server(ROOT / "dashboard" / "server.py", env, Path(tmp) / "app.log", args.server_cpu)
        try:
            counts = asyncio.run(warm(server.url, pages))
            app_pages = per_page_cpu(server, pages, args.per_page) if args.per_page else {}
            app = measure(server, pages, args.sessions, args.views, args.think, ingester, args.view_timeout)
        finally:
            server.stop()
            app_log = server.log_text()
        floor, floor_pages, floor_defaults = None, {}, None
        if not args.no_floor:
            floor_env = {**env, "FLOOR_ELEMENTS": json.dumps(counts)}
            fserver = start_server(ROOT / "bench" / "floor_app.py", floor_env, Path(tmp) / "floor.log", args.server_cpu)
            try:
                asyncio.run(warm(fserver.url, pages))
                floor_pages = per_page_cpu(fserver, pages, args.per_page) if args.per_page else {}
                floor = measure(fserver, pages, args.sessions, args.views, args.think, None, args.view_timeout)
            finally:
                fserver.stop()
            if args.floor_defaults:
                dserver = start_server(ROOT / "bench" / "floor_app.py", floor_env, Path(tmp) / "floor-defaults.log",
                                       args.server_cpu, extra_args=["--runner.postScriptGC", "true"])
                try:
                    asyncio.run(warm(dserver.url, pages))
                    floor_defaults = measure(dserver, pages, args.sessions, args.views, args.think, None, args.view_timeout)
                finally:
                    dserver.stop()
    text = report(args, app, floor, meta)
    if floor_defaults is not None and floor_defaults.cpu_ms_per_view and app.cpu_ms_per_view:
        text += (f"\n- floor with Streamlit's default runner settings (full GC after every run): "
                 f"{floor_defaults.cpu_ms_per_view:.0f} ms per view → the dashboard costs "
                 f"**{app.cpu_ms_per_view / floor_defaults.cpu_ms_per_view:.2f}×** that floor")
    if app_pages:
        text += "\n\nServer CPU ms per view, each page alone (one session, %d views):\n\n" % args.per_page
        text += "| page | dashboard | floor | × |\n|---|---|---|---|\n"
        for label, ms in app_pages.items():
            f = floor_pages.get(label)
            text += f"| {label} | {ms:.0f} | {fmt(f, digits=0)} | {fmt(ms / f if f else None)} |\n"
    print(text)
    out = args.json or CACHE / f"serving-{stamp}.json"
    out.write_text(json.dumps({"meta": meta, "args": {k: str(v) for k, v in vars(args).items()}, "elements": counts, "per_page_cpu_ms": {"app": app_pages, "floor": floor_pages},
                               "app": app.to_dict(), "floor": floor.to_dict() if floor else None,
                               "floor_defaults": floor_defaults.to_dict() if floor_defaults else None,
                               "app_log_tail": app_log[-3000:]}, indent=1, default=str), encoding="utf-8")
    print(f"\nJSON: {out}")
    return 0 if app.summary.errors == 0 and app.summary.hangs == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
