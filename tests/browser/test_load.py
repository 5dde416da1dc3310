"""Load test (issue 8): 20 browser sessions browse the dashboard at once while `kpi ingest` loads
large files into the same warehouse. Opt-in (minutes of every core), not part of `make test`:

    .venv/bin/python -m pytest -m load tests/browser/test_load.py -s

- One `streamlit run` on 127.0.0.1 only (the conftest's start_server), local demo mode, over
  `kpi demo`'s sample warehouse; one untimed visit to each page first.
- One Debian Chromium with LOAD_SESSIONS Playwright contexts (default 20; each context is its
  own browser profile, cache and Streamlit session), driven concurrently by Playwright's asyncio
  API. Session i starts LOAD_RAMP_S·i after the first (default 0.5 s: all 20 within 10 s) and
  makes LOAD_VIEWS page views (default 5) over overview → indicator → missions → data status,
  each session from its own starting page: the first view arrives by URL (`page.goto`, a new
  page load), the next ones are clicks in the sidebar (the same session reruns), LOAD_THINK_S
  apart (default 1 s). LOAD_NAVIGATION=goto makes every view a page load.
- A view is timed from the navigation's start (goto or click) until that page's h1 shows its
  title and the app reports `data-test-script-state='notRunning'`.
- While they browse, `kpi ingest` loads generated files in the contract's template
  (bench.generate, LOAD_ROWS rows each, default 300 000; 0 = no ingest) one after another until
  the browsing ends (at most 4). Each publish empties the pages' caches: views after it are cold.
- Bounded: at most LOAD_SESSIONS × LOAD_VIEWS views, 30 s per view, 300 s for all sessions.
- Asserted: every view completed, no error on any page (exception box, st.error, dialog), every
  ingest succeeded and overlapped the browsing, and no view took over 3 s (the issue's bound,
  not loosened here). The distribution (median, p95, max; per page, arrival/click, with/without
  an ingest; CPU seconds of server/ingest/browser) is printed and written to
  test-output/load-test/ whatever the outcome. docs/load-test.md has the measured numbers.
- Timings taken while other jobs load the machine mean little: the test first waits (at most
  LOAD_QUIET_WAIT s, default 180) for the 1-minute load average to fall below LOAD_QUIET_BELOW
  (default 1.5), and records the load average it started with.
"""

from __future__ import annotations

import asyncio
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urlparse

import pytest

from tests.browser.conftest import (CHROMIUM, CHROMIUM_ARGS, ROOT, clean_env, run_kpi, start_server, stop_server)

pytestmark = [pytest.mark.browser, pytest.mark.load]

if not CHROMIUM.exists():
    pytest.skip(f"{CHROMIUM} is missing: install Debian's chromium (.ci/run does)", allow_module_level=True)
pytest.importorskip("playwright.async_api", reason="playwright (python) is not installed")

SESSIONS = int(os.environ.get("LOAD_SESSIONS", "20"))
VIEWS = int(os.environ.get("LOAD_VIEWS", "5"))
ROWS = int(os.environ.get("LOAD_ROWS", "300000"))
NAVIGATION = os.environ.get("LOAD_NAVIGATION", "click")  # click: arrive once, then the sidebar; goto: every view a page load
LIMIT_S = 3.0  # the bound for one page view; not to be loosened here
VIEW_TIMEOUT_S = 30.0
RUN_TIMEOUT_S = 300.0
MAX_INGESTS = 4
RAMP_S = float(os.environ.get("LOAD_RAMP_S", "0.5"))  # session i starts i·RAMP_S after the first
THINK_S = float(os.environ.get("LOAD_THINK_S", "1.0"))  # pause between a page being ready and the next click
QUIET_LOAD = float(os.environ.get("LOAD_QUIET_BELOW", "1.5"))  # 1-minute load average to wait for before starting
QUIET_WAIT_S = float(os.environ.get("LOAD_QUIET_WAIT", "180"))  # … for at most this long (0: do not wait)
OUT = ROOT / "test-output" / "load-test"

