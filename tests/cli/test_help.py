"""Every subcommand answers --help; discovered from the parser, so a new command is covered."""

from __future__ import annotations

import pytest

from tests.support.cli import command_paths


def subcommands() -> list[str]:
    return sorted(path[0] for path in command_paths() if len(path) == 1)


def test_parser_has_the_documented_commands():
    assert {"ingest", "export", "status", "demo", "catalog"} <= set(subcommands())


@pytest.mark.parametrize("command", subcommands())
def test_subcommand_help(kpi, command):
    result = kpi(command, "--help")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"usage: kpi {command}")
    assert result.stderr == ""


def test_top_level_help_lists_every_command(kpi):
    result = kpi("--help")
    assert result.returncode == 0
    for command in subcommands():
        assert command in result.stdout


def test_no_command_is_a_usage_error(kpi):
    result = kpi()
    assert result.returncode == 2 and "usage: kpi" in result.stderr
