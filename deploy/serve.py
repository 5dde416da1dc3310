"""`make serve REPLICAS=N`: N Streamlit replicas of the dashboard behind HAProxy on one machine.

    python -m deploy.serve --replicas 2 --port 8500

- Each replica is a `streamlit run dashboard/server.py` on 127.0.0.1 and its own port (free ones
  unless --replica-ports), started from the project root so .streamlit/config.toml applies, with
  the deployment's shared `server.cookieSecret` in its environment (pipelines/secret.py), never on
  its command line.
- HAProxy (Debian's package) listens on --bind:--port, routes each browser to one replica with a
  sticky cookie, checks /_stcore/health, and sends sessions of a dead replica to a live one.
  Its config is rendered from deploy/haproxy.cfg.in into the run folder and checked with
  `haproxy -c` first.
- Waits until every replica answers its health check and the proxy serves, prints the URL, then
  supervises: a replica that exits is started again (the proxy's health check keeps new sessions
  away from it meanwhile). Ctrl-C or SIGTERM stops the proxy and every replica.
- Fails closed: binding the proxy to a non-loopback address needs sign-in configured (built-in
  accounts or OIDC); the replicas themselves always listen on loopback only.

Run files (rendered config, one log per process) go to <KPI_DATA_DIR>/state/serve/.
"""

from __future__ import annotations

import argparse
import ipaddress
import os
import signal
import socket
import subprocess
import sys
import time
import tomllib
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from deploy.haproxy import Backend, check_config, haproxy_binary, render, server_stats
from pipelines.secret import SecretError, cookie_secret
from pipelines.settings import Settings, SettingsError, load_settings

PROJECT_ROOT = Path(__file__).resolve().parents[1]  # the checkout: dashboard/, .streamlit/config.toml
APP = PROJECT_ROOT / "dashboard" / "server.py"
READY_TIMEOUT_S = 90.0
STOP_TIMEOUT_S = 10.0
RESTART_DELAY_S = 2.0


