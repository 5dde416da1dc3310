"""Which view of the figures this session reads: approved only, or including pending values.

Viewers always read the deployment's default (approved figures only while sign-off is on).
Analysts and approvers may switch to "including pending" in the sidebar; the choice lives
under a plain session key (a widget's own key can be dropped on a rerun, see dashboard/app.py).
Every page says which view it shows with `caption()` under its title.
"""

from __future__ import annotations

import streamlit as st

from dashboard.data import settings
from dashboard.strings import t
from pipelines.read_model.visibility import APPROVED, INCLUDING_PENDING, View, default_view

_KEY = "include_pending"


def _user():
    return st.session_state.get("current_user")


def may_see_pending() -> bool:
    user = _user()
    return bool(user is not None and user.is_analyst)


def current_view() -> View:
    """The view of this session: a viewer never gets pending values, whatever the session holds."""
    return default_view(settings(), include_pending=may_see_pending() and bool(st.session_state.get(_KEY)))


def signoff_on() -> bool:
    return settings().approval_on


def sidebar_switch() -> None:
    """The 'including pending' toggle, for analysts and approvers while sign-off is on."""
    if not signoff_on() or not may_see_pending():
        return

    def _changed() -> None:
        st.session_state[_KEY] = bool(st.session_state["include_pending_choice"])

    with st.sidebar:
        st.toggle(t("view_switch"), value=bool(st.session_state.get(_KEY)), key="include_pending_choice",
                  on_change=_changed, help=t("view_switch_help"))


def caption() -> None:
    """The small badge under a page's title that says which figures it shows (nothing with sign-off off)."""
    if not signoff_on():
        return
    view = current_view()
    if view == APPROVED:
        st.caption(":material/verified: " + t("view_approved"))
    elif view == INCLUDING_PENDING:
        st.caption(":material/pending: " + t("view_pending"))
