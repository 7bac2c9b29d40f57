"""A run builds only the command it names (typer reads every parameter's annotations of every
command it builds: ~40 ms a run for the whole tree); what the user sees is the whole tree's."""

from __future__ import annotations

import pytest
import typer
from typer.testing import CliRunner

from vaultcrm.cli.app import _branch, _command_word, app

FULL = typer.main.get_command(app)
WORDS = sorted(FULL.commands)  # type: ignore[attr-defined]


def _help(tree: typer.Typer, args: list[str]) -> str:
    result = CliRunner().invoke(tree, args, prog_name="vaultcrm", env={"COLUMNS": "100"})
    return result.output


def test_every_command_is_found_and_built_alone() -> None:
    assert len(WORDS) > 25
    for word in WORDS:
        branch = typer.main.get_command(_branch([word]))
        assert sorted(branch.commands) == [word]  # type: ignore[attr-defined]


@pytest.mark.parametrize("word", WORDS)
def test_a_command_alone_has_the_whole_trees_help(word: str) -> None:
    """Same parameters, same defaults, same text (a group's subcommands too)."""
    assert _help(_branch([word]), [word, "--help"]) == _help(app, [word, "--help"])
    sub = getattr(FULL.commands[word], "commands", {})  # type: ignore[attr-defined]
    for name in sub:
        assert _help(_branch([word]), [word, name, "--help"]) == _help(app, [word, name, "--help"])


@pytest.mark.parametrize(("args", "word"), [
    (["stale"], "stale"),
    (["--vault", "v", "--commit", "-v", "--no-pager", "task", "done", "x"], "task"),
    (["--vault=v", "show", "--help"], "show"),
    (["--vault", "stale", "list"], "list"),  # a vault folder named like a command is the option's value
    (["--help"], None),
    (["--vault", "v"], None),
    (["--frob", "stale"], None),  # an option the root does not take: the whole tree says so
    ([], None),
])
def test_the_command_word_comes_after_the_root_options(args: list[str], word: str | None) -> None:
    assert _command_word(args) == word


def test_unknown_words_get_the_whole_tree() -> None:
    assert _branch(["frob"]) is app
    assert "stale" in _help(_branch(["--help"]), ["--help"])


@pytest.mark.parametrize("args", [["--help"], [], ["--no-pager", "-v", "--help"]])
def test_the_list_of_commands_is_the_whole_trees(args: list[str]) -> None:
    """`vaultcrm --help` (and a bare `vaultcrm`) is built from stubs: the same text, to the byte."""
    from vaultcrm.cli.app import _outline

    assert _branch(args) is not app
    assert _help(_branch(args), args) == _help(app, args)
    assert _help(_outline(app), ["task", "--help"]) == _help(app, ["task", "--help"])
