"""Entry point: `streamlit run dashboard/app.py`. Language switch and navigation only."""

from __future__ import annotations

import streamlit as st

from dashboard.data import settings_or_stop
from dashboard.strings import LANGUAGES, t

st.set_page_config(page_title="KPI 292/NQ-CP", page_icon=":material/flag:", layout="wide")

config = settings_or_stop()
if "lang" not in st.session_state:
    wanted = st.query_params.get("lang", config.language)
    st.session_state["lang"] = wanted if wanted in LANGUAGES else config.language

with st.sidebar:
    st.radio(
        "Ngôn ngữ / Language",
        options=list(LANGUAGES),
        format_func=LANGUAGES.get,
        key="lang",
        horizontal=True,
    )
st.query_params["lang"] = st.session_state["lang"]

pages = [
    st.Page("pages/overview.py", title=t("page_overview"), icon=":material/dashboard:", url_path="overview", default=True),
    st.Page("pages/indicator.py", title=t("page_indicator"), icon=":material/show_chart:", url_path="indicator"),
    st.Page("pages/missions.py", title=t("page_missions"), icon=":material/public:", url_path="missions"),
    st.Page("pages/review.py", title=t("page_review"), icon=":material/event_note:", url_path="review"),
    st.Page("pages/data_status.py", title=t("page_status"), icon=":material/fact_check:", url_path="data-status"),
    st.Page("pages/upload.py", title=t("page_upload"), icon=":material/upload_file:", url_path="upload"),
]
st.navigation(pages).run()
