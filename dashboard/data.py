"""Cached loaders for the pages: short read-only visits to the published warehouse.

Every loader takes the warehouse's version token as its first argument, so the cache is
keyed on the last publish: a new load shows on the next rerun, and an unchanged warehouse
is never queried twice. Results are shared, not copied (`cache_resource`): they are never
mutated, and `cache_data` handed every rerun its own copy of frames that can hold millions
of rows (memory never returned to the system).

After a publish every session asks for the new version at once. Streamlit computes each key
once (a lock per key: the others wait for that result), does not keep a failed computation
(an exception reaches every waiting caller, the next view tries again), and nothing here holds
a lock of its own across a call that can block. Each computation is logged ("built …"), so a
stampede would show as several lines for one key (tests/load/test_serving.py counts them).
"""

from __future__ import annotations

import gc
import time
from contextlib import contextmanager
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TypeVar

# Imported whole before any page runs: on a fresh server the first sessions' script threads
# imported pandas lazily at once, and Altair, which looks pandas up in sys.modules, met it
# half-initialised ("partially initialized module 'pandas' has no attribute 'Timestamp'") and
# the page failed. Every page imports this module first, under Python's import lock.
import altair  # noqa: F401
import pandas  # noqa: F401
import polars as pl
import pyarrow  # noqa: F401
import streamlit as st
from streamlit.logger import get_logger

from pipelines.catalog import Catalog
from pipelines.coverage import Coverage
from pipelines.progress import Assessment, Point
from pipelines.read_model import loads, observations, receipts
from pipelines.read_model import signoff as signoff_reads
from pipelines.read_model.catalog import read_catalog
from pipelines.read_model.headline import assess_catalog, headline_coverage, headline_rows, headline_series
from pipelines.read_model.visibility import INCLUDING_PENDING, View, default_view, scope_connection
from dashboard.strings import local_name
from pipelines.settings import Settings, SettingsError, load_settings
from pipelines.targets import series_targets
from pipelines.warehouse.store import open_reader, version_token


@st.cache_resource(show_spinner=False)
def _freeze_start_up_heap() -> bool:
    """Move the objects alive after start-up (modules, Altair's schema, ...) out of the collector's
    sight, once per process: a full collection walked all of them, a noticeable pause on every
    page, and found nothing to free. Objects created later (caches, sessions) are collected as usual."""
    gc.collect()
    gc.freeze()
    return True


_freeze_start_up_heap()


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


T = TypeVar("T")

log = get_logger("kpi.dashboard.cache")  # Streamlit's logger: follows `--logger.level`


@contextmanager
def _building(what: str, *key: object) -> Iterator[None]:
    """Log one cached computation: 'built snapshot for (version,) in 0.123 s'."""
    start = time.perf_counter()
    yield
    log.info("built %s for %s in %.3f s", what, key, time.perf_counter() - start)


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
    # Summed indicators: who was expected and who reported in each period (provisional periods).
    coverage: dict[str, dict[str, Coverage]] = field(default_factory=dict)


@st.cache_resource(show_spinner=False, max_entries=4)
def snapshot(version: str, view: View | None = None) -> Snapshot | None:
    """None when no warehouse has been published yet or it holds no observation."""
    view = view_or_default(view)
    with _building("snapshot", version, view), open_reader(settings().warehouse_path) as con:
        if con is None:
            return None
        catalog = read_catalog(con)
        count, last = observations.observation_count(con), loads.last_loaded_at(con)
        if not count or not catalog.indicators:
            return None
        rows = headline_rows(con, view=view)
        series = headline_series(catalog, rows)
        coverage = headline_coverage(catalog, rows)
    return Snapshot(catalog, series, assess_catalog(catalog, series, coverage=coverage), count, last, coverage)


def _query(what: str, version: str, view: View, query: Callable[..., T], *args: object) -> T | None:
    """Run one read-model query on a connection scoped to `view`, logged as one build; None
    when nothing is published. The callers below are the cache: one named loader per query."""
    with _building(what, version, view, *args), open_reader(settings().warehouse_path) as con:
        if con is None:
            return None
        scope_connection(con, view)
        return query(con, *args)


