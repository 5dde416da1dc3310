"""Replicas bench (issue 20): the dashboard behind HAProxy with 1 and with 2 replicas, loaded by the
protocol-level client (bench/streamlit_client.py) through the proxy. Not a test.

    .venv/bin/python -m bench.replicas                       # 1 and 2 replicas, 20 and 50 sessions
    .venv/bin/python -m bench.replicas --replicas 1 2 --sessions 20 50 --views 6 --think 1.0

- The warehouse is `kpi demo`'s sample data in a temporary folder (or --data-dir, read only).
- Each deployment is started as `make serve` starts it (deploy.serve.start, loopback only), then every
  replica sees each page once, untimed (pinned by its cookie), so timed views are warm. All the
  deployments are up (idle) before the first run, and the runs alternate between them (1 then 2
  replicas at 20 sessions, then at 50), so a change in the machine's load hits both alike.
- For each session count: N sessions at once (session i starts i x 0.05 s late), each making V
  views over the reader pages with think time between them; a session with no cookie is placed by
  the proxy (leastconn), as a browser's first visit is.
- Reported per run: views/s (completed views / wall time), p50/p95/max of a view, errors, hangs,
  server CPU seconds per replica (/proc/PID/stat) and the client's own CPU seconds, the 1-minute load
  average before; then how close 2 replicas come to twice one. JSON in bench/.cache/replicas-<time>.json.
- Views/s only means capacity when the replicas are saturated: with think time a light load is
  bounded by the sessions, not the server. On a 2-core machine the client shares the cores too.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

from bench.streamlit_client import PAGES, StreamlitSession, run_load
from deploy.serve import Deployment, free_port, start
from pipelines.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / ".cache"
TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime + stime


def demo_warehouse(folder: Path) -> Path:
    data = folder / "data"
    env = {k: v for k, v in os.environ.items() if not k.startswith("KPI_")}
    env["KPI_DATA_DIR"] = str(data)
    done = subprocess.run([sys.executable, "-m", "kpi", "demo", "--lang", "en"], cwd=folder, env=env,
                          capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        raise SystemExit(f"kpi demo failed:\n{done.stdout}{done.stderr}")
    return data


async def warm(dep: Deployment) -> None:
    for replica in dep.replicas:
        async with StreamlitSession(dep.url, cookies={"SRV": replica.name}, view_timeout_s=120) as s:
            for page in PAGES:
                await s.view(page)


def measure(dep: Deployment, sessions: int, views: int, think: float) -> dict:
    pids = {r.name: r.process.pid for r in dep.replicas}
    cpu_before = {n: cpu_seconds(p) for n, p in pids.items()}
    client_before = time.process_time()
    load_before = os.getloadavg()[0]
    summary = asyncio.run(run_load(dep.url, PAGES, sessions=sessions, views=views, think_s=think))
    out = summary.to_dict()
    out.pop("by_page", None)
    out["server_cpu_s"] = {n: round(cpu_seconds(p) - cpu_before[n], 2) for n, p in pids.items()}
    out["client_cpu_s"] = round(time.process_time() - client_before, 2)
    out["loadavg_1m_before"] = load_before
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.replicas", description=__doc__.split("\n\n")[0])
    parser.add_argument("--replicas", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--sessions", type=int, nargs="+", default=[20, 50])
    parser.add_argument("--views", type=int, default=6, help="views per session")
    parser.add_argument("--think", type=float, default=1.0, help="seconds between a view and the next")
    parser.add_argument("--data-dir", type=Path, help="a data folder with a published warehouse (default: kpi demo's)")
    args = parser.parse_args(argv)

    started = datetime.now(timezone.utc)
    with tempfile.TemporaryDirectory(prefix="bench-replicas-") as tmp:
        data = args.data_dir or demo_warehouse(Path(tmp))
        settings = Settings(data_dir=data, _env_file=None)  # type: ignore[call-arg]
        env = {k: v for k, v in os.environ.items() if not k.startswith("KPI_")}
        env.update(KPI_DATA_DIR=str(data), KPI_CONFIG_DIR=str(Path(tmp) / "no-config"), KPI_LANGUAGE="en")
        deployments: dict[int, Deployment] = {}
        runs = []
        try:
            for n in args.replicas:  # all up first, then the runs interleaved: drift in the machine's
                deployments[n] = start(n, port=free_port(), run_dir=Path(tmp) / f"serve-{n}", settings=settings,
                                       env=env, timeout=120)  # load hits 1 and 2 replicas alike
                asyncio.run(warm(deployments[n]))
            for sessions in args.sessions:
                for n, dep in deployments.items():
                    at = datetime.now(timezone.utc).strftime("%H:%M:%S")
                    result = {"replicas": n, "at_utc": at, **measure(dep, sessions, args.views, args.think)}
                    runs.append(result)
                    print(f"{at} UTC {n} replica(s), {sessions} sessions: {result['views_per_s']:.1f} views/s, "
                          f"p50 {result['all']['p50_s'] or 0:.2f} s, p95 {result['all']['p95_s'] or 0:.2f} s, "
                          f"{result['completed']}/{result['planned']} ok, errors {result['errors']}, hangs {result['hangs']}, "
                          f"server CPU {result['server_cpu_s']}, client CPU {result['client_cpu_s']} s, "
                          f"load before {result['loadavg_1m_before']:.2f}", flush=True)
        finally:
            for dep in deployments.values():
                dep.stop()
    by = {(r["replicas"], r["sessions"]): r for r in runs}
    for sessions in args.sessions:
        one, two = by.get((1, sessions)), by.get((2, sessions))
        if one and two and one["views_per_s"]:
            print(f"{sessions} sessions: 2 replicas give {two['views_per_s'] / one['views_per_s']:.2f}x the views/s of one")
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"replicas-{started:%Y%m%dT%H%M%SZ}.json"
    path.write_text(json.dumps({"started_utc": started.isoformat(), "cpus": os.cpu_count(), "args": vars(args) | {
        "data_dir": str(args.data_dir) if args.data_dir else None}, "runs": runs}, indent=1, default=str))
    print(f"written {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
