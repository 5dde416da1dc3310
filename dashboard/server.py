"""The entry every launcher runs: `streamlit run dashboard/server.py`.

The dashboard itself is dashboard/app.py (sign-in, language, navigation; AppTest runs it
directly). This file wraps it in Streamlit's `st.App` to add the two small HTTP routes that set
and clear the HttpOnly session cookie (dashboard/session_routes.py), which a script running
over the WebSocket cannot do. `streamlit run` finds `app` below and serves it with uvicorn, with
every `--server.*` option and `.streamlit/config.toml` as before.
"""

from pathlib import Path

import streamlit as st

from dashboard.session_routes import routes

app = st.App(Path(__file__).resolve().parent / "app.py", routes=routes())
