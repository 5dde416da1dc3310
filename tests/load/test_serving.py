"""Serving under load (issue 13), in CI: 20 protocol-level sessions × 3 views over every reader
page of a real `streamlit run` on 127.0.0.1, while `kpi ingest` publishes a new version.

Each session speaks the browser's websocket protocol (bench.streamlit_client), so the server
does exactly the work a browser's session asks of it, without 20 browsers on the same cores.
Asserted: every view completes (the dashboard froze for good with 20 sessions when the pages
ran Python callables inside Polars), no page shows an exception or the generic error,
`/_stcore/health` answers throughout, the ingest loaded and views ran after its publish, and
no cached computation ran twice for the same key (no stampede after the publish). Latency is
not asserted (shared machines); `python -m bench.serving` measures it. Every session's first view
runs while the ingest works and the next two after its publish, so all 20 ask for the new
version at once. Bounded: 30 s per view, 120 s for the run (about 40 s in all here).
"""

from __future__ import annotations

import asyncio
import re
import shutil
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from bench.serving import HealthProbe, Ingester, health_ok, sample_env, start_server, warm
from bench.streamlit_client import PAGES, run_load
from dashboard.strings import STRINGS

ROOT = Path(__file__).resolve().parents[2]
SESSIONS, VIEWS, THINK_S = 20, 3, 1.0
INGEST_ROWS = 3000
RUN_TIMEOUT_S = 120.0
BUILT = re.compile(r"built (\w+) for (\(.*?\)) in")


@pytest.fixture
def served(tmp_path: Path):
    """A dashboard over `kpi demo`'s sample warehouse, and a generated file to ingest meanwhile."""
    data = tmp_path / "data"
    env = sample_env(data)
    kpi = str(Path(sys.executable).with_name("kpi"))
    subprocess.run([kpi, "demo", "--lang", "en"], env=env, check=True, capture_output=True, timeout=120)
    # The sample closes 2026-Q2; the ingest revises older periods too, which a closed quarter refuses.
    subprocess.run([kpi, "reopen", "--quarter", "2026-Q2", "--reason", "load test: the ingest revises old periods"],
                   env=env, check=True, capture_output=True, timeout=120)
    files = tmp_path / "files"
    files.mkdir()
    ingester = Ingester(env, INGEST_ROWS, 1, files, cpu=None, first_delay_s=1.0)
    ingester.prepare()
    server = start_server(ROOT / "dashboard" / "server.py", env, tmp_path / "server.log", cpu=None)
    try:
        yield server, ingester
    finally:
        server.stop()


def test_twenty_sessions_over_every_page_while_an_ingest_publishes(served) -> None:
    server, ingester = served
    pages = list(PAGES)
    assert {p.name for p in pages} >= {"", "indicator", "missions", "data-status"}
    assert any(p.query_string.startswith("code=") for p in pages)
    asyncio.run(warm(server.url, pages))  # the version before the ingest is in the caches: its publish invalidates them
    probe = HealthProbe(server.url, every_s=0.5, timeout_s=5.0)
    probe.start()
    ingester.start()
    async def after_the_publish(session: int, view: int) -> None:
        """Every session's first view runs while the ingest works; the next ones once it has
        published, all at once: the moment a stampede would happen."""
        if view == 1:
            deadline = time.monotonic() + RUN_TIMEOUT_S / 2
            while ingester.is_alive() and time.monotonic() < deadline:
                await asyncio.sleep(0.1)

    try:
        summary = asyncio.run(asyncio.wait_for(
            run_load(server.url, pages, SESSIONS, VIEWS, THINK_S, ramp_s=0.05, view_timeout_s=30.0,
                     before_view=after_the_publish), RUN_TIMEOUT_S))
    finally:
        ingester.join(120)
        probe.stop()
    log = server.log_text()

    def context() -> str:
        return f"{summary.to_dict()}\n--- server log ---\n{log[-6000:]}"

    # Every view of every session completed, on every page, with no exception or generic error.
    assert len(summary.results) == SESSIONS * VIEWS, context()
    bad = [(r.label, r.status, r.exceptions) for r in summary.results if not r.ok]
    assert not bad, f"{bad}\n{context()}"
    generic = {STRINGS["error_generic"][lang] for lang in ("vi", "en")}
    assert not [a for r in summary.results for a in r.error_alerts if a in generic], context()
    assert {r.label for r in summary.results} == {p.label for p in pages}, context()

    # The server answered its health check throughout, and still does.
    assert probe.times and not probe.failures, f"{probe.summary()}\n{context()}"
    assert health_ok(server.url, 5.0)

    # The ingest published while the sessions were connected; views ran before and after it.
    (run,) = ingester.runs
    assert run["returncode"] == 0 and run["loaded"], run["output"]
    published_at = run["started"] + run["seconds"]
    assert sum(r.started_at > published_at for r in summary.results) >= SESSIONS, context()
    assert any(r.started_at < published_at for r in summary.results), context()

    # No stampede: after the publish each cached computation ran once per key, not once per session.
    built = Counter(BUILT.findall(log))
    assert built, f"no 'built …' lines in the server log\n{context()}"
    assert len({key.split(",")[0] for (_, key) in built}) >= 2, f"one version only: {built}"  # before and after the publish
    twice = {k: n for k, n in built.items() if n > 1}
    assert not twice, f"computed more than once: {twice}\n{context()}"
