"""Overview: every indicator's latest value against its 2030 and 2045 targets, by the plan's six tasks."""

from __future__ import annotations

import streamlit as st

from dashboard.components import badge_html, legend_html, target_text
from dashboard.data import settings, snapshot, token
from dashboard.formatting import fmt_date, fmt_number, fmt_period
from dashboard.strings import lang, t

st.title(t("overview_title"))
st.caption(t("app_title") + " · " + t("app_subtitle"))

snap = snapshot(token())
if snap is None:
    st.info("**" + t("empty_title") + "** — " + t("empty_body", inbox=str(settings().inbox_dir)))
    st.stop()

lg = lang()
if snap.last_load:
    st.caption(t("data_as_of", date=fmt_date(snap.last_load.date())) + " · " + t("sample_data"))
st.markdown(legend_html(), unsafe_allow_html=True)

for pillar_no, pillar in snap.catalog.pillars.items():
    indicators = [i for i in snap.catalog.indicators.values() if i.pillar == pillar_no]
    if not indicators:
        continue
    st.subheader(f"{t('pillar', n=pillar_no)} · {pillar.name_vi if lg == 'vi' else pillar.name_en}")
    columns = st.columns(3)
    for idx, ind in enumerate(indicators):
        points = snap.series.get(ind.code, [])
        latest = points[-1] if points else None
        assessments = {a.horizon: a for a in snap.assessments.get(ind.code, [])}
        with columns[idx % 3].container(border=True):
            st.markdown(f"**{ind.name(lg)}**  \n`{ind.code}`")
            st.metric(
                label=f"{t('latest')} · {fmt_period(latest.period, lg) if latest else t('no_value')}",
                value=f"{fmt_number(latest.value, lg)} {ind.unit_label(lg)}" if latest else "—",
            )
            for horizon in (2030, 2045):
                status = assessments.get(horizon).status if horizon in assessments else None
                st.markdown(
                    f"{t('target_' + str(horizon))}: {target_text(ind, horizon)} &nbsp; {badge_html(status)}",
                    unsafe_allow_html=True,
                )

st.caption(t("illustrative_note"))
