"""A sign-in made through one replica is honoured by the others (issue 20).

An OIDC deployment of two replicas behind HAProxy, from a site folder with its own
`.streamlit/secrets.toml` ([auth]; the provider is never contacted). Streamlit's /oauth2callback ends
a sign-in by setting `_streamlit_user`: the user's claims plus the origin, signed with the
deployment's cookie secret. Here that cookie is signed the same way (Streamlit's own
create_signed_value) and brought to each replica through the proxy, as a browser brings it
after signing in on whichever replica served the callback.
"""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.web.server.starlette.starlette_app_utils import create_signed_value, generate_xsrf_token_string

from deploy.serve import PROJECT_ROOT, Deployment, free_port, start
from pipelines.settings import Settings
from tests.replicas.conftest import CHECK_INTER_MS, require_haproxy
from tests.replicas.session import Session

pytestmark = pytest.mark.replicas

EMAIL = "lan.nguyen@example.gov.vn"
USER_COOKIE = "_streamlit_user"
XSRF_COOKIE = "_streamlit_xsrf"


@pytest.fixture(scope="module")
def oidc_site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, int]:
    """A folder the replicas run from: the project's config.toml and an [auth] secrets.toml."""
    site = tmp_path_factory.mktemp("oidc-site")
    (site / ".streamlit").mkdir()
    shutil.copyfile(PROJECT_ROOT / ".streamlit" / "config.toml", site / ".streamlit" / "config.toml")
    port = free_port()
    secret = secrets.token_hex(32)
    (site / ".streamlit" / "secrets.toml").write_text(
        "[auth]\n"
        f'redirect_uri = "http://127.0.0.1:{port}/oauth2callback"\n'
        f'cookie_secret = "{secret}"\n'
        'client_id = "kpi-test"\n'
        'client_secret = "not-used"\n'
        'server_metadata_url = "http://127.0.0.1:9/.well-known/openid-configuration"\n')
    return site, secret, port


@pytest.fixture(scope="module")
def oidc_deployment(oidc_site: tuple[Path, str, int], data_dir: Path) -> Iterator[Deployment]:
    require_haproxy()
    site, _, port = oidc_site
    env = {k: v for k, v in os.environ.items() if not k.startswith("KPI_")}
    env.update(HOME=str(site), KPI_DATA_DIR=str(data_dir), KPI_CONFIG_DIR=str(site / "no-config"),
               KPI_LANGUAGE="en")
    settings = Settings(data_dir=data_dir, _env_file=None)  # type: ignore[call-arg]
    dep = start(2, port=port, run_dir=site / "serve", settings=settings, env=env, check_inter_ms=CHECK_INTER_MS,
                timeout=60, root=site)
    try:
        yield dep
    finally:
        dep.stop()


@pytest.fixture
def deployment(oidc_deployment: Deployment) -> Deployment:
    """The conftest prints this deployment's logs when a test fails."""
    return oidc_deployment


def signed_in_cookie(secret: str, origin: str) -> str:
    claims = {"email": EMAIL, "sub": "42", "origin": origin, "is_logged_in": True, "provider": "default"}
    return create_signed_value(secret, USER_COOKIE, json.dumps(claims)).decode()


async def overview_as(url: str, server: str, user_cookie: str) -> Session:
    xsrf = generate_xsrf_token_string()
    cookies = {"SRV": server, XSRF_COOKIE: xsrf, USER_COOKIE: user_cookie}
    async with Session(url, cookies=cookies, xsrf=xsrf, view_timeout_s=60) as s:
        result = await s.view("")
        assert result.ok and not result.error_alerts, (result.status, result.exceptions, result.error_alerts)
    return s


def test_a_sign_in_cookie_from_one_replica_is_honoured_by_every_replica(
        deployment: Deployment, oidc_site: tuple[Path, str, int]) -> None:
    _, secret, _ = oidc_site
    cookie = signed_in_cookie(secret, deployment.url)

    async def scenario() -> None:
        for server in ("r1", "r2"):
            s = await overview_as(deployment.url, server, cookie)
            assert s.saw(f"Signed in: {EMAIL}"), f"{server} did not take the sign-in"
            assert not s.saw("Sign in")

    asyncio.run(asyncio.wait_for(scenario(), 120))


def test_a_sign_in_cookie_signed_with_another_secret_is_refused_by_every_replica(deployment: Deployment) -> None:
    forged = signed_in_cookie(secrets.token_hex(32), deployment.url)

    async def scenario() -> None:
        for server in ("r1", "r2"):
            s = await overview_as(deployment.url, server, forged)
            assert s.saw("Sign in") and not s.saw(EMAIL), server

    asyncio.run(asyncio.wait_for(scenario(), 120))
