"""Commentary on the pages: the quarter's commentary per indicator, read-only for everyone, and
the analyst's form that writes a new version through the pipeline's publish path.

Commentary is text from data: it is shown with st.text / st.caption, never as Markdown or HTML.
"""

from __future__ import annotations

import streamlit as st

from dashboard.data import settings
from dashboard.formatting import fmt_period
from dashboard.strings import t
from pipelines.catalog import Catalog
from pipelines.commentary import MAX_TEXT, Commentary, CommentaryError, pick, write_commentary
from pipelines.read_model.commentary import current_for_quarter
from pipelines.warehouse.store import WarehouseBusyError, open_reader


@st.cache_resource(show_spinner=False, max_entries=8)
def quarter_commentary(version: str, quarter: str) -> dict[str, dict[str, Commentary]]:
    """indicator → lang → current commentary for the quarter, read once per published version."""
    with open_reader(settings().warehouse_path) as con:
        return {} if con is None else current_for_quarter(con, quarter)


def owner_label(catalog: Catalog, code: str, lg: str) -> str:
    unit = catalog.reporters.get(code)
    return f"{unit.name_vi if lg == 'vi' else unit.name_en} ({code})" if unit else code


def show_commentary(catalog: Catalog, code: str, quarter: str, versions: dict[str, Commentary] | None, lg: str) -> None:
    """The indicator's commentary for the quarter (in the reader's language when there is one)."""
    c = pick(versions, lg)
    if c is None:
        st.caption(t("commentary_missing", quarter=fmt_period(quarter, lg)))
        return
    # st.text, not st.caption: the owner's name comes from the catalog, and data is never Markdown.
    st.text(t("commentary_head", quarter=fmt_period(quarter, lg), owner=owner_label(catalog, c.owner, lg))
            + ("" if c.lang == lg else " · " + t("commentary_in_vi" if c.lang == "vi" else "commentary_in_en")))
    for key, value in (("commentary_happened", c.happened), ("commentary_challenges", c.challenges),
                       ("commentary_next_steps", c.next_steps)):
        if value:
            st.text(f"{t(key)}: {value}")


def commentary_form(catalog: Catalog, code: str, quarter: str, author: str, lg: str) -> None:
    """An analyst writes a new version; earlier ones are kept. Validated by the same rules as `kpi comment`."""
    owners = list(catalog.reporters)
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
    except (CommentaryError, WarehouseBusyError) as exc:
        st.error(t("commentary_not_saved", reason=str(exc)))
        return
    st.success(t("commentary_saved"))
    st.rerun()
