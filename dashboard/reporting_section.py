"""Data status, section "reporting deadlines" (issue 19): per reporter and period on time, late
(by how many days) or missing; DHIS2's reporting and on-time rates per period; files waiting in
the inbox; rejected files not yet replaced. The maths is `pipelines.deadlines` (pure); the
tables are built once per warehouse version and day, shared by every session.
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

import polars as pl
import streamlit as st

from dashboard.data import settings, token
from dashboard.formatting import fmt_date, fmt_number, fmt_period
from dashboard.strings import t
from pipelines.catalog import load_catalog
from pipelines.deadlines import LATE, MISSING, ON_TIME, Rates, Report, rates
from pipelines.read_model.reporting import inbox_files, open_rejections, timeliness
from pipelines.warehouse.store import open_reader

RECENT = {"quarterly": 4, "annual": 2}  # periods per frequency in the per-reporter table
RATE_PERIODS = {"quarterly": 8, "annual": 3}


def local_today() -> date:
    return datetime.now(ZoneInfo(settings().timezone)).date()


@st.cache_resource(show_spinner=False, max_entries=4)
def _judged(version: str, today: date) -> tuple[dict[str, int], list[Report], list[Rates], list[dict]]:
    catalog = load_catalog(settings().catalog_dir)
    with open_reader(settings().warehouse_path) as con:
        if con is None:
            return catalog.deadlines, [], [], []
        items = timeliness(con, catalog, today, settings().timezone)
        rejected = open_rejections(con)
    return catalog.deadlines, items, rates(items), rejected


def _recent(periods: list[str], keep: dict[str, int]) -> set[str]:
    quarterly = sorted(p for p in periods if "-Q" in p)
    annual = sorted(p for p in periods if "-Q" not in p)
    return set(quarterly[-keep["quarterly"]:] + annual[-keep["annual"]:])


def status_text(report: Report) -> str:
    if report.status == ON_TIME:
        return t("dl_on_time")
    if report.status == LATE:
        return t("dl_late", days=report.days_late)
    if report.status == MISSING:
        return t("dl_missing", days=report.days_late)
    return t("dl_due", day=fmt_date(report.due))


def render(lg: str) -> None:
    """The section; call it at the end of the data status page."""
    deadlines, items, period_rates, rejected = _judged(token(), local_today())
    st.subheader(t("dl_title"))
    if not deadlines:
        st.caption(t("dl_no_deadlines"))
    else:
        st.caption(t("dl_caption", quarterly=deadlines.get("quarterly", "—"), annual=deadlines.get("annual", "—")))
    if period_rates:
        keep = _recent([r.period for r in period_rates], RATE_PERIODS)
        shown = [r for r in period_rates if r.period in keep]
        st.dataframe(pl.DataFrame({
            t("dl_period"): [fmt_period(r.period, lg) for r in shown],
            t("dl_expected"): [r.expected for r in shown],
            t("dl_received"): [r.received for r in shown],
            t("dl_on_time_n"): [r.on_time for r in shown],
            t("dl_reporting_rate"): [fmt_number(r.reporting_rate, lg, 0) + " %" for r in shown],
            t("dl_on_time_rate"): [fmt_number(r.on_time_rate, lg, 0) + " %" for r in shown],
        }), hide_index=True, width="stretch")
    if items:
        keep = _recent(sorted({r.period for r in items}), RECENT)
        shown = sorted((r for r in items if r.period in keep), key=lambda r: (r.reporter, r.frequency, r.period))
        st.dataframe(pl.DataFrame({
            t("reporter"): [r.reporter for r in shown],
            t("dl_period"): [fmt_period(r.period, lg) for r in shown],
            t("dl_due_col"): [fmt_date(r.due) for r in shown],
            t("dl_status"): [status_text(r) for r in shown],
            t("dl_indicators"): [f"{r.received}/{r.expected}" for r in shown],
            t("dl_arrived"): [fmt_date(r.arrived) if r.arrived else "" for r in shown],
        }), hide_index=True, width="stretch")

    st.subheader(t("dl_inbox_title"))
    waiting = inbox_files(settings().inbox_dir)
    if not waiting:
        st.caption(t("dl_inbox_none"))
    else:
        now = datetime.now(timezone.utc).replace(tzinfo=None)
        st.dataframe(pl.DataFrame({
            t("file"): [w.name for w in waiting],
            t("dl_size"): [fmt_number(w.size / 1024, lg, 1) + " KB" for w in waiting],
            t("dl_waiting_min"): [int((now - w.modified).total_seconds() // 60) for w in waiting],
        }), hide_index=True, width="stretch")

    st.subheader(t("dl_rejected_title"))
    if not rejected:
        st.caption(t("dl_rejected_none"))
    else:
        st.dataframe(pl.DataFrame({
            "#": [r["load_id"] for r in rejected],
            t("file"): [r["file_name"] for r in rejected],
            t("loaded_at"): [r["received_at"] for r in rejected],
            t("problems"): [r["problem_count"] for r in rejected],
        }), hide_index=True, width="stretch",
            column_config={t("loaded_at"): st.column_config.DatetimeColumn(format="DD/MM/YYYY HH:mm")})
