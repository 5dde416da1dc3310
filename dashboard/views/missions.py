"""Missions abroad: where Vietnam's representative agencies are, and their number against 115 (2030) and 150 (2045)."""

from __future__ import annotations

import streamlit as st

from dashboard import data, viewing
from dashboard.components import empty_state, footer
from dashboard.data import snapshot, token
from dashboard.strings import lang, t

CODE = "MISSIONS_ABROAD"

# Metrics, map, trend and table are prepared once per warehouse version and language
# (dashboard.prepared): the world map's spec alone is slow to build and validate.
st.title(t("missions_title"))
viewing.caption()
version = token()
shown_view = viewing.current_view()
snap = snapshot(version, shown_view)
if snap is None or CODE not in snap.catalog.indicators:
    empty_state()

view = data.missions(version, lang(), CODE, shown_view)
if view.metrics:
    for col, (label, value, delta) in zip(st.columns(3), view.metrics):
        if delta is None:
            col.metric(label, value)
        else:
            col.metric(label, value, delta=delta, delta_color="off")
if view.map_spec is not None:
    st.vega_lite_chart(view.map_spec, width="stretch")
# Counts by type over time against the targets.
if view.trend_spec is not None:
    st.vega_lite_chart(view.trend_spec, width="stretch")
if view.table is not None:
    st.subheader(t("by_country"))
    st.dataframe(view.table, hide_index=True, width="stretch")
    st.download_button(t("download_csv"), view.table_csv, f"co_quan_dai_dien_{view.period}.csv", "text/csv")
footer(snap.last_load)
