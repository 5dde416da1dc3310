"""`make bench-replicas` on a tiny load, so the bench (bench/replicas.py) cannot rot unnoticed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench import replicas
from tests.replicas.conftest import require_haproxy

pytestmark = pytest.mark.replicas


def test_the_replicas_bench_measures_one_replica_through_the_proxy(data_dir: Path, capsys) -> None:
    require_haproxy()
    assert replicas.main(["--replicas", "1", "--sessions", "2", "--views", "1", "--think", "0",
                          "--data-dir", str(data_dir)]) == 0
    out = capsys.readouterr().out
    written = Path(out.strip().splitlines()[-1].removeprefix("written "))
    run = json.loads(written.read_text())["runs"][0]
    assert run["replicas"] == 1 and run["completed"] == 2 and run["errors"] == 0 and run["views_per_s"] > 0
    assert run["server_cpu_s"]["r1"] > 0
