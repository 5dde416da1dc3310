"""Data status: what each reporter sent and when, what was rejected and why, who is missing the latest quarter."""

from __future__ import annotations

import json

import polars as pl
import streamlit as st

from dashboard import reporting_section, viewing
from dashboard.components import empty_state, footer, plain
from dashboard.data import latest_quarter_by_pair, load_log, pending_keys, reporter_periods, snapshot, token, value_warnings
from dashboard.formatting import fmt_period
from dashboard.prepared import arrow_table
from dashboard.strings import lang, t
from pipelines.problems import Problem, format_problem

st.title(t("status_title"))
viewing.caption()
lg = lang()
loads = load_log(token())
if loads is None or loads.height == 0:
    empty_state()
snap = snapshot(token(), viewing.current_view())  # figures follow the view; receipts count pending values

counts = {s: loads.filter(pl.col("status") == s).height for s in ("loaded", "duplicate", "rejected")}
c1, c2, c3 = st.columns(3)
c1.metric(t("loads_loaded"), counts["loaded"])
c2.metric(t("loads_duplicate"), counts["duplicate"])
c3.metric(t("loads_rejected"), counts["rejected"])

# Missing reports for the latest quarter.
pairs = latest_quarter_by_pair(token())
if pairs is not None and pairs.height:
    latest_quarter = pairs["latest"].max()
    missing = pairs.filter(pl.col("latest") < latest_quarter).sort("reporter", "indicator")
    st.subheader(t("missing_title", period=fmt_period(latest_quarter, lg)))
    if missing.height == 0:
        st.success(t("missing_none"))
    else:
        st.warning(t("missing_some", n=missing.height))
        # Plain Python over the distinct periods, never `map_elements` (README, code habits).
        spelled = {p: fmt_period(p, lg) for p in missing["latest"].unique().to_list()}
        st.dataframe(
            arrow_table(missing.select(
                pl.col("reporter").alias(t("reporter")),
                pl.col("indicator").alias(t("page_indicator")),
                pl.col("latest").replace_strict(spelled, return_dtype=pl.String).alias(t("last_period")),
            )),
            hide_index=True, width="stretch",
        )

# Provisional totals: summed indicators whose period misses an expected reporter (annual too).
provisional_rows = [
    (code, c) for code, by_period in (snap.coverage if snap else {}).items() for c in by_period.values() if not c.complete
]
# A reporter "missing" from the approved figures may have sent the period already, its values
# waiting for approval: said apart from the reporters who are late (nothing received).
waiting = {(i, r, p) for i, r, p, _ in pending_keys(token())}
st.subheader(t("provisional_title"))
if not provisional_rows:
    st.success(t("provisional_none"))
else:
    late_of = [[r for r in c.missing if (code, r, c.period) not in waiting] for code, c in provisional_rows]
    waiting_of = [[r for r in c.missing if (code, r, c.period) in waiting] for code, c in provisional_rows]
    st.dataframe(
        pl.DataFrame({
            t("page_indicator"): [code for code, _ in provisional_rows],
            t("period"): [fmt_period(c.period, lg) for _, c in provisional_rows],
            t("coverage"): [c.label(lg) for _, c in provisional_rows],
            t("missing_reporters"): [", ".join(r) for r in late_of],
            t("waiting_reporters"): [", ".join(r) for r in waiting_of],
        }, schema={t("page_indicator"): pl.String, t("period"): pl.String, t("coverage"): pl.String,
                   t("missing_reporters"): pl.String, t("waiting_reporters"): pl.String}),
        hide_index=True, width="stretch", key="provisional_totals",
    )
    if any(waiting_of):
        st.caption(t("waiting_reporters_note"))

# Values loaded with an acknowledged warning, still current: to follow up with the reporter.
follow_up = value_warnings(token(), None, viewing.current_view())
st.subheader(t("follow_up_title"))
if not follow_up:
    st.success(t("follow_up_none"))
