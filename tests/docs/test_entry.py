"""Every launcher runs the entry with the session cookie's routes (dashboard/server.py), not the
bare script: a launcher left on dashboard/app.py serves a dashboard whose sign-ins do not last."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BARE = re.compile(r"streamlit run \S*dashboard/app\.py|\"dashboard\" / \"app\.py\"")
LAUNCHERS = ["Makefile", "README.md", "docs", "deploy", "scripts", "bench", "tests/browser", "tests/load", "tests/replicas"]


def _files() -> list[Path]:
    out = []
    for name in LAUNCHERS:
        path = ROOT / name
        out += [path] if path.is_file() else [p for p in path.rglob("*") if p.suffix in (".py", ".md", ".in", ".cfg")]
    return out


def test_no_launcher_runs_the_bare_script():
    offenders = [str(p.relative_to(ROOT)) for p in _files() if BARE.search(p.read_text(encoding="utf-8"))]
    assert offenders == []
    assert BARE.search("streamlit run dashboard/app.py --server.port 8501")  # the pattern does catch one


def test_the_entry_wraps_the_script_with_the_cookie_routes():
    source = (ROOT / "dashboard" / "server.py").read_text(encoding="utf-8")
    assert re.search(r"^app = st\.App\(", source, re.M)  # what `streamlit run` looks for
    assert "routes=routes()" in source
    import dashboard.server as server
    from dashboard.session_routes import routes

    assert {route.path for route in routes()} == {"/kpi-session/start", "/kpi-session/end"}
    assert server.app.script_path.name == "app.py"
