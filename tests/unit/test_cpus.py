"""Thread pools are sized by the CPUs the process may run on, not by the machine's."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from pipelines.cpus import usable_cpus


@pytest.mark.skipif(not hasattr(os, "sched_setaffinity"), reason="Linux only")
def test_a_process_pinned_to_one_cpu_counts_one() -> None:
    """Under `taskset -c N` (as the benches run) the machine's count would put two threads on one core."""
    one = sorted(os.sched_getaffinity(0))[0]
    code = f"import os; os.sched_setaffinity(0, {{{one}}}); from pipelines.cpus import usable_cpus; print(usable_cpus())"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "1"


def test_an_unpinned_process_counts_its_affinity_mask() -> None:
    expected = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    assert usable_cpus() == expected >= 1


@pytest.mark.skipif(not hasattr(os, "sched_setaffinity"), reason="Linux only")
def test_the_warehouse_connections_use_the_cpus_the_process_may_run_on(tmp_path) -> None:
    one = sorted(os.sched_getaffinity(0))[0]
    code = (f"import os; os.sched_setaffinity(0, {{{one}}}); from pathlib import Path; "
            f"from pipelines.warehouse.store import open_writer; "
            f"w = open_writer(Path({str(tmp_path / 'kpi.duckdb')!r})); con = w.__enter__(); "
            f"print(con.execute(\"SELECT current_setting('threads')\").fetchone()[0])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "1"
