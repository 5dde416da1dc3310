"""The app's root (/): opens the overview at its own path, /overview, with the URL's parameters.

Streamlit serves its default page at the root only and answers "page not found" for the
default page's own path; so the default is this hidden page and the overview is an ordinary
page that /overview reaches.
"""

from __future__ import annotations

import streamlit as st

st.switch_page("views/overview.py", query_params=st.query_params.to_dict())
