"""The one way tests run the `kpi` command: `python -m kpi` in a child process, as a
user runs it, on a test's data folder, from that folder's parent (so no stray .env is read),
with no KPI_* variable of the caller's and messages in English unless `env` says otherwise."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from pipelines.settings import Settings

KPI = [sys.executable, "-m", "kpi"]


def _data_dir(where: Settings | Path) -> Path:
    return where.data_dir if isinstance(where, Settings) else Path(where)


def kpi_env(where: Settings | Path, **extra: str | None) -> dict[str, str]:
    """The caller's environment less KPI_*, plus KPI_DATA_DIR and KPI_LANGUAGE=en; `extra` adds or
    overrides variables, and a None value unsets one."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("KPI_")}
    env.update({"KPI_DATA_DIR": str(_data_dir(where)), "KPI_LANGUAGE": "en", **extra})
    return {k: v for k, v in env.items() if v is not None}


def run_kpi(where: Settings | Path, *args: object, env: dict[str, str] | None = None, cwd: Path | None = None,
            timeout: float = 120, input_text: str | None = None) -> subprocess.CompletedProcess:
    """`kpi ARGS` to completion; `where` is the data folder or the settings that name it. `env` is
    the whole environment (build it with kpi_env)."""
    return subprocess.run(
        [*KPI, *map(str, args)], env=env or kpi_env(where), cwd=cwd or _data_dir(where).parent,
        capture_output=True, text=True, timeout=timeout, input=input_text if input_text is not None else "",
    )


def run_kpi_measured(where: Settings | Path, *args: object, env: dict[str, str] | None = None,
                     cwd: Path | None = None, timeout: float = 1200) -> tuple[subprocess.CompletedProcess, float, float]:
    """`kpi ARGS` to completion with its own peak RSS (MB) and CPU seconds.

    Started through bench.run's small launcher: Linux carries a parent's peak RSS over fork/exec
    into the child's ru_maxrss, so a child of pytest (by then a GB or more) would report pytest's
    size, not its own (CI failed on exactly that)."""
    from bench.run import LAUNCHER

    with tempfile.NamedTemporaryFile("r", suffix=".json") as usage_file:
        result = subprocess.run(
            [sys.executable, "-S", "-c", LAUNCHER, usage_file.name, *KPI, *map(str, args)],
            env=env or kpi_env(where), cwd=cwd or _data_dir(where).parent,
            capture_output=True, text=True, timeout=timeout, input="",
        )
        usage = json.loads(usage_file.read() or "{}")
    if not usage:
        raise RuntimeError(f"launcher failed: {result.stderr[-2000:]}")
    result.returncode = usage["rc"]
    return result, usage["rss_mb"], usage["cpu"]


def popen_kpi(where: Settings | Path, *args: object, env: dict[str, str] | None = None,
              cwd: Path | None = None) -> subprocess.Popen:
    """`kpi ARGS` started and left running (for tests that kill it or run two at once)."""
    return subprocess.Popen(
        [*KPI, *map(str, args)], env=env or kpi_env(where), cwd=cwd or _data_dir(where).parent,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


def command_paths() -> dict[tuple[str, ...], bool]:
    """Every `kpi` command as its words, ("ingest",), ("user",), ("user", "add"), ..., found in the
    parser itself so a new command is covered; the value says whether it is a leaf (no ACTION)."""
    import argparse

    from kpi.cli import build_parser

    found: dict[tuple[str, ...], bool] = {}

    def walk(parser: argparse.ArgumentParser, prefix: tuple[str, ...]) -> None:
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, sub in action.choices.items():
                    path = (*prefix, name)
                    found[path] = not any(isinstance(a, argparse._SubParsersAction) for a in sub._actions)
                    walk(sub, path)

    walk(build_parser(), ())
    return found
