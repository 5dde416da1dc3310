"""Who is asking, as the sign-in throttle and the demo-mode check read it from the request (issue 14)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
import streamlit as st
from streamlit.runtime.context import StreamlitHeaders

from dashboard import access


def request(monkeypatch, headers: list[tuple[str, str]], peer: str | None = None) -> None:
    """The request's headers as Streamlit parses them (repeated names kept), peer None = loopback."""
    monkeypatch.setattr(access.st, "context", SimpleNamespace(headers=StreamlitHeaders(headers), ip_address=peer))


def test_the_proxys_own_forwarded_for_line_counts_not_one_the_client_sent(monkeypatch):
    # HAProxy `option forwardfor` adds a second X-Forwarded-For line after the client's forged one.
    request(monkeypatch, [("Host", "kpi.example.gov.vn"), ("X-Forwarded-For", "6.6.6.6"), ("X-Forwarded-For", "10.0.0.7")])
    assert access.client_address() == "10.0.0.7"


def test_nginx_appends_to_one_line(monkeypatch):
    request(monkeypatch, [("X-Forwarded-For", "6.6.6.6, 10.0.0.7")])
    assert access.client_address() == "10.0.0.7"


def test_headers_from_a_peer_that_is_not_loopback_are_not_believed(monkeypatch):
    request(monkeypatch, [("X-Forwarded-For", "10.0.0.7")], peer="192.0.2.10")
    assert access.client_address() == "192.0.2.10"


@pytest.mark.parametrize("headers, local", [
    ([("Host", "127.0.0.1:8501")], True),
    ([("Host", "localhost:8501"), ("Origin", "http://localhost:8501")], True),
    ([("Host", "[::1]:8501")], True),
    ([("Host", "kpi.example.gov.vn")], False),
    ([("Host", "127.0.0.1:8501"), ("Origin", "https://kpi.example.gov.vn")], False),
    ([("Host", "127.0.0.1:8501"), ("X-Forwarded-For", "10.0.0.7")], False),
    ([("Host", "127.0.0.1:8501"), ("Forwarded", "for=10.0.0.7")], False),
    ([("Host", "127.0.0.1:8501"), ("X-Real-IP", "10.0.0.7")], False),
    ([("Host", "127.0.0.1:8501"), ("Via", "1.1 proxy")], False),
], ids=["ip", "localhost", "ipv6", "public-host", "public-origin", "x-forwarded-for", "forwarded", "x-real-ip", "via"])
def test_only_a_direct_request_on_loopback_is_local(monkeypatch, headers, local):
    st.config.set_option("server.address", "127.0.0.1")
    request(monkeypatch, headers)
    assert access.request_is_local(None) is local  # type: ignore[arg-type]
