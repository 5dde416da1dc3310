"""Upload: analysts drop files, see what each would change and any implausible numbers, acknowledge
warnings, and load them through the same pipeline as `kpi ingest`."""

from __future__ import annotations

import hashlib

import polars as pl
import streamlit as st

from dashboard.auth import require_analyst
from dashboard.components import plain, status_label
from dashboard.data import settings
from dashboard.formatting import fmt_number, fmt_period
from dashboard.strings import lang, t
from pipelines.catalog import load_catalog
from pipelines.ingest import ingest, preview_load, save_upload
from pipelines.load_plan import breakdown_text
from pipelines.problems import format_problem, info_message
from pipelines.warehouse.store import WarehouseBusyError

user = st.session_state.get("current_user")
require_analyst(user)
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


def bd(breakdown: str) -> str:
    return t("total") if breakdown == "{}" else breakdown_text(breakdown)


checks = []
warned_files = 0
for f in files:
    data = f.getvalue()
    result = preview_load(data, config, catalog)
    checks.append((f.name, data, result))
    check, plan = result.check, result.plan
    with st.container(border=True):
        if result.duplicate_of is not None:
            st.info(t("preview_duplicate", file=plain(f.name), load=result.duplicate_of))
        elif check.status == "valid":
            st.success(t("upload_valid", file=plain(f.name), rows=fmt_number(check.rows, lg)))
        else:
            st.error(t("upload_invalid", file=plain(f.name), n=check.problem_count))
            st.code("\n".join(format_problem(p, f.name, lg) for p in check.problems[:100]), language=None)
            if check.problem_count > len(check.problems[:100]):
                st.caption(t("more_problems", n=check.problem_count - 100))
        if plan is not None:
            st.caption(t("preview_counts", file=plain(f.name), rows=fmt_number(plan.rows, lg), new=fmt_number(plan.new, lg),
                         revised=fmt_number(plan.revised, lg), unchanged=fmt_number(plan.unchanged, lg)))
            if plan.warnings:
                warned_files += 1
                st.warning(t("preview_warnings", file=plain(f.name), n=len(plan.warnings)))
                st.dataframe(pl.DataFrame({
                    t("row"): [w.row for w in plan.warnings],
                    # a workbook's cell as Excel shows it (Sheet1!D14); blank for a CSV
                    t("cell"): [str(w.params.get("cell") or "") for w in plan.warnings],
                    t("page_indicator"): [w.indicator for w in plan.warnings],
                    t("reporter"): [w.reporter for w in plan.warnings],
                    t("period"): [fmt_period(w.period, lg) for w in plan.warnings],
                    t("breakdown"): [bd(w.breakdown) for w in plan.warnings],
                    t("warning"): [w.message(lg) for w in plan.warnings],
                }, schema={t("row"): pl.Int64, t("cell"): pl.String, t("page_indicator"): pl.String, t("reporter"): pl.String,
                           t("period"): pl.String, t("breakdown"): pl.String, t("warning"): pl.String}),
                    hide_index=True, width="stretch", key=f"warnings_{hashlib.sha256(data).hexdigest()[:12]}")
            if plan.revisions:
                with st.expander(t("preview_revisions") + f" ({fmt_number(plan.revised, lg)})"):
                    st.dataframe(pl.DataFrame({
                        t("row"): [r.row for r in plan.revisions],
                        t("page_indicator"): [r.indicator for r in plan.revisions],
                        t("reporter"): [r.reporter for r in plan.revisions],
                        t("period"): [fmt_period(r.period, lg) for r in plan.revisions],
                        t("breakdown"): [bd(r.breakdown) for r in plan.revisions],
                        t("old_value"): [r.old_text(lg) if r.excel else fmt_number(r.old, lg) for r in plan.revisions],
                        # a workbook's value as its Excel shows it (its cell's format)
                        t("new_value"): [r.new_text(lg) if r.excel else fmt_number(r.new, lg) for r in plan.revisions],
                    }), hide_index=True, width="stretch")
            if plan.status_moves:
                st.markdown("**" + t("preview_status_moves") + "**")
                st.dataframe(pl.DataFrame({
                    t("page_indicator"): [m.indicator for m in plan.status_moves],
                    t("horizon"): [str(m.horizon) for m in plan.status_moves],
                    t("before"): [f"{status_label(m.before)} ({fmt_period(m.before_period, lg)})" for m in plan.status_moves],
                    t("after"): [f"{status_label(m.after)} ({fmt_period(m.after_period, lg)})" for m in plan.status_moves],
                }), hide_index=True, width="stretch")
        for code, params in check.info:
            st.caption(plain(info_message(code, params, lg)))

# Warnings need an analyst's explicit acknowledgement, recorded with the load under their name.
name = getattr(user, "name", None) or "analyst"
acknowledged = False
if warned_files:
    acknowledged = st.checkbox(t("preview_acknowledge", name=plain(name)), key=f"ack_{st.session_state.get('upload_round', 0)}")
    if not acknowledged:
        st.info(t("preview_needs_ack"))

st.caption(t("upload_rejected_note"))
# Disabled until the warnings are acknowledged (or the file with warnings is removed from the list).
if st.button(t("upload_button", n=len(checks)), type="primary", key="do_load", disabled=bool(warned_files) and not acknowledged):
    saved = [save_upload(file_name, data, config) for file_name, data, _ in checks]
    try:
        outcomes = ingest(saved, config, lang=lg, acknowledged_by=name if acknowledged else None, actor=name)
    except WarehouseBusyError:
        st.error(t("upload_busy"))
        st.stop()
    for o in outcomes:
        if o.status == "held":
            st.warning(t("held_note", file=plain(o.file_name)))
        else:
            (st.success if o.status == "loaded" else st.info if o.status == "duplicate" else st.error)(plain(o.summary_line(lg)))
    st.session_state["upload_round"] = st.session_state.get("upload_round", 0) + 1
    st.toast(t("upload_done"))