PAGES = [  # (name, path, h1, sidebar label)
    ("overview", "", "Indicators at a glance", "Overview"),
    ("indicator", "indicator?code=MISSIONS_ABROAD", None, "Indicator"),  # an indicator's English name, below
    ("missions", "missions", "Vietnam's representative agencies abroad", "Missions abroad"),
    ("data-status", "data-status", "Data status", "Data status"),
]
ERRORS = ("[data-testid='stException'], [data-testid='stAlertContentError'], [role='dialog']")
DONE = "[data-testid='stApp'][data-test-script-state='notRunning']"
NAV_TIMING = """() => {
  const n = performance.getEntriesByType('navigation')[0];
  const r = performance.getEntriesByType('resource');
  const slowest = r.reduce((m, e) => Math.max(m, e.responseEnd - e.requestStart), 0);
  return {document_ms: Math.round(n.responseEnd), dom_ready_ms: Math.round(n.domContentLoadedEventEnd),
          load_ms: Math.round(n.loadEventEnd), resources: r.length,
          slowest_resource_response_ms: Math.round(slowest), now_ms: Math.round(performance.now())};
}"""


@pytest.fixture(autouse=True)
def _only_with_dash_m_load(request: pytest.FixtureRequest) -> None:
    """Opt-in: runs only when `-m` selects the load marker (it takes a few minutes of all cores)."""
    expr = request.config.option.markexpr or ""
    if "load" not in expr or "not load" in expr:
        pytest.skip("load test (a few minutes, all cores): run `pytest -m load tests/browser/test_load.py -s`")


@dataclass
class View:
    session: int
    index: int
    page: str
    start: float  # seconds since the browsing began
    seconds: float
    how: str  # arrival (page.goto) | click (sidebar link, same session)
    during_ingest: bool = False
    errors: list[str] = field(default_factory=list)
    timing: dict = field(default_factory=dict)  # arrivals: the browser's Navigation/Resource Timing, ms


@dataclass
class Ingest:
    file: str
    start: float
    end: float | None = None
    returncode: int | None = None
    output: str = ""


def _indicator_titles() -> re.Pattern:
    """Any indicator's English name: the sidebar's link opens the first indicator of the warehouse's catalog."""
    from pipelines.catalog import load_catalog
    from pipelines.settings import DEFAULT_CATALOG_DIR

    names = [ind.name("en") for ind in load_catalog(DEFAULT_CATALOG_DIR).indicators.values()]
    return re.compile("^(" + "|".join(re.escape(n) for n in names) + ")$")


PAGES = [(name, path, title or _indicator_titles(), label) for name, path, title, label in PAGES]


# --------------------------------------------------------------------------- CPU accounting

def _proc_stat(pid: int) -> tuple[int, float] | None:
    """(parent pid, user+system CPU seconds) of a live process."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = raw[raw.rindex(")") + 2:].split()
    tick = os.sysconf("SC_CLK_TCK")
    return int(fields[1]), (int(fields[11]) + int(fields[12])) / tick


class CpuSampler:
    """CPU seconds of this process's descendants, grouped as server / ingest / browser (Chromium and
    Playwright's driver), sampled every 0.5 s so that processes that end are still counted."""

    def __init__(self, server_pid: int) -> None:
        self.server_pid = server_pid
        self.ingest_pids: set[int] = set()
        self.seen: dict[int, tuple[str, float]] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._base: dict[int, float] = {}

    def _descendants(self) -> dict[int, tuple[int, float]]:
        stats = {}
        for entry in os.listdir("/proc"):
            if entry.isdigit() and (s := _proc_stat(int(entry))) is not None:
                stats[int(entry)] = s
        me, out, frontier = os.getpid(), {}, {os.getpid()}
        while frontier:
            children = {pid for pid, (ppid, _) in stats.items() if ppid in frontier and pid not in out}
            out.update({pid: stats[pid] for pid in children})
            frontier = children
        out.pop(me, None)
        return out

    def _group(self, pid: int, tree: dict[int, tuple[int, float]]) -> str:
        while pid in tree:
            if pid == self.server_pid:
                return "server"
            if pid in self.ingest_pids:
                return "ingest"
            pid = tree[pid][0]
        return "browser"

    def sample(self) -> None:
        tree = self._descendants()
        for pid, (_, cpu) in tree.items():
            self.seen[pid] = (self._group(pid, tree), cpu)

    def start(self) -> None:
        self.sample()
        self._base = {pid: cpu for pid, (_, cpu) in self.seen.items()}
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(0.5):
            self.sample()

    def stop(self) -> dict[str, float]:
        self._stop.set()
        self._thread.join()
        self.sample()
        totals: dict[str, float] = {"server": 0.0, "ingest": 0.0, "browser": 0.0}
        for pid, (group, cpu) in self.seen.items():
            totals[group] += cpu - self._base.get(pid, 0.0)
        return {k: round(v, 1) for k, v in totals.items()}


