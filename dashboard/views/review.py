"""Quarterly review: the very PNG panels `kpi report` renders, on screen and printable one per page."""

from __future__ import annotations

import streamlit as st

from dashboard import viewing
from dashboard.components import empty_state, plain
from dashboard.commentary_view import quarter_commentary, show_commentary
from dashboard.data import review_images, settings, snapshot, token
from dashboard.formatting import fmt_period
from dashboard.review import quarters_available
from dashboard.strings import lang, t
from pipelines.read_model.visibility import INCLUDING_PENDING

PRINT_CSS = """
<style>
@media print {
  [data-testid="stSidebar"], [data-testid="stHeader"], [data-testid="stToolbar"], .review-controls { display: none !important; }
  [data-testid="stImage"] { break-after: page; page-break-after: always; }
  @page { size: landscape; margin: 8mm; }
}
</style>
"""

st.title(t("review_title"))
viewing.caption()
shown_view = viewing.current_view()
snap = snapshot(token(), shown_view)
if snap is None:
    empty_state()

lg = lang()
quarters = quarters_available(snap.series)
wanted = st.query_params.get("quarter", quarters[0] if quarters else None)
quarter = st.selectbox(
    t("review_pick"), quarters, index=quarters.index(wanted) if wanted in quarters else 0,
    format_func=lambda q: fmt_period(q, lg),
)
if quarter != st.query_params.get("quarter"):
    st.query_params["quarter"] = quarter
st.caption(t("review_print_hint"))
st.markdown(PRINT_CSS, unsafe_allow_html=True)

with st.spinner(t("review_rendering")):
    images = review_images(token(), quarter, lg, shown_view)
for slug, heading, png in images:
    st.image(png, caption=plain(heading), width="stretch", output_format="PNG")

# The quarter's commentary as text (the slides carry it too, as pictures): searchable, readable aloud.
st.subheader(t("commentary_title") + " · " + fmt_period(quarter, lg))
commentary = quarter_commentary(token(), quarter, shown_view)
for code in commentary:
    if code in snap.catalog.indicators:
        st.text(snap.catalog.indicators[code].name(lg))
        show_commentary(snap.catalog, code, quarter, commentary[code], lg,
                        mark_pending=shown_view == INCLUDING_PENDING and settings().approval_on)
if not commentary:
    st.caption(t("changes_none"))
