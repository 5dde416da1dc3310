"""`make serve`'s launcher (deploy.serve) as an operator meets it: the HAProxy config it renders,
the deployment's cookie secret, what it refuses, that it starts a dead replica again, and that
SIGTERM stops everything it started."""

from __future__ import annotations

import os
import re
import select
import signal
import stat
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from deploy.haproxy import Backend, check_config, haproxy_binary, render
from pipelines.secret import SecretError, cookie_secret
from deploy.serve import PROJECT_ROOT, ServeError, free_port, start
from pipelines.settings import Settings, SettingsError, load_settings
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
    settings = settings_for(tmp_path / "data", config_dir=tmp_path / "no-config")
    with pytest.raises(ServeError, match="no sign-in is configured"):
        start(1, port=free_port(), bind="0.0.0.0", run_dir=tmp_path / "run", settings=settings, root=tmp_path)
    assert not (tmp_path / "run").exists()  # refused before anything was written or started


def read_until(process: subprocess.Popen, text: str, seen: str, timeout: float) -> str:
    """The process's output so far (`seen` plus what came), once it holds `text`; fails after
    `timeout` seconds or when the process exits first (never blocks on a silent pipe)."""
    deadline = time.monotonic() + timeout
    fd = process.stdout.fileno()
    while text not in seen:
        left = deadline - time.monotonic()
        assert left > 0, f"no {text!r} after {timeout} s:\n{seen}"
        if select.select([fd], [], [], min(left, 1.0))[0]:
            chunk = os.read(fd, 65536)
            assert chunk or text in seen, f"the launcher exited before {text!r}:\n{seen}"
            seen += chunk.decode("utf-8", "replace")
    return seen


def child_pids(pid: int) -> list[int]:
    return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def test_serve_prints_the_url_restarts_a_dead_replica_and_sigterm_stops_every_process(tmp_path: Path) -> None:
    require_haproxy()
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("KPI_")}
    env.update(KPI_DATA_DIR=str(tmp_path / "data"), KPI_CONFIG_DIR=str(tmp_path / "no-config"))
    launcher = subprocess.Popen([sys.executable, "-m", "deploy.serve", "--replicas", "1", "--port", str(port)],
                                cwd=PROJECT_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        output = read_until(launcher, f"http://127.0.0.1:{port}", "", 90)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=10) as response:
            assert response.status == 200 and "SRV=r1" in response.headers["Set-Cookie"]
        children = child_pids(launcher.pid)
        assert len(children) == 2  # haproxy and one replica

        # A replica that dies is started again by the launcher, and the proxy serves again.
        replica = next(p for p in children if b"streamlit" in Path(f"/proc/{p}/cmdline").read_bytes())
        os.kill(replica, signal.SIGKILL)
        output = read_until(launcher, "starting it again", output, 30)
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=5) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            assert time.monotonic() < deadline, "the restarted replica is not served through the proxy"
            time.sleep(0.3)
        children = child_pids(launcher.pid)
        assert len(children) == 2 and replica not in children

        launcher.send_signal(signal.SIGTERM)
        assert launcher.wait(timeout=30) == 0, output
        for pid in children:
            assert not Path(f"/proc/{pid}").exists() or "zombie" in Path(f"/proc/{pid}/status").read_text(), pid
    finally:
        if launcher.poll() is None:
            launcher.kill()
            launcher.wait()


def test_the_several_machines_config_in_the_deployment_doc_is_accepted_by_haproxy(tmp_path: Path) -> None:
    require_haproxy()
    doc = (PROJECT_ROOT / "docs" / "deployment.md").read_text(encoding="utf-8")
    block = re.search(r"```haproxy\n(.*?)```", doc, re.S)
    assert block, "docs/deployment.md has no ```haproxy block"
    text = re.sub(r" ssl crt \S+", "", block.group(1))  # no certificate here; the rest is checked as written
    assert "cookie SRV insert indirect nocache httponly secure" in text and "timeout tunnel" in text
    config = tmp_path / "haproxy.cfg"
    config.write_text(text)
    check_config(haproxy_binary(), config)
