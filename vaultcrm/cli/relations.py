"""Relationship commands: `stale`, `agenda`, `timeline`, `who`."""

from __future__ import annotations

from typing import Annotated

import typer

from vaultcrm.cli.options import (
    CsvOpt,
    Fmt,
    JsonOpt,
    Name,
    TsvOpt,
    context,
    emit_json_parts,
    emit_json_rows,
    emit_rows,
    fmt_of,
    parse_day,
    print_table,
    warn_all,
)


def register(app: typer.Typer) -> None:
    for command in (stale, agenda, timeline, who):
        app.command()(command)


def stale(
    days: Annotated[int | None, typer.Option("--days", min=0, max=36500, help="Older than DAYS (overrides every cadence); default each account's cadence, else 30.")] = None,
    kind: Annotated[str | None, typer.Option("--kind", "-k", help="Only this kind (default: all account kinds).")] = None,
    known: Annotated[bool, typer.Option("--known", help="Leave out accounts with no date at all.")] = False,
    json_: JsonOpt = False, csv_: CsvOpt = False, tsv: TsvOpt = False,
) -> None:
    """Accounts whose last contact is older than their cadence (oldest first), then undated ones."""
    from vaultcrm import render
    from vaultcrm.ops import relations

    fmt = fmt_of(json_, csv_, tsv)
    ctx = context()
    rows = relations.stale(ctx, days=days, kind=kind, known=known)
    warn_all(ctx)
    emit_rows(fmt, [render.stale_dict(r) for r in rows], render.STALE_TABLE)


def agenda(
    days: Annotated[int, typer.Option("--days", min=0, max=36500, help="Look ahead DAYS.")] = 7,
    json_: JsonOpt = False,
) -> None:
    """Overdue tasks, tasks due soon, accounts already stale, accounts going stale and key dates within DAYS."""
    from vaultcrm import render
    from vaultcrm.ops import relations

    ctx = context()
    found = relations.agenda(ctx, days=days)
    warn_all(ctx)
    if json_:
        emit_json_parts(render.agenda_parts(found))
        return
    data = render.agenda_dict(found)
    for key, title, spec in (("overdue", "Overdue", render.AGENDA_TASK_TABLE),
                             ("due_soon", f"Due within {days} days", render.AGENDA_TASK_TABLE),
                             ("stale_now", "Stale now", render.AGENDA_LATE_TABLE),
                             ("going_stale", f"Going stale within {days} days", render.AGENDA_STALE_TABLE),
                             ("key_dates", f"Key dates within {days} days", render.KEY_DATES_TABLE)):
        print_table(title, spec, data[key])


def timeline(
    name: Annotated[str | None, typer.Argument(help="Only this account (and the notes filed under it).")] = None,
    since: Annotated[str | None, typer.Option("--since", help="From this date (ISO or natural language).")] = None,
    until: Annotated[str | None, typer.Option("--until", help="Up to this date.")] = None,
    json_: JsonOpt = False, csv_: CsvOpt = False, tsv: TsvOpt = False,
) -> None:
    """Recent Context entries across the vault (or one account), newest first."""
    from vaultcrm import render
    from vaultcrm.ops import relations

    fmt = fmt_of(json_, csv_, tsv)
    ctx = context(name)
    rows = relations.timeline(ctx, name, since=parse_day(since, ctx.today), until=parse_day(until, ctx.today))
    if name is None:
        warn_all(ctx)
    if fmt is Fmt.json:  # streamed: the rows' dicts and their JSON are never all held (50k notes: 200 MB)
        emit_json_rows(render.timeline_dict(r) for r in rows)
        return
    emit_rows(fmt, [render.timeline_dict(r) for r in rows], render.TIMELINE_TABLE)


def who(name: Name, json_: JsonOpt = False, csv_: CsvOpt = False, tsv: TsvOpt = False) -> None:
    """The people through whom an account's contact runs, with their latest date and count."""
    from vaultcrm import render
    from vaultcrm.ops import relations

    fmt = fmt_of(json_, csv_, tsv)
    emit_rows(fmt, [render.person_dict(p) for p in relations.who(context(name), name)], render.WHO_TABLE)
