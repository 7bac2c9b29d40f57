"""CLI commands for vault health and the safety net: `doctor`, `merge`, `undo`.

Thin like the rest of the CLI: parse, call one operation (doctor, merge, journal), render.
`doctor` exits 1 when it reports findings (0 when the vault, or NAME, is clean).
"""

from __future__ import annotations

from typing import Annotated, Any

import typer


def register(app: typer.Typer) -> None:
    """Add `doctor`, `merge` and `undo` to the vaultcrm app."""
    app.command()(doctor)
    app.command()(merge)
    app.command()(undo)


def doctor(
    name: Annotated[str | None, typer.Argument(help="Only this note (a title, alias or vault path).")] = None,
    json_: Annotated[bool, typer.Option("--json", help="One JSON array of findings on stdout.")] = False,
    fix: Annotated[bool, typer.Option("--fix", help="Apply the safe repairs: raise last_contact, drop exact "
                                      "duplicate bullets, re-order Recent Context newest first.")] = False,
    links: Annotated[bool, typer.Option("--links", help="Also check [[links]] in note bodies.")] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", "-n", help="With --fix: print the repairs as a diff; "
                                          "write nothing.")] = False,
) -> None:
    """Problems in the vault (path, line, code, message); exit 1 when any are found, 0 when clean."""
    from vaultcrm.cli import app as cli
    from vaultcrm.ops import doctor as health
    from vaultcrm.errors import UsageError

    if dry_run and not fix:
        raise UsageError("--dry-run goes with --fix")
    ctx = cli._ctx()
    if fix:
        result, findings = health.fix(ctx, name, body_links=links, dry_run=dry_run)
        if result.dry_run:  # stdout is the diff alone (or one JSON object holding it)
            cli._finish_edit(result, json_, extra={"findings": [f.to_dict() for f in findings]})
            if findings and not json_:
                cli._err(f"vaultcrm: {len(findings)} problem{'s' * (len(findings) != 1)} would remain")
            raise typer.Exit(1 if findings else 0)
        cli._err(f"vaultcrm: {result.message}")
    else:
        findings = health.diagnose(ctx, name, body_links=links)
    if json_:
        cli._emit_rows(cli.Fmt.json, [f.to_dict() for f in findings], [], None)
    elif findings:
        rows = [f.to_dict() for f in findings]
        for r in rows:
            r["fix"] = "yes" if r["fixable"] else ""
        cli._emit_rows(cli.Fmt.table, rows, ["path", "line", "code", "message", "fix"], None,
                       ["Path", "Line", "Code", "Problem", "Fixable"])
    if findings:
        fixable = sum(f.fixable for f in findings)
        hint = f" ({fixable} fixable with --fix)" if fixable and not fix else ""
        cli._err(f"vaultcrm: {len(findings)} problem{'s' * (len(findings) != 1)} found{hint}")
        raise typer.Exit(1)
    cli._err("vaultcrm: no problems found")


def merge(
    from_: Annotated[str, typer.Argument(metavar="FROM", help="The duplicate note (title, alias or vault path); "
                                         "it is moved to .trash/.")],
    into: Annotated[str, typer.Argument(metavar="INTO", help="The note to keep (title, alias or vault path).")],
    json_: Annotated[bool, typer.Option("--json", help="A JSON summary on stdout.")] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", "-n", help="Print the diff of every file; write nothing.")] = False,
) -> None:
    """Merge a duplicate note FROM into INTO: properties and sections united, FROM moved to .trash/,
    links to FROM rewritten."""
    from vaultcrm.cli import app as cli
    from vaultcrm.ops import merge as merging

    cli._finish_edit(merging.merge(cli._ctx(), from_, into, dry_run=dry_run), json_)


def undo(
    number: Annotated[int | None, typer.Argument(metavar="[N]", help="The edit to undo (see --list); "
                                                 "default the last one.")] = None,
    list_: Annotated[bool, typer.Option("--list", help="List the journaled edits, newest last.")] = False,
    json_: Annotated[bool, typer.Option("--json", help="With --list: one JSON array on stdout.")] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", "-n", help="Print the diff undo would apply; write nothing.")] = False,
) -> None:
    """Take back an edit vaultcrm made, only if its files still hold the bytes vaultcrm left."""
    from vaultcrm.cli import app as cli
    from vaultcrm.store import journal

    ctx = cli._ctx()
    if list_:
        rows = [_entry_row(e) for e in journal.entries(ctx.vault)]
        if json_:
            cli._emit_rows(cli.Fmt.json, rows, [], None)
            return
        for r in rows:
            r["paths_text"] = ", ".join(r["paths"])
            r["state"] = "undone" if r["undone"] else ""
        cli._emit_rows(cli.Fmt.table, rows, ["number", "time", "command", "paths_text", "state"], None,
                       ["#", "Time", "Command", "Files", ""])
        return
    entry, changes = journal.undo_edit(ctx, number, dry_run=dry_run)
    result = _result(entry, changes, dry_run)
    cli._finish_edit(result, json_)


def _entry_row(e: Any) -> dict[str, Any]:
    from datetime import datetime

    return {"number": e.number, "time": datetime.fromtimestamp(e.time).astimezone().isoformat(timespec="seconds"),
            "command": e.command, "paths": [f.get("moved_to") or f["path"] for f in e.files],
            "undone": e.undone}


def _result(entry: Any, restored: list[tuple[str, str | None, str | None]], dry_run: bool) -> Any:
    from vaultcrm.ops import legacy as ops

    changes = [ops.Change(path, current, before) for path, current, before in restored]
    paths = ", ".join(p for p, _, _ in restored)
    return ops.EditResult(f"undid edit {entry.number} ({entry.command}): {paths}", changes, dry_run,
                          data={"number": entry.number, "command": entry.command})
