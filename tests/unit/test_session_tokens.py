"""The session cookie's token and the shared sign-out record (dashboard/tokens.py, revocations.py, sessions.py)."""

from __future__ import annotations

import multiprocessing
import time
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from dashboard import sessions, tokens
from dashboard.revocations import Revocations
from pipelines.users import Account, hash_password
from tests.support.warehouse import make_settings

SECRET = "s" * 64
NOW = 1_800_000_000


def claims(**over) -> tokens.Claims:
    base = dict(purpose="session", name="lan", sid="sid-1", issued=NOW, expires=NOW + 3600, fingerprint="fp")
    return tokens.Claims(**{**base, **over})


def test_a_token_verifies_for_its_purpose_until_it_expires():
    token = tokens.sign(SECRET, claims())
    assert tokens.verify(SECRET, token, "session", now=NOW + 10) == claims()
    assert tokens.verify(SECRET, token, "session", now=NOW + 3600) is None  # expired
    assert tokens.verify(SECRET, token, "handoff", now=NOW + 10) is None  # a session token is no hand-off
    assert tokens.verify("t" * 64, token, "session", now=NOW + 10) is None  # another deployment's secret


def test_a_changed_payload_or_signature_is_refused():
    version, payload, mac = tokens.sign(SECRET, claims()).split(".")
    other_payload = tokens.sign(SECRET, claims(name="chi")).split(".")[1]
    for forged in (f"{version}.{other_payload}.{mac}", f"{version}.{payload}.{mac[:-2]}AA", f"v2.{payload}.{mac}",
                   f"{version}.{payload}", "", "x" * 5000):
        assert tokens.verify(SECRET, forged, "session", now=NOW) is None, forged


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_any_text_as_a_cookie_reads_as_nothing(text):
    assert tokens.verify(SECRET, text, "session", now=NOW) is None


def test_a_revoked_id_is_seen_by_another_reader_of_the_same_folder(tmp_path: Path):
    first, second = Revocations(tmp_path), Revocations(tmp_path)
    assert not second.is_revoked("sid-1")
    first.revoke("sid-1", time.time() + 60)
    assert second.is_revoked("sid-1") and not second.is_revoked("sid-2")


def _redeem(folder: str, queue) -> None:
    queue.put(Revocations(Path(folder)).redeem("handoff:n1", time.time() + 60))


def test_a_hand_off_is_redeemed_once_across_processes(tmp_path: Path):
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    procs = [ctx.Process(target=_redeem, args=(str(tmp_path), queue)) for _ in range(4)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
    assert sorted(queue.get(timeout=5) for _ in procs) == [False, False, False, True]


def test_compaction_keeps_ids_that_still_matter(tmp_path: Path, monkeypatch):
    monkeypatch.setattr("dashboard.revocations.MAX_BYTES", 200)
    store = Revocations(tmp_path)
    for i in range(20):
        store.revoke(f"old-{i}", time.time() - 10)  # expired tokens: need not be remembered
    store.revoke("live", time.time() + 600)
    store.revoke("live-2", time.time() + 600)
    assert store.is_revoked("live") and store.is_revoked("live-2")
    assert store.path.stat().st_size < 400


def test_restore_needs_the_account_unchanged_and_the_session_not_signed_out(tmp_path: Path):
    config = make_settings(tmp_path, cookie_secret=SECRET)
    account = Account("lan", "analyst", hash_password("pw-2026"))
    session, handoff = sessions.start(config, SECRET, account)
    cookie = sessions.cookie_value(config, SECRET, tokens.verify(SECRET, handoff, "handoff"))
    accounts = {"lan": account}
    assert sessions.restore(config, SECRET, cookie, accounts) == session
    assert sessions.restore(config, SECRET, handoff, accounts) is None  # a hand-off is not a cookie
    assert sessions.restore(config, SECRET, cookie, {}) is None  # account removed
    new_password = {"lan": Account("lan", "analyst", hash_password("new-pw-2026"))}
    assert sessions.restore(config, SECRET, cookie, new_password) is None  # password changed
    sessions.end(config, session)
    assert sessions.restore(config, SECRET, cookie, accounts) is None  # signed out
    assert not sessions.still_valid(config, session)


def test_an_unusable_secret_file_stops_with_a_message(tmp_path: Path):
    config = make_settings(tmp_path)
    (tmp_path / "state").mkdir()
    secret_file = tmp_path / "state" / "cookie-secret"
    secret_file.write_text("short\n")
    secret_file.chmod(0o600)
    try:
        sessions.secret(config)
    except sessions.SessionConfigError as exc:
        assert "fewer than 32 characters" in str(exc)
    else:
        raise AssertionError("a short secret was accepted")
