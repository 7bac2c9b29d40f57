"""Shell completion: what each argument and option offers beyond the commands and options click
completes itself (note names, kinds, tags, property keys), attached by parameter name.

The shell runs `vaultcrm` on every Tab with `_VAULTCRM_COMPLETE` set, so `main()` attaches these
only then, and they stay quick and quiet: candidates come from the index an earlier run left
(never built here), and any failure offers nothing rather than printing into the command line.
Matching is case-insensitive (typer's own `autocompletion=` filters case-sensitively, hence the
click `shell_complete` hook).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from typing import Any

COMPLETE_VAR = "_VAULTCRM_COMPLETE"  # typer's name for it: _{PROG}_COMPLETE

# parameter name (as the commands spell it) -> what it completes
COMPLETES: dict[str, str] = {
    "name": "titles",  # show, get, log, set, task add, task list, timeline, who, doctor …
    "from_": "titles", "into": "titles",  # merge FROM INTO
    "args": "titles",  # task done/undo [NAME] MATCH: the note, before anything else is typed
    "via": "titles", "account": "titles",  # log --via PERSON, new --account NAME
    "kind": "kinds",  # new KIND, list/stale --kind
    "tag": "tags",  # list --tag
    "key": "keys",  # get/set/unset NAME KEY: the keys that note has
}
BASH_UNSAFE = re.compile(r"([^\w@%+=:,./-])")  # what bash would split or expand in an inserted word


def attach(command: Any) -> None:
    """Give every parameter named in COMPLETES of `command` and its subcommands its candidates (and
    the shells their plain-text formats: see `_plain_help`)."""
    _plain_help()
    _attach(command)


def _attach(command: Any) -> None:
    for param in getattr(command, "params", []):
        what = COMPLETES.get(param.name or "")
        if what is not None:
            param.shell_complete = _completer(param.name, what)  # shadows click's method on this one
    for sub in getattr(command, "commands", {}).values():
        _attach(sub)


def _plain_help() -> None:
    """zsh and fish show each command's help beside it; typer runs that text through rich first (a
    200 ms import on every Tab) to strip markup this app never uses, so these print it as it is."""
    from typer._click.shell_completion import add_completion_class
    from typer._completion_classes import FishComplete, ZshComplete

    class Zsh(ZshComplete):
        def format_completion(self, item: Any) -> str:
            value = f'"{_zsh_escape(item.value)}"'
            return f'{value}:"{_zsh_escape(item.help)}"' if item.help else value

    class Fish(FishComplete):
        def format_completion(self, item: Any) -> str:
            return f"{item.value}\t{' '.join(item.help.split())}" if item.help else item.value

    add_completion_class(Zsh, "zsh")
    add_completion_class(Fish, "fish")


def _zsh_escape(text: str) -> str:
    """As typer escapes a zsh candidate: quotes doubled; `$`, backquote and `:` escaped."""
    return (text.replace('"', '""').replace("'", "''").replace("$", "\\$").replace("`", "\\`")
            .replace(":", r"\\:"))


def _completer(param_name: str, what: str) -> Callable[[Any, str], list[Any]]:
    def complete(ctx: Any, incomplete: str) -> list[Any]:
        from typer._click.shell_completion import CompletionItem

        try:
            values = candidates(ctx, param_name, what, incomplete)
        except Exception:  # noqa: BLE001 - a Tab must never print a traceback into the command line
            return []
        return [CompletionItem(for_shell(v)) for v in values]

    return complete


def candidates(ctx: Any, param_name: str, what: str, incomplete: str) -> list[str]:
    """The values a parameter offers in this command line: the vault is the `--vault` already typed
    (else $VAULTCRM_VAULT, else the one around the working directory); a KEY offers the keys of the
    note NAME names."""
    from vaultcrm.ops.complete import candidates as from_index

    if param_name == "args" and ctx.params.get("args"):
        return []  # MATCH: a task's id, number or text, nothing the index lists
    note = ctx.params.get("name") if what == "keys" else None
    return from_index(what, incomplete, vault_arg=ctx.find_root().params.get("vault"), note=note)


def for_shell(value: str) -> str:
    """`Acme Corp` as bash must insert it (`Acme\\ Corp`): bash puts a candidate into the line as
    is; zsh and fish quote candidates themselves."""
    if os.environ.get(COMPLETE_VAR) != "complete_bash":
        return value
    return BASH_UNSAFE.sub(r"\\\1", value)
