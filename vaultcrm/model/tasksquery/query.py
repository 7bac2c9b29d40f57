"""The Obsidian Tasks query language (```tasks blocks): filters, boolean lines, sort and limit.

`evaluate(query, pairs, today, here=record)` returns the tasks Obsidian would list under the block,
as dicts, in Tasks' order. What Tasks documents is followed: text filters are case-insensitive
substring searches, `done` also matches cancelled tasks, `tags include #x` is a substring search of
the task's `#tags`, dates accept ISO, `today`/`tomorrow`/`yesterday`, natural language and ranges
(`this week`, `2026-W05`, `2026-11`, `2026-Q4`, `2026`, `D1 D2`). `group by`, `hide`, `show` and
the layout words are accepted and do not change the result. A line that cannot be understood makes
the result empty and is reported in `.errors`, as Tasks shows "do not understand query" instead of
tasks. Pure: reading note text for `heading` filters is the caller's `read` function.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from vaultcrm.config import TaskSettings
from vaultcrm.model.tasksquery.filters import is_boolean, parse_boolean, parse_filter
from vaultcrm.model.tasksquery.items import STATUS_NAMES, STATUS_ORDER, Item, Predicate, QueryLineError


# ---- sorting -----------------------------------------------------------------------------------
_FAR = date.max


def _sort_key(name: str, today: date) -> Callable[[Item], Any] | None:
    if name in ("due", "scheduled", "start", "created", "done", "cancelled", "happens"):
        fld = name

        def by_date(it: Item) -> Any:
            if fld == "happens":
                ds = [d for d in (it.date("due"), it.date("scheduled"), it.date("start")) if d]
                d = min(ds) if ds else None
            else:
                d = it.date(fld)
            return (d is None, d or _FAR)

        return by_date
    simple: dict[str, Callable[[Item], Any]] = {
        "status": lambda it: it.is_done,
        "status.type": lambda it: STATUS_ORDER[it.status_type],
        "status.name": lambda it: STATUS_NAMES[it.status_type].lower(),
        "urgency": lambda it: -it.urgency(today),
        "priority": lambda it: it.priority,
        "path": lambda it: it.rec.path.lower(),
        "filename": lambda it: it.rec.path.rsplit("/", 1)[-1].lower(),
        "folder": lambda it: it.field_text("folder").lower(),  # type: ignore[union-attr]
        "root": lambda it: it.field_text("root").lower(),  # type: ignore[union-attr]
        "description": lambda it: _sortable_description(it.task.text),
        "heading": lambda it: ((it.heading or "") == "", (it.heading or "").lower()),
        "tag": lambda it: (not it.tags, it.tags[0].lower() if it.tags else ""),
        "recurring": lambda it: not it.recurrence,
        "id": lambda it: it.field_text("id") or "",
    }
    return simple.get(name)


def _sortable_description(text: str) -> str:
    """Tasks sorts descriptions without leading markdown emphasis and links' brackets."""
    return re.sub(r"^[*_=~\[]+|\]\]", "", text).lower()


_DEFAULT_SORT = ("status.type", "urgency", "due", "priority", "path")


# ---- the query ---------------------------------------------------------------------------------
@dataclass
class Query:
    """A parsed query block: filters (all must hold), sort keys, limit, and what was not understood."""

    filters: list[Predicate] = field(default_factory=list)
    sorts: list[tuple[Callable[[Item], Any], bool]] = field(default_factory=list)
    limit: int | None = None
    errors: list[str] = field(default_factory=list)
    needs_headings: bool = False


class Results(list):  # type: ignore[type-arg]
    """The tasks a query lists, as (note record, task record) pairs, with `errors` (lines not
    understood) and `total` (matches before `limit`)."""

    def __init__(self, items: Sequence[tuple[Any, Any]] = (), errors: Sequence[str] = (), total: int = 0) -> None:
        super().__init__(items)
        self.errors = list(errors)
        self.total = total


_IGNORED = re.compile(
    r"(group by|hide|show|short mode|full mode|short|full|explain|ignore global query|layout|"
    r"limit groups)\b", re.IGNORECASE)


def _placeholders(text: str, here: Any) -> str:
    def sub(m: re.Match[str]) -> str:
        name = m[1].strip()
        if name.startswith("!"):
            return ""
        if here is None:
            raise QueryLineError(f"placeholder {{{{{name}}}}} needs the note that holds the query")
        path: str = here.path
        folder = path.rsplit("/", 1)[0] + "/" if "/" in path else "/"
        values = {
            "query.file.path": path,
            "query.file.pathWithoutExtension": path.removesuffix(".md"),
            "query.file.folder": folder,
            "query.file.root": path.split("/", 1)[0] + "/" if "/" in path else "/",
            "query.file.filename": path.rsplit("/", 1)[-1],
            "query.file.filenameWithoutExtension": path.rsplit("/", 1)[-1].removesuffix(".md"),
        }
        if name not in values:
            raise QueryLineError(f"unknown placeholder {{{{{name}}}}}")
        return values[name]

    return re.sub(r"\{\{(.*?)\}\}", sub, text)


