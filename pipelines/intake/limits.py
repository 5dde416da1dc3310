"""What one file may cost: the bounds every reader checks before the work they guard.

A hostile or careless file must not stall the ingest (which holds the writer lock) or the
upload page: so each input is bounded in columns, cells per row, bytes per cell, rows, the
unpacked size of a workbook, and wall-clock time. The values come from settings (`KPI_MAX_*`,
`KPI_FILE_TIMEOUT_S`); a file over one of them is rejected with a problem naming the limit.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from pipelines.problems import Problem


@dataclass(frozen=True)
class Limits:
    """The bounds, with the settings' defaults (pipelines/settings.py documents each)."""

    max_columns: int = 200
    max_row_cells: int = 1_000
    max_cell_bytes: int = 100_000
    max_rows: int = 5_000_000
    max_workbook_bytes: int = 100 * 1024 * 1024
    seconds: float = 300.0

    def start(self) -> Budget:
        """The clock for one file starts now."""
        return Budget(self, time.monotonic() + self.seconds)


class OverLimit(Exception):
    """Raised where a bound is crossed: the file is judged by these problems alone, nothing of
    what was read so far counts."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__(problems[0].code if problems else "limit")


@dataclass
class Budget:
    """The limits of one file's check, and when its time runs out."""

    limits: Limits = field(default_factory=Limits)
    deadline: float = float("inf")

    def check_time(self) -> None:
        """Called between bounded steps (a chunk of rows, a thousand workbook rows)."""
        if time.monotonic() > self.deadline:
            raise OverLimit([Problem("time_limit", params={"limit": f"{self.limits.seconds:g}"})])


def default_budget() -> Budget:
    return Limits().start()


def kb(n: int) -> str:
    return f"{n / 1024:.1f}".removesuffix(".0")
