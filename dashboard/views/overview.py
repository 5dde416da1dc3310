"""Overview: every indicator's latest value against its 2030 and 2045 targets, by the plan's six tasks."""

from __future__ import annotations

import streamlit as st

from dashboard import data, viewing
from dashboard.components import empty_state, footer, plain
from dashboard.data import snapshot, token
from dashboard.prepared import domain_label
from dashboard.strings import lang, t

# Cards, counts and sparklines are prepared once per warehouse version and language
# (dashboard.prepared); a view only filters them and hands them to the widgets.

st.title(t("overview_title"))
st.caption(t("app_title") + " · " + t("app_subtitle"))
viewing.caption()

version = token()
shown_view = viewing.current_view()
snap = snapshot(version, shown_view)
if snap is None:
    empty_state()

lg = lang()
view = data.overview(version, lg, shown_view)
# Analysts and approvers see what waits for sign-off (in either view); viewers never hear of it.
if viewing.signoff_on() and viewing.may_see_pending():
    waiting, pairs = data.pending_count(version)
    if waiting:
        st.info(":material/pending: " + t("pending_waiting", n=waiting, pairs=pairs))
    else:
        st.caption(t("pending_none"))
pillar_names = view.pillar_names
left, right = st.columns(2)
chosen_pillars = left.multiselect(
    t("filter_task"), options=list(pillar_names), format_func=lambda n: f"{n}. {pillar_names[n]}", key="f_pillar",
    placeholder=t("filter_all"),
)
chosen_domains = right.multiselect(
    t("filter_domain"), options=view.domains, format_func=domain_label, key="f_domain",
    placeholder=t("filter_all"),
)
# At a glance: how many indicators stand where, per horizon.
for line in view.horizon_lines:
    st.markdown(line, unsafe_allow_html=True)
with st.expander(t("status_legend")):
    st.markdown(view.legend, unsafe_allow_html=True)
    st.caption(t("working_rule"))

shown = 0
for pillar_no, pillar_name in pillar_names.items():
    if chosen_pillars and pillar_no not in chosen_pillars:
        continue
    cards = [c for c in view.cards if c.pillar == pillar_no and (not chosen_domains or c.domain in chosen_domains)]
    if not cards:
        continue
    st.subheader(f"{t('pillar', n=pillar_no)} · {plain(pillar_name)}")
    columns = st.columns(3)
    for idx, card in enumerate(cards):
        shown += 1
        with columns[idx % 3].container(border=True):
            st.markdown(f"**{card.name}**")
            st.metric(label=card.metric_label, value=card.metric_value)
            if card.provisional_note:
                st.caption(card.provisional_note)
            if card.spark is not None:
                st.vega_lite_chart(card.spark, width="stretch")
            for line in card.target_lines:
                st.markdown(line, unsafe_allow_html=True)
            st.page_link("views/indicator.py", label=t("details"), icon=":material/arrow_forward:", query_params={"code": card.code, "lang": lg})

if not shown:
    st.warning(t("filter_nothing"))
footer(snap.last_load)