@st.cache_resource(show_spinner=False, max_entries=16)
def indicator_frame(version: str, code: str, view: View | None = None) -> pl.DataFrame | None:
    """Current values of one indicator with their provenance (file, load, row)."""
    return _query("indicator_frame", version, view_or_default(view), observations.indicator_observations, code)


# What arrived, not the figures: the data status page counts pending values as received.

@st.cache_resource(show_spinner=False, max_entries=4)
def load_log(version: str) -> pl.DataFrame | None:
    """The newest loads, whatever their outcome (the data status page)."""
    return _query("load_log", version, INCLUDING_PENDING, loads.loads)


@st.cache_resource(show_spinner=False, max_entries=4)
def reporter_periods(version: str) -> pl.DataFrame | None:
    """Per reporter and period: values, indicators and the last load."""
    return _query("reporter_periods", version, INCLUDING_PENDING, receipts.reporter_periods)


@st.cache_resource(show_spinner=False, max_entries=4)
def latest_quarter_by_pair(version: str) -> pl.DataFrame | None:
    """The latest quarter each reporter sent for each indicator."""
    return _query("latest_quarter_by_pair", version, INCLUDING_PENDING, receipts.latest_quarter_by_pair)


@st.cache_resource(show_spinner=False, max_entries=8)
def missions_by_country(version: str, view: View | None = None) -> pl.DataFrame | None:
    """Agencies per country and type in the latest period with country rows."""
    return _query("missions_by_country", version, view_or_default(view), observations.missions_by_country)


@st.cache_resource(show_spinner=False, max_entries=8)
def missions_by_type(version: str, view: View | None = None) -> pl.DataFrame | None:
    """Agencies abroad per period and mission type."""
    return _query("missions_by_type", version, view_or_default(view), observations.missions_by_type)


@st.cache_resource(show_spinner=False)
def countries() -> dict[str, tuple[str, str, str]]:
    """ISO alpha-3 → (numeric code, English name, Vietnamese name), from the catalog folder.

    Shared, never mutated: `cache_data` unpickled a copy on every call, and the indicator page
    calls it once per breakdown member.
    """
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

    return load_review(settings().warehouse_path, quarter, view_or_default(view), approval_on=settings().approval_on)


@st.cache_resource(show_spinner=False, max_entries=8)
def review_images(version: str, quarter: str, lang: str, view: View | None = None) -> list[tuple[str, str, bytes]]:
    """The review's panels as the PNGs `kpi report` writes: (slug, heading, png bytes).

    Shown as images so a panel is never cut off by a narrow window and prints as it exports.
    """
    from dashboard.report import render_png
    from dashboard.review import panels

    return [(slug, heading, render_png(chart)) for slug, heading, chart in panels(review(version, quarter, view), lang)]


# -- prepared pages: built once per version, view and language (dashboard.prepared) ---------------
# The view (approved only / including pending) is part of every key: a viewer and an analyst
# looking at the same version share nothing they should not.


@st.cache_resource(show_spinner=False, max_entries=4)
def pending_keys(version: str) -> frozenset[tuple[str, str, str, str]]:
    """(indicator, reporter, period, breakdown) of every value waiting for approval."""
    with _building("pending_keys", version), open_reader(settings().warehouse_path) as con:
        if con is None:
            return frozenset()
        return signoff_reads.pending_keys(con)


def pending_count(version: str) -> tuple[int, int]:
    """(values, reporter-period pairs) waiting for approval."""
    keys = pending_keys(version)
    return len(keys), len({(r, p) for _, r, p, _ in keys})


def _pending_for(version: str, view: View) -> frozenset[tuple[str, str, str, str]]:
    """The keys to mark as pending: none in the approved view or with sign-off off."""
    if view != INCLUDING_PENDING or not settings().approval_on:
        return frozenset()
    return pending_keys(version)


