"""Upload: analysts drop files, see the validation result, and load them through the same pipeline as `kpi ingest`."""

from __future__ import annotations

import streamlit as st

from dashboard.auth import require_analyst
from dashboard.components import plain
from dashboard.data import settings
from dashboard.formatting import fmt_number
from dashboard.strings import lang, t
from pipelines.catalog import load_catalog
from pipelines.ingest import ingest, preview, save_upload
from pipelines.problems import format_problem, info_message
from pipelines.warehouse.store import WarehouseBusyError

require_analyst(st.session_state.get("current_user"))
st.title(t("upload_title"))
st.caption(t("upload_help"))
lg = lang()
config = settings()

# A new uploader key after each load empties it, so the same files cannot be loaded twice by a second click.
files = st.file_uploader(
    t("upload_label"), type=["csv", "txt", "tsv", "xlsx"], accept_multiple_files=True,
    key=f"uploads_{st.session_state.get('upload_round', 0)}",
    max_upload_size=int(config.max_file_mb),
)
if not files:
    st.stop()

catalog = load_catalog(config.catalog_dir)
checks = []
for f in files:
    data = f.getvalue()
    result = preview(data, config, catalog)
    checks.append((f.name, data, result))
    with st.container(border=True):
        if result.status == "valid":
            st.success(t("upload_valid", file=plain(f.name), rows=fmt_number(result.rows, lg)))
        else:
            st.error(t("upload_invalid", file=plain(f.name), n=result.problem_count))
            st.code("\n".join(format_problem(p, f.name, lg) for p in result.problems[:100]), language=None)
            if result.problem_count > len(result.problems[:100]):
                st.caption(t("more_problems", n=result.problem_count - 100))
        for code, params in result.info:
            st.caption(plain(info_message(code, params, lg)))

st.caption(t("upload_rejected_note"))
if st.button(t("upload_button", n=len(checks)), type="primary", key="do_load"):
    saved = [save_upload(name, data, config) for name, data, _ in checks]
    try:
        outcomes = ingest(saved, config, lang=lg)
    except WarehouseBusyError:
        st.error(t("upload_busy"))
        st.stop()
    for o in outcomes:
        (st.success if o.status == "loaded" else st.info if o.status == "duplicate" else st.error)(plain(o.summary_line(lg)))
    st.session_state["upload_round"] = st.session_state.get("upload_round", 0) + 1
    st.toast(t("upload_done"))
