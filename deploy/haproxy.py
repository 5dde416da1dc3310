"""The HAProxy config for a set of replicas, rendered from haproxy.cfg.in (one template, so the
launcher and docs/deployment.md describe the same proxy)."""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from string import Template

TEMPLATE = Path(__file__).with_name("haproxy.cfg.in")


@dataclass(frozen=True)
class Backend:
    """One replica as the proxy sees it: the cookie value names it, so it must stay stable."""

    name: str
    host: str
    port: int


def render(backends: list[Backend], *, bind: str, port: int, stats_port: int, stats_bind: str = "127.0.0.1",
           check_inter_ms: int = 2000, secure_cookie: bool = False) -> str:
    """The config text; `secure_cookie` adds `secure` to the sticky cookie (behind TLS only)."""
    if not backends:
        raise ValueError("at least one replica is needed")
    servers = "\n".join(f"    server {b.name} {b.host}:{b.port} cookie {b.name}" for b in backends)
    return Template(TEMPLATE.read_text(encoding="utf-8")).substitute(
        bind=bind, port=port, stats_bind=stats_bind, stats_port=stats_port, servers=servers,
        check_inter_ms=f"{check_inter_ms}ms", cookie_flags=" secure" if secure_cookie else "",
    )


def haproxy_binary() -> str | None:
    return shutil.which("haproxy") or next((p for p in ("/usr/sbin/haproxy",) if Path(p).exists()), None)


def check_config(binary: str, config: Path) -> None:
    """`haproxy -c`: a config HAProxy rejects stops the launcher with HAProxy's own message."""
    done = subprocess.run([binary, "-c", "-q", "-f", str(config)], capture_output=True, text=True, timeout=30)
    if done.returncode != 0:
        raise RuntimeError(f"haproxy rejected {config}:\n{done.stdout}{done.stderr}")


def server_stats(stats_url: str) -> dict[str, dict[str, str]]:
    """Per-server rows of the stats page's CSV (status UP/DOWN, stot = sessions so far, ...)."""
    with urllib.request.urlopen(stats_url.rstrip("/") + "/;csv", timeout=5) as response:
        text = response.read().decode()
    rows = csv.DictReader(io.StringIO(text.lstrip("# ")))
    return {r["svname"]: r for r in rows if r["pxname"] == "replicas" and r["svname"] not in ("FRONTEND", "BACKEND")}
