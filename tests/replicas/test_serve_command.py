"""`make serve`'s launcher (deploy.serve) as an operator meets it: the HAProxy config it renders,
the deployment's cookie secret, what it refuses, and that SIGTERM stops everything it started."""

from __future__ import annotations

import os
import re
import signal
import stat
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from deploy.haproxy import Backend, check_config, haproxy_binary, render
from deploy.secret import SecretError, cookie_secret
from deploy.serve import ServeError, free_port, start
from pipelines.settings import PROJECT_ROOT, Settings, SettingsError, load_settings
from tests.replicas.conftest import require_haproxy

pytestmark = pytest.mark.replicas


def settings_for(data_dir: Path, **kw) -> Settings:
    return Settings(data_dir=data_dir, _env_file=None, **kw)  # type: ignore[call-arg]


def test_the_rendered_config_is_accepted_by_haproxy_and_has_the_sticky_cookie_checks_and_timeouts(tmp_path: Path) -> None:
    require_haproxy()
    text = render([Backend("r1", "127.0.0.1", 8601), Backend("r2", "127.0.0.1", 8602)], bind="127.0.0.1", port=8500,
                  stats_port=8499, secure_cookie=True)
    config = tmp_path / "haproxy.cfg"
    config.write_text(text)
    check_config(haproxy_binary(), config)
    assert "cookie SRV insert indirect nocache httponly secure" in text
    assert "server r1 127.0.0.1:8601 cookie r1" in text and "server r2 127.0.0.1:8602 cookie r2" in text
    assert "http-check send meth GET uri /_stcore/health" in text
    assert re.search(r"timeout tunnel\s+1h", text) and "option redispatch" in text
    assert "ip_hash" not in text and "balance source" not in text


def test_the_cookie_secret_is_made_once_private_and_reused(tmp_path: Path) -> None:
    settings = settings_for(tmp_path / "data")
    first = cookie_secret(settings)
    path = tmp_path / "data" / "state" / "cookie-secret"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and len(first) >= 32
    assert cookie_secret(settings) == first  # every replica and every restart: the same one
    assert cookie_secret(settings_for(tmp_path / "other")) != first  # another deployment: its own


def test_a_secret_file_others_can_read_or_a_short_one_is_refused_with_what_to_do(tmp_path: Path) -> None:
    settings = settings_for(tmp_path / "data")
    cookie_secret(settings)
    path = tmp_path / "data" / "state" / "cookie-secret"
    path.chmod(0o644)
    with pytest.raises(SecretError, match="chmod 600"):
        cookie_secret(settings)
    path.chmod(0o600)
    path.write_text("short\n")
    with pytest.raises(SecretError, match="delete it"):
        cookie_secret(settings)


def test_kpi_cookie_secret_overrides_the_file_and_a_short_one_is_refused_without_echoing_it(tmp_path: Path) -> None:
    secret = "s" * 40
    assert cookie_secret(settings_for(tmp_path / "data", cookie_secret=secret)) == secret
    assert not (tmp_path / "data" / "state" / "cookie-secret").exists()
    with pytest.raises(SettingsError) as caught:
        load_settings(cookie_secret="tooshort-secret")
    assert "KPI_COOKIE_SECRET" in str(caught.value) and "tooshort-secret" not in str(caught.value)


def test_serving_beyond_loopback_without_sign_in_is_refused(tmp_path: Path) -> None:
    require_haproxy()
    settings = settings_for(tmp_path / "data", users_file=tmp_path / "no-users.toml")
    with pytest.raises(ServeError, match="no sign-in is configured"):
        start(1, port=free_port(), bind="0.0.0.0", run_dir=tmp_path / "run", settings=settings, root=tmp_path)
    assert not (tmp_path / "run").exists()  # refused before anything was written or started


def test_serve_prints_the_url_serves_through_the_proxy_and_sigterm_stops_every_process(tmp_path: Path) -> None:
    require_haproxy()
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("KPI_")}
    env.update(KPI_DATA_DIR=str(tmp_path / "data"), KPI_USERS_FILE=str(tmp_path / "no-users.toml"))
    launcher = subprocess.Popen([sys.executable, "-m", "deploy.serve", "--replicas", "1", "--port", str(port)],
                                cwd=PROJECT_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 60
        output = ""
        while f"http://127.0.0.1:{port}" not in output:
            line = launcher.stdout.readline()
            assert line or launcher.poll() is None, f"the launcher exited:\n{output}"
            assert time.monotonic() < deadline, output
            output += line
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=10) as response:
            assert response.status == 200 and "SRV=r1" in response.headers["Set-Cookie"]
        children = [int(p) for p in Path(f"/proc/{launcher.pid}/task/{launcher.pid}/children").read_text().split()]
        assert len(children) == 2  # haproxy and one replica
        launcher.send_signal(signal.SIGTERM)
        assert launcher.wait(timeout=30) == 0, launcher.stdout.read()
        for pid in children:
            assert not Path(f"/proc/{pid}").exists() or "zombie" in Path(f"/proc/{pid}/status").read_text(), pid
    finally:
        if launcher.poll() is None:
            launcher.kill()
            launcher.wait()