def logical_lines(text: str) -> list[tuple[int, str]]:
    """(1-based line in the block, instruction) after joining `\\` continuations and dropping comments."""
    out: list[tuple[int, str]] = []
    pending: list[str] = []
    start = 0
    for n, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not pending:
            start = n
        if line.endswith("\\\\"):
            pending.append(line[:-1])
        elif line.endswith("\\"):
            pending.append(line[:-1].rstrip())
            continue
        else:
            pending.append(line)
        joined = " ".join(p for p in pending if p).strip()
        pending = []
        if joined and not joined.startswith("#"):
            out.append((start, joined))
    if pending:
        joined = " ".join(p for p in pending if p).strip()
        if joined and not joined.startswith("#"):
            out.append((start, joined))
    return out


def parse(text: str, today: date, here: Any = None) -> Query:
    """Parse a query block; every line not understood becomes an entry of `errors`."""
    q = Query()
    for n, line in logical_lines(text):
        try:
            line = _placeholders(line, here).strip()
            if not line:
                continue
            low = " ".join(line.lower().split())
            m = re.fullmatch(r"limit (?:to )?(\d+)(?: tasks?)?", low)
            if m:
                q.limit = int(m[1])
                continue
            m = re.fullmatch(r"sort by ([\w.]+)( reverse)?", low)
            if m:
                key = _sort_key(m[1], today)
                if key is None:
                    raise QueryLineError(f"cannot sort by {m[1]!r}")
                q.sorts.append((key, bool(m[2])))
                q.needs_headings |= m[1] == "heading"
                continue
            if _IGNORED.match(low):
                continue
            if low.startswith(("filter by function", "sort by function", "group by function")):
                raise QueryLineError("custom JavaScript functions are not supported")
            pred = parse_boolean(line, today) if is_boolean(line) else parse_filter(line, today)
            if pred is None:
                raise QueryLineError("do not understand this instruction")
            q.needs_headings |= "heading" in low
            q.filters.append(pred)
        except QueryLineError as exc:
            q.errors.append(f"line {n}: {line}: {exc}")
    return q


def evaluate(query: str, tasks: Sequence[tuple[Any, Any]], today: date, here: Any = None,
             read: Callable[[str], str] | None = None, settings: TaskSettings | None = None) -> Results:
    """The tasks the query block lists, in Tasks' order, as (note record, task record) pairs.

    `tasks` are (note record, task record) pairs; `here` is the note holding the query (for
    `{{query.file.*}}`); `read(path)` returns a note's text, needed only for `heading` filters;
    `settings` are the vault's Tasks settings (its statuses and task format).
    """
    q = parse(query, today, here)
    headings = _heading_reader(read) if q.needs_headings else None
    if q.needs_headings and headings is None:
        q.errors.append("heading filters need the notes' text, which is not available here")
    if q.errors:
        return Results([], q.errors, 0)
    items = [Item(rec, t, i, headings, settings) for i, (rec, t) in enumerate(tasks)]
    kept = [it for it in items if all(f(it) for f in q.filters)]
    kept.sort(key=lambda it: (it.rec.path.lower(), it.task.line))  # the file order Tasks starts from
    for name in reversed(_DEFAULT_SORT):
        key = _sort_key(name, today)
        assert key is not None
        kept.sort(key=key)
    for key, rev in reversed(q.sorts):
        kept.sort(key=key, reverse=rev)
    total = len(kept)
    if q.limit is not None:
        kept = kept[: q.limit]
    return Results([(it.rec, it.task) for it in kept], [], total)


def _heading_reader(read: Callable[[str], str] | None) -> Callable[[Any, Any], str | None] | None:
    if read is None:
        return None
    from vaultcrm.model.note import Note

    cache: dict[str, list[tuple[int, str]]] = {}

    def heading(rec: Any, task: Any) -> str | None:
        if rec.path not in cache:
            try:
                note = Note.parse(read(rec.path), rec.path)
                cache[rec.path] = [(s.start + 1, s.heading) for s in note.sections]
            except Exception:  # noqa: BLE001 - an unreadable note has no headings to match
                cache[rec.path] = []
        found = None
        for line, text in cache[rec.path]:
            if line < task.line:
                found = text
        return found

    return heading
