"""Commands on notes: `show`, `list`, `get`, and the edits `log`, `set`, `unset`, `add`, `new`."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from vaultcrm.cli.options import (
    CsvOpt,
    emit_json_rows,
    DryRun,
    Fmt,
    Force,
    JsonOpt,
    Name,
    TsvOpt,
    console,
    context,
    emit_json,
    emit_rows,
    err,
    finish_edit,
    fmt_of,
    out,
    paged,
    parse_day,
    warn_all,
)
from vaultcrm.errors import UsageError


def register(app: typer.Typer) -> None:
    for command in (show, get, log, unset, add, new):
        app.command()(command)
    app.command("list")(list_)
    app.command("set")(set_)


def show(
    name: Name,
    json_: JsonOpt = False,
    full: Annotated[bool, typer.Option("--full", help="Every row of long parts (else the first 15 of each).")] = False,
) -> None:
    """One note: properties, account status, recent context (newest first), open tasks, sections."""
    from vaultcrm import render
    from vaultcrm.ops import notes

    views, warnings = notes.show(context(name), name, exact_one=json_)
    for w in warnings:
        err(f"vaultcrm: warning: {w}")
    if json_:
        emit_json(render.show_dict(views[0]))
        return
    shown = console()
    with shown.capture() as captured:  # rendered first, so a note taller than the terminal can be paged
        for v in views:
            shown.print(render.show_panel(v, full=full))
    paged(captured.get(), shown)


def list_(
    kind: Annotated[str | None, typer.Option("--kind", "-k", help="Only notes of this kind (synonyms allowed).")] = None,
    tag: Annotated[list[str] | None, typer.Option("--tag", "-t", help="Only notes with this tag (repeatable).")] = None,
    where: Annotated[list[str] | None, typer.Option("--where", "-w", help=(
        "KEY=VALUE, KEY!=VALUE, KEY~=TEXT (contains), KEY<V, KEY<=V, KEY>V, KEY>=V, KEY (set) or !KEY (not set); "
        "repeatable, all must hold. V is a number (50000; '50,000' is text) or a date: ISO, -90d, +2w, "
        "yesterday, 'last month', '2 weeks ago'. A missing value, or text where a number or date is wanted, "
        "never matches. last_contact is the effective one shown; a key the note lacks is read from its "
        "Account Status table."))] = None,
    sort: Annotated[str | None, typer.Option("--sort", "-s", help=(
        "Sort by title, path, kind, tags, aliases, last_contact, or a property or Account Status field some "
        "note has (else exit 2); prefix - to reverse."))] = None,
    columns: Annotated[str | None, typer.Option("--columns", help=(
        "Comma-separated columns for the table, CSV and TSV, in order: built-in fields (title, kind, "
        "last_contact, tags, path, aliases), properties and Account Status fields (else exit 2). --json "
        "ignores it and prints whole records."))] = None,
    json_: JsonOpt = False, csv_: CsvOpt = False, tsv: TsvOpt = False,
) -> None:
    """Notes as a table, filtered by kind, tags, properties, dates and numbers."""
    from vaultcrm import render
    from vaultcrm.ops import notes

    fmt = fmt_of(json_, csv_, tsv)
    picked = _column_names(columns)
    ctx = context()
    listed = notes.iter_list_notes(ctx, kind=kind, tags=tag or [], where=where or [], sort=sort, columns=picked,
                                   release=fmt is Fmt.json)
    warn_all(ctx)
    if fmt is Fmt.json:  # streamed: a big vault's notes are never all decoded at once
        emit_json_rows(render.listed_dict(n, columns=False) for n in listed)
        return
    rows = [render.listed_dict(n, columns=True) for n in listed]
    emit_rows(fmt, rows, render.LIST_TABLE if fmt is Fmt.json else render.list_table(picked))


def _column_names(text: str | None) -> list[str]:
    """`--columns a,b,c` as names, each once, in order."""
    if text is None:
        return []
    names = [c.strip() for c in text.split(",")]
    if not all(names):
        raise UsageError(f"--columns {text!r} has an empty name; give names separated by commas, "
                         "e.g. --columns title,last_contact,owner")
    return list(dict.fromkeys(names))


def get(name: Name, key: Annotated[str, typer.Argument(help="Property name.")], json_: JsonOpt = False) -> None:
    """Print one property's bare value (lists one item a line), for $(…) in scripts."""
    from vaultcrm import render
    from vaultcrm.ops import properties

    value = properties.get_property(context(name), name, key)
    if json_:
        emit_json({"key": key, "value": value})
    else:
        out(render.bare(value))


