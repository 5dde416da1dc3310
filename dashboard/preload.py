"""The libraries every page needs, imported once before any page runs.

Streamlit runs each session's script on its own thread. On a fresh process (a replica just
started or restarted behind the proxy) two sessions' first runs can import numpy/altair at the
same moment, and CPython's import-deadlock avoidance then hands one thread a partially initialised
module: "partially initialized module 'numpy' has no attribute 'ndarray'", a page error (seen in
tests/replicas when a restarted replica got two sessions at once). Importing this module is
serialised by its own import lock, so the second thread waits until everything below is loaded.
"""

from __future__ import annotations

import altair  # noqa: F401
import duckdb  # noqa: F401
import numpy  # noqa: F401
import polars  # noqa: F401
import pyarrow  # noqa: F401

from dashboard import charts, components, data, formatting, queries, strings  # noqa: F401