else:
    st.dataframe(
        pl.DataFrame({
            t("page_indicator"): [w["indicator"] for w in follow_up],
            t("reporter"): [w["reporter"] for w in follow_up],
            t("period"): [fmt_period(w["period"], lg) for w in follow_up],
            t("warning"): [w["warning"].message(lg) for w in follow_up],
            t("file"): [w["file_name"] for w in follow_up],
            t("row"): [w["row_number"] for w in follow_up],
            t("cell"): [str(w["warning"].params.get("cell") or "") for w in follow_up],  # a workbook's cell, e.g. Sheet1!D14
            t("acknowledged_by"): [w["acknowledged_by"] for w in follow_up],
        }, schema={t("page_indicator"): pl.String, t("reporter"): pl.String, t("period"): pl.String, t("warning"): pl.String,
                   t("file"): pl.String, t("row"): pl.Int64, t("cell"): pl.String, t("acknowledged_by"): pl.String}),
        hide_index=True, width="stretch", key="values_to_follow_up",
    )

# What arrived, per reporter and period (last eight quarters and years).
periods = reporter_periods(token())
if periods is not None and periods.height:
    st.subheader(t("arrivals_title"))
    recent = sorted(periods["period"].unique().to_list())[-10:]
    grid = (
        periods.filter(pl.col("period").is_in(recent))
        .pivot(on="period", index="reporter", values="values", aggregate_function="sum")
        .sort("reporter")
    )
    grid = grid.select("reporter", *[p for p in recent if p in grid.columns]).rename(
        {"reporter": t("reporter"), **{p: fmt_period(p, lg) for p in recent if p in grid.columns}}
    )
    st.caption(t("arrivals_caption"))
    st.dataframe(arrow_table(grid), hide_index=True, width="stretch")

# The load log, and the report of any rejected file.
st.subheader(t("loads_title"))
status_words = {"loaded": t("load_loaded"), "duplicate": t("load_duplicate"), "rejected": t("load_rejected")}
log = loads.select(
    pl.col("load_id").alias("#"),
    pl.col("file_name").alias(t("file")),
    pl.col("received_at").alias(t("loaded_at")),
    pl.col("status").replace_strict(status_words, default=pl.col("status")).alias(t("status")),
    pl.col("rows_loaded").alias(t("rows")),
    pl.col("rows_revised").alias(t("revised")),
    pl.col("problem_count").alias(t("problems")),
)
st.dataframe(arrow_table(log), hide_index=True, width="stretch",
             column_config={t("loaded_at"): st.column_config.DatetimeColumn(format="DD/MM/YYYY HH:mm")})

rejected = loads.filter(pl.col("status") == "rejected")
viewer = st.session_state.get("current_user")
if rejected.height and not (viewer and viewer.is_analyst):
    st.caption(t("reports_analysts_only"))
elif rejected.height:
    st.subheader(t("rejected_title"))
    options = rejected["load_id"].to_list()
    names = dict(zip(rejected["load_id"].to_list(), rejected["file_name"].to_list()))
    chosen = st.selectbox(t("rejected_pick"), options, format_func=lambda i: f"#{i} · {names[i]}")
    row = rejected.filter(pl.col("load_id") == chosen).row(0, named=True)
    problems = [Problem.from_dict(p) for p in json.loads(row["problems"] or "[]")]
    st.error(t("rejected_summary", file=plain(row["file_name"]), n=row["problem_count"]))
    st.dataframe(
        pl.DataFrame({
            t("row"): [p.row for p in problems],
            t("column"): [p.column or "" for p in problems],
            t("value"): [p.shown_value(lg) for p in problems],  # a workbook's number as its Excel shows it
            t("reason"): [p.message(lg) for p in problems],
        }, schema={t("row"): pl.Int64, t("column"): pl.String, t("value"): pl.String, t("reason"): pl.String}),
        hide_index=True, width="stretch",
    )
    if row["problem_count"] > len(problems):
        st.caption(t("more_problems", n=row["problem_count"] - len(problems)))
    st.caption(t("rejected_where", path=plain(row["stored_as"] or "—")))
    st.code("\n".join(format_problem(p, row["file_name"], lg) for p in problems[:50]), language=None)

reporting_section.render(lg)

footer(snap.last_load if snap else None)