class Probe:
    """The server's own answer time during the run, apart from the browsers: every 0.5 s a plain
    HTTP GET of the front end's main script (a static file) and of /_stcore/health."""

    def __init__(self, base: str) -> None:
        import urllib.request

        html = urllib.request.urlopen(base + "/", timeout=10).read().decode()
        script = re.search(r'src="\./(static/js/index[^"]+\.js)"', html)
        self.urls = [base + "/_stcore/health"] + ([f"{base}/{script.group(1)}"] if script else [])
        self.seconds: list[float] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        import urllib.request

        while not self._stop.wait(0.5):
            for url in self.urls:
                started = time.monotonic()
                try:
                    with urllib.request.urlopen(url, timeout=30) as response:
                        response.read()
                    self.seconds.append(time.monotonic() - started)
                except OSError:
                    self.seconds.append(float("inf"))

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> list[float]:
        self._stop.set()
        self._thread.join()
        return self.seconds


# --------------------------------------------------------------------------- the run

async def _session(browser, base: str, number: int, views: list[View], t0: float, ingests: list[Ingest]) -> None:
    from playwright.async_api import expect

    await asyncio.sleep(number * RAMP_S)
    context = await browser.new_context(viewport={"width": 1400, "height": 900}, locale="en-US")
    page = await context.new_page()
    page.set_default_timeout(VIEW_TIMEOUT_S * 1000)
    try:
        for index in range(VIEWS):
            name, path, title, label = PAGES[(number + index) % len(PAGES)]
            arrival = index == 0 or NAVIGATION == "goto"
            started = time.monotonic()
            if arrival:  # typed, bookmarked or linked: a new page load and a new Streamlit session
                sep = "&" if "?" in path else "?"
                await page.goto(f"{base}/{path}{sep}lang=en", wait_until="commit")  # then the h1 and the run's end
            else:  # a click in the sidebar: the same session reruns with the other page
                await page.locator("[data-testid='stSidebarNavLink']").filter(has_text=label).click()
            await expect(page.locator("[data-testid='stMain'] h1").first).to_have_text(title, timeout=VIEW_TIMEOUT_S * 1000)
            await page.wait_for_selector(DONE, timeout=VIEW_TIMEOUT_S * 1000)
            ended = time.monotonic()
            view = View(number, index, name, round(started - t0, 3), round(ended - started, 3),
                        "arrival" if arrival else "click")
            view.during_ingest = any(i.start <= ended - t0 and (i.end is None or i.end >= started - t0) for i in ingests)
            if arrival:  # where an arrival's time went: the server's answers vs the browser's own work
                view.timing = await page.evaluate(NAV_TIMING)
            for element in await page.locator(ERRORS).all():
                view.errors.append((await element.inner_text())[:300])
            views.append(view)
            await asyncio.sleep(THINK_S)
    finally:
        await context.close()


async def _ingest_loop(files: list[Path], data_dir: Path, ingests: list[Ingest], t0: float, browsing: asyncio.Event,
                       sampler: CpuSampler) -> None:
    """One ingest after another while the sessions browse (the first starts with the browsing)."""
    for file in files:
        if browsing.is_set():
            return
        record = Ingest(file.name, round(time.monotonic() - t0, 3))
        ingests.append(record)
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "kpi", "ingest", str(file), "--lang", "en",
            cwd=data_dir.parent, env=clean_env(KPI_DATA_DIR=str(data_dir)),
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
        sampler.ingest_pids.add(proc.pid)
        out, _ = await proc.communicate()
        record.end = round(time.monotonic() - t0, 3)
        record.returncode = proc.returncode
        record.output = out.decode("utf-8", "replace")[-2000:]


