"""Indicator page: the series against both targets, the working behind each status, and the data's provenance.

The selection lives in the URL (`?code=…&reporter=…&breakdown=…&lang=…`) so a link or a
bookmark reopens the same view.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date

import polars as pl
import streamlit as st

from dashboard.charts import indicator_chart
from dashboard.commentary_view import commentary_form, quarter_commentary, show_commentary
from dashboard.components import badge_html, footer, target_text
from dashboard.data import countries, indicator_frame, settings, snapshot, token
from dashboard.exports import csv_bytes, png_bytes, xlsx_bytes
from dashboard.formatting import fmt_date, fmt_number, fmt_period, fmt_rate
from dashboard.review import quarters_available
from pipelines.targets import previous_target
from dashboard.strings import lang, t
from pipelines.progress import assess_all, combine_headline
from pipelines.series import spec_for

TOTAL, ALL = "__total__", "__all__"

snap = snapshot(token())
if snap is None:
    st.title(t("page_indicator"))
    st.info("**" + t("empty_title") + "** — " + t("empty_body", inbox=str(settings().inbox_dir)))
    st.stop()

lg = lang()
codes = list(snap.catalog.indicators)
wanted = st.query_params.get("code", codes[0])
if wanted not in codes:
    st.warning(t("unknown_indicator", code=wanted))
    wanted = codes[0]
code = st.selectbox(
    t("choose_indicator"), codes, index=codes.index(wanted),
    format_func=lambda c: f"{snap.catalog.indicators[c].name(lg)} ({c})",
)
if code != st.query_params.get("code"):
    st.query_params["code"] = code
ind = snap.catalog.indicators[code]
st.title(ind.name(lg))
st.caption(f"`{ind.code}` · {t('pillar', n=ind.pillar)} · {t('kind_' + ind.kind)} · {t('freq_' + ind.frequency)} · "
           f"{t('direction_' + ind.direction)}")

frame = indicator_frame(token(), code)
if frame is None or frame.height == 0:
    st.info(t("no_indicator_data"))
    footer(snap.last_load)
    st.stop()


def numbers_as_text(frame: pl.DataFrame, column: str) -> pl.DataFrame:
    """The column written as the page's language writes numbers (3.221,5 in Vietnamese).

    st.column_config's "localized" format follows the browser's locale, not the page's language,
    so a Vietnamese page in an English browser showed 3,221. Downloads keep the numbers.
    """
    return frame.with_columns(pl.col(column).map_elements(lambda v: fmt_number(v, lg), return_dtype=pl.String))


def member_label(dimension: str, member: str) -> str:
    if dimension == "country" and member in countries():
        _, en, vi = countries()[member]
        return vi if lg == "vi" else en
    allowed = snap.catalog.allowed_values(dimension) or {}
    if member in allowed:
        return allowed[member].name_vi if lg == "vi" else allowed[member].name_en
    return member


# Selectors: reporter and one breakdown member (or the total).
single_keys = {}
for text in frame["breakdown"].unique().to_list():
    parsed = json.loads(text)
    if len(parsed) == 1:
        (dim, member), = parsed.items()
        single_keys[text] = (dim, member)
breakdown_options = [TOTAL] + sorted(single_keys, key=lambda k: (single_keys[k][0], member_label(*single_keys[k])))
reporters = sorted(frame["reporter"].unique().to_list())
reporter_options = [ALL] + reporters
col_rep, col_bd = st.columns(2)
rep_wanted = st.query_params.get("reporter", ALL)
reporter = col_rep.selectbox(
    t("reporter"), reporter_options, index=reporter_options.index(rep_wanted) if rep_wanted in reporter_options else 0,
    format_func=lambda r: t("all_reporters") if r == ALL else f"{r} · {snap.catalog.reporters[r].name_vi if lg == 'vi' else snap.catalog.reporters[r].name_en}"
    if r in snap.catalog.reporters else r,
)
bd_wanted = st.query_params.get("breakdown", TOTAL)
breakdown = col_bd.selectbox(
    t("breakdown"), breakdown_options, index=breakdown_options.index(bd_wanted) if bd_wanted in breakdown_options else 0,
    format_func=lambda b: t("total") if b == TOTAL else f"{single_keys[b][0]}: {member_label(*single_keys[b])}",
)
for key, value, default in (("reporter", reporter, ALL), ("breakdown", breakdown, TOTAL)):
    if value == default:
        st.query_params.pop(key, None)
    elif st.query_params.get(key) != value:
        st.query_params[key] = value

selected = frame.filter(pl.col("breakdown") == ("{}" if breakdown == TOTAL else breakdown))
if reporter != ALL:
    selected = selected.filter(pl.col("reporter") == reporter)
spec = spec_for(ind)
if reporter != ALL:  # one reporter's own series: no roll-up across reporters
    spec = replace(spec, combine="single", single_reporter=reporter)
points = combine_headline(selected.select("reporter", "period", "value").iter_rows(), spec)
assessments = assess_all(spec, points)

if not points:
    st.info(t("no_indicator_data"))
else:
    latest = points[-1]
    title = ind.name(lg) + ("" if breakdown == TOTAL else f" — {member_label(*single_keys[breakdown])}")
    subtitle = [
        t("chart_subtitle", unit=ind.unit_label(lg), period=fmt_period(latest.period, lg), plan="Nghị quyết 292/NQ-CP" if lg == "vi" else "Resolution 292/NQ-CP"),
    ]
    if any(ind.target_source(h) == "illustrative" for h in (2030, 2045)):
        subtitle.append(t("illustrative_note"))
    labels = {"observed": t("observed"), "required": t("required_path"), "projection": t("projection"),
              "target": t("target"), "illustrative": t("illustrative"), "year": t("year"),
              "period": t("period"), "value": t("value"), "clipped": t("projection_clipped")}
    chart = indicator_chart(ind, points, [a for a in assessments if ind.direction != "none"], labels, lg, title, subtitle)
    st.altair_chart(chart, width="stretch")

    # Status and the working behind it.
    st.subheader(t("working_title"))
    unit = ind.unit_label(lg)
    for col, a in zip(st.columns(2), assessments):
        with col.container(border=True):
            st.markdown(f"{t('target_' + str(a.horizon))}: {target_text(ind, a.horizon)} &nbsp; {badge_html(a.status)}",
                        unsafe_allow_html=True)
            working = [
                (t("working_baseline"), f"{fmt_number(a.baseline_value, lg)} ({fmt_period(a.baseline_period, lg)})"),
                (t("working_latest"), f"{fmt_number(a.latest_value, lg)} ({fmt_period(a.latest_period, lg)})"),
                (t("working_method"), t("method_" + a.method) if a.method else "—"),
                (t("working_r_obs"), fmt_rate(a.observed_rate, a.method, unit, lg)),
                (t("working_r_req"), fmt_rate(a.required_rate, a.method, unit, lg)),
                (t("working_ratio"), fmt_number(a.ratio, lg, 2)),
                (t("working_needed"), fmt_rate(a.needed_rate, a.method, unit, lg)),
                (t("working_projected", year=a.horizon), f"{fmt_number(a.projected_value, lg)} {unit}" if a.projected_value is not None else "—"),
            ]
            st.markdown("\n".join(f"- {name}: **{value}**" for name, value in working))
    st.caption(t("working_rule"))
    for h in (2030, 2045):  # a revised target says so, with the earlier value and when (text from data: st.text)
        revised = previous_target(snap.catalog, code, h, date.today())
        if revised:
            st.text(t("target_history", horizon=h, date=fmt_date(revised[1].effective_from),
                      before=fmt_number(revised[0], lg), reason=revised[1].reason(lg)))

    # Commentary for the quarter under review: read-only for viewers; an analyst writes a new version.
    review_quarters = quarters_available(snap.series)
    if review_quarters:
        st.subheader(t("commentary_title") + " · " + fmt_period(review_quarters[0], lg))
        show_commentary(snap.catalog, code, review_quarters[0], quarter_commentary(token(), review_quarters[0]).get(code), lg)
        viewer = st.session_state.get("current_user")
        if viewer is not None and viewer.is_analyst:
            with st.expander(t("commentary_write")):
                commentary_form(snap.catalog, code, review_quarters[0], viewer.name, lg)

    # The data table, with the targets as rows of their own.
    st.subheader(t("table_title"))
    # Targets first, then the newest values: what a reader looks for without scrolling.
    table_rows = []
    for h in (2030, 2045):
        if ind.target(h) is not None:
            mark = f" ({t('illustrative')})" if ind.target_source(h) == "illustrative" else ""
            table_rows.append({t("period"): str(h), t("value"): ind.target(h), t("unit"): unit, "": t("target") + mark})
    table_rows += [{t("period"): fmt_period(p.period, lg), t("value"): p.value, t("unit"): unit, "": ""} for p in reversed(points)]
    table_frame = pl.DataFrame(table_rows)
    st.dataframe(numbers_as_text(table_frame, t("value")), hide_index=True, width="stretch",
                 column_config={t("value"): st.column_config.TextColumn(alignment="right")})

    stem = f"{code}_{'tong' if breakdown == TOTAL else 'phan_to'}_{latest.period}"
    d1, d2, d3 = st.columns(3)
    d1.download_button(t("download_csv"), csv_bytes(table_frame), f"{stem}.csv", "text/csv")
    d2.download_button(t("download_xlsx"), xlsx_bytes(table_frame), f"{stem}.xlsx",
                       "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    # Rendered on click (vl-convert takes about 0.3 s): not on every rerun of the page.
    d3.download_button(t("download_png"), lambda: png_bytes(chart), f"{stem}.png", "image/png")

# Definition and provenance.
with st.expander(t("definition"), expanded=False):
    st.markdown(
        f"- **{t('definition')}:** {ind.name(lg)}\n"
        f"- **{t('unit')}:** {ind.unit_label(lg)} · {t('kind_' + ind.kind)} · {t('freq_' + ind.frequency)}\n"
        f"- **{t('plan_source')}:** {ind.source_line(lg)}\n"
        f"- **{t('target_2030')}:** {target_text(ind, 2030)} · **{t('target_2045')}:** {target_text(ind, 2045)}"
    )
with st.expander(t("files_title"), expanded=False):
    provenance = selected.select(
        pl.col("period").alias(t("period")),
        pl.col("reporter").alias(t("reporter")),
        pl.col("value").alias(t("value")),
        pl.col("file_name").alias(t("file")),
        pl.col("load_id").alias(t("load")),
        pl.col("received_at").alias(t("loaded_at")),
        pl.col("row_number").alias(t("row")),
        pl.col("note").alias(t("note")),
    )
    st.dataframe(numbers_as_text(provenance, t("value")), hide_index=True, width="stretch",
                 column_config={t("loaded_at"): st.column_config.DatetimeColumn(format="DD/MM/YYYY HH:mm"),
                                t("value"): st.column_config.TextColumn(alignment="right")})
    st.download_button(t("download_csv"), csv_bytes(provenance), f"{code}_nguon.csv", "text/csv", key="dl_prov")

footer(snap.last_load)
