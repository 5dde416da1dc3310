"""While a large ingest writes, another process (standing in for the dashboard) keeps reading
current values: never an error, never a half-loaded count, and it sees the new version."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from pipelines.settings import Settings
from tests.intake.conftest import BIG_ROWS, PROJECT_ROOT, cli_env, fingerprint, load_small, run_cli, wait_for

READER = textwrap.dedent("""
    import json, sys, time
    from pathlib import Path
    from pipelines.warehouse.store import open_reader

    db, out, ready, stop = (Path(a) for a in sys.argv[1:5])
    reads, errors, changes = [], [], []
    while not stop.exists():
        try:
            with open_reader(db) as con:
                n = con.execute("SELECT count(*) FROM current_observations").fetchone()[0]
            reads.append(time.time())
            if not changes or changes[-1][1] != n:
                changes.append((time.time(), n))
            if len(reads) == 1:
                ready.touch()
        except Exception as exc:  # recorded, never raised: the test counts them
            errors.append(repr(exc))
    out.write_text(json.dumps({"reads": reads, "errors": errors, "changes": changes}))
""")


def test_reader_never_fails_during_a_large_ingest(big_file: Path, intake_settings: Settings, tmp_path: Path) -> None:
    s = intake_settings
    before = load_small(s)[2]  # current observations
    shutil.copyfile(big_file, s.inbox_dir / big_file.name)
    out, ready, stop = tmp_path / "reader.json", tmp_path / "ready", tmp_path / "stop"
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(s.warehouse_path), str(out), str(ready), str(stop)],
        env=cli_env(s), cwd=PROJECT_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        wait_for(lambda: ready.exists() or reader.poll() is not None, 60, "the reader's first read")
        assert reader.poll() is None, reader.communicate()
        started = time.time()
        done = run_cli(s, "ingest")
        ended = time.time()
        assert done.returncode == 0, done.stdout + done.stderr
        time.sleep(0.3)  # a few reads of the new version
    finally:
        stop.touch()
        _, err = reader.communicate(timeout=60)
    assert reader.returncode == 0, err
    result = json.loads(out.read_text())

    assert result["errors"] == []
    counts = [n for _, n in result["changes"]]
    assert counts == [before, before + BIG_ROWS], f"the reader saw {counts}"
    during = [t for t in result["reads"] if started < t < ended]
    assert len(during) > 20, f"only {len(during)} reads while the ingest ran for {ended - started:.1f} s"
    assert fingerprint(s)[2] == before + BIG_ROWS
