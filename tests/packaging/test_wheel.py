"""The wheel is the product: built from the tree, installed into a fresh venv, its own `kpi demo`
and `kpi progress` find the catalog and the sample files it ships, with no checkout in sight.

Kept fast: the fresh venv has no pip and no dependencies of its own; the project venv's pip
installs the wheel into it with --no-deps, and a .pth file lets it see the project venv's
site-packages (its dependencies) without running that venv's editable-install hook, so
`pipelines` can only come from the wheel. Building needs setuptools from PyPI (pip's cache).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("kpi", "dashboard", "pipelines")
SHIPPED = ("data/catalog", "data/sample")


def _run(*args: object, cwd: Path, env: dict[str, str] | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    done = subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, f"{args}\n{done.stdout}\n{done.stderr}"
    return done


def _source_files() -> set[str]:
    """What the wheel must hold: every module of the packages and the files under data/ it ships."""
    names = {p.relative_to(ROOT).as_posix() for pkg in PACKAGES for p in (ROOT / pkg).rglob("*.py")
             if "__pycache__" not in p.parts}
    for folder in SHIPPED:
        names |= {"pipelines/data/" + p.relative_to(ROOT / "data").as_posix()
                  for p in (ROOT / folder).iterdir() if p.suffix == ".csv"}
    return names


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`pip wheel` of a copy of the tree (so the build leaves nothing in the checkout)."""
    work = tmp_path_factory.mktemp("wheel")
    src = work / "src"
    skip = shutil.ignore_patterns("__pycache__", "*.pyc")
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, src / name)
    for pkg in PACKAGES:
        shutil.copytree(ROOT / pkg, src / pkg, ignore=skip)
    for folder in SHIPPED:
        shutil.copytree(ROOT / folder, src / folder, ignore=skip)
    _run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "--wheel-dir", work / "dist", src, cwd=work)
    [built] = (work / "dist").glob("*.whl")
    return built


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv holding only the wheel; returns its bin/ folder."""
    venv = tmp_path_factory.mktemp("venv") / "fresh"
    _run(sys.executable, "-m", "venv", "--without-pip", venv, cwd=venv.parent)
    python = venv / "bin" / "python"
    _run(sys.executable, "-m", "pip", "--python", python, "install", "--no-deps", "--no-index", "--quiet", wheel,
         cwd=venv.parent)
    purelib = _run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])", cwd=venv.parent).stdout.strip()
    (Path(purelib) / "project_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return venv / "bin"


def _env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KPI_", "PYTHON"))}
    return {**env, "KPI_DATA_DIR": str(data_dir), "KPI_LANGUAGE": "en"}


def test_the_wheel_holds_every_module_and_the_shipped_data(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    missing = _source_files() - names
    assert not missing, f"not in the wheel (list new packages in pyproject.toml): {sorted(missing)}"
    assert {"dashboard/assets/fonts/NotoSans-Regular.ttf", "dashboard/assets/countries-110m.json"} <= names
    assert not [n for n in names if n.split("/")[0] in {"tests", "scripts", "bench", "data"}]


def test_installed_kpi_demo_and_progress_use_the_wheels_own_files(installed: Path, tmp_path: Path) -> None:
    cwd = tmp_path / "elsewhere"
    cwd.mkdir()
    env = _env(tmp_path / "data")
    where = _run(installed / "python", "-c",
                 "import json, kpi.cli, pipelines.settings as s;"
                 "print(json.dumps([kpi.cli.__file__, str(s.DEFAULT_CATALOG_DIR), str(s.SAMPLE_DIR)]))",
                 cwd=cwd, env=env)
    site = installed.parent / "lib"
    for path in json.loads(where.stdout):
        assert Path(path).is_relative_to(site) and not Path(path).is_relative_to(ROOT), path

    demo = _run(installed / "kpi", "demo", "--json", cwd=cwd, env=env)
    summary = json.loads(demo.stdout)
    samples = sorted(p.name for p in (ROOT / "data" / "sample").glob("*.csv"))
    assert sorted(f["file"] for f in summary["files"]) == samples
    assert summary["loaded"] == len(samples) and summary["rejected"] == 0

    progress = _run(installed / "kpi", "progress", "--json", cwd=cwd, env=env)
    assessed = json.loads(progress.stdout)
    assert {a["indicator"] for a in assessed} >= {"MISSIONS_ABROAD", "STAFF_HEADCOUNT"}
    assert {a["horizon"] for a in assessed} == {2030, 2045}
    assert any(a["latest_value"] is not None for a in assessed)
