"""Live pages: an open page notices a newly published warehouse version by itself.

A small fragment re-runs every `KPI_LIVE_CHECK_S` seconds and compares the version token (one
`stat` of the warehouse file) with the one the page was drawn from. Pages that only read (their
filters and selections live in session state and survive a rerun) redraw themselves; a page
where the user may be in the middle of something (the upload page) shows a small notice with
a refresh button instead, so nothing the user chose or typed is lost.
"""

from __future__ import annotations

import streamlit as st

from dashboard.data import settings, token
from dashboard.strings import t

# url_path of the pages that redraw themselves; any other page gets the notice.
SELF_REFRESHING = {"", "overview", "indicator", "missions", "review", "data-status"}


def follow_new_data(page_path: str) -> None:
    """Remember the version this run draws and start the periodic check (nothing is drawn
    until a new version appears)."""
    every = settings().live_check_s
    if every <= 0:
        return
    st.session_state["live_shown_version"] = token()
    st.fragment(run_every=every)(_check)(page_path)


def _check(page_path: str) -> None:
    shown = st.session_state.get("live_shown_version")
    if shown is None or token() == shown:
        return
    if page_path in SELF_REFRESHING:
        st.rerun(scope="app")
    st.info(t("live_new_data"), icon=":material/update:")
    if st.button(t("live_refresh"), key="live_refresh"):
        st.rerun(scope="app")
