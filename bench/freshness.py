"""Freshness: time from a file landing in the inbox to the open dashboard showing its value (issue 19).

    python -m bench.freshness                 # 10 repeats, defaults of a fresh clone (settle 1 s, live check 3 s)
    python -m bench.freshness --repeats 20 --live-check 1

What runs is what `make run` runs: a `streamlit run` of the app and `kpi watch` beside it, over a
private copy of the sample data (`kpi demo`), with one Chromium tab (Debian's /usr/bin/chromium)
on the overview. Each repeat drops a one-row file (MISSIONS_ABROAD, a new value) the way copy
tools do (written under a `.part` name, then renamed) and measures:
- published: until the warehouse's version token changes (watcher noticed, ingested, swapped);
- on page: until the overview's card shows the new value, with no reload (live check + redraw).
p50/p95 are reported. Not a test; results in bench/.cache/freshness-<time>.json and printed.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import datetime, timezone
from pathlib import Path

from pipelines.warehouse.store import version_token

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / "bench" / ".cache"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _env(data: Path, live_check: float) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KPI_")}
    env.update(KPI_DATA_DIR=str(data), KPI_CONFIG_DIR=str(data.parent / "no-config"), KPI_LIVE_CHECK_S=str(live_check),
               KPI_APPROVAL="off")  # a dropped value shows at once (with sign-off on, after approval)
    return env


def _quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def run(repeats: int, settle: float, live_check: float) -> dict:
    from playwright.sync_api import expect, sync_playwright

    work = Path(tempfile.mkdtemp(prefix="kpi-freshness-"))
    data = work / "data"
    env = _env(data, live_check)
    subprocess.run([sys.executable, "-m", "kpi", "demo"], cwd=work, env=env, check=True, capture_output=True)
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "dashboard" / "server.py"), "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env=env, stdout=open(work / "streamlit.log", "wb"), stderr=subprocess.STDOUT)  # noqa: SIM115
    watcher = subprocess.Popen([sys.executable, "-m", "kpi", "watch", "--no-notify", "--settle", str(settle)],
                               cwd=work, env=env, stdout=open(work / "watch.log", "wb"), stderr=subprocess.STDOUT)  # noqa: SIM115
    published, on_page = [], []
    try:
        for _ in range(600):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            page.set_default_timeout(90_000)
            page.goto(f"http://127.0.0.1:{port}/?lang=en")
            page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']")
            anchor = page.locator("[data-testid='stPageLink'] a[href*='code=MISSIONS_ABROAD']")
            value = anchor.locator("xpath=ancestor::div[@data-testid='stVerticalBlock'][1]").locator("[data-testid='stMetricValue']")
            expect(value).to_be_visible(timeout=90_000)
            db = data / "warehouse" / "kpi.duckdb"
            for i in range(repeats):
                new_value = 200 + i
                before = version_token(db)
                part = data / "inbox" / f"freshness_{i}.csv.part"
                part.write_text(f"indicator,reporter,period,value,unit,note\nMISSIONS_ABROAD,MOFA,2026-Q4,{new_value},agencies,bench\n")
                start = time.monotonic()
                part.rename(part.with_name(f"freshness_{i}.csv"))
                while version_token(db) == before:
                    if time.monotonic() - start > 60:
                        raise RuntimeError((work / "watch.log").read_text())
                    time.sleep(0.01)
                published.append(time.monotonic() - start)
                expect(value).to_contain_text(str(new_value), timeout=60_000)
                on_page.append(time.monotonic() - start)
                print(f"repeat {i + 1}/{repeats}: published {published[-1]:.2f} s, on page {on_page[-1]:.2f} s", flush=True)
                time.sleep(0.5)
            browser.close()
    finally:
        for process in (watcher, server):
            process.terminate()
            process.wait(timeout=20)
        shutil.rmtree(work, ignore_errors=True)
    return {
        "when": datetime.now(timezone.utc).isoformat(timespec="seconds"), "repeats": repeats, "settle_s": settle,
        "live_check_s": live_check, "machine": f"{platform.node()} {os.cpu_count()} cores", "load_avg": os.getloadavg(),
        "published_s": published, "on_page_s": on_page,
        "published_p50": statistics.median(published), "published_p95": _quantile(published, 0.95),
        "on_page_p50": statistics.median(on_page), "on_page_p95": _quantile(on_page, 0.95),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--settle", type=float, default=1.0, help="kpi watch --settle (default 1 s, as KPI_WATCH_SETTLE_S)")
    parser.add_argument("--live-check", type=float, default=3.0, help="KPI_LIVE_CHECK_S of the server (default 3 s)")
    args = parser.parse_args()
    result = run(args.repeats, args.settle, args.live_check)
    CACHE.mkdir(parents=True, exist_ok=True)
    out = CACHE / f"freshness-{result['when'].replace(':', '')}.json"
    out.write_text(json.dumps(result, indent=2))
    print(f"\n| | p50 | p95 |\n|---|---|---|\n"
          f"| file dropped -> new version published | {result['published_p50']:.2f} s | {result['published_p95']:.2f} s |\n"
          f"| file dropped -> value on the open page | {result['on_page_p50']:.2f} s | {result['on_page_p95']:.2f} s |\n"
          f"\n{args.repeats} repeats, settle {args.settle} s, live check {args.live_check} s, load average {result['load_avg']}; {out}")


if __name__ == "__main__":
    main()
