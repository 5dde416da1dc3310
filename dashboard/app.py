"""The dashboard's script: sign-in, language switch and navigation only.

Served through dashboard/server.py (`streamlit run dashboard/server.py`), which adds the session
cookie's routes; AppTest runs this file directly."""

from __future__ import annotations

import logging
from pathlib import Path

import streamlit as st

from dashboard import auth, viewing
from dashboard.data import settings_or_stop
from dashboard.live import follow_new_data
from dashboard.strings import LANGUAGES, t

# The icon is served by the app itself: a Material icon name makes browsers fetch it from fonts.gstatic.com.
st.set_page_config(page_title="KPI 292/NQ-CP", page_icon=str(Path(__file__).parent / "assets" / "favicon.png"), layout="wide")
log = logging.getLogger("kpi.dashboard")

config = settings_or_stop()
if "lang" not in st.session_state:
    wanted = st.query_params.get("lang", config.language)
    st.session_state["lang"] = wanted if wanted in LANGUAGES else config.language

def _switch_language() -> None:
    st.session_state["lang"] = st.session_state["lang_choice"]


# The language lives under a plain key: a widget's own key can be dropped by Streamlit on a
# rerun where the widget's state is not sent, which silently reverted pages to Vietnamese.
with st.sidebar:
    st.radio(
        "Ngôn ngữ / Language",
        options=list(LANGUAGES),
        index=list(LANGUAGES).index(st.session_state["lang"]),
        format_func=LANGUAGES.get,
        key="lang_choice",
        on_change=_switch_language,
        horizontal=True,
    )
st.query_params["lang"] = st.session_state["lang"]

user = auth.current_user(config)
st.session_state["current_user"] = user
auth.sidebar(user, config)
viewing.sidebar_switch()

pages = [
    st.Page("views/home.py", title=t("page_overview"), url_path="home", default=True, visibility="hidden"),
    st.Page("views/overview.py", title=t("page_overview"), icon=":material/dashboard:", url_path="overview"),
    st.Page("views/indicator.py", title=t("page_indicator"), icon=":material/show_chart:", url_path="indicator"),
    st.Page("views/missions.py", title=t("page_missions"), icon=":material/public:", url_path="missions"),
    st.Page("views/review.py", title=t("page_review"), icon=":material/event_note:", url_path="review"),
    st.Page("views/data_status.py", title=t("page_status"), icon=":material/fact_check:", url_path="data-status"),
]
if user.is_analyst:  # a viewer's navigation has no upload page, so /upload does not exist for them
    pages.append(st.Page("views/upload.py", title=t("page_upload"), icon=":material/upload_file:", url_path="upload"))
if user.is_approver and config.approval_on:  # nor an analyst's the approvals page
    pages.append(st.Page("views/approvals.py", title=t("page_approvals"), icon=":material/approval:", url_path="approvals"))

current = st.navigation(pages)
auth.return_after_signin(pages, current)
follow_new_data(current.url_path)
try:
    current.run()
except Exception:  # st.stop/st.rerun are BaseExceptions and pass through
    log.exception("page failed")
    st.error(t("error_generic"))