class ServeError(Exception):
    """The deployment cannot start; the message says what to do."""


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def default_replicas() -> int:
    """One per core this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def _is_loopback(address: str) -> bool:
    if address == "localhost":
        return True
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False


def sign_in_configured(settings: Settings, root: Path = PROJECT_ROOT) -> bool:
    """Built-in accounts exist, or .streamlit/secrets.toml has an [auth] section (OIDC)."""
    from pipelines.users import UsersError, read_users

    secrets_file = root / ".streamlit" / "secrets.toml"
    if secrets_file.exists():
        try:
            if "auth" in tomllib.loads(secrets_file.read_text(encoding="utf-8")):
                return True
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise ServeError(f"{secrets_file} is unreadable ({exc}): fix it before serving") from None
    users_file = settings.users_file if settings.users_file.is_absolute() else root / settings.users_file
    try:
        return bool(read_users(users_file))
    except UsersError as exc:
        raise ServeError(f"{users_file}: {exc}") from None


@dataclass
class Process:
    """A child process and the log file it writes."""

    name: str
    args: list[str]
    log_path: Path
    env: dict[str, str]
    cwd: Path
    process: subprocess.Popen | None = None

    def start(self) -> None:
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(self.args, cwd=self.cwd, env=self.env, stdout=log,
                                            stderr=subprocess.STDOUT, start_new_session=True)

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self, sig: int = signal.SIGTERM) -> None:
        """Signal, wait STOP_TIMEOUT_S, then kill; only this process, by its id."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(sig)
        try:
            self.process.wait(timeout=STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def log_text(self) -> str:
        return self.log_path.read_bytes().decode("utf-8", "replace") if self.log_path.exists() else ""


@dataclass
class Replica(Process):
    port: int = 0

    @property
    def health_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/_stcore/health"


@dataclass
class Deployment:
    """The proxy and its replicas, started together and stopped together."""

    url: str
    stats_url: str
    config_path: Path
    proxy: Process
    replicas: list[Replica] = field(default_factory=list)

    def processes(self) -> list[Process]:
        return [self.proxy, *self.replicas]

    def stop(self) -> None:
        """The proxy first (no new connections), then every replica."""
        for process in self.processes():
            process.stop()

    def replica(self, name: str) -> Replica:
        return next(r for r in self.replicas if r.name == name)

    def start_replica(self, name: str, timeout: float = READY_TIMEOUT_S) -> None:
        """(Re)start one replica and wait until it answers its health check."""
        replica = self.replica(name)
        replica.start()
        wait_healthy([replica], timeout)

    def restart_proxy(self, timeout: float = READY_TIMEOUT_S) -> None:
        self.proxy.stop()
        self.proxy.start()
        wait_proxy(self, timeout)

    def stats(self) -> dict[str, dict[str, str]]:
        return server_stats(self.stats_url)

    def logs(self) -> str:
        return "\n".join(f"----- {p.name} ({p.log_path}) -----\n{p.log_text() or '(empty)'}" for p in self.processes())


def _get(url: str, timeout: float = 2.0) -> int:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status
    except OSError:
        return 0


def wait_healthy(replicas: list[Replica], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    waiting = list(replicas)
    while waiting:
        for replica in list(waiting):
            if not replica.running():
                raise ServeError(f"{replica.name} exited with {replica.process.returncode if replica.process else '?'}; "
                                 f"its log:\n{replica.log_text()}")
            if _get(replica.health_url) == 200:
                waiting.remove(replica)
        if waiting and time.monotonic() > deadline:
            raise ServeError(f"{', '.join(r.name for r in waiting)} not healthy after {timeout:.0f} s")
        if waiting:
            time.sleep(0.2)


def wait_proxy(deployment: Deployment, timeout: float) -> None:
    """The proxy answers and sees every running replica UP (its own health check passed)."""
    deadline = time.monotonic() + timeout
    while True:
        if not deployment.proxy.running():
            raise ServeError(f"haproxy exited; its log:\n{deployment.proxy.log_text()}")
        try:
            stats = deployment.stats()
            wanted = {r.name for r in deployment.replicas if r.running()}
            if all(stats.get(name, {}).get("status") == "UP" for name in wanted) and _get(
                    deployment.url + "/_stcore/health") == 200:
                return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise ServeError(f"the proxy did not see every replica healthy after {timeout:.0f} s")
        time.sleep(0.2)


def replica_env(secret: str, base: dict[str, str] | None = None) -> dict[str, str]:
    """The children's environment (`base`, default this process's) plus the shared secret."""
    env = dict(os.environ if base is None else base)
    env["STREAMLIT_SERVER_COOKIE_SECRET"] = secret  # environment, not argv: `ps` shows argv to everyone
    return env


def start(replicas: int, *, port: int, bind: str = "127.0.0.1", replica_ports: list[int] | None = None,
          stats_port: int | None = None, run_dir: Path, settings: Settings, env: dict[str, str] | None = None,
          check_inter_ms: int = 2000, secure_cookie: bool = False, timeout: float = READY_TIMEOUT_S,
          root: Path = PROJECT_ROOT) -> Deployment:
    """Start `replicas` app processes and HAProxy in front of them; wait until all are healthy.

    `env` is the children's whole environment (default: this process's). On any failure everything
    started so far is stopped before the error is raised.
    """
    if replicas < 1:
        raise ServeError("--replicas must be at least 1")
    if replica_ports and len(replica_ports) != replicas:
        raise ServeError(f"--replica-ports lists {len(replica_ports)} ports for {replicas} replicas")
    if not _is_loopback(bind) and not sign_in_configured(settings, root):
        raise ServeError(f"refusing to serve on {bind}: no sign-in is configured, so anyone on the network would get "
                         "the local demo. Add accounts (`kpi user add NAME --role viewer`) or OIDC "
                         "(.streamlit/secrets.toml [auth]), or bind 127.0.0.1.")
    binary = haproxy_binary()
    if binary is None:
        raise ServeError("haproxy is not installed: `apt-get install haproxy` (Debian's package)")
    try:
        secret = cookie_secret(settings)
    except (SecretError, OSError) as exc:
        raise ServeError(str(exc)) from None

    run_dir.mkdir(parents=True, exist_ok=True)
    ports = replica_ports or [free_port() for _ in range(replicas)]
    stats_port = stats_port or free_port()
    config_path = run_dir / "haproxy.cfg"
    config_path.write_text(render([Backend(f"r{i + 1}", "127.0.0.1", p) for i, p in enumerate(ports)], bind=bind,
                                  port=port, stats_port=stats_port, check_inter_ms=check_inter_ms,
                                  secure_cookie=secure_cookie), encoding="utf-8")
    check_config(binary, config_path)

    child_env = replica_env(secret, env)
    if _is_loopback(bind) and not sign_in_configured(settings, root):
        # Nothing configured and the proxy reachable from this machine alone: the same local demo
        # as `make run`. The app refuses demo mode behind a proxy unless told (its requests carry
        # X-Forwarded-For), so it is told here, where the bind address is known.
        child_env.setdefault("KPI_DEMO_MODE", "1")
    host = "127.0.0.1" if bind in ("0.0.0.0", "::") else bind
    deployment = Deployment(
        url=f"http://{host}:{port}", stats_url=f"http://127.0.0.1:{stats_port}/", config_path=config_path,
        proxy=Process("haproxy", [binary, "-db", "-f", str(config_path)], run_dir / "haproxy.log",
                      {k: v for k, v in child_env.items() if k != "STREAMLIT_SERVER_COOKIE_SECRET"}, root),
    )
    for i, p in enumerate(ports):
        deployment.replicas.append(Replica(
            f"r{i + 1}", [sys.executable, "-m", "streamlit", "run", str(APP), "--server.address", "127.0.0.1",
                          "--server.port", str(p), "--server.headless", "true", "--server.fileWatcherType", "none",
                          "--browser.gatherUsageStats", "false"],
            run_dir / f"replica-r{i + 1}.log", child_env, root, port=p))
    try:
        for replica in deployment.replicas:
            replica.start()
        wait_healthy(deployment.replicas, timeout)
        deployment.proxy.start()
        wait_proxy(deployment, timeout)
    except BaseException:
        deployment.stop()
        raise
    return deployment


def supervise(deployment: Deployment) -> None:
    """Until interrupted: start again any replica that exited; stop if the proxy exits."""
    while True:
        if not deployment.proxy.running():
            raise ServeError(f"haproxy exited; see {deployment.proxy.log_path}")
        for replica in deployment.replicas:
            if not replica.running():
                print(f"{replica.name} exited ({replica.process.returncode if replica.process else '?'}); "
                      f"starting it again in {RESTART_DELAY_S:.0f} s (log: {replica.log_path})", flush=True)
                time.sleep(RESTART_DELAY_S)
                replica.start()
        time.sleep(0.5)


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m deploy.serve", description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--replicas", type=int, default=default_replicas(), help="app processes (default: one per core)")
    parser.add_argument("--port", type=int, default=8500, help="the proxy's port (default 8500)")
    parser.add_argument("--bind", default="127.0.0.1",
                        help="the proxy's address (default 127.0.0.1; any other needs sign-in configured)")
    parser.add_argument("--replica-ports", default="", help="comma-separated ports for the replicas (default: free ones)")
    parser.add_argument("--stats-port", type=int, default=0, help="HAProxy's stats page on 127.0.0.1 (default: a free port)")
    parser.add_argument("--secure-cookie", action="store_true", help="mark the sticky cookie Secure (behind TLS)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    try:
        settings = load_settings()
        ports = [int(p) for p in args.replica_ports.split(",") if p.strip()] or None
    except (SettingsError, ValueError) as exc:
        print(f"serve: {exc}", file=sys.stderr)
        return 2
    if not settings.warehouse_path.exists():
        print(f"serve: nothing published yet at {settings.warehouse_path}; pages stay empty until "
              "`kpi ingest` (or `make demo` for the sample data) publishes", file=sys.stderr)

    def on_signal(signum: int, frame: object) -> None:
        raise KeyboardInterrupt  # SIGTERM stops as Ctrl-C does: through the `finally`s below

    signal.signal(signal.SIGTERM, on_signal)
    run_dir = settings.data_dir / "state" / "serve"
    try:
        deployment = start(args.replicas, port=args.port, bind=args.bind, replica_ports=ports,
                           stats_port=args.stats_port or None, run_dir=run_dir, settings=settings,
                           secure_cookie=args.secure_cookie)
    except ServeError as exc:
        print(f"serve: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:  # start() has stopped what it had started
        return 130
    try:
        print(f"KPI dashboard: {deployment.url}  ({len(deployment.replicas)} replicas on ports "
              f"{', '.join(str(r.port) for r in deployment.replicas)}; HAProxy stats {deployment.stats_url}; "
              f"logs in {run_dir}). Ctrl-C stops everything.", flush=True)
        supervise(deployment)
    except KeyboardInterrupt:
        pass
    except ServeError as exc:
        print(f"serve: {exc}", file=sys.stderr)
        return 1
    finally:
        print("stopping the proxy and the replicas", flush=True)
        deployment.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
