"""Helpers shared by every suite: the day date-dependent rules are judged on, the reporters'
template, isolated settings, and read-only looks at the published warehouse."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date
from pathlib import Path

from pipelines.settings import Settings
from pipelines.warehouse.store import open_reader

TODAY = date(2026, 11, 22)  # every date-dependent rule is judged on this day, so tests do not rot
HEADER = ["indicator", "reporter", "period", "value", "unit", "note"]


def make_settings(data_dir: Path, **overrides: object) -> Settings:
    """Settings on `data_dir`, in English, reading no .env file."""
    return Settings(data_dir=data_dir, language="en", _env_file=None, **overrides)  # type: ignore[call-arg]


def csv_text(rows: Iterable[Sequence[object]], delimiter: str = ",", header: Sequence[str] | None = HEADER,
             eol: str = "\n") -> str:
    """A file in the reporters' template (or `header`), written with the csv module."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator=eol)
    if header is not None:
        writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def fingerprint(settings: Settings) -> tuple:
    """Everything a load could change, reduced to a comparable tuple ((0, None, 0, 0) when nothing is published)."""
    with open_reader(settings.warehouse_path) as con:
        if con is None:
            return (0, None, 0, 0)
        obs = con.execute(
            "SELECT count(*), sum(hash(load_id, row_number, indicator, reporter, period, breakdown, value, unit, note))"
            " FROM observations"
        ).fetchone()
        current = con.execute("SELECT count(*) FROM current_observations").fetchone()[0]
        loads = con.execute("SELECT count(*) FROM loads WHERE status = 'loaded'").fetchone()[0]
        return (obs[0], obs[1], current, loads)


def observation_count(settings: Settings) -> int:
    """Rows in `observations` of the published warehouse; 0 when nothing is published."""
    return fingerprint(settings)[0]
