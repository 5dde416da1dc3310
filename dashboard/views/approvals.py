"""Approvals: what waits for an approver per reporter and period, approve or send back, close and
reopen quarters, and the audit log (read-only).

Every write goes through pipelines.signoff (the single-writer publish-and-swap path, with its
audit row in the same transaction) under the signed-in user's name. Writes run in button
callbacks, before the page is drawn, so the page below always shows the state after them.
"""

from __future__ import annotations

import json

import polars as pl
import streamlit as st

from dashboard.auth import require_approver
from dashboard.components import plain
from dashboard.data import settings, token, value_warnings, waiting_values
from dashboard.formatting import fmt_number, fmt_period
from dashboard.prepared import arrow_table
from dashboard.strings import lang, t
from pipelines import signoff
from pipelines.commentary_signoff import approve_commentary, waiting as waiting_commentary
from pipelines.load_plan import breakdown_text
from pipelines.read_model.audit import read_audit
from pipelines.read_model.signoff import closed_list
from pipelines.read_model.visibility import INCLUDING_PENDING
from pipelines.warehouse.store import WarehouseBusyError

AUDIT_ROWS = 500
_FLASH = "signoff_flash"

user = st.session_state.get("current_user")
require_approver(user)
config = settings()
lg = lang()


def _act(action: str, **kwargs: str | None) -> None:
    """Run one sign-off write as the signed-in user; the outcome is shown at the top of the page."""
    try:
        if action == "approve":
            done = signoff.approve(config, kwargs["reporter"], kwargs["period"], actor=user.name)
        elif action == "approve_commentary":
            done = approve_commentary(config, kwargs["quarter"], kwargs["indicator"], actor=user.name)
        elif action == "unapprove":
            done = signoff.unapprove(config, kwargs["reporter"], kwargs["period"], kwargs.get("reason"), actor=user.name)
        elif action == "close":
            done = signoff.close_quarter(config, kwargs["quarter"], actor=user.name, reason=kwargs.get("reason"))
        else:
            done = signoff.reopen_quarter(config, kwargs["quarter"], kwargs.get("reason"), actor=user.name)
    except signoff.SignoffError as exc:
        st.session_state[_FLASH] = ("error", str(exc))
    except WarehouseBusyError:
        st.session_state[_FLASH] = ("error", t("signoff_busy"))
    else:
        st.session_state[_FLASH] = ("success", t("done_" + action, obj=done.obj, n=done.values))


def _from_state(action: str, reason_key: str, **fixed: str) -> None:
    """A form's callback: the reason (and quarter/period fields) as typed, then the write."""
    values = {k: (st.session_state.get(v) or "").strip() if k.endswith("_key") else v for k, v in fixed.items()}
    args = {k.removesuffix("_key"): v for k, v in values.items()}
    reason = (st.session_state.get(reason_key) or "").strip()
    if action in ("unapprove", "reopen") and not reason:
        st.session_state[_FLASH] = ("error", t("reason_needed"))
        return
    _act(action, reason=reason or None, **args)


st.title(t("approvals_title"))
st.caption(t("approvals_help"))
flash = st.session_state.pop(_FLASH, None)
if flash is not None:
    kind, message = flash
    (st.error if kind == "error" else st.success)(plain(message))

version = token()

# -- what waits --------------------------------------------------------------------------------
st.subheader(t("approvals_waiting"))
rows = waiting_values(version)
warnings = value_warnings(version, None, INCLUDING_PENDING)


def _key(indicator: str, reporter: str, period: str, breakdown: dict, load_id: int) -> tuple:
    return indicator, reporter, period, json.dumps(breakdown, sort_keys=True, ensure_ascii=False), load_id


warned: dict[tuple, list[str]] = {}
for w in warnings:
    key = _key(w["indicator"], w["reporter"], w["period"], json.loads(w["breakdown"]), w["load_id"])
    warned.setdefault(key, []).append(w["warning"].message(lg))
if not rows:
    st.success(t("approvals_none"))
pairs: dict[tuple[str, str], list[dict]] = {}
for row in rows:
    pairs.setdefault((row["reporter"], row["period"]), []).append(row)
