"""The serving bench at a tiny size (2 sessions × 2 views, with the floor), so that
`python -m bench.serving` cannot rot between runs. Plumbing only, never a speed."""

from __future__ import annotations

import json
from pathlib import Path

from bench.serving import main


def test_serving_bench_runs_the_dashboard_and_the_floor_and_writes_its_figures(tmp_path: Path, capsys) -> None:
    out = tmp_path / "serving.json"
    assert main(["--sessions", "2", "--views", "2", "--think", "0", "--per-page", "1", "--json", str(out)]) == 0
    result = json.loads(out.read_text(encoding="utf-8"))
    app, floor = result["app"], result["floor"]
    assert app["completed"] == 4 and app["errors"] == 0 and app["hangs"] == 0
    assert floor["completed"] == 4 and floor["errors"] == 0
    assert app["cpu_ms_per_view"] > 0 and floor["cpu_ms_per_view"] > 0 and app["peak_rss_mb"] > 0
    assert set(result["per_page_cpu_ms"]["app"]) == set(result["per_page_cpu_ms"]["floor"]) >= {"overview", "missions"}
    assert result["elements"][""] > 50  # the overview's cards, which the floor copies
    assert "the dashboard costs" in capsys.readouterr().out
