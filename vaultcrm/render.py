"""Renderers: plain data in, text or rich renderables out. JSON/CSV/TSV for scripts, rich for people.

Nothing here prints; the CLI chooses a renderer by flag and writes to stdout. rich is imported
inside the functions that build renderables, so JSON and CSV output never pay for it.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from typing import Any

SPARK = "▁▂▃▄▅▆▇█"
PANEL_ROWS = 50  # rows of one table or section in the `show` panel: a person reads, --json has all


# ---- plain data ------------------------------------------------------------------------------
def task_dict(note: Any, number: int, t: Any) -> dict[str, Any]:
    return {"id": t.id, "number": number, "title": note.title, "path": note.path, "line": t.line,
            "text": t.text, "status": t.status, "done": t.done, "cancelled": t.cancelled, "due": t.due,
            "done_date": t.done_date}


def note_dict(rec: Any, last: Any = None) -> dict[str, Any]:
    return {"title": rec.title, "path": rec.path, "kind": rec.kind, "properties": rec.properties,
            "last_contact": last.date.isoformat() if last is not None and last.date else None,
            "tags": rec.tags, "aliases": rec.aliases}


def show_dict(view: Any) -> dict[str, Any]:
    d = note_dict(view.record, view.last_contact)
    d["last_contact_source"] = view.last_contact.source
    d["status"] = dict(view.status)
    d["recent_context"] = [{k: e[k] for k in ("date", "raw_date", "link", "text", "via", "line")}
                           for e in view.entries]
    d["tasks"] = [task_dict(n, i, t) for i, (n, t) in enumerate(view.tasks, 1)]
    d["sections"] = [{"heading": s["heading"], "level": s["level"], "line": s["line"], "text": s["text"]}
                     for s in view.sections]
    d["queries"] = view.queries
    d["contact_history"] = [{"month": m, "count": c} for m, c in view.history]
    return d


def stale_dict(row: Any) -> dict[str, Any]:
    return {"title": row.record.title, "path": row.record.path, "kind": row.record.kind,
            "last_contact": row.last.date.isoformat() if row.last.date else None, "days": row.days,
            "source": row.last.source, "cadence_days": row.cadence,
            "stale_on": row.due.isoformat() if row.due else None}


def timeline_dict(row: Any) -> dict[str, Any]:
    e = row.entry
    return {"date": row.date.isoformat(), "account": row.account.title, "account_path": row.account.path,
            "title": row.record.title, "path": row.record.path, "line": e.line, "link": e.link, "text": e.text,
            "via": e.via}


def to_json(data: Any, *, pretty: bool = True) -> str:
    """JSON text; indented for people, compact for pipes (Python's C encoder only runs unindented)."""
    if pretty:
        return json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n"
    return json.dumps(data, ensure_ascii=False, default=str) + "\n"


def to_delimited(rows: Sequence[dict[str, Any]], columns: Sequence[str], delimiter: str) -> str:
    """CSV (RFC 4180 quoting) or TSV (tabs and newlines in values become spaces)."""
    buf = io.StringIO()
    if delimiter == "\t":
        buf.write("\t".join(columns) + "\n")
        for row in rows:
            buf.write("\t".join(_cell(row.get(c)).replace("\t", " ").replace("\n", " ") for c in columns) + "\n")
        return buf.getvalue()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(columns)
    for row in rows:
        w.writerow([_cell(row.get(c)) for c in columns])
    return buf.getvalue()


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ", ".join(_cell(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def bare(value: Any) -> str:
    """A property for `$(vaultcrm get …)`: strings bare, lists one item a line, mappings as JSON."""
    if isinstance(value, list):
        return "".join(_cell(v) + "\n" for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False) + "\n"
    return _cell(value) + "\n"


def sparkline(counts: Sequence[int]) -> str:
    top = max(counts) if counts else 0
    if top == 0:
        return SPARK[0] * len(counts)
    return "".join(SPARK[0] if c == 0 else SPARK[min(len(SPARK) - 1, 1 + (c * (len(SPARK) - 2)) // top)]
                   for c in counts)


# ---- rich --------------------------------------------------------------------------------------
def table(title: str | None, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> Any:
    from rich.table import Table
    from rich.text import Text

    t = Table(title=title, show_lines=False, header_style="bold", title_justify="left")
    for c in columns:
        t.add_column(c, overflow="fold")
    for r in rows:
        t.add_row(*[Text(_cell(v)) for v in r])  # Text: a cell's "[[link]]" is not rich markup
    return t


def show_panel(view: Any) -> Any:
    from rich.console import Group
    from rich.markup import escape
    from rich.panel import Panel
    from rich.table import Table
    from rich.text import Text

    rec = view.record
    parts: list[Any] = []
    head = Text()
    head.append(f"{rec.kind or 'note'}", style="cyan")
    head.append(f"  {rec.path}", style="dim")
    if view.last_contact.date:
        head.append(f"\nlast contact {view.last_contact.date.isoformat()} ({view.last_contact.source})")
    else:
        head.append("\nlast contact unknown")
    parts.append(head)
    histogram = view.history
    if histogram:
        counts = [c for _, c in histogram]
        line = Text(f"contacts {histogram[0][0]}…{histogram[-1][0]}  ")
        line.append(sparkline(counts), style="green")
        line.append(f"  {sum(counts)} in {len(counts)} months", style="dim")
        parts.append(line)
    if rec.properties:
        props = Table.grid(padding=(0, 2))
        props.add_column(style="bold")
        props.add_column(overflow="fold")
        for k, v in rec.properties.items():
            props.add_row(escape(str(k)), escape(_cell(v)))
        parts.append(Panel(props, title="Properties", title_align="left"))
    if view.status:
        parts.append(table("Account Status", ["Field", "Value"], view.status))
    if view.entries:
        shown_entries = view.entries[:PANEL_ROWS]
        title = "Recent Context" + (f" (newest {PANEL_ROWS} of {len(view.entries)}; all with --json)"
                                    if len(view.entries) > PANEL_ROWS else "")
        t = table(title, ["Date", "Entry", "Via"],
                  [(e["date"] or e["raw_date"], (f"[[{e['link']}]] " if e["link"] else "") + e["text"], e["via"] or "")
                   for e in shown_entries])
        parts.append(t)
    open_tasks = [(n, i, t) for i, (n, t) in enumerate(view.tasks, 1) if not t.done and not t.cancelled]
    if open_tasks:
        def where(n: Any, t: Any) -> str:  # a line of this note, or a note filed under it (by file name)
            return f"line {t.line}" if n.path == rec.path else f"{n.path.rsplit('/', 1)[-1]}:{t.line}"

        more = f" (first {PANEL_ROWS} of {len(open_tasks)}; all with task list)" if len(open_tasks) > PANEL_ROWS else ""
        parts.append(table("Open Tasks" + more, ["#", "Id", "Due", "Task", "Where"],
                           [(i, t.id, t.due or "", t.text, where(n, t)) for n, i, t in open_tasks[:PANEL_ROWS]]))
    for q in view.queries:
        if q.get("errors"):
            parts.append(Text(f"Tasks query (line {q['line']}) cannot be read:\n" + "\n".join(q["errors"]),
                              style="red"))
            continue
        parts.append(table(f"Tasks query (line {q['line']}): {len(q['tasks'])} of {q.get('total', len(q['tasks']))}",
                           ["Task", "Due", "Where"],
                           [(("✅ " if t["done"] else "") + t["text"], t["due"] or "", f"{t['path']}:{t['line']}")
                            for t in q["tasks"]]))
    shown = {"recent context", "open tasks", "account status"}
    for s in view.sections:
        if s["heading"].strip().lower() in shown or not s["text"].strip():
            continue
        lines = s["text"].split("\n")
        body = "\n".join(lines[:PANEL_ROWS]) + (f"\n… {len(lines) - PANEL_ROWS} more lines (see --json)"
                                                if len(lines) > PANEL_ROWS else "")
        parts.append(Panel(Text(body), title=escape(s["heading"]), title_align="left"))
    return Panel(Group(*parts), title=f"[bold]{escape(rec.title)}[/bold]", title_align="left")