for (reporter, period), values in pairs.items():
    with st.container(border=True, key=f"pair_{reporter}_{period}"):
        st.markdown("**" + t("approvals_pair", reporter=plain(reporter), period=fmt_period(period, lg), n=len(values)) + "**")
        if values[0]["sent_back"] and values[0]["sent_back_reason"]:
            st.caption(t("approvals_sent_back", reason=plain(values[0]["sent_back_reason"])))
        breakdown_json = [json.dumps(v["breakdown"], sort_keys=True, ensure_ascii=False) for v in values]
        frame = pl.DataFrame({
            t("page_indicator"): [v["indicator"] for v in values],
            t("breakdown"): [breakdown_text(b) if b != "{}" else t("total") for b in breakdown_json],
            t("new_value"): [fmt_number(v["value"], lg) for v in values],
            t("approved_value"): ["—" if v["approved_value"] is None else fmt_number(v["approved_value"], lg) for v in values],
            t("change"): [t("change_" + v["change"]) for v in values],
            t("warning"): [" | ".join(warned.get(_key(v["indicator"], v["reporter"], v["period"], v["breakdown"], v["load_id"]), []))
                           for v in values],
            t("file"): [v["file_name"] for v in values],
            t("loaded_at"): [v["received_at"] for v in values],
        }, schema={c: pl.String for c in (t("page_indicator"), t("breakdown"), t("new_value"), t("approved_value"),
                                          t("change"), t("warning"), t("file"), t("loaded_at"))})
        st.dataframe(arrow_table(frame), hide_index=True, width="stretch")
        left, right = st.columns([1, 2])
        left.button(t("approve_button", reporter=reporter, period=period), type="primary", key=f"approve_{reporter}_{period}",
                    on_click=_act, args=("approve",), kwargs={"reporter": reporter, "period": period})
        if any(v["change"] == "revised" for v in values) and not values[0]["sent_back"]:
            with right.form(f"back_{reporter}_{period}", border=False):
                st.text_input(t("reason"), key=f"reason_{reporter}_{period}", max_chars=signoff.MAX_REASON_CHARS)
                st.form_submit_button(t("send_back_button"), on_click=_from_state,
                                      args=("unapprove", f"reason_{reporter}_{period}"),
                                      kwargs={"reporter": reporter, "period": period})

# -- commentary that waits (text from data: st.text, never Markdown) -----------------------------
st.subheader(t("approvals_commentary"))
notes = waiting_commentary(config.warehouse_path)
if not notes:
    st.caption(t("approvals_commentary_none"))
for w in notes:
    with st.container(border=True, key=f"note_{w.indicator}_{w.quarter}"):
        st.markdown("**" + t("approvals_commentary_item", indicator=plain(w.indicator), quarter=fmt_period(w.quarter, lg),
                             n=len(w.versions)) + "**")
        for v in w.versions:
            st.caption(plain(t("approvals_commentary_by", lang=v["lang"], author=v["author"], at=v["written_at"])))
            st.text(f"{t('commentary_owner')}: {v['owner']}")
            for key in ("happened", "challenges", "next_steps"):
                if v[key]:
                    st.text(f"{t('commentary_' + key)}: {v[key]}")
            if v["replaces"]:
                st.text(t("approvals_commentary_replaces", text=v["replaces"]))
        st.button(t("approve_commentary_button", indicator=w.indicator, quarter=w.quarter), type="primary",
                  key=f"approve_note_{w.indicator}_{w.quarter}", on_click=_act, args=("approve_commentary",),
                  kwargs={"quarter": w.quarter, "indicator": w.indicator})

# -- send back approved figures ------------------------------------------------------------------
with st.expander(t("send_back_title")):
    st.caption(t("send_back_help"))
    with st.form("send_back"):
        c1, c2 = st.columns(2)
        c1.text_input(t("reporter"), key="sb_reporter", max_chars=32)
        c2.text_input(t("period"), key="sb_period", max_chars=16, placeholder="2026-Q3")
        st.text_input(t("reason"), key="sb_reason", max_chars=signoff.MAX_REASON_CHARS)
        st.form_submit_button(t("send_back_button"), on_click=_from_state, args=("unapprove", "sb_reason"),
                              kwargs={"reporter_key": "sb_reporter", "period_key": "sb_period"})

# -- closed quarters ---------------------------------------------------------------------------
st.subheader(t("quarters_title"))
st.caption(t("quarters_help"))
closed = closed_list(config.warehouse_path)
if closed:
    st.markdown(t("quarters_closed", quarters=", ".join(
        f"{c.quarter} ({plain(c.actor)}, {c.at_utc:%Y-%m-%d})" for c in closed)))
else:
    st.caption(t("quarters_none"))
with st.form("quarters"):
    c1, c2 = st.columns([1, 2])
    c1.text_input(t("quarter"), key="q_quarter", max_chars=16, placeholder="2026-Q3")
    c2.text_input(t("reason"), key="q_reason", max_chars=signoff.MAX_REASON_CHARS)
    b1, b2 = st.columns(2)
    b1.form_submit_button(t("close_button"), on_click=_from_state, args=("close", "q_reason"),
                          kwargs={"quarter_key": "q_quarter"})
    b2.form_submit_button(t("reopen_button"), on_click=_from_state, args=("reopen", "q_reason"),
                          kwargs={"quarter_key": "q_quarter"})

# -- audit log ---------------------------------------------------------------------------------
st.subheader(t("audit_title"))
st.caption(t("audit_help", n=AUDIT_ROWS))
log = read_audit(config.warehouse_path, limit=AUDIT_ROWS)[::-1]  # newest first
st.dataframe(arrow_table(pl.DataFrame({
    t("audit_at"): [r["at"] for r in log],
    t("audit_actor"): [r["actor"] for r in log],
    t("audit_action"): [r["action"] for r in log],
    t("audit_object"): [r["object"] for r in log],
    t("reason"): [r["reason"] or "" for r in log],
    t("audit_details"): [json.dumps(r["details"], ensure_ascii=False, sort_keys=True)[:500] for r in log],
}, schema={c: pl.String for c in (t("audit_at"), t("audit_actor"), t("audit_action"), t("audit_object"), t("reason"),
                                  t("audit_details"))})), hide_index=True, width="stretch", key="audit_log")
