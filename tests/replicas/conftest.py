"""Replica fixtures: HAProxy (Debian's package) in front of two `streamlit run` replicas on free
loopback ports, started by the launcher `make serve` uses (deploy.serve.start), over a small
warehouse of their own. Every log (proxy and replicas) is printed when a test fails.

HAProxy missing: a skip on a developer's machine, a failure under CI=true (.ci/run installs it).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from deploy.haproxy import haproxy_binary
from deploy.serve import Deployment, free_port, start
from pipelines.settings import SAMPLE_DIR, Settings

SEED_FILE = SAMPLE_DIR / "mofa_missions_2019-2026Q3.csv"  # one file: the warehouse is ready in seconds
CHECK_INTER_MS = 500  # the proxy notices a dead or returning replica within about a second


def require_haproxy() -> None:
    if haproxy_binary() is not None:
        return
    message = "haproxy is not installed (Debian's package: `apt-get install haproxy`; .ci/run installs it)"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{message}: under CI the replica tests must run, not skip", pytrace=False)
    pytest.skip(message)


def kpi(data_dir: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KPI_")}
    env.update(KPI_DATA_DIR=str(data_dir), KPI_LANGUAGE="en")
    return subprocess.run([sys.executable, "-m", "kpi", *args], cwd=data_dir.parent, env=env,
                          capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = tmp_path_factory.mktemp("replicas") / "data"
    data.mkdir()
    seed = data.parent / SEED_FILE.name
    shutil.copyfile(SEED_FILE, seed)
    done = kpi(data, "ingest", str(seed))
    assert done.returncode == 0, done.stdout + done.stderr
    return data


@pytest.fixture(scope="module")
def deployment(data_dir: Path) -> Iterator[Deployment]:
    """The proxy and two replicas, as `make serve REPLICAS=2` starts them; stopped at the end."""
    require_haproxy()
    settings = Settings(data_dir=data_dir, _env_file=None)  # type: ignore[call-arg]
    env = {k: v for k, v in os.environ.items() if not k.startswith("KPI_")}
    env.update(KPI_DATA_DIR=str(data_dir), KPI_CONFIG_DIR=str(data_dir / "no-config"), KPI_LANGUAGE="en")
    dep = start(2, port=free_port(), run_dir=data_dir / "state" / "serve", settings=settings, env=env,
                check_inter_ms=CHECK_INTER_MS, timeout=60)
    try:
        yield dep
    finally:
        dep.stop()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(autouse=True)
def _logs_on_failure(request: pytest.FixtureRequest) -> Iterator[None]:
    """Print the proxy's and every replica's log when a test of this folder fails."""
    yield
    failed = any(getattr(getattr(request.node, f"report_{w}", None), "failed", False) for w in ("setup", "call"))
    if failed and "deployment" in request.fixturenames:
        print("\n" + request.getfixturevalue("deployment").logs())
