"""Every command of ``newsarchive`` has help text, answers ``--help``, and is in the README.

The commands are read from the click group itself, so a command added later is checked without
touching this file (subcommands of a group are ``newsarchive GROUP SUB``)."""

from __future__ import annotations

import re

import click
import pytest
from click.testing import CliRunner

from scripts.cli import main
from tests.conftest import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")


def walk(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], click.Command]]:
    found: list[tuple[tuple[str, ...], click.Command]] = []
    ctx = click.Context(group)
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        if command is None or command.hidden:
            continue
        found.append(((*prefix, name), command))
        if isinstance(command, click.Group):
            found.extend(walk(command, (*prefix, name)))
    return found


COMMANDS = walk(main)


def test_the_group_has_commands_including_ingest() -> None:
    names = [" ".join(path) for path, _ in COMMANDS]
    assert "ingest" in names
    assert len(names) == len(set(names))


def test_the_main_help_lists_every_command() -> None:
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0
    for path, _ in COMMANDS:
        if len(path) == 1:
            assert re.search(rf"^  {re.escape(path[0])}\b", result.output, re.M), path


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=[" ".join(p) for p, _ in COMMANDS])
def test_every_command_has_help_text(path: tuple[str, ...], command: click.Command) -> None:
    assert (command.help or "").strip(), f"newsarchive {' '.join(path)} has no help text"
    for param in command.params:
        if isinstance(param, click.Option) and not param.hidden:
            assert (param.help or "").strip(), f"newsarchive {' '.join(path)} {param.opts[0]} has no help"


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=[" ".join(p) for p, _ in COMMANDS])
def test_every_command_answers_help(path: tuple[str, ...], command: click.Command) -> None:
    for flag in ("--help", "-h"):
        result = CliRunner().invoke(main, [*path, flag], prog_name="newsarchive")
        assert result.exit_code == 0, result.output
        assert result.output.startswith(f"Usage: newsarchive {' '.join(path)} ")
        assert (command.help or "").strip().splitlines()[0][:40] in " ".join(result.output.split())


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=[" ".join(p) for p, _ in COMMANDS])
def test_every_command_is_in_the_readme(path: tuple[str, ...], command: click.Command) -> None:
    name = "newsarchive " + " ".join(path)
    assert re.search(rf"{re.escape(name)}(?![\w-])", README), f"README does not mention `{name}`"