@st.cache_resource(show_spinner=False, max_entries=8)
def overview(version: str, lang: str, view: View | None = None):
    """The overview's cards, counts and sparkline specs; None as `snapshot`."""
    from dashboard import prepared

    view = view_or_default(view)
    snap = snapshot(version, view)
    if snap is None:
        return None
    with _building("overview", version, lang, view):
        pending = {(i, p) for i, _, p, _ in _pending_for(version, view)}
        return prepared.overview(snap, lang, pending=pending)


@st.cache_resource(show_spinner=False, max_entries=8)
def missions(version: str, lang: str, code: str, view: View | None = None):
    """The missions page's metrics, map and trend specs and country table; None without data."""
    import json
    from pathlib import Path

    from dashboard import prepared

    view = view_or_default(view)
    snap = snapshot(version, view)
    if snap is None or code not in snap.catalog.indicators:
        return None
    with _building("missions", version, lang, view):
        world = json.loads((Path(__file__).resolve().parent / "assets" / "countries-110m.json").read_text(encoding="utf-8"))
        return prepared.missions(snap, snap.catalog.indicators[code], missions_by_country(version, view),
                                 missions_by_type(version, view), countries(), world, lang)


@st.cache_resource(show_spinner=False, max_entries=64)
def indicator_choices(version: str, code: str, lang: str, all_reporters: str, total: str, view: View | None = None):
    """The indicator page's reporter and breakdown options (with member names) for one indicator."""
    from dashboard import prepared

    view = view_or_default(view)
    frame = indicator_frame(version, code, view)
    snap = snapshot(version, view)
    if frame is None or frame.height == 0 or snap is None:
        return None
    names = countries()

    def member_label(dimension: str, member: str) -> str:
        if dimension == "country" and member in names:
            _, en, vi = names[member]
            return vi if lang == "vi" else en
        allowed = snap.catalog.allowed_values(dimension) or {}
        if member in allowed:
            return local_name(allowed[member], lang)
        return member

    with _building("indicator_choices", version, code, lang, view):
        return prepared.indicator_choices(frame, member_label, all_reporters=all_reporters, total=total)


@st.cache_resource(show_spinner=False, max_entries=64)
def indicator_detail(version: str, code: str, reporter: str, breakdown: str, lang: str, all_reporters: str, total: str,
                     view: View | None = None):
    """Series, statuses, chart spec, tables and downloads of one indicator for one selection."""
    from dashboard import prepared

    view = view_or_default(view)
    snap = snapshot(version, view)
    frame = indicator_frame(version, code, view)
    choices = indicator_choices(version, code, lang, all_reporters, total, view)
    pending = frozenset((r, p, b) for i, r, p, b in _pending_for(version, view) if i == code)
    own = series_targets(snap.catalog, code, "" if reporter == all_reporters else reporter,
                         "{}" if breakdown == total else breakdown, date.today())
    with _building("indicator_detail", version, code, reporter, breakdown, lang, view):
        return prepared.indicator_detail(
            snap.catalog.indicators[code], frame, reporter, breakdown,
            None if breakdown == total else choices.member_labels[breakdown], lang,
            all_reporters=all_reporters, total=total, checks=snap.catalog.checks.get(code),
            warnings=value_warnings(version, code, view), pending=pending, own_targets=own,
        )


@st.cache_resource(show_spinner=False, max_entries=16)
def value_warnings(version: str, code: str | None = None, view: View | None = None) -> list[dict]:
    """Acknowledged plausibility warnings on the values of `view` (all indicators when code is None)."""
    from pipelines.read_model.warnings import open_warnings

    return _query("value_warnings", version, view_or_default(view), open_warnings, code) or []


@st.cache_resource(show_spinner=False, max_entries=4)
def waiting_values(version: str) -> list[dict]:
    """Every value waiting for approval, with the approved value it would replace (pipelines.signoff)."""
    with _building("waiting_values", version):
        return signoff_reads.pending_values(settings().warehouse_path)
