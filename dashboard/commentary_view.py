"""Commentary on the pages: the quarter's commentary per indicator, read-only for everyone, and
the analyst's form that writes a new version through the pipeline's publish path.

Which version shows follows sign-off: the approved view reads the latest approved version, the
view including pending the latest one, marked while it waits for an approver.

Commentary is text from data: it is shown with st.text / st.caption, never as Markdown or HTML.
"""

from __future__ import annotations

import streamlit as st

from dashboard.components import plain
from dashboard.data import settings
from dashboard.formatting import fmt_period
from dashboard.strings import t
from pipelines.catalog import Catalog
from pipelines.commentary import MAX_TEXT, Commentary, CommentaryError, pick, write_commentary
from pipelines.read_model.commentary import current_for_quarter
from pipelines.read_model.visibility import APPROVED, INCLUDING_PENDING, View
from pipelines.warehouse.store import WarehouseBusyError, open_reader


@st.cache_resource(show_spinner=False, max_entries=16)
def quarter_commentary(version: str, quarter: str, view: View) -> dict[str, dict[str, Commentary]]:
    """indicator → lang → the commentary `view` shows for the quarter, read once per published version."""
    with open_reader(settings().warehouse_path) as con:
        return {} if con is None else current_for_quarter(con, quarter, view)


def newer_waits(version: str, quarter: str, code: str, view: View) -> bool:
    """In the approved view with sign-off on: a version newer than the one shown waits for approval."""
    if view != APPROVED or not settings().approval_on:
        return False
    pending = quarter_commentary(version, quarter, INCLUDING_PENDING).get(code, {})
    return any(c.pending for c in pending.values())


def error_text(exc: CommentaryError) -> str:
    """Every issue of a refused entry in the reader's language (the CLI prints them in English)."""
    labels = {"happened": t("commentary_happened"), "challenges": t("commentary_challenges"),
              "next_steps": t("commentary_next_steps")}
    return "; ".join(t("commentary_err_" + i.code, field=labels.get(i.field, i.field), **i.params) for i in exc.issues)


def owner_label(catalog: Catalog, code: str, lg: str) -> str:
    unit = catalog.reporters.get(code)
    return f"{unit.name_vi if lg == 'vi' else unit.name_en} ({code})" if unit else code


def show_commentary(catalog: Catalog, code: str, quarter: str, versions: dict[str, Commentary] | None, lg: str,
                    mark_pending: bool = False) -> None:
    """The indicator's commentary for the quarter (in the reader's language when there is one);
    `mark_pending`: say so when the version shown waits for approval (the view including pending)."""
    c = pick(versions, lg)
    if c is None:
        st.caption(t("commentary_missing", quarter=fmt_period(quarter, lg)))
        return
    # st.text, not st.caption: the owner's name comes from the catalog, and data is never Markdown.
    st.text(t("commentary_head", quarter=fmt_period(quarter, lg), owner=owner_label(catalog, c.owner, lg))
            + ("" if c.lang == lg else " · " + t("commentary_in_vi" if c.lang == "vi" else "commentary_in_en"))
            + (" · " + t("pending_marker") if mark_pending and c.pending else ""))
    for key, value in (("commentary_happened", c.happened), ("commentary_challenges", c.challenges),
                       ("commentary_next_steps", c.next_steps)):
        if value:
            st.text(f"{t(key)}: {value}")


def commentary_form(catalog: Catalog, code: str, quarter: str, author: str, lg: str) -> None:
    """An analyst writes a new version; earlier ones are kept. Validated by the same rules as `kpi comment`."""
    owners = list(catalog.reporters)
    if st.session_state.pop(_CLEAR, False):  # set before the widgets exist: Streamlit sends the empty values
        for key in ("cm_happened", "cm_challenges", "cm_next_steps"):
            st.session_state[key] = ""
    with st.form(f"commentary_{code}_{quarter}", clear_on_submit=False):
        st.caption(t("commentary_form_help", quarter=fmt_period(quarter, lg)))
        owner = st.selectbox(t("commentary_owner"), owners, format_func=lambda o: owner_label(catalog, o, lg), key="cm_owner")
        text_lang = st.radio(t("language"), ["vi", "en"], horizontal=True, key="cm_lang")
        happened = st.text_area(t("commentary_happened"), max_chars=MAX_TEXT, key="cm_happened")
        challenges = st.text_area(t("commentary_challenges"), max_chars=MAX_TEXT, key="cm_challenges")
        next_steps = st.text_area(t("commentary_next_steps"), max_chars=MAX_TEXT, key="cm_next_steps")
        if not st.form_submit_button(t("commentary_save")):
            return
    entry = Commentary(code, quarter, owner, happened, challenges, next_steps, text_lang, author)
    try:
        write_commentary(settings().warehouse_path, catalog, entry, settings().lock_timeout_s)
    except CommentaryError as exc:
        st.error(plain(t("commentary_not_saved", reason=error_text(exc))))  # typed text: never Markdown
        return
    except WarehouseBusyError:
        st.error(t("commentary_not_saved", reason=t("commentary_err_busy")))
        return
    st.session_state[SAVED_FLASH] = t("commentary_saved_waits" if settings().approval_on else "commentary_saved")
    st.session_state[_CLEAR] = True  # saved: an empty form for the next version
    st.rerun()


SAVED_FLASH = "commentary_saved_flash"
_CLEAR = "commentary_clear_form"


def saved_flash() -> None:
    """The confirmation of a save, shown once on the run after it (the save reruns the page)."""
    message = st.session_state.pop(SAVED_FLASH, None)
    if message:
        st.success(message)


def commentary_section(catalog: Catalog, code: str, quarter: str, version: str, view: View, lg: str) -> None:
    """The indicator page's part: the commentary the view shows, and for analysts the form (and a
    note when a newer version than the one shown waits for approval)."""
    marking = view == INCLUDING_PENDING and settings().approval_on
    show_commentary(catalog, code, quarter, quarter_commentary(version, quarter, view).get(code), lg, mark_pending=marking)
    viewer = st.session_state.get("current_user")
    if viewer is None or not viewer.is_analyst:
        return
    if newer_waits(version, quarter, code, view):
        st.caption(t("commentary_newer_waits"))
    saved_flash()
    with st.expander(t("commentary_write")):
        commentary_form(catalog, code, quarter, viewer.name, lg)
