"""The floor: a bare Streamlit app with the dashboard's pages and as many elements on each.

`bench.serving` runs it like the dashboard and reports the dashboard's server CPU per view as a
multiple of this one's: what Streamlit itself costs for a page of that size (session, script
run, protobuf deltas, websocket) with no data, no charts and no formatting.

FLOOR_ELEMENTS (JSON: url_path -> number of delta messages a view of that page sends, as
measured on the dashboard) sizes the pages; bordered cards of a title, a metric and two lines,
like the overview's, until the count is reached.
"""

from __future__ import annotations

import json
import os

import streamlit as st

COUNTS: dict[str, int] = json.loads(os.environ.get("FLOOR_ELEMENTS", '{"": 138}'))


def _page(count: int):
    def body() -> None:
        st.title("Floor")  # 1 delta
        left = count - 1
        columns = st.columns(3)  # 4 deltas (the row and three columns)
        left -= 4
        i = 0
        while left >= 5:  # a card: its container and four elements
            with columns[i % 3].container(border=True):
                st.markdown(f"**Indicator {i}**")
                st.metric("Latest · Q3 2026", f"{i * 1.5:,.1f}")
                st.markdown(f"2030: **{i + 100}**")
                st.markdown(f"2045: **{i + 150}**")
            left -= 5
            i += 1
        for j in range(max(left, 0)):
            st.caption(f"line {j}")

    return body


st.set_page_config(page_title="floor", layout="wide")
pages = [
    st.Page(_page(n), title=path or "home", url_path=path or "home", default=not path)
    for path, n in COUNTS.items()
]
st.navigation(pages).run()
