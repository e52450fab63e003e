"""#29 — help never crashes: `--help` of every command and sub-command of `hotline` renders (typer's
rich help reads `[...]` in a help text as markup: `hotline stations add --help` crashed on 区[/小区[/楼]])."""
from __future__ import annotations

import pytest
import typer
from typer.testing import CliRunner

from hotline.cli import app


def _paths(command, path: tuple[str, ...] = ()):
    """Every command's path: the tree as typer hands it to its click (a group's `commands`)."""
    yield path
    if getattr(command, "commands", None):
        for name, sub in sorted(command.commands.items()):
            yield from _paths(sub, (*path, name))


COMMANDS = list(_paths(typer.main.get_command(app)))


def test_the_walk_reaches_the_commands_and_their_sub_commands():
    assert len(COMMANDS) > 60
    assert ("stations", "add") in COMMANDS and ("db", "upgrade") in COMMANDS and ("report", "season") in COMMANDS


@pytest.mark.parametrize("path", COMMANDS, ids=lambda p: " ".join(p) or "hotline")
def test_help_renders(path):
    got = CliRunner().invoke(app, [*path, "--help"], env={"COLUMNS": "100"})
    assert got.exception is None or isinstance(got.exception, SystemExit), repr(got.exception)
    assert got.exit_code == 0, got.output
    assert "Usage:" in got.output
