"""`brief`: one screen about an account before a call (see `ops.brief`); read-only."""

from __future__ import annotations

import sys
from typing import Annotated, Any

import typer

from vaultcrm.cli.options import JsonOpt, Name, console, context, emit_json, out, paged
from vaultcrm.errors import UsageError

WIDTH = 80  # the terminal view fits 80 columns, however wide the terminal


def register(app: typer.Typer) -> None:
    app.command()(brief)


def brief(
    name: Name,
    md: Annotated[bool, typer.Option("--md", help="Markdown to paste into a meeting note.")] = False,
    json_: JsonOpt = False,
) -> None:
    """Before a call: stage, last contact and staleness, recent interactions, people, tasks, blockers, decisions, sources."""
    from vaultcrm.ops import brief as briefing

    if md and json_:
        raise UsageError("choose one of --md, --json")
    b = briefing.brief(context(name), name)
    if json_:
        emit_json(brief_dict(b))
    elif md:
        text = briefing.markdown(b)
        out(_inert(text) if sys.stdout.isatty() else text)  # a terminal never gets a note's escapes
    else:
        show(b)


def _inert(text: str) -> str:
    from vaultcrm import render

    return render.inert(text)


def brief_dict(b: Any) -> dict[str, Any]:
    """The brief for scripts: the same parts as the Markdown, every blocker and decision."""
    from vaultcrm import render

    return {"account": b.record.title, "path": b.record.path, "kind": b.record.kind, **b.fields,
            "last_contact": b.last.date.isoformat() if b.last.date else None,
            "last_contact_source": b.last.source, "days_since_contact": b.days, "cadence_days": b.cadence,
            "stale_on": b.stale_on.isoformat() if b.stale_on else None, "stale_in_days": b.stale_in_days,
            "interactions": [i.to_dict() for i in b.interactions],
            "people": [render.person_dict(p) for p in b.people],
            "tasks": {"overdue": [render.task_row_dict(r) for r in b.overdue],
                      "open": [render.task_row_dict(r) for r in b.open]},
            "blockers": [i.to_dict() for i in b.blockers], "decisions": [i.to_dict() for i in b.decisions],
            "sources": list(b.sources)}


def show(b: Any) -> None:
    """The brief on a terminal: its Markdown (titles for links) as compact lines in a panel of at
    most 80 columns: bold labels, bullets with a hanging indent, every text from a note made inert."""
    from rich.console import Group
    from rich.markup import escape
    from rich.panel import Panel

    from vaultcrm import render
    from vaultcrm.ops import brief as briefing

    head, _, body = render.inert(briefing.markdown(b, links=False)).partition("\n")
    parts = [_line(text) for text in body.strip("\n").split("\n")]
    shown = console()
    with shown.capture() as captured:
        shown.print(Panel(Group(*parts), title=f"[bold]{escape(head.removeprefix('### '))}[/bold]",
                          title_align="left", width=min(shown.width, WIDTH)))
    paged(captured.get(), shown)


def _line(text: str) -> Any:
    """One Markdown line of the brief as rich draws it: `**Label**` bold, `- item` a bullet whose
    wrapped lines stay under its text, `**Key:**` inside an item bold."""
    from rich.table import Table
    from rich.text import Text

    if text.startswith("**") and text.endswith("**") and text.count("**") == 2:
        return Text(text.strip("*"), style="bold cyan")
    if not text.startswith("- "):
        return Text(text)
    item = Text()
    for n, piece in enumerate(text[2:].split("**")):
        item.append(piece, style="bold" if n % 2 else None)
    grid = Table.grid(padding=(0, 1))
    grid.add_column(width=1)
    grid.add_column(overflow="fold")
    grid.add_row("•", item)
    return grid
