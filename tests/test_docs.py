"""Docs cannot drift: every command has help text and is in the README's code.

The typer app is walked as click sees it (typer.main.get_command), so a command added to the app
without help or without a README mention fails here. A mention is `vaultcrm NAME` (global options
such as `--vault PATH` may sit between) or, for a subcommand, `GROUP NAME`, inside a code span or
a fenced code block.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import typer

from vaultcrm.cli.app import app

README = Path(__file__).resolve().parent.parent / "README.md"


def commands() -> list[tuple[tuple[str, ...], object]]:
    """(path of names, click command) for every command and group, depth first."""
    out: list[tuple[tuple[str, ...], object]] = []

    def walk(cmd: object, prefix: tuple[str, ...]) -> None:
        for name, sub in sorted(getattr(cmd, "commands", {}).items()):
            if getattr(sub, "hidden", False):
                continue
            out.append(((*prefix, name), sub))
            walk(sub, (*prefix, name))

    walk(typer.main.get_command(app), ())
    return out


COMMANDS = commands()
IDS = [" ".join(path) for path, _ in COMMANDS]


def readme_code() -> str:
    """Everything inside fenced code blocks and inline code spans of the README."""
    text = README.read_text(encoding="utf-8")
    blocks = re.findall(r"^(```|~~~)[^\n]*\n(.*?)^\1", text, flags=re.S | re.M)
    rest = re.sub(r"^(```|~~~)[^\n]*\n.*?^\1", "", text, flags=re.S | re.M)
    spans = re.findall(r"(`+)(.+?)\1", rest, flags=re.S)
    return "\n".join([b for _, b in blocks] + [s for _, s in spans])


GLOBAL_OPTS = r"(?:--?[\w-]+(?:[ =](?!-)\S+)?\s+)*"


def mentioned(path: tuple[str, ...], code: str) -> bool:
    name = re.escape(path[-1])
    if len(path) == 1:
        pattern = rf"\bvaultcrm\s+{GLOBAL_OPTS}{name}(?![\w-])"
    else:
        pattern = rf"(?<![\w-]){re.escape(path[-2])}\s+{name}(?![\w-])"
    return re.search(pattern, code) is not None


def test_the_app_has_the_contracts_commands() -> None:
    names = set(IDS)
    assert {"show", "list", "log", "task", "task add", "task list", "task done", "task undo", "set", "get",
            "unset", "add", "new", "stale", "agenda", "timeline", "doctor", "merge"} <= names


@pytest.mark.parametrize("cmd", [c for _, c in COMMANDS], ids=IDS)
def test_every_command_has_help_text(cmd: object) -> None:
    assert (getattr(cmd, "help", None) or "").strip(), "add a docstring to the command"


@pytest.mark.parametrize("cmd", [c for _, c in COMMANDS], ids=IDS)
def test_every_option_and_argument_has_help_text(cmd: object) -> None:
    missing = [p.name for p in getattr(cmd, "params", []) if not (getattr(p, "help", None) or "").strip()]
    assert missing == []


def test_every_global_option_has_help_text() -> None:
    root = typer.main.get_command(app)
    assert root.help
    assert [p.name for p in root.params if not (getattr(p, "help", None) or "").strip()] == []


@pytest.mark.parametrize("path", [p for p, _ in COMMANDS], ids=IDS)
def test_every_command_is_in_the_readme(path: tuple[str, ...]) -> None:
    assert mentioned(path, readme_code()), (
        f"README.md never shows `{'vaultcrm ' if len(path) == 1 else ''}{' '.join(path)}` in code")


@pytest.mark.parametrize(
    ("path", "code", "found"),
    [
        (("show",), "vaultcrm show OpenAI", True),
        (("stale",), "vaultcrm --vault examples/vault stale --days 30", True),
        (("show",), "vaultcrm --commit show X", True),
        (("log",), "vaultcrm login", False),
        (("list",), "vaultcrm task list", False),
        (("task", "list"), "vaultcrm task list OpenAI", True),
        (("task", "add"), "task add NAME TEXT", True),
        (("task", "add"), "subtask add", False),
        (("new",), "a new note", False),
    ],
)
def test_the_mention_check_tells_a_mention_from_a_word(path: tuple[str, ...], code: str, found: bool) -> None:
    assert mentioned(path, code) is found


def test_readme_code_sees_blocks_and_spans_only() -> None:
    code = readme_code()
    assert "pip install" in code
    assert "A command-line CRM" not in code
