"""Vault health and the safety net: `doctor`, `merge`, `undo`, `index`.

`doctor` exits 1 when it reports findings (0 when the vault, or NAME, is clean).
"""

from __future__ import annotations

from typing import Annotated

import typer

from vaultcrm.cli.options import (
    DryRun,
    Fmt,
    Force,
    JsonOpt,
    context,
    emit_json,
    emit_json_rows,
    emit_rows,
    err,
    finish_edit,
)
from vaultcrm.errors import UsageError


def register(app: typer.Typer) -> None:
    for command in (doctor, merge, undo):
        app.command()(command)
    app.command("index")(index_)


def doctor(
    name: Annotated[str | None, typer.Argument(help="Only this note (a title, alias or vault path).")] = None,
    json_: JsonOpt = False,
    fix: Annotated[bool, typer.Option("--fix", help="Apply the safe repairs: raise last_contact, drop exact "
                                      "duplicate bullets, re-order Recent Context newest first.")] = False,
    links: Annotated[bool, typer.Option("--links", help="Also check [[links]] in note bodies.")] = False,
    dry_run: DryRun = False,
    force: Force = False,
) -> None:
    """Problems in the vault (path, line, code, message); exit 1 when any are found, 0 when clean."""
    from vaultcrm import render
    from vaultcrm.ops import doctor as health

    if dry_run and not fix:
        raise UsageError("--dry-run goes with --fix")
    ctx = context(force=force)
    if fix:
        result, findings = health.fix(ctx, name, body_links=links, dry_run=dry_run)
        if result.dry_run:  # stdout is the diff alone (or one JSON object holding it)
            finish_edit(result, json_, extra={"findings": [f.to_dict() for f in findings]})
            if findings and not json_:
                err(f"vaultcrm: {len(findings)} problem{'s' * (len(findings) != 1)} would remain")
            raise typer.Exit(1 if findings else 0)
        err(f"vaultcrm: {result.message}")
    else:
        findings = health.diagnose(ctx, name, body_links=links)
    if json_:  # streamed: 137,000 findings at 50k notes were 90 MB of dicts and JSON held at once
        emit_json_rows(f.to_dict() for f in findings)
    elif findings:
        emit_rows(Fmt.table, render.doctor_table_rows([f.to_dict() for f in findings]), render.DOCTOR_TABLE)
    if findings:
        fixable = sum(f.fixable for f in findings)
        hint = f" ({fixable} fixable with --fix)" if fixable and not fix else ""
        err(f"vaultcrm: {len(findings)} problem{'s' * (len(findings) != 1)} found{hint}")
        raise typer.Exit(1)
    err("vaultcrm: no problems found")


def merge(
    from_: Annotated[str, typer.Argument(metavar="FROM", help="The duplicate note (title, alias or vault path); "
                                         "it is moved to .trash/.")],
    into: Annotated[str, typer.Argument(metavar="INTO", help="The note to keep (title, alias or vault path).")],
    json_: JsonOpt = False,
    dry_run: DryRun = False,
    force: Force = False,
) -> None:
    """Merge a duplicate note FROM into INTO: properties and sections united, FROM moved to .trash/,
    links to FROM rewritten."""
    from vaultcrm.ops import merge as merging

    finish_edit(merging.merge(context(force=force), from_, into, dry_run=dry_run), json_)


def undo(
    number: Annotated[int | None, typer.Argument(metavar="[N]", help="The edit to undo (see --list); "
                                                 "default the last one.")] = None,
    list_: Annotated[bool, typer.Option("--list", help="List the journaled edits, newest last.")] = False,
    json_: JsonOpt = False,
    dry_run: DryRun = False,
    force: Force = False,
) -> None:
    """Take back an edit vaultcrm made, only if its files still hold the bytes vaultcrm left."""
    from vaultcrm import render
    from vaultcrm.ops import undo as undoing

    ctx = context(force=force)
    if list_:
        rows = [render.journal_dict(e) for e in undoing.journal_entries(ctx)]
        emit_rows(Fmt.json if json_ else Fmt.table, rows if json_ else render.undo_table_rows(rows), render.UNDO_TABLE)
        return
    finish_edit(undoing.undo(ctx, number, dry_run=dry_run), json_)


def index_(
    rebuild: Annotated[bool, typer.Option("--rebuild", help="Throw the cache away and read every note again.")] = False,
    json_: JsonOpt = False,
) -> None:
    """Bring the cache in .vaultcrm/ up to date (deleting .vaultcrm/ is always safe)."""
    from vaultcrm.ops import notes

    data = notes.reindex(context(), rebuild=rebuild)
    if json_:
        emit_json(data)
    err(f"vaultcrm: indexed {data['notes']} notes ({data['parsed']} read now, {data['broken']} with broken "
        f"frontmatter, {data['unreadable']} unreadable); {data['excluded']} files excluded")
