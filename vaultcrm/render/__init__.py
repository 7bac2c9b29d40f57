"""Renderers: plain data in, text or rich renderables out. JSON/CSV/TSV for scripts, rich for people.

Nothing here prints; the CLI chooses a renderer by flag and writes to stdout. rich is imported
inside the functions that build renderables, so JSON and CSV output never pay for it.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

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
    d["sources"] = list(view.sources)
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
    return {key: list(rows) for key, rows in agenda_parts(a).items()}


def agenda_parts(a: Any) -> dict[str, Iterator[dict[str, Any]]]:
    """`agenda_dict` with each part's rows made as they are written (`json_object_chunks`): at 50k
    notes the 33,000 overdue tasks' dicts and their JSON were ~60 MB held at once."""
    return {"overdue": (task_row_dict(r) for r in a.overdue), "due_soon": (task_row_dict(r) for r in a.due_soon),
            "going_stale": (stale_dict(r) for r in a.going_stale),
            "stale_now": ({**stale_dict(r), "days_overdue": r.overdue_days} for r in a.stale_now),
            "key_dates": (k.to_dict() for k in a.key_dates)}


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
KEY_DATES_TABLE: TableSpec = (["date", "days", "what", "milestone", "title", "path"],
                               ["Date", "Days", "What", "Milestone", "Note", "Path"])
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


def json_chunks(items: Iterable[Any], *, pretty: bool = True) -> Iterator[str]:
    """`to_json` of a list, in pieces as the items come (the same text to the byte), so a listing
    of 100,000 rows is written without holding them all. Items are encoded `JSON_BATCH` at a time
    by one encoder: a `json.dumps` per row built an encoder per row."""
    from itertools import islice

    encoder = json.JSONEncoder(ensure_ascii=False, indent=2 if pretty else None, default=str)
    head, sep, tail = ("[\n  ", ",\n  ", "\n]\n") if pretty else ("[", ", ", "]\n")
    cut = len(head), len(tail) - 1  # a batch's text is `head` + items + `tail` without its newline
    it = iter(items)
    start = head
    while batch := list(islice(it, JSON_BATCH)):
        text = encoder.encode(batch)
        yield start + text[cut[0]:len(text) - cut[1]]
        start = sep
    yield "[]\n" if start == head else tail


JSON_BATCH = 500


def json_object_chunks(parts: dict[str, Iterable[Any]], *, pretty: bool = True) -> Iterator[str]:
    """`to_json` of an object whose values are lists, each list written as its items come (the same
    text to the byte). Nested one level, a list's pretty text is indented two more spaces: every
    line break gets them, as no JSON string holds a raw line break."""
    if not parts:
        yield "{}\n"
        return
    start, sep, end = ("{\n  ", ",\n  ", "\n}\n") if pretty else ("{", ", ", "}\n")
    nest = (lambda text: text.replace("\n", "\n  ")) if pretty else (lambda text: text)
    for key, items in parts.items():
        yield start + json.dumps(key, ensure_ascii=False) + ": "
        chunks = json_chunks(items, pretty=pretty)
        held = next(chunks)  # the list's last piece ends in a line break, which the object does not want
        for chunk in chunks:
            yield nest(held)
            held = chunk
        yield nest(held.removesuffix("\n"))
        start = sep
    yield end


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
    import csv  # only for --csv

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
    text = cell(value)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return text
    return "'" + text if text.startswith(FORMULA_STARTS) else text


# A table cell is one line of inert text: line breaks become spaces, and every other control
# character (ESC starts the sequences that retitle, clear or write the clipboard of a terminal) is
# shown as its Unicode control picture (`␛`), C1 controls as U+FFFD.
_ONE_LINE = {**{c: 0x2400 + c for c in range(0x20)}, **dict.fromkeys(b"\t\n\r\v\f", " "), 0x7F: 0x2421,
             **dict.fromkeys(range(0x80, 0xA0), 0xFFFD)}


def cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ", ".join(cell(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def bare(value: Any) -> str:
    """A property for `$(vaultcrm get …)`: strings bare, lists one item a line, mappings as JSON."""
    if isinstance(value, list):
        return "".join(cell(v) + "\n" for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False) + "\n"
    return cell(value) + "\n"


def sparkline(counts: Sequence[int]) -> str:
    top = max(counts) if counts else 0
    if top == 0:
        return SPARK[0] * len(counts)
    return "".join(SPARK[0] if c == 0 else SPARK[min(len(SPARK) - 1, 1 + (c * (len(SPARK) - 2)) // top)]
                   for c in counts)


# ---- rich --------------------------------------------------------------------------------------
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
    cells = [[cell(r.get(c)).translate(_ONE_LINE) for c in columns] for r in rows]
    return grid.lines(title, headers, cells, width=width, styled=styled, kinds=kinds)


def _said_by_path(title: Any, path: Any) -> bool:
    """Whether the path names the note as its title does: its file name, or a folder note's folder."""
    if not isinstance(title, str) or not isinstance(path, str):
        return False
    parts = path.removesuffix(".md").split("/")
    return title in (parts[-1], parts[-2] if len(parts) > 1 else None)


def show_panel(view: Any, *, full: bool = False) -> Any:
    """The `show` panel (see `render.panel`)."""
    from vaultcrm.render import panel

    return panel.show_panel(view, full=full)


# A note's text in a panel keeps its lines; every other control character is shown, not sent.
_INERT = {**_ONE_LINE, ord("\n"): "\n"}


def inert(text: str) -> str:
    """`text` safe to print on a terminal: control characters (ESC sequences that retitle, clear
    or write the clipboard of a terminal) shown as their pictures (`␛`); line breaks kept."""
    return text.translate(_INERT)
