"""Renderers: plain data in, text or rich renderables out. JSON/CSV/TSV for scripts, rich for people.

Nothing here prints; the CLI chooses a renderer by flag and writes to stdout. rich is imported
inside the functions that build renderables, so JSON and CSV output never pay for it.
"""

from __future__ import annotations

import csv
import io
import json
import shlex
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from vaultcrm.model.sections import ACCOUNT_STATUS, OPEN_TASKS, RECENT_CONTEXT, SHOWN_AS_TABLES, normalize_heading

SPARK = "▁▂▃▄▅▆▇█"
PANEL_ROWS = 15  # rows of one table or section in the `show` panel (`--full`: all); --json has all


# ---- plain data ------------------------------------------------------------------------------
def task_dict(note: Any, t: Any, number: int | None = None) -> dict[str, Any]:
    """A task for scripts; `number` (its place in a listing) only where the listing numbers tasks."""
    head = {"id": t.id} if number is None else {"id": t.id, "number": number}
    return {**head, "title": note.title, "path": note.path, "line": t.line, "text": t.text, "status": t.status,
            "status_name": t.status_name, "status_type": t.status_type, "done": t.done, "cancelled": t.cancelled,
            "due": t.due, "scheduled": t.scheduled, "start": t.start, "created": t.created, "done_date": t.done_date,
            "cancelled_date": t.cancelled_date, "priority": t.priority, "recurrence": t.recurrence,
            "tags": list(t.tags)}


def task_row_dict(row: Any) -> dict[str, Any]:
    """A task of `task list`/`agenda` (an `ops.tasks.TaskRow`)."""
    return task_dict(row.note, row.task, row.number)


def query_dict(q: Any) -> dict[str, Any]:
    """A ```tasks block of `show`, its tasks as scripts see them."""
    return {"line": q["line"], "query": q["query"], "tasks": [task_dict(n, t) for n, t in q["tasks"]],
            "errors": q["errors"], "total": q["total"]}


def note_dict(rec: Any, last: Any = None) -> dict[str, Any]:
    return {"title": rec.title, "path": rec.path, "kind": rec.kind, "properties": rec.properties,
            "last_contact": last.date.isoformat() if last is not None and last.date else None,
            "tags": rec.tags, "aliases": rec.aliases}


def listed_dict(n: Any, *, columns: bool = True) -> dict[str, Any]:
    """A row of `list` (an `ops.notes.ListedNote`): the note, plus the extra columns asked for (JSON
    prints whole records, which hold every property already)."""
    return {**note_dict(n.record, n.last_contact), "interactions": n.interactions, **(n.fields if columns else {})}


def show_dict(view: Any) -> dict[str, Any]:
    d = note_dict(view.record, view.last_contact)
    d["last_contact_source"] = view.last_contact.source
    d["status"] = dict(view.status)
    d["recent_context"] = [{k: e[k] for k in ("date", "raw_date", "link", "text", "via", "line")}
                           for e in view.entries]
    d["tasks"] = [task_dict(n, t, i) for i, (n, t) in enumerate(view.tasks, 1)]
    d["sections"] = [{"heading": s["heading"], "level": s["level"], "line": s["line"], "text": s["text"]}
                     for s in view.sections]
    d["queries"] = [query_dict(q) for q in view.queries]
    d["contact_history"] = [{"month": m, "count": c} for m, c in view.history]
    return d


def stale_dict(row: Any) -> dict[str, Any]:
    return {"title": row.record.title, "path": row.record.path, "kind": row.record.kind,
            "last_contact": row.last.date.isoformat() if row.last.date else None, "days": row.days,
            "source": row.last.source, "cadence_days": row.cadence,
            "stale_on": row.due.isoformat() if row.due else None, "interactions": row.interactions}


def timeline_dict(row: Any) -> dict[str, Any]:
    e = row.entry
    return {"date": row.date.isoformat(), "account": row.account.title, "account_path": row.account.path,
            "title": row.record.title, "path": row.record.path, "line": e.line, "link": e.link, "text": e.text,
            "via": e.via}


def agenda_dict(a: Any) -> dict[str, Any]:
    return {"overdue": [task_row_dict(r) for r in a.overdue], "due_soon": [task_row_dict(r) for r in a.due_soon],
            "going_stale": [stale_dict(r) for r in a.going_stale],
            "stale_now": [{**stale_dict(r), "days_overdue": r.overdue_days} for r in a.stale_now]}


