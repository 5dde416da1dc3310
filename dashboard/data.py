"""Cached loaders for the pages: short read-only visits to the published warehouse.

Every loader takes the warehouse's version token as its first argument, so the cache is
keyed on the last publish: a new load shows on the next rerun, and an unchanged warehouse
is never queried twice. Results are shared, not copied (`cache_resource`): they are never
mutated, and `cache_data` handed every rerun its own copy of frames that can hold millions
of rows (171 MB per view of a large indicator, never returned to the system).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import streamlit as st

from pipelines.catalog import Catalog
from pipelines.progress import Assessment, Point
from pipelines.series import assess_catalog, headline_rows, headline_series, read_catalog
from pipelines.settings import Settings, SettingsError, load_settings
from pipelines.visibility import INCLUDING_PENDING, View, default_view, scope_connection
from pipelines.warehouse.store import open_reader, version_token


@st.cache_resource
def settings() -> Settings:
    return load_settings()


def settings_or_stop() -> Settings:
    """Settings, or a short message on the page (never a traceback) when they are invalid."""
    try:
        return settings()
    except SettingsError as exc:
        st.error(str(exc))
        st.stop()
        raise  # unreachable: st.stop raises


def token() -> str:
    return version_token(settings().warehouse_path)


def view_or_default(view: View | None) -> View:
    """None = the deployment's default: approved figures only when sign-off is on."""
    return view or default_view(settings())


@dataclass(frozen=True)
class Snapshot:
    """What the overview needs, read once per published version."""

    catalog: Catalog
    series: dict[str, list[Point]]
    assessments: dict[str, list[Assessment]]
    observation_count: int
    last_load: datetime | None


@st.cache_resource(show_spinner=False, max_entries=4)
def snapshot(version: str, view: View | None = None) -> Snapshot | None:
    """None when no warehouse has been published yet or it holds no observation."""
    view = view_or_default(view)
    with open_reader(settings().warehouse_path) as con:
        if con is None:
            return None
        catalog = read_catalog(con)
        count, last = con.execute(
            "SELECT (SELECT count(*) FROM observations), (SELECT max(received_at) FROM loads WHERE status = 'loaded')"
        ).fetchone()
        if not count or not catalog.indicators:
            return None
        series = headline_series(catalog, headline_rows(con, view=view))
    return Snapshot(catalog, series, assess_catalog(catalog, series), count, last)


@st.cache_resource(show_spinner=False, max_entries=16)
def indicator_frame(version: str, code: str, view: View | None = None):
    """Current values of one indicator with their provenance (file, load, row)."""
    from dashboard.queries import indicator_observations

    with open_reader(settings().warehouse_path) as con:
        if con is None:
            return None
        scope_connection(con, view_or_default(view))
        return indicator_observations(con, code)


# What arrived, not the figures: the data status page counts pending values as received.
RECEIPT_QUERIES = frozenset({"loads", "reporter_periods", "expected_reporters", "latest_quarter_by_pair"})


@st.cache_resource(show_spinner=False, max_entries=16)
def table(version: str, name: str, view: View | None = None):
    """A whole read-side query by name (loads, reporter_periods, ...), cached per version."""
    from dashboard import queries

    with open_reader(settings().warehouse_path) as con:
        if con is None:
            return None
        scope_connection(con, view or (INCLUDING_PENDING if name in RECEIPT_QUERIES else view_or_default(view)))
        return getattr(queries, name)(con)


@st.cache_data(show_spinner=False)
def countries() -> dict[str, tuple[str, str, str]]:
    """ISO alpha-3 → (numeric code, English name, Vietnamese name), from the catalog folder."""
    import csv

    path = settings().catalog_dir / "countries.csv"
    if not path.exists():
        return {}
    with open(path, encoding="utf-8") as handle:
        return {r["iso3"]: (r["iso_numeric"], r["name_en"], r["name_vi"]) for r in csv.DictReader(handle)}


@st.cache_resource(show_spinner=False, max_entries=8)
def review(version: str, quarter: str, view: View | None = None):
    """The quarterly review as of `quarter` (see dashboard.review)."""
    from dashboard.review import load_review

    return load_review(settings().warehouse_path, quarter, view_or_default(view))


@st.cache_resource(show_spinner=False, max_entries=8)
def review_images(version: str, quarter: str, lang: str, view: View | None = None) -> list[tuple[str, str, bytes]]:
    """The review's panels as the PNGs `kpi report` writes: (slug, heading, png bytes).

    Shown as images so a panel is never cut off by a narrow window and prints as it exports.
    """
    import io

    from dashboard.report import render_png
    from dashboard.review import panels

    out = []
    for slug, heading, chart in panels(review(version, quarter, view), lang):
        buffer = io.BytesIO()
        render_png(chart).save(buffer, format="PNG")
        out.append((slug, heading, buffer.getvalue()))
    return out
