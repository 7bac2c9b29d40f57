"""The user's own commands: `config` (the effective settings and where each came from) and `open`
(a note in the editor or in Obsidian)."""

from __future__ import annotations

import sys
from typing import Annotated, Any

import typer

from vaultcrm.cli.options import JsonOpt, Name, State, context, emit_json, err, out
from vaultcrm.errors import UsageError


def register(app: typer.Typer) -> None:
    app.command("config")(config_)
    app.command("open")(open_)


def config_(json_: JsonOpt = False) -> None:
    """The effective settings (vault, me, editor, pager, days) and where each came from."""
    from vaultcrm.ops import opening

    rows = opening.settings(State.vault_arg)
    if json_:
        emit_json({s.key: {"value": s.value, "source": s.source} for s in rows})
        return
    shown = [(s.key, _text(s.value), s.source) for s in rows]
    widths = [max(len(row[i]) for row in shown) for i in (0, 1)]
    out("".join(f"{k:<{widths[0]}}  {v:<{widths[1]}}  {src}\n" for k, v, src in shown))


def _text(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(value) if value else "(none)"
    return str(value)


def open_(
    name: Name,
    obsidian: Annotated[bool, typer.Option("--obsidian", help="Open it in Obsidian (an obsidian:// URI through "
                                           "the system's opener) instead of the editor.")] = False,
    print_: Annotated[bool, typer.Option("--print", help="Print the editor command (or the Obsidian URI) "
                                         "and run nothing.")] = False,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Run it even when stdin or stdout is not a "
                                      "terminal (scripts).")] = False,
) -> None:
    """Open a note in $VISUAL/$EDITOR (or `editor` from the config), or in Obsidian with --obsidian."""
    from vaultcrm.ops import opening

    ctx = context(name)
    target = opening.obsidian_launch(ctx, name) if obsidian else opening.editor_launch(ctx, name)
    if print_:
        out(target.printed() + "\n")
        return
    if not yes and not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise UsageError(f"not opening {target.note}: stdin or stdout is not a terminal",
                         hint="pass --yes to open it anyway, or --print to see the command")
    err(f"vaultcrm: running: {target.command()}")
    opening.run(target)