def log(
    name: Name,
    text: Annotated[str, typer.Argument(help="What happened.")],
    date_: Annotated[str | None, typer.Option("--date", "-d", help="When (ISO or 'yesterday', 'last friday'); default today.")] = None,
    via: Annotated[str | None, typer.Option("--via", help="Through whom: adds '(via NAME)'.")] = None,
    link: Annotated[str | None, typer.Option("--link", help="Wikilink target; default the day's daily note [[YYYY-MM-DD]]; '' for none.")] = None,
    next_: Annotated[str | None, typer.Option("--next", help="Also add the task 'Follow up with NAME' due WHEN "
                                              "('next friday', 'in 2 weeks', +3d, ISO) to Open Tasks.")] = None,
    dry_run: DryRun = False,
    force: Force = False,
) -> None:
    """Add a Recent Context entry at its date's place and raise last_contact if it is later."""
    from vaultcrm.ops import notes

    ctx = context(name, force=force)
    finish_edit(notes.log(ctx, name, text, day=parse_day(date_, ctx.today), via=via, link=link,
                          follow_up=parse_day(next_, ctx.today, prefer="future"), dry_run=dry_run))


def set_(
    name: Name,
    key: Annotated[str, typer.Argument(help="Property name.")],
    value: Annotated[list[str] | None, typer.Argument(help="Value: text, number, true/false, date, [[link]].")] = None,
    as_list: Annotated[bool, typer.Option("--list", help="Store the values as a list.")] = False,
    add_: Annotated[list[str] | None, typer.Option("--add", help="Add an item to a list property (repeatable).")] = None,
    string: Annotated[bool, typer.Option("--string", help="Keep the value as text (no number/boolean/date).")] = False,
    dry_run: DryRun = False,
    force: Force = False,
) -> None:
    """Set a frontmatter property (and the Account Status row of that name)."""
    from vaultcrm.model.edits import coerce_value
    from vaultcrm.ops import properties

    def typed(v: str) -> Any:
        return v if string else coerce_value(v)

    values = [typed(v) for v in value or []]
    if add_:
        if values:
            raise UsageError("give either VALUE… or --add ITEM, not both")
        finish_edit(properties.add_to_list(context(name, force=force), name, key, [typed(v) for v in add_],
                                           dry_run=dry_run))
        return
    if not values:
        raise UsageError("give a VALUE (or --add ITEM)")
    new_value = values if as_list or len(values) > 1 else values[0]
    finish_edit(properties.set_property(context(name, force=force), name, key, new_value, dry_run=dry_run))


def unset(name: Name, key: Annotated[str, typer.Argument(help="Property name.")], dry_run: DryRun = False,
          force: Force = False) -> None:
    """Remove a frontmatter property."""
    from vaultcrm.ops import properties

    finish_edit(properties.unset_property(context(name, force=force), name, key, dry_run=dry_run))


def add(
    name: Name,
    section: Annotated[str, typer.Argument(help="Section heading, e.g. 'Key Facts' or 'Blockers'.")],
    text: Annotated[str, typer.Argument(help="The bullet's text.")],
    dry_run: DryRun = False,
    force: Force = False,
) -> None:
    """Append a bullet to a section, creating it in canonical order (Blockers get ❌, Key Decisions ✅)."""
    from vaultcrm.ops import notes

    finish_edit(notes.add(context(name, force=force), name, section, text, dry_run=dry_run))


def new(
    kind: Annotated[str, typer.Argument(help="customer, person, meeting, … (or your own template's kind)")],
    title: Annotated[str, typer.Argument(help="The new note's title (and file name).")],
    folder: Annotated[str | None, typer.Option("--folder", help="Folder for the note (default: where the kind's notes are).")] = None,
    account: Annotated[str | None, typer.Option("--account", help="For a meeting: the account it is about.")] = None,
    json_: JsonOpt = False,
    dry_run: DryRun = False,
) -> None:
    """Create a note from a template (.vaultcrm/templates/KIND.md overrides the built-in one)."""
    from vaultcrm.ops import notes

    finish_edit(notes.new_note(context(), kind, title, folder=folder, account=account, dry_run=dry_run), json_)


