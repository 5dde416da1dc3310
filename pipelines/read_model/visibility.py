"""Which values a reader sees: approved figures only, or every current value including pending ones.

One parameter (`view`) of every read function the CLI, the app and the report share. With
sign-off on (KPI_APPROVAL=on, the default) leaders read approved figures unless someone asks
for pending ones; with it off every loaded value counts, as before sign-off existed.
"""

from __future__ import annotations

from typing import Literal

import duckdb

from pipelines.settings import Settings

View = Literal["approved", "including_pending"]
APPROVED: View = "approved"
INCLUDING_PENDING: View = "including_pending"
VIEWS: tuple[View, ...] = (APPROVED, INCLUDING_PENDING)

_RELATIONS = {APPROVED: "approved_observations", INCLUDING_PENDING: "current_observations"}


def relation(view: View) -> str:
    """The warehouse view holding the current values of `view` (raises on an unknown view)."""
    try:
        return _RELATIONS[view]
    except KeyError:
        raise ValueError(f"unknown view {view!r}; use one of {', '.join(VIEWS)}") from None


def default_view(settings: Settings, include_pending: bool = False) -> View:
    """Approved only when sign-off is on and nobody asked for pending values."""
    return APPROVED if settings.approval_on and not include_pending else INCLUDING_PENDING


def scope_connection(con: duckdb.DuckDBPyConnection, view: View) -> None:
    """Make `current_observations` on this read-only connection mean the values of `view`.

    For the queries that name `current_observations` (read_model.observations, receipts, quarter):
    a temporary view of that name, created in the connection's private in-memory catalog,
    is found before the attached warehouse's one. Nothing in the warehouse file changes.
    DuckDB binds the warehouse's own views on the same search path, so no warehouse view may
    name `current_observations` (tests/pipeline/test_signoff.py checks pending values here).
    """
    if view == INCLUDING_PENDING:
        return
    con.execute(f"CREATE OR REPLACE TEMP VIEW current_observations AS SELECT * FROM kpi.main.{relation(view)}")
