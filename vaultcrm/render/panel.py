"""The `show` panel: rich panels and tables of one note. Every text that comes from a note goes
through `inert` first: rich draws what it is given, escape sequences included."""

from __future__ import annotations

import shlex
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from vaultcrm.model.sections import ACCOUNT_STATUS, OPEN_TASKS, RECENT_CONTEXT, SHOWN_AS_TABLES, normalize_heading
from vaultcrm.render import PANEL_ROWS, cell, inert, sparkline


def table(title: str | None, columns: Sequence[str], rows: Sequence[Sequence[Any]], caption: str | None = None) -> Any:
    """A rich table, for the parts of `show`'s panel (listings use `table_lines`)."""
    from rich.table import Table
    from rich.text import Text

    t = Table(title=title, show_lines=False, header_style="bold", title_justify="left", caption=caption,
              caption_justify="left")
    for c in columns:
        t.add_column(c, overflow="fold")
    for r in rows:
        t.add_row(*[Text(inert(cell(v))) for v in r])  # Text: a cell's "[[link]]" is not rich markup
    return t


def show_panel(view: Any, *, full: bool = False) -> Any:
    """The `show` panel: a header, then each part of the note that has something to show; long
    parts show their first PANEL_ROWS rows and say where the rest is (`full`: everything)."""
    from rich.console import Group
    from rich.markup import escape
    from rich.panel import Panel

    limit = Limit(None if full else PANEL_ROWS, view.record)
    parts: list[Any] = [_panel_head(view)]
    for part in (_panel_history, _panel_properties, _panel_status):
        shown = part(view)
        if shown is not None:
            parts.append(shown)
    for limited in (_panel_entries, _panel_tasks, _panel_sources):
        shown = limited(view, limit)
        if shown is not None:
            parts.append(shown)
    parts += _panel_queries(view, limit) + _panel_sections(view, limit)
    return Panel(Group(*parts), title=f"[bold]{escape(inert(view.record.title))}[/bold]", title_align="left")


@dataclass(frozen=True)
class Limit:
    """How many rows a part of the panel shows (None: all), and the command that shows the rest."""

    rows: int | None
    record: Any

    def cut(self, items: Sequence[Any], rest: str) -> tuple[Sequence[Any], str | None]:
        """The items to show, and a caption such as `… 12 more (vaultcrm task list Acme)`."""
        if self.rows is None or len(items) <= self.rows:
            return items, None
        name = shlex.quote(self.record.title or self.record.path)
        return items[:self.rows], f"… {len(items) - self.rows} more ({rest.format(name=name)})"


def _panel_head(view: Any) -> Any:
    from rich.text import Text

    rec, last = view.record, view.last_contact
    head = Text()
    head.append(inert(f"{rec.kind or 'note'}"), style="cyan")
    head.append(inert(f"  {rec.path}"), style="dim")
    head.append(f"\nlast contact {last.date.isoformat()} ({last.source})" if last.date else "\nlast contact unknown")
    return head


def _panel_history(view: Any) -> Any:
    from rich.text import Text

    if not view.history:
        return None
    counts = [c for _, c in view.history]
    line = Text(f"contacts {view.history[0][0]}…{view.history[-1][0]}  ")
    line.append(sparkline(counts), style="green")
    line.append(f"  {sum(counts)} in {len(counts)} months", style="dim")
    return line


def _panel_properties(view: Any) -> Any:
    from rich.markup import escape
    from rich.panel import Panel
    from rich.table import Table

    if not view.record.properties:
        return None
    props = Table.grid(padding=(0, 2))
    props.add_column(style="bold")
    props.add_column(overflow="fold")
    for k, v in view.record.properties.items():
        props.add_row(escape(inert(str(k))), escape(inert(cell(v))))
    return Panel(props, title="Properties", title_align="left")


def _panel_status(view: Any) -> Any:
    return table(ACCOUNT_STATUS, ["Field", "Value"], view.status) if view.status else None


def _panel_entries(view: Any, limit: Limit) -> Any:
    if not view.entries:
        return None
    shown, more = limit.cut(view.entries, "vaultcrm timeline {name}")
    return table(RECENT_CONTEXT, ["Date", "Entry", "Via"],
                 [(e["date"] or e["raw_date"], (f"[[{e['link']}]] " if e["link"] else "") + e["text"], e["via"] or "")
                  for e in shown], more)


def _panel_tasks(view: Any, limit: Limit) -> Any:
    rec = view.record
    open_tasks = [(n, i, t) for i, (n, t) in enumerate(view.tasks, 1) if t.open]
    if not open_tasks:
        return None

    def where(n: Any, t: Any) -> str:  # a line of this note, or a note filed under it (by file name)
        return f"line {t.line}" if n.path == rec.path else f"{n.path.rsplit('/', 1)[-1]}:{t.line}"

    shown, more = limit.cut(open_tasks, "vaultcrm task list {name}")
    return table(OPEN_TASKS, ["#", "Id", "Due", "Task", "Where"],
                 [(i, t.id, t.due or "", t.text, where(n, t)) for n, i, t in shown], more)


def _panel_sources(view: Any, limit: Limit) -> Any:
    if not view.sources:
        return None
    shown, more = limit.cut(view.sources, "vaultcrm show {name} --json")
    return table("Sources", ["Published", "Title", "Site"],
                 [(s["published"] or "", s["title"], s["site"] or "") for s in shown], more)


def _panel_queries(view: Any, limit: Limit) -> list[Any]:
    from rich.text import Text

    out = []
    for q in view.queries:
        if q["errors"]:
            out.append(Text(f"Tasks query (line {q['line']}) cannot be read:\n" + inert("\n".join(q["errors"])), style="red"))
            continue
        shown, more = limit.cut(q["tasks"], "vaultcrm show {name} --full")
        out.append(table(f"Tasks query (line {q['line']}): {len(q['tasks'])} of {q['total']}", ["Task", "Due", "Where"],
                         [(("✅ " if t.done else "") + t.text, t.due or "", f"{n.path}:{t.line}") for n, t in shown],
                         more))
    return out


def _panel_sections(view: Any, limit: Limit) -> list[Any]:
    from rich.markup import escape
    from rich.panel import Panel
    from rich.text import Text

    out = []
    for s in view.sections:
        if normalize_heading(s["heading"]) in SHOWN_AS_TABLES or not s["text"].strip():
            continue
        lines, more = limit.cut(s["text"].split("\n"), "vaultcrm show {name} --full")
        out.append(Panel(Text(inert("\n".join(lines)) + (f"\n{more}" if more else "")), title=escape(inert(s["heading"])),
                         title_align="left"))
    return out