def person_dict(p: Any) -> dict[str, Any]:
    return {"name": p.name, "last": p.last, "count": p.count, "sources": list(p.sources)}


def journal_dict(e: Any) -> dict[str, Any]:
    """An entry of `undo --list`."""
    from datetime import datetime

    return {"number": e.number, "time": datetime.fromtimestamp(e.time).astimezone().isoformat(timespec="seconds"),
            "command": e.command, "paths": [f.get("moved_to") or f["path"] for f in e.files], "undone": e.undone}


def edit_dict(result: Any, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """An edit's outcome for `--json`: the message, the paths written, the diff of a dry run."""
    return {"message": result.message, "dry_run": result.dry_run,
            "paths": [c.moved_to or c.path for c in result.changes],
            **({"diff": result.diff()} if result.dry_run else {}), **result.data, **(extra or {})}


# ---- table specs: (columns of the row dicts, headers) for each listing ---------------------------------
TableSpec = tuple[list[str], list[str]]
LIST_TABLE: TableSpec = (["title", "kind", "last_contact", "tags", "path"], ["Title", "Kind", "Last contact", "Tags", "Path"])
LIST_HEADERS = {**dict(zip(*LIST_TABLE, strict=True)), "aliases": "Aliases"}
STALE_TABLE: TableSpec = (["title", "last_contact", "days", "source", "path"], ["Title", "Last contact", "Days", "Source", "Path"])
TASK_TABLE: TableSpec = (["number", "id", "status", "due", "text", "title", "path", "line"],
                         ["#", "Id", "Status", "Due", "Task", "Note", "Path", "Line"])
AGENDA_TASK_TABLE: TableSpec = (["id", "due", "text", "title", "path"], ["Id", "Due", "Task", "Note", "Path"])
AGENDA_STALE_TABLE: TableSpec = (["title", "last_contact", "stale_on", "path"], ["Title", "Last contact", "Stale on", "Path"])
AGENDA_LATE_TABLE: TableSpec = (["title", "last_contact", "days_overdue", "path"],
                                ["Title", "Last contact", "Days overdue", "Path"])
TIMELINE_TABLE: TableSpec = (["date", "account", "text", "via", "path"], ["Date", "Account", "Entry", "Via", "Path"])
WHO_TABLE: TableSpec = (["name", "last", "count", "sources"], ["Person", "Last", "Count", "Seen in"])
DOCTOR_TABLE: TableSpec = (["path", "line", "code", "message", "fix"], ["Path", "Line", "Code", "Problem", "Fixable"])
UNDO_TABLE: TableSpec = (["number", "time", "command", "files", "state"], ["#", "Time", "Command", "Files", ""])


def list_table(columns: Sequence[str]) -> TableSpec:
    """`list`'s columns: LIST_TABLE, or those `--columns` names in its order (built-in fields under
    their headers, properties and Account Status fields under the name as given)."""
    if not columns:
        return LIST_TABLE
    return (list(columns), [LIST_HEADERS.get(c, c) for c in columns])


def task_table_rows(rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Task dicts as the table shows them: the status by its name (`Proposed`, not `[?]`; scripts have
    `status` for the symbol)."""
    return [{**d, "status": d["status_name"]} for d in rows]


def doctor_table_rows(findings: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{**f, "fix": "yes" if f["fixable"] else ""} for f in findings]


def undo_table_rows(entries: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{**e, "time": e["time"][:16].replace("T", " "), "files": ", ".join(e["paths"]),
             "state": "undone" if e["undone"] else ""} for e in entries]


def to_json(data: Any, *, pretty: bool = True) -> str:
    """JSON text; indented for people, compact for pipes (Python's C encoder only runs unindented)."""
    if pretty:
        return json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n"
    return json.dumps(data, ensure_ascii=False, default=str) + "\n"


def to_delimited(rows: Sequence[dict[str, Any]], columns: Sequence[str], delimiter: str) -> str:
    """CSV (RFC 4180 quoting) or TSV (tabs and newlines in values become spaces); text cells that a
    spreadsheet would run as a formula are guarded (`spreadsheet_safe`)."""
    buf = io.StringIO()
    if delimiter == "\t":
        buf.write("\t".join(columns) + "\n")
        for row in rows:
            buf.write("\t".join(spreadsheet_safe(row.get(c)).replace("\t", " ").replace("\n", " ")
                                for c in columns) + "\n")
        return buf.getvalue()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(columns)
    for row in rows:
        w.writerow([spreadsheet_safe(row.get(c)) for c in columns])
    return buf.getvalue()


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: Any) -> str:
    """A cell as text, with OWASP's guard against CSV injection: text that starts like a formula
    (`=`, `+`, `-`, `@`, tab, CR) gets a leading `'`, so a spreadsheet shows it instead of running
    it. Numbers stay numbers (`-5`); JSON output is never changed."""
    text = _cell(value)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return text
    return "'" + text if text.startswith(FORMULA_STARTS) else text


# A table cell is one line of inert text: line breaks become spaces, and every other control
# character (ESC starts the sequences that retitle, clear or write the clipboard of a terminal) is
# shown as its Unicode control picture (`␛`), C1 controls as U+FFFD.
_ONE_LINE = {**{c: 0x2400 + c for c in range(0x20)}, **dict.fromkeys(b"\t\n\r\v\f", " "), 0x7F: 0x2421,
             **dict.fromkeys(range(0x80, 0xA0), 0xFFFD)}


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
def table(title: str | None, columns: Sequence[str], rows: Sequence[Sequence[Any]], caption: str | None = None) -> Any:
    """A rich table, for the parts of `show`'s panel (listings use `table_lines`)."""
    from rich.table import Table
    from rich.text import Text

    t = Table(title=title, show_lines=False, header_style="bold", title_justify="left", caption=caption,
              caption_justify="left")
    for c in columns:
        t.add_column(c, overflow="fold")
    for r in rows:
        t.add_row(*[Text(_cell(v)) for v in r])  # Text: a cell's "[[link]]" is not rich markup
    return t


# How a listing's columns give way at 80 columns (see `grid`): ids, dates, numbers and codes keep
# their width, paths lose their start, the rest its end.
FIXED_COLUMNS = frozenset({"number", "id", "status", "due", "date", "last_contact", "stale_on", "days",
                           "days_overdue", "line", "count", "last", "time", "cadence_days", "code", "fix", "state"})
PATH_COLUMNS = frozenset({"path", "account_path", "files"})


def table_lines(title: str | None, spec: TableSpec, rows: Sequence[dict[str, Any]], *, width: int,
                styled: bool) -> Iterator[str]:
    """A listing as table lines, one row a line (see `grid`: rich's look, without rich's layout).

    A note's title is left out where its path already says it (`Customers/Acme.md` for Acme), unless
    the title is what the table lists (its first column)."""
    from vaultcrm.render import grid

    columns, headers = spec
    if "path" in columns and "title" in columns[1:] and all(_said_by_path(r.get("title"), r.get("path"))
                                                            for r in rows):
        keep = [n for n, c in enumerate(columns) if c != "title"]
        columns, headers = [columns[n] for n in keep], [headers[n] for n in keep]
    kinds = [grid.FIXED if c in FIXED_COLUMNS else grid.PATH if c in PATH_COLUMNS else grid.TEXT for c in columns]
    cells = [[_cell(r.get(c)).translate(_ONE_LINE) for c in columns] for r in rows]
    return grid.lines(title, headers, cells, width=width, styled=styled, kinds=kinds)


def _said_by_path(title: Any, path: Any) -> bool:
    """Whether the path names the note as its title does: its file name, or a folder note's folder."""
    if not isinstance(title, str) or not isinstance(path, str):
        return False
    parts = path.removesuffix(".md").split("/")
    return title in (parts[-1], parts[-2] if len(parts) > 1 else None)


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
    for limited in (_panel_entries, _panel_tasks):
        shown = limited(view, limit)
        if shown is not None:
            parts.append(shown)
    parts += _panel_queries(view, limit) + _panel_sections(view, limit)
    return Panel(Group(*parts), title=f"[bold]{escape(view.record.title)}[/bold]", title_align="left")


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
    head.append(f"{rec.kind or 'note'}", style="cyan")
    head.append(f"  {rec.path}", style="dim")
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
        props.add_row(escape(str(k)), escape(_cell(v)))
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


def _panel_queries(view: Any, limit: Limit) -> list[Any]:
    from rich.text import Text

    out = []
    for q in view.queries:
        if q["errors"]:
            out.append(Text(f"Tasks query (line {q['line']}) cannot be read:\n" + "\n".join(q["errors"]), style="red"))
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
        out.append(Panel(Text("\n".join(lines) + (f"\n{more}" if more else "")), title=escape(s["heading"]),
                         title_align="left"))
    return out