async def _browse(base: str, files: list[Path], data_dir: Path, sampler: CpuSampler) -> dict:
    from playwright.async_api import async_playwright

    views: list[View] = []
    ingests: list[Ingest] = []
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            # Warm-up, untimed: one visit to each page (the server's first imports and cache fills),
            # and proof that this is the local demo mode on loopback.
            context = await browser.new_context(locale="en-US")
            page = await context.new_page()
            for _, path, _title, _label in PAGES:
                sep = "&" if "?" in path else "?"
                await page.goto(f"{base}/{path}{sep}lang=en", timeout=60_000)
                await page.wait_for_selector(DONE, timeout=60_000)
            assert await page.get_by_text("Local demo mode").count() == 1, "not in local demo mode"
            await context.close()

            browsing = asyncio.Event()
            load_before = tuple(round(x, 2) for x in os.getloadavg())  # other work on the machine skews the timings
            probe = Probe(base)
            t0 = time.monotonic()
            sampler.start()
            probe.start()
            loop_task = asyncio.create_task(_ingest_loop(files, data_dir, ingests, t0, browsing, sampler))
            await asyncio.sleep(0.3)  # the ingest is under way before the first view
            tasks = [asyncio.create_task(_session(browser, base, n, views, t0, ingests)) for n in range(SESSIONS)]
            _, late = await asyncio.wait(tasks, timeout=RUN_TIMEOUT_S)
            for task in late:
                task.cancel()
            await asyncio.gather(*late, return_exceptions=True)
            results = [TimeoutError(f"not finished after {RUN_TIMEOUT_S:g} s") if task in late
                       else task.exception() for task in tasks]
            browsing.set()
            browse_end = time.monotonic() - t0
            probe_seconds = probe.stop()
            await asyncio.wait_for(loop_task, 180)
            cpu = sampler.stop()
        finally:
            await browser.close()
    failures = [f"session {n}: {type(r).__name__}: {str(r)[:500]}" for n, r in enumerate(results) if r is not None]
    return {"views": views, "ingests": ingests, "failures": failures, "browse_seconds": round(browse_end, 1), "cpu": cpu,
            "load_before": load_before, "probe": probe_seconds}


def _stats(values: list[float], digits: int = 2) -> dict:
    if not values:
        return {"n": 0}
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, max(0, round(0.95 * len(ordered)) - 1))]
    return {"n": len(ordered), "median": round(statistics.median(ordered), digits), "p95": round(p95, digits),
            "max": round(ordered[-1], digits), "over_3s": sum(v > LIMIT_S for v in ordered)}


def _versions() -> dict:
    from importlib.metadata import version

    chromium = subprocess.run([str(CHROMIUM), "--version"], capture_output=True, text=True).stdout.strip()
    return {"python": platform.python_version(), "streamlit": version("streamlit"), "playwright": version("playwright"),
            "duckdb": version("duckdb"), "chromium": chromium}


def _machine() -> dict:
    meminfo = Path("/proc/meminfo").read_text().split("\n")
    total_kb = int(next(line for line in meminfo if line.startswith("MemTotal")).split()[1])
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().split("\n")
                if line.startswith("model name")), platform.processor())
    return {"nproc": os.cpu_count(), "memory_gb": round(total_kb / 1024 / 1024, 1), "cpu": cpu,
            "kernel": platform.release()}


def wait_quiet(threshold: float = QUIET_LOAD, max_wait: float = QUIET_WAIT_S) -> float:
    """Wait (bounded) for other work on the machine to calm down: timings measured while another
    job takes the cores say little about the dashboard. Returns the seconds waited."""
    started = time.monotonic()
    while os.getloadavg()[0] > threshold and time.monotonic() - started < max_wait:
        time.sleep(2)
    return round(time.monotonic() - started, 1)


def report(result: dict) -> str:
    views: list[View] = result["views"]
    lines = [f"{SESSIONS} sessions x {VIEWS} views ({NAVIGATION}, ramp {RAMP_S} s, think {THINK_S} s), "
             f"ingests of {ROWS:,}-row files; browsing took "
             f"{result['browse_seconds']} s; load average before: {result['load_before']}",
             "| views | n | median s | p95 s | max s | over 3 s |", "|---|---|---|---|---|---|"]
    groups = [("all", [v.seconds for v in views])]
    groups += [(name, [v.seconds for v in views if v.page == name]) for name, _, _, _ in PAGES]
    groups += [(f"{how}s", [v.seconds for v in views if v.how == how]) for how in ("arrival", "click")]
    groups += [("during an ingest", [v.seconds for v in views if v.during_ingest]),
               ("no ingest running", [v.seconds for v in views if not v.during_ingest])]
    for label, values in groups:
        s = _stats(values)
        if s["n"]:
            lines.append(f"| {label} | {s['n']} | {s['median']} | {s['p95']} | {s['max']} | {s['over_3s']} |")
    timed = [v.timing for v in views if v.timing]
    if timed:
        med = {k: round(statistics.median(t[k] for t in timed)) for k in
               ("document_ms", "dom_ready_ms", "load_ms", "slowest_resource_response_ms")}
        lines.append(f"arrivals, median ms: document {med['document_ms']}, DOM ready {med['dom_ready_ms']}, "
                     f"load event {med['load_ms']}, slowest static file's response {med['slowest_resource_response_ms']}")
    probe = _stats(result["probe"], 3)
    if probe["n"]:
        lines.append(f"server probe (plain HTTP GET of /_stcore/health and the main script, every 0.5 s): "
                     f"n {probe['n']}, median {probe['median']} s, p95 {probe['p95']} s, max {probe['max']} s")
    for i in result["ingests"]:
        lines.append(f"ingest {i.file}: {i.start}–{i.end} s, exit {i.returncode}")
    lines.append(f"CPU seconds during the run: {result['cpu']}")
    if result["failures"]:
        lines.append(f"sessions that did not finish their views: {len(result['failures'])} of {SESSIONS} "
                     f"(first: {result['failures'][0][:160]})")
    return "\n".join(lines)


