"""Indicator page: the series against both targets, the working behind each status, and the data's provenance.

The selection lives in the URL (`?code=…&reporter=…&breakdown=…&lang=…`) so a link or a
bookmark reopens the same view.
"""

from __future__ import annotations

from datetime import date

import streamlit as st

from dashboard import data, viewing
from dashboard.commentary_view import commentary_section
from dashboard.components import empty_state, footer, plain, target_text
from dashboard.data import indicator_frame, snapshot, token
from dashboard.exports import png_bytes
from dashboard.formatting import fmt_date, fmt_number, fmt_period
from dashboard.review import quarters_available
from pipelines.targets import previous_target
from dashboard.strings import lang, t, text  # text(…, lg) in format_func: it also runs outside the script (AppTest)

TOTAL, ALL = "__total__", "__all__"

# The options, chart, statuses and tables are prepared once per warehouse version, selection
# and language (dashboard.prepared); a view reads the URL, draws the selectors and the pieces.
version = token()
shown_view = viewing.current_view()
snap = snapshot(version, shown_view)
if snap is None:
    st.title(t("page_indicator"))
    viewing.caption()
    empty_state()

lg = lang()
codes = list(snap.catalog.indicators)
wanted = st.query_params.get("code", codes[0])
if wanted not in codes:
    st.warning(t("unknown_indicator", code=plain(wanted)))
    wanted = codes[0]
code = st.selectbox(
    t("choose_indicator"), codes, index=codes.index(wanted),
    format_func=lambda c: f"{snap.catalog.indicators[c].name(lg)} ({c})",
)
if code != st.query_params.get("code"):
    st.query_params["code"] = code
ind = snap.catalog.indicators[code]
st.title(plain(ind.name(lg)))
st.caption(f"`{ind.code}` · {t('pillar', n=ind.pillar)} · {t('kind_' + ind.kind)} · {t('freq_' + ind.frequency)} · "
           f"{t('direction_' + ind.direction)}")
viewing.caption()

frame = indicator_frame(version, code, shown_view)
if frame is None or frame.height == 0:
    st.info(t("no_indicator_data"))
    footer(snap.last_load)
    st.stop()

# Selectors: reporter and one breakdown member (or the total).
choices = data.indicator_choices(version, code, lg, ALL, TOTAL, shown_view)
single_keys, member_labels = choices.single_keys, choices.member_labels
breakdown_options, reporter_options = choices.breakdown_options, choices.reporter_options
col_rep, col_bd = st.columns(2)
rep_wanted = st.query_params.get("reporter", ALL)
reporter = col_rep.selectbox(
    t("reporter"), reporter_options, index=reporter_options.index(rep_wanted) if rep_wanted in reporter_options else 0,
    format_func=lambda r: text("all_reporters", lg) if r == ALL else f"{r} · {snap.catalog.reporters[r].name_vi if lg == 'vi' else snap.catalog.reporters[r].name_en}"
    if r in snap.catalog.reporters else r,
)
bd_wanted = st.query_params.get("breakdown", TOTAL)
breakdown = col_bd.selectbox(
    t("breakdown"), breakdown_options, index=breakdown_options.index(bd_wanted) if bd_wanted in breakdown_options else 0,
    format_func=lambda b: text("total", lg) if b == TOTAL else f"{single_keys[b][0]}: {member_labels[b]}",
)
for key, value, default in (("reporter", reporter, ALL), ("breakdown", breakdown, TOTAL)):
    if value == default:
        st.query_params.pop(key, None)
    elif st.query_params.get(key) != value:
        st.query_params[key] = value

detail = data.indicator_detail(version, code, reporter, breakdown, lg, ALL, TOTAL, shown_view)
if not detail.points:
    st.info(t("no_indicator_data"))
else:
    st.vega_lite_chart(detail.chart_spec, width="stretch")
    if detail.provisional_note:
        st.warning(detail.provisional_note)
    if detail.warned is not None:
        st.caption(t("warnings_on_values", n=detail.warned_count))
        st.dataframe(detail.warned, hide_index=True, width="stretch", key="value_warnings")

    # Status and the working behind it.
    st.subheader(t("working_title"))
    if not detail.national:
        st.info(t("trend_only"))
    elif detail.own_target:
        st.info(t("series_target"))
    for col, (_, heading, working) in zip(st.columns(2), detail.working):
        with col.container(border=True):
            st.markdown(heading, unsafe_allow_html=True)
            st.markdown(working)
    st.caption(t("working_rule"))
    for h in (2030, 2045) if not detail.own_target else ():  # a revised national target says so (text from data: st.text)
        revised = previous_target(snap.catalog, code, h, date.today())
        if revised:
            st.text(t("target_history", horizon=h, date=fmt_date(revised[1].effective_from),
                      before=fmt_number(revised[0], lg), reason=revised[1].reason(lg)))

    # Commentary for the quarter under review: read-only for viewers; an analyst writes a new version.
    review_quarters = quarters_available(snap.series)
    if review_quarters:
        st.subheader(t("commentary_title") + " · " + fmt_period(review_quarters[0], lg))
        commentary_section(snap.catalog, code, review_quarters[0], version, shown_view, lg)

    # The data table, with the targets as rows of their own.
    st.subheader(t("table_title"))
    st.dataframe(detail.table_shown, hide_index=True, width="stretch",
                 column_config={t("value"): st.column_config.TextColumn(alignment="right")})

    d1, d2, d3 = st.columns(3)
    d1.download_button(t("download_csv"), detail.table_csv, f"{detail.stem}.csv", "text/csv")
    d2.download_button(t("download_xlsx"), detail.table_xlsx, f"{detail.stem}.xlsx",
                       "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    # Rendered on click (vl-convert is slow): not on every rerun of the page.
    d3.download_button(t("download_png"), lambda: png_bytes(detail.chart), f"{detail.stem}.png", "image/png")

# Definition and provenance.
with st.expander(t("definition"), expanded=False):
    st.markdown(
        f"- **{t('definition')}:** {plain(ind.name(lg))}\n"
        f"- **{t('unit')}:** {plain(ind.unit_label(lg))} · {t('kind_' + ind.kind)} · {t('freq_' + ind.frequency)}\n"
        f"- **{t('plan_source')}:** {plain(ind.source_line(lg))}\n"
        f"- **{t('target_2030')}:** {target_text(ind, 2030)} · **{t('target_2045')}:** {target_text(ind, 2045)}"
    )
with st.expander(t("files_title"), expanded=False):
    st.dataframe(detail.provenance_shown, hide_index=True, width="stretch",
                 column_config={t("loaded_at"): st.column_config.DatetimeColumn(format="DD/MM/YYYY HH:mm"),
                                t("value"): st.column_config.TextColumn(alignment="right")})
    st.download_button(t("download_csv"), detail.provenance_csv, f"{code}_nguon.csv", "text/csv", key="dl_prov")

footer(snap.last_load)
