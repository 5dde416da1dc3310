"""The protocol-level client tells a finished page from a failed one, an unknown page and a hang.

Against a real `streamlit run` of a tiny app on 127.0.0.1: without this, a load test whose
client missed exceptions (or stopped timing too early) would pass whatever the pages did.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bench.serving import sample_env, start_server
from bench.streamlit_client import Page, StreamlitSession, run_load

APP = '''
import time
import streamlit as st

def home():
    st.title("home")

def fine():
    st.title("fine")
    st.write(st.query_params.get("x", "none"))

def boom():
    st.title("boom")
    raise ValueError("the page failed")

def error():
    st.error("shown as an error")

def slow():
    time.sleep(float(st.query_params.get("s", "1.5")))
    st.title("slow")

st.navigation([st.Page(home, url_path="home", default=True), st.Page(fine, url_path="fine"), st.Page(boom, url_path="boom"),
               st.Page(error, url_path="error"), st.Page(slow, url_path="slow")]).run()
'''


@pytest.fixture(scope="module")
def tiny_server(tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("tiny")
    app = folder / "tiny_app.py"
    app.write_text(APP, encoding="utf-8")
    server = start_server(app, sample_env(folder / "data"), folder / "server.log", cpu=None)
    try:
        yield server
    finally:
        server.stop()


def test_views_report_success_exceptions_errors_unknown_pages_and_timeouts(tiny_server) -> None:
    async def go():
        async with StreamlitSession(tiny_server.url) as session:
            return [
                await session.view(""),
                await session.view(Page("fine", "x=1")),
                await session.view("boom"),
                await session.view("error"),
                await session.view("no-such-page"),
                await session.view("slow", "s=1.5"),
                await session.view("slow", "s=3", timeout_s=1.0),
            ], session.session_id

    (default, fine, boom, error, unknown, slow, hung), session_id = asyncio.run(go())
    assert session_id
    assert default.ok and default.deltas > 0 and default.label == "(default)"
    assert fine.ok and fine.label == "fine?x=1"
    assert boom.status == "exception" and not boom.ok
    assert len(boom.exceptions) == 1  # its text depends on client.showErrorDetails (the project's hides it)
    assert error.ok and error.error_alerts == ["shown as an error"]
    assert unknown.status == "page_not_found" and not unknown.ok
    assert slow.ok and slow.seconds >= 1.5  # timed until the script stopped running, not the first message
    assert hung.status == "timeout" and 1.0 <= hung.seconds < 2.5


def test_run_load_counts_errors_and_cycles_over_pages(tiny_server) -> None:
    pages = [Page("fine"), Page("boom")]
    summary = asyncio.run(run_load(tiny_server.url, pages, sessions=4, views=2, think_s=0.1))
    assert len(summary.results) == 8
    assert summary.completed == 4 and summary.errors == 4 and summary.hangs == 0
    figures = summary.to_dict()
    assert set(figures["by_page"]) == {"fine", "boom"}
    assert figures["all"]["n"] == 4 and figures["all"]["p95_s"] is not None
