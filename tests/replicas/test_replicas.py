"""Two replicas behind HAProxy (issue 20), driven through the proxy by the protocol-level client
(bench/streamlit_client.py): real websocket sessions running real pages, no browser.

Which replica served a session is read from the proxy itself: the sticky cookie it sets (SRV=r1 or
r2) and its per-server session counters (stats page). The tests run in file order on one
deployment; the last one kills a replica and brings it back.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import stat
import time
from pathlib import Path

import pytest

from bench.streamlit_client import ViewResult
from deploy.serve import Deployment
from tests.replicas.conftest import SEED_FILE, kpi
from tests.replicas.session import Session

pytestmark = pytest.mark.replicas

OVERVIEW = ""  # the default page, as a browser at "/" asks for it
STATUS = "data-status"  # lists every load by file name


def run(coro):
    return asyncio.run(asyncio.wait_for(coro, 120))


def assert_ok(result: ViewResult) -> None:
    assert result.ok, f"{result.label}: {result.status} {result.exceptions} {result.error_alerts}"
    assert not result.error_alerts, result.error_alerts


def sessions_by_server(dep: Deployment) -> dict[str, int]:
    return {name: int(row["stot"]) for name, row in dep.stats().items()}


def delta(before: dict[str, int], after: dict[str, int]) -> dict[str, int]:
    return {name: after[name] - before.get(name, 0) for name in after}


async def open_sessions(url: str, n: int, cookies: dict[str, str] | None = None, page: str = OVERVIEW) -> list[Session]:
    """n sessions open at once (as n browsers), each having run `page` once."""
    sessions = [Session(url, cookies=cookies, view_timeout_s=60) for _ in range(n)]
    for s in sessions:  # one after another: the proxy's leastconn sees the ones already open
        await s.connect()
    for result in await asyncio.gather(*(s.view(page) for s in sessions)):
        assert_ok(result)
    return sessions


async def close_all(sessions: list[Session]) -> None:
    for s in sessions:
        await s.close()


def wait_status(dep: Deployment, name: str, status: str, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while (seen := dep.stats()[name]["status"]) != status:
        assert time.monotonic() < deadline, f"{name} still {seen}, not {status}, after {timeout} s"
        time.sleep(0.1)


def test_every_replica_gets_the_same_cookie_secret_from_a_private_file_not_from_its_command_line(
        deployment: Deployment, data_dir: Path) -> None:
    secret_file = data_dir / "state" / "cookie-secret"
    assert stat.S_IMODE(secret_file.stat().st_mode) == 0o600
    secret = secret_file.read_text().strip()
    assert len(secret) >= 32
    for replica in deployment.replicas:
        pid = replica.process.pid
        environ = dict(item.split("=", 1) for item in Path(f"/proc/{pid}/environ").read_text().split("\0") if "=" in item)
        assert environ["STREAMLIT_SERVER_COOKIE_SECRET"] == secret, replica.name
        assert secret not in Path(f"/proc/{pid}/cmdline").read_text()
    assert secret not in deployment.config_path.read_text()


def test_new_sessions_spread_over_both_replicas_and_a_cookie_keeps_a_browser_on_its_replica(
        deployment: Deployment) -> None:
    async def scenario() -> None:
        # Four browsers arrive with no cookie: the proxy balances them and names each one's replica.
        fresh = await open_sessions(deployment.url, 4)
        landed = [s.response_cookies.get("SRV") for s in fresh]
        await close_all(fresh)
        assert sorted(landed) == ["r1", "r1", "r2", "r2"], landed

        # A browser holding SRV=r2: every connection it makes (new tabs, reconnects) goes to r2.
        before = sessions_by_server(deployment)
        pinned = await open_sessions(deployment.url, 3, cookies={"SRV": "r2"}, page=STATUS)
        assert all("SRV" not in s.response_cookies for s in pinned)  # cookie valid: not set again
        await close_all(pinned)
        assert delta(before, sessions_by_server(deployment)) == {"r1": 0, "r2": 3}

    run(scenario())


def test_a_browser_reconnecting_through_a_restarted_proxy_gets_its_own_session_back(deployment: Deployment) -> None:
    async def first_visit() -> str:
        async with Session(deployment.url, view_timeout_s=60) as s:
            assert_ok(await s.view(OVERVIEW))
            server = s.response_cookies["SRV"]
            session_id = s.session_id
        return server, session_id

    server, session_id = run(first_visit())
    assert session_id
    deployment.restart_proxy(timeout=30)  # a new HAProxy process: no state carried over but the config

    async def come_back() -> Session:
        async with Session(deployment.url, cookies={"SRV": server}, resume=session_id, view_timeout_s=60) as s:
            assert_ok(await s.view(OVERVIEW))
            return s

    back = run(come_back())
    assert "SRV" not in back.response_cookies  # still a valid cookie: same replica
    assert back.session_id == session_id  # the replica still had the session: it resumed


def test_a_publish_by_the_ingest_is_seen_by_every_replica(deployment: Deployment, data_dir: Path) -> None:
    probe = data_dir.parent / f"replica_probe_{os.getpid()}.csv"
    shutil.copyfile(SEED_FILE.with_name("mofa_training.csv"), probe)

    async def before() -> list[Session]:
        sessions = []
        for server in ("r1", "r2"):
            s = Session(deployment.url, cookies={"SRV": server}, view_timeout_s=60)
            await s.connect()
            assert_ok(await s.view(STATUS))
            assert not s.saw(probe.name)
            sessions.append(s)
        return sessions

    async def scenario() -> None:
        sessions = await before()
        done = await asyncio.to_thread(kpi, data_dir, "ingest", str(probe))
        assert done.returncode == 0, done.stdout + done.stderr
        for s in sessions:  # the same sessions, next view: each replica reads the newly published file
            s.frames.clear()
            assert_ok(await s.view(STATUS))
            assert s.saw(probe.name), f"{s.cookies}: the new load is not on the data status page"
        await close_all(sessions)

    stats_before = sessions_by_server(deployment)
    run(scenario())
    assert delta(stats_before, sessions_by_server(deployment)) == {"r1": 1, "r2": 1}


def test_a_killed_replicas_browsers_get_a_fresh_session_on_the_other_and_new_ones_avoid_it_until_it_is_back(
        deployment: Deployment) -> None:
    async def scenario() -> None:
        victim = Session(deployment.url, cookies={"SRV": "r1"}, view_timeout_s=60)
        await victim.connect()
        assert_ok(await victim.view(OVERVIEW))
        old_session = victim.session_id
        r1 = deployment.replica("r1")
        r1.process.send_signal(signal.SIGKILL)  # a crash: no goodbye to anyone
        await asyncio.to_thread(r1.process.wait, 10)
        await victim.close()

        # Straight away, before the health check has noticed: the browser reconnects with its cookie
        # and old session id; the proxy redispatches it to r2, which starts a fresh session.
        async with Session(deployment.url, cookies={"SRV": "r1"}, resume=old_session, view_timeout_s=60) as s:
            assert_ok(await s.view(OVERVIEW))
            assert s.response_cookies.get("SRV") == "r2", s.response_cookies
            assert s.session_id and s.session_id != old_session
        # New browsers: every one of them is served, by r2.
        fresh = await open_sessions(deployment.url, 3)
        assert [s.response_cookies.get("SRV") for s in fresh] == ["r2"] * 3
        await close_all(fresh)

        # Once the health check has marked r1 down, new sessions do not even try it.
        await asyncio.to_thread(wait_status, deployment, "r1", "DOWN")
        before = await asyncio.to_thread(sessions_by_server, deployment)
        await close_all(await open_sessions(deployment.url, 2))
        assert delta(before, await asyncio.to_thread(sessions_by_server, deployment)) == {"r1": 0, "r2": 2}

        # r1 is back (as the launcher's supervisor or systemd would restart it): new sessions use it again.
        await asyncio.to_thread(deployment.start_replica, "r1", 60)
        await asyncio.to_thread(wait_status, deployment, "r1", "UP")
        fresh = await open_sessions(deployment.url, 4)
        landed = sorted(s.response_cookies.get("SRV") for s in fresh)
        await close_all(fresh)
        assert landed == ["r1", "r1", "r2", "r2"], landed

    run(scenario())
