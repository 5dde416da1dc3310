"""Regenerate the README's images (`make screenshots`): the overview page and one review panel.

Everything runs on this machine: the sample data through `kpi demo` into a throw-away data
folder, `kpi report` for the panel, and a real `streamlit run` photographed by Debian's
Chromium through Playwright for the overview.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "images"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="kpi-shots-"))
    env = {**os.environ, "KPI_DATA_DIR": str(work / "data")}
    kpi = [sys.executable, "-m", "kpi"]
    subprocess.run(kpi + ["demo"], env=env, check=True, cwd=work, stdout=subprocess.DEVNULL)
    subprocess.run(kpi + ["report", "--quarter", "2026-Q3", "--lang", "vi", "--out", str(work / "report")], env=env, check=True, cwd=work)
    panel = Image.open(work / "report" / "03_missions_abroad.png")
    panel.resize((1280, 720), Image.LANCZOS).save(OUT / "review_panel_missions.png", optimize=True)

    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "dashboard" / "server.py"), "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true"],
        env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.time() + 60
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2)
                break
            except OSError:
                if time.time() > deadline:
                    raise SystemExit("streamlit did not start")
                time.sleep(0.5)
        from playwright.sync_api import sync_playwright

        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1440, "height": 900})
            page.goto(f"http://127.0.0.1:{port}/?lang=vi")  # the overview is the default page: it lives at /
            page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']", timeout=60_000)
            page.wait_for_selector("text=Tổng quan các chỉ tiêu", timeout=60_000)
            page.wait_for_timeout(2500)  # let the sparklines draw
            page.screenshot(path=str(OUT / "overview.png"), full_page=False)
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=20)
        shutil.rmtree(work, ignore_errors=True)
    print(f"wrote {OUT / 'overview.png'} and {OUT / 'review_panel_missions.png'}")


if __name__ == "__main__":
    main()