def test_twenty_sessions_browse_while_an_ingest_runs(tmp_path, request):
    from bench.generate import ensure_file

    data = tmp_path / "data"
    done = run_kpi(data, "demo", "--lang", "en")
    assert done.returncode == 0, done.stdout + done.stderr
    files = [ensure_file(ROWS, seed, tmp_path / "files") for seed in range(7, 7 + MAX_INGESTS)] if ROWS else []

    waited = wait_quiet()
    server = start_server(data, tmp_path / "streamlit.log", tmp_path / "no-users.toml")
    request.node.extra_servers = [server]
    assert urlparse(server.url).hostname == "127.0.0.1"
    sampler = CpuSampler(server.process.pid)
    outcome: dict = {}

    def run() -> None:
        try:
            outcome["result"] = asyncio.run(_browse(server.url, files, data, sampler))
        except BaseException as exc:  # noqa: BLE001 - reported by the test thread
            outcome["error"] = exc

    try:
        worker = threading.Thread(target=run, name="load-test")  # its own event loop, apart from any sync Playwright
        worker.start()
        worker.join(RUN_TIMEOUT_S + 240)
        assert not worker.is_alive(), "the load test overran its time limit"
    finally:
        stop_server(server)
    if "error" in outcome:
        raise outcome["error"]
    result = outcome["result"]
    views: list[View] = result["views"]

    OUT.mkdir(parents=True, exist_ok=True)
    tag = f"result-{SESSIONS}x{VIEWS}-{NAVIGATION}-ramp{RAMP_S:g}-think{THINK_S:g}-rows{ROWS}"
    summary = {
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"), "machine": _machine(), "versions": _versions(),
        "sessions": SESSIONS, "views_per_session": VIEWS, "rows_per_ingest": ROWS, "ramp_s": RAMP_S, "think_s": THINK_S,
        "browse_seconds": result["browse_seconds"], "cpu_seconds": result["cpu"],
        "all": _stats([v.seconds for v in views]),
        "navigation": NAVIGATION, "load_average_before": result["load_before"], "waited_for_quiet_s": waited,
        "by_how": {how: _stats([v.seconds for v in views if v.how == how]) for how in ("arrival", "click")},
        "by_page": {name: _stats([v.seconds for v in views if v.page == name]) for name, _, _, _ in PAGES},
        "during_ingest": _stats([v.seconds for v in views if v.during_ingest]),
        "no_ingest": _stats([v.seconds for v in views if not v.during_ingest]),
        "server_probe": _stats(result["probe"], 3),
        "ingests": [{k: v for k, v in asdict(i).items() if k != "output"} for i in result["ingests"]],
        "failures": result["failures"],
        "views": [asdict(v) for v in views],
    }
    (OUT / f"{tag}.json").write_text(json.dumps(summary, indent=2, ensure_ascii=False))
    text = report(result)
    (OUT / f"{tag}.md").write_text(text + "\n")
    print("\n" + text)

    assert not result["failures"], "\n".join(result["failures"])
    assert len(views) == SESSIONS * VIEWS
    errors = [f"session {v.session} view {v.index} ({v.page}): {v.errors}" for v in views if v.errors]
    assert not errors, "\n".join(errors)
    assert (result["ingests"] or not ROWS) and all(i.returncode == 0 for i in result["ingests"]), \
        "\n".join(f"{i.file}: exit {i.returncode}\n{i.output}" for i in result["ingests"])
    assert all("loaded" in i.output for i in result["ingests"]), [i.output for i in result["ingests"]]
    assert any(v.during_ingest for v in views) or not ROWS, "no page view overlapped an ingest"
    slow = [v for v in views if v.seconds > LIMIT_S]
    assert not slow, (f"{len(slow)} of {len(views)} page views took over {LIMIT_S} s "
                      f"(median {summary['all']['median']} s, p95 {summary['all']['p95']} s, max {summary['all']['max']} s)")
