"""The README is the manual (as datasette and sqlite-utils keep theirs): its command table names
every `kpi` command and no other, each of them answers --help, and its settings table names
every KPI_* variable. Commands and settings are discovered from the code, so a new one that
the README leaves out fails here."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kpi.cli import build_parser
from pipelines.settings import Settings
from tests.support.cli import command_paths

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
COMMANDS = command_paths()
LEAVES = sorted(path for path, leaf in COMMANDS.items() if leaf)


def _section(title: str) -> str:
    """The text under a `## title` heading, up to the next heading of that level."""
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", README, flags=re.M | re.S)
    assert match, f"README has no '## {title}' section"
    return match.group(1)


def _table_rows(section: str) -> list[str]:
    """The first cell of each row of the section's tables, without its backticks."""
    return [line.split("|")[1].strip().strip("`") for line in section.splitlines()
            if line.startswith("| `")]


def _documented_commands() -> list[tuple[str, ...]]:
    """Each row of the command table as the command it documents: the longest run of words after
    `kpi` that names a command (the rest are its arguments)."""
    out = []
    for cell in _table_rows(_section("The `kpi` command")):
        words = cell.split()
        assert words[0] == "kpi", cell
        named = [tuple(words[1:n]) for n in range(2, len(words) + 1) if tuple(words[1:n]) in COMMANDS]
        out.append(named[-1] if named else tuple(words[1:2]))
    return out


def test_the_parser_has_commands_to_document() -> None:
    assert {("ingest",), ("demo",), ("user", "add")} <= set(LEAVES)


@pytest.mark.parametrize("command", LEAVES, ids=" ".join)
def test_every_command_has_a_row_in_the_readme(command: tuple[str, ...]) -> None:
    assert command in _documented_commands(), f"add a row for `kpi {' '.join(command)}` to README's command table"


def test_every_row_of_the_command_table_is_a_command() -> None:
    stale = [" ".join(c) for c in _documented_commands() if not COMMANDS.get(c)]
    assert stale == [], "README documents commands the parser does not have"


@pytest.mark.parametrize("command", sorted(COMMANDS), ids=" ".join)
def test_every_command_answers_help(command: tuple[str, ...], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        build_parser().parse_args([*command, "--help"])
    assert exit_.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith(f"usage: kpi {' '.join(command)}")
    assert len(out.splitlines()) > 2  # more than the usage line: what it does and its options


@pytest.mark.parametrize("field", sorted(Settings.model_fields))
def test_every_setting_has_a_row_in_the_readme(field: str) -> None:
    documented = {name for row in _table_rows(_section("Settings")) for name in re.findall(r"KPI_[A-Z0-9_]+", row)}
    assert f"KPI_{field.upper()}" in documented, f"add KPI_{field.upper()} to README's settings table"


def test_the_readme_names_only_files_that_exist() -> None:
    """Paths the README names in backticks (folders and source files) are where it says."""
    root = Path(__file__).resolve().parents[2]
    named = set(re.findall(r"`((?:dashboard|pipelines|scripts|tests|docs|bench)/[\w/.-]*)`", README))
    assert named, "the pattern finds nothing: the test would pass whatever the README says"
    missing = sorted(p for p in named if not (root / p).exists())
    assert missing == []


def test_the_layout_names_only_modules_that_exist() -> None:
    """Each bullet of the layout (- `pipelines/` owns ...: `settings.py`, `intake/`, ...) names
    files and folders of that package, as they are called now."""
    root = Path(__file__).resolve().parents[2]
    bullets = re.findall(r"^- `(\w+)/`(.*?)(?=^- |^#|\Z)", _section("How it fits together"), flags=re.M | re.S)
    assert {folder for folder, _ in bullets} >= {"pipelines", "dashboard"}
    missing = [f"{folder}/{name}" for folder, text in bullets
               for name in re.findall(r"`([\w.]+(?:\.py|/))`", text) if not (root / folder / name).exists()]
    assert missing == []
