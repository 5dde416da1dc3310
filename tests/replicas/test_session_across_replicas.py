"""A built-in account's lasting session works through every replica, and so does its sign-out (issue 17).

Two replicas behind HAProxy, as `make serve` starts them, with a users file. The one-time
hand-off is made as the sign-in form makes it (dashboard.sessions.start, with the deployment's
secret) and redeemed through the proxy on r1; its cookie then signs in on r2; the same
hand-off is refused on r2 (one use, whichever replica); after a sign-out through r1, the old
cookie no longer signs in on r2.
"""

from __future__ import annotations

import asyncio
import os
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from dashboard import sessions
from deploy.serve import Deployment, free_port, start
from pipelines.secret import cookie_secret
from pipelines.settings import Settings
from pipelines.users import add_user, read_users
from tests.replicas.conftest import CHECK_INTER_MS, require_haproxy
from tests.replicas.session import Session

pytestmark = pytest.mark.replicas

NAME, PASSWORD = "lan.analyst", "replica-password-2026"


@pytest.fixture(scope="module")
def accounts_deployment(data_dir: Path) -> Iterator[Deployment]:
    require_haproxy()
    users = data_dir.parent / "users.toml"
    add_user(users, NAME, "analyst", PASSWORD)
    env = {k: v for k, v in os.environ.items() if not k.startswith("KPI_")}
    env.update(KPI_DATA_DIR=str(data_dir), KPI_USERS_FILE=str(users), KPI_LANGUAGE="en")
    settings = Settings(data_dir=data_dir, users_file=users, _env_file=None)  # type: ignore[call-arg]
    dep = start(2, port=free_port(), run_dir=data_dir / "state" / "serve-accounts", settings=settings, env=env,
                check_inter_ms=CHECK_INTER_MS, timeout=60)
    dep.settings = settings  # type: ignore[attr-defined]
    try:
        yield dep
    finally:
        dep.stop()


@pytest.fixture
def deployment(accounts_deployment: Deployment) -> Deployment:
    """The conftest prints this deployment's logs when a test fails."""
    return accounts_deployment


def get(url: str, cookies: dict[str, str]) -> tuple[int, dict[str, str]]:
    """Status and the cookies the response sets (name -> whole Set-Cookie line)."""
    request = urllib.request.Request(url, headers={"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            status, headers = response.status, response.headers
    except urllib.error.HTTPError as exc:
        status, headers = exc.code, exc.headers
    return status, {line.split("=", 1)[0]: line for line in headers.get_all("Set-Cookie") or []}


async def overview_as(url: str, server: str, cookie: str) -> Session:
    async with Session(url, cookies={"SRV": server, sessions.COOKIE_NAME: cookie}, view_timeout_s=60) as s:
        result = await s.view("")
        assert result.ok, (result.status, result.exceptions)
    return s


def test_a_session_made_through_one_replica_holds_on_the_other_until_signed_out(deployment: Deployment) -> None:
    settings = deployment.settings  # type: ignore[attr-defined]
    key = cookie_secret(settings)
    account = read_users(settings.users_file)[NAME]
    _, handoff = sessions.start(settings, key, account)
    start_url = f"{deployment.url}/kpi-session/start?t={handoff}"

    status, set_cookies = get(start_url, {"SRV": "r1"})
    assert status == 200 and sessions.COOKIE_NAME in set_cookies, (status, set_cookies)
    line = set_cookies[sessions.COOKIE_NAME]
    assert "HttpOnly" in line and "SameSite=lax" in line and "Secure" not in line, line
    cookie = line.split("=", 1)[1].split(";")[0]
    status, again = get(start_url, {"SRV": "r2"})  # the same hand-off, through the other replica
    assert status == 400 and sessions.COOKIE_NAME not in again

    async def signed_in_on_r2() -> None:
        s = await overview_as(deployment.url, "r2", cookie)
        assert s.saw(f"Signed in: {NAME} (analyst)") and not s.saw("User name")

    asyncio.run(asyncio.wait_for(signed_in_on_r2(), 120))

    status, cleared = get(f"{deployment.url}/kpi-session/end", {"SRV": "r1", sessions.COOKIE_NAME: cookie})
    assert status == 200 and "Max-Age=0" in cleared[sessions.COOKIE_NAME]

    async def signed_out_on_r2() -> None:
        s = await overview_as(deployment.url, "r2", cookie)
        assert s.saw("User name") and not s.saw(f"Signed in: {NAME}")

    asyncio.run(asyncio.wait_for(signed_out_on_r2(), 120))
