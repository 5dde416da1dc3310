"""The sign-in rows of the audit log (pipelines/signins.py): appended whole, never rewritten."""

from __future__ import annotations

import multiprocessing
import re
from pathlib import Path

from pipelines import signins

PROJECT = Path(__file__).resolve().parents[2]


def _write_many(db: str, who: str, n: int) -> None:
    for i in range(n):
        signins.record(Path(db), who, "sign-in", {"role": "analyst", "n": i})


def test_writers_in_several_processes_append_whole_lines(tmp_path: Path):
    db = tmp_path / "warehouse" / "kpi.duckdb"
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_write_many, args=(str(db), f"analyst{p}", 40)) for p in range(4)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
    rows = signins.read(db)
    assert len(rows) == 160 and len(signins.log_path(db).read_text().splitlines()) == 160
    for p in range(4):  # each writer's rows in its own order
        assert [int(r["details"]["n"]) for r in rows if r["actor"] == f"analyst{p}"] == list(range(40))


def test_unknown_actions_are_refused_and_text_is_one_printable_line(tmp_path: Path):
    db = tmp_path / "kpi.duckdb"
    try:
        signins.record(db, "x", "delete-everything")
    except ValueError:
        pass
    else:
        raise AssertionError("an unknown action was written")
    signins.record(db, "lan\n\x1b[2Jx" + "y" * 500, "sign-in-failed", {"client": "10.0.0.1\r\nfake row"})
    (row,) = signins.read(db)
    assert row["actor"] == "lan [2Jx" + "y" * (signins.MAX_FIELD_CHARS - 8) and row["details"]["client"] == "10.0.0.1 fake row"


def test_nothing_in_the_product_rewrites_or_deletes_the_sign_in_log():
    """Only `record` opens it, in append mode; nothing unlinks, truncates or replaces it."""
    opens = re.compile(r"open\(\s*(path|log_path\([^)]*\))\s*,\s*\"(\w+)\"")
    source = (PROJECT / "pipelines" / "signins.py").read_text(encoding="utf-8")
    assert {m.group(2) for m in opens.finditer(source)} == {"a"}
    offenders = [str(p.relative_to(PROJECT)) for folder in ("pipelines", "dashboard", "kpi", "scripts")
                 for p in (PROJECT / folder).rglob("*.py")
                 if re.search(r"signins\.jsonl|log_path\(", p.read_text(encoding="utf-8"))
                 and re.search(r"\.(unlink|truncate|write_text)\(|os\.(replace|remove)\(", p.read_text(encoding="utf-8"))
                 and p.name != "signins.py"]
    assert offenders == []
    assert not re.search(r"\.(unlink|truncate|write_text)\(|os\.(replace|remove)\(", source)
