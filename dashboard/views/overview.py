"""Overview: every indicator's latest value against its 2030 and 2045 targets, by the plan's six tasks."""

from __future__ import annotations

from collections import Counter

import streamlit as st

from dashboard.charts import sparkline
from dashboard.components import badge_html, footer, legend_html, target_text
from dashboard.data import settings, snapshot, token
from dashboard.formatting import fmt_number, fmt_period
from dashboard.strings import lang, t, t_or
from pipelines.progress import STATUSES

DOMAINS = ("missions", "staff", "training", "digital", "budget", "institutions", "identity")

st.title(t("overview_title"))
st.caption(t("app_title") + " · " + t("app_subtitle"))

snap = snapshot(token())
if snap is None:
    st.info("**" + t("empty_title") + "** — " + t("empty_body", inbox=str(settings().inbox_dir)))
    st.stop()

lg = lang()
pillar_names = {n: (p.name_vi if lg == "vi" else p.name_en) for n, p in snap.catalog.pillars.items()}
left, right = st.columns(2)
chosen_pillars = left.multiselect(
    t("filter_task"), options=list(pillar_names), format_func=lambda n: f"{n}. {pillar_names[n]}", key="f_pillar",
    placeholder=t("filter_all"),
)
domains = sorted({i.domain for i in snap.catalog.indicators.values()}, key=lambda d: DOMAINS.index(d) if d in DOMAINS else 99)
chosen_domains = right.multiselect(
    t("filter_domain"), options=domains, format_func=lambda d: t_or(f"domain_{d}", d), key="f_domain",
    placeholder=t("filter_all"),
)
# At a glance: how many indicators stand where, per horizon.
for horizon in (2030, 2045):
    counts = Counter(
        a.status for items in snap.assessments.values() for a in items if a.horizon == horizon and a.status is not None
    )
    badges = " ".join(badge_html(status, prefix=f"{counts[status]} ") for status in STATUSES if counts[status])
    st.markdown(f"**{t('target_' + str(horizon))}** &nbsp; {badges}", unsafe_allow_html=True)
with st.expander(t("status_legend")):
    st.markdown(legend_html(), unsafe_allow_html=True)
    st.caption(t("working_rule"))

shown = 0
for pillar_no, pillar_name in pillar_names.items():
    if chosen_pillars and pillar_no not in chosen_pillars:
        continue
    indicators = [
        i for i in snap.catalog.indicators.values()
        if i.pillar == pillar_no and (not chosen_domains or i.domain in chosen_domains)
    ]
    if not indicators:
        continue
    st.subheader(f"{t('pillar', n=pillar_no)} · {pillar_name}")
    columns = st.columns(3)
    for idx, ind in enumerate(indicators):
        shown += 1
        points = snap.series.get(ind.code, [])
        latest = points[-1] if points else None
        assessments = {a.horizon: a for a in snap.assessments.get(ind.code, [])}
        with columns[idx % 3].container(border=True):
            st.markdown(f"**{ind.name(lg)}**")
            st.metric(
                label=f"{t('latest')} · {fmt_period(latest.period, lg) if latest else t('no_value')}",
                value=f"{fmt_number(latest.value, lg)} {ind.unit_label(lg)}" if latest else "—",
            )
            cov = snap.coverage.get(ind.code, {}).get(latest.period) if latest else None
            if cov is not None and not cov.complete:  # a provisional total: said on the card, never behind its badges
                complete = [p.period for p in points if snap.coverage[ind.code].get(p.period) is None
                            or snap.coverage[ind.code][p.period].complete]
                st.caption("◌ " + t("status_uses_complete", period=fmt_period(latest.period, lg), coverage=cov.label(lg),
                                    latest=fmt_period(complete[-1], lg) if complete else "—"))
            if len(points) > 1:
                st.altair_chart(sparkline(points, lg), width="stretch")
            for horizon in (2030, 2045):
                status = assessments[horizon].status if horizon in assessments else None
                st.markdown(
                    f"{t('target_' + str(horizon))}: {target_text(ind, horizon)} &nbsp; {badge_html(status)}",
                    unsafe_allow_html=True,
                )
            st.page_link("views/indicator.py", label=t("details"), icon=":material/arrow_forward:", query_params={"code": ind.code, "lang": lg})

if not shown:
    st.warning(t("filter_nothing"))
footer(snap.last_load)
