"""Tasks across the vault: listing them with stable ids, and `task add`, `done`, `undo`."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from vaultcrm.config import OPEN_TYPES, STATUS_TYPES, TaskSettings
from vaultcrm.dates import iso_date
from vaultcrm.errors import Ambiguous, NotFound, UsageError, VaultCRMError
from vaultcrm.model import edits
from vaultcrm.model.note import Note, eol, strip_eol
from vaultcrm.model.records import NoteRecord, TaskRecord, fold, tasks_of
from vaultcrm.ops.context import Context
from vaultcrm.ops.scope import belonging
from vaultcrm.store.vault import digest

if TYPE_CHECKING:
    from vaultcrm.model import taskline
    from vaultcrm.ops.writes import EditResult

# `task list` and `agenda` import this module: the task grammar, the write path and the journal are
# imported by the edits below, where they are used.


@dataclass(slots=True)  # agenda sorts 33,000 of them at 50k notes
class TaskRow:
    """A task in a listing: its note, its number within that listing's note group, the task."""

    note: NoteRecord
    number: int
    task: TaskRecord


def task_rows(ctx: Context, name: str | None, *, reading: bool = False, due_by: date | None = None) -> list[TaskRow]:
    """Every task of NAME (and the notes filed under it), numbered together; else every task of
    the vault, numbered within each note. `reading`: a listing, which may take the live note among
    archived copies (an edit never does). `due_by`: only notes with an open task due by then are
    looked into (the index knows each note's earliest open due date without decoding its tasks)."""
    return list(_task_rows(ctx, name, reading=reading, due_by=due_by))


def _task_rows(ctx: Context, name: str | None, *, reading: bool = False, due_by: date | None = None,
               release: bool = False) -> Iterator[TaskRow]:
    """`task_rows`, one at a time; `release`: let go of each note's decoded tasks once its rows are
    out (a 50k vault's tasks decoded at once hold hundreds of MB)."""
    if name:
        pairs = [(r, t) for r in belonging(ctx, ctx.resolve(name, reading=reading)) for t in r.tasks]
        yield from (TaskRow(r, n, t) for n, (r, t) in enumerate(pairs, 1))
        return
    records = ctx.records
    if due_by is not None:
        last = due_by.isoformat()
        records = [r for r in records if r.open_due is not None and r.open_due <= last]
    for r in records:
        yield from (TaskRow(r, i, t) for i, t in enumerate(r.tasks, 1))
        if release:
            r.release()


def task_list(ctx: Context, name: str | None = None, *, done: bool = False, all_: bool = False,
              overdue: bool = False, due_within: int | None = None, statuses: Sequence[str] = ()) -> list[TaskRow]:
    """The tasks a listing shows: open ones unless `done`/`all_`; `statuses` (types, symbols or
    names) pick tasks in those statuses whatever their state."""
    return list(iter_task_list(ctx, name, done=done, all_=all_, overdue=overdue, due_within=due_within,
                               statuses=statuses))


def iter_task_list(ctx: Context, name: str | None = None, *, done: bool = False, all_: bool = False,
                   overdue: bool = False, due_within: int | None = None, statuses: Sequence[str] = (),
                   release: bool = False) -> Iterator[TaskRow]:
    """`task_list` as a stream (bad `statuses` and an unknown NAME are said at once, before any row);
    `release`: each note's tasks are let go once listed, for a caller that writes rows as they come."""
    wanted = (lambda t: True) if all_ else (lambda t: t.done) if done else (lambda t: t.open)
    if statuses:
        wanted = status_matcher(ctx.config.tasks, statuses)
    horizon = ctx.today + timedelta(days=due_within) if due_within is not None else None
    open_only = not (done or all_ or statuses)
    if name:
        ctx.resolve(name, reading=True)
    rows = _task_rows(ctx, name, reading=True, due_by=_due_by(ctx, overdue, horizon) if open_only else None,
                      release=release)
    return (row for row in rows if _shown(row.task, wanted, ctx.today, overdue, horizon))


def _shown(t: TaskRecord, wanted: Callable[[TaskRecord], bool], today: date, overdue: bool,
           horizon: date | None) -> bool:
    if not wanted(t):
        return False
    if not (overdue or horizon):
        return True
    due = iso_date(t.due)
    if overdue and not (due is not None and due < today and t.open):
        return False
    return horizon is None or (due is not None and due <= horizon)


def _due_by(ctx: Context, overdue: bool, horizon: date | None) -> date | None:
    """The latest due date a listing of open tasks can show: a note whose open tasks are all due
    later need not be decoded (None: no bound)."""
    bounds = [d for d in (ctx.today - timedelta(days=1) if overdue else None, horizon) if d is not None]
    return min(bounds) if bounds else None


def status_matcher(settings: TaskSettings, wanted: Sequence[str]) -> Callable[[TaskRecord], bool]:
    """A test for `--status` values: a type (`in-progress` = IN_PROGRESS), a symbol, or a status name.

    A value that names nothing is a usage error listing the vault's statuses, not an empty answer."""
    types, symbols = set(), set()
    for raw in wanted:
        word = raw.strip()
        kind = re.sub(r"[\s-]+", "_", word).upper()
        by_name = [s.symbol for s in settings.statuses if s.name.lower() == word.lower()]
        if kind in STATUS_TYPES:
            types.add(kind)
        elif len(raw) == 1 or by_name:
            symbols.update(by_name or [raw])
        else:
            known = ", ".join(f"[{s.symbol}] {s.name} ({s.type})" for s in settings.statuses)
            raise UsageError(f"unknown task status {raw!r}; use a type ({', '.join(STATUS_TYPES).lower()}), "
                             f"a symbol or a name: {known}")
    return lambda t: t.status_type in types or t.status in symbols


def task_add(ctx: Context, name: str, text: str, *, due: date | None = None, dry_run: bool = False) -> EditResult:
    from vaultcrm.ops.writes import edit_note

    if not text.strip():
        raise UsageError("the task text is empty")
    rec = ctx.editable(name)
    return edit_note(ctx, rec.path, lambda n: edits.add_task(n, text.replace("\n", " "), due, ctx.config.tasks),
                     command=f"task add {rec.title}", message=f"added a task to {rec.path}", dry_run=dry_run)


def task_done(ctx: Context, name: str | None, match: str, *, dry_run: bool = False) -> EditResult:
    row = _one_task(ctx, name, match, want_open=True)
    return _edit_task(ctx, row, dry_run=dry_run)


def task_undo(ctx: Context, name: str | None, match: str, *, dry_run: bool = False) -> EditResult:
    """Reopen a done task: the reverse of the `task done` that ticked it, when the journal holds it
    (the line's old status back, and the next occurrence it inserted taken away if still unchanged);
    else Tasks' toggle (the DONE status's next status, the done date removed)."""
    from vaultcrm.ops.writes import edit_note

    row = _one_task(ctx, name, match, want_open=False)
    path, settings = row.note.path, ctx.config.tasks
    notes: list[str] = []

    def fn(note: Note) -> Note:
        current = _current(note, path, row.task.id, settings)
        index = current.line
        found = _done_by(ctx, path, current)
        if found is None:
            if current.recurrence:
                notes.append("warning: no `task done` of this line in the journal; any next occurrence was left")
            return edits.replace_line(note, index, _toggled_back(current, settings))
        ending = eol(note.lines[index])
        if found.inserted is None:
            return edits.replace_line(note, index, found.old)
        if index > 0 and note.lines[index - 1] == found.inserted + (ending or note.newline):
            notes.append(f"removed its next occurrence (line {index}), which `task done` had added")
            return note.splice(index - 1, index + 1, [found.old + ending])
        notes.append("warning: the next occurrence `task done` added above it was changed or moved since, "
                     "so it was left in place")
        return edits.replace_line(note, index, found.old)

    result = edit_note(ctx, path, fn, command=f"task undo {row.task.text[:40]}",
                       message=f"reopened: {row.task.text[:70]} ({path}:{row.task.line})", dry_run=dry_run)
    if notes and result.changes:
        result.message += "; " + "; ".join(notes)
    return result


# ---- finding the one task a command means -------------------------------------------------------
def _match_task(ctx: Context, name: str | None, match: str) -> list[TaskRow]:
    rows = task_rows(ctx, name)
    m = match.strip()
    if not m:
        raise UsageError("empty task match")
    exact = [r for r in rows if r.task.id == m.lower()]
    if exact:
        return exact
    if name and m.isdigit():
        return [r for r in rows if r.number == int(m)]
    if re.fullmatch(r"[0-9a-f]{3,7}", m.lower()):
        pref = [r for r in rows if r.task.id.startswith(m.lower())]
        if pref:
            return pref
    if m.isdigit():  # numbers count within one note: without it, matching text would be a guess
        raise UsageError(f"{m!r} is a task number; give the note too: task done NAME {m}")
    want = fold(m)
    return [r for r in rows if want in fold(r.task.text)]


def _one_task(ctx: Context, name: str | None, match: str, *, want_open: bool) -> TaskRow:
    found = _match_task(ctx, name, match)
    if not found:
        suggestions = [f"{r.task.id}  {r.task.text[:60]}" for r in task_rows(ctx, name)[:5]] if name else []
        raise NotFound(f"no task matches {match!r}" + (f" in {name!r}" if name else ""), suggestions=suggestions)
    usable = [r for r in found if (r.task.open if want_open else r.task.done)]
    if len(usable) == 1:
        return usable[0]
    if len(usable) > 1:
        raise Ambiguous(f"{match!r} matches {len(usable)} tasks; use an id",
                        candidates=[f"{r.task.id}  {r.note.path}:{r.task.line}  {r.task.text[:60]}" for r in usable])
    state = "already done" if want_open and any(r.task.done for r in found) else \
        "cancelled" if any(r.task.cancelled for r in found) else "not done"
    raise VaultCRMError(f"the task matching {match!r} is {state}; nothing changed", path=found[0].note.path,
                        line=found[0].task.line)


def _current(note: Note, path: str, task_id: str, settings: TaskSettings) -> taskline.Task:
    """The task `task_id` as the note holds it now (its `line` 0-based), or an error if it is gone."""
    from vaultcrm.model import taskline

    t = {t.id: t for t in tasks_of(note, settings)}.get(task_id)
    if t is None:
        raise VaultCRMError("the task changed on disk since it was listed; run the command again", path=path)
    index = t.line - 1
    parsed = taskline.parse_task(strip_eol(note.lines[index]), index, settings)
    assert parsed is not None
    return parsed


def _edit_task(ctx: Context, row: TaskRow, *, dry_run: bool) -> EditResult:
    from vaultcrm.model import taskline
    from vaultcrm.ops.writes import edit_note

    path, task_id, settings = row.note.path, row.task.id, ctx.config.tasks

    def fn(note: Note) -> Note:
        parsed = _current(note, path, task_id, settings)
        above = taskline.next_occurrence(parsed, ctx.today, settings)
        return edits.replace_line(note, parsed.line, taskline.tick(parsed, ctx.today, settings), insert_above=above)

    message = f"done: {row.task.text[:70]} ({path}:{row.task.line})"
    parsed = taskline.parse_task(row.task.raw, 0, settings)
    if parsed is not None and parsed.recurrence and taskline.next_occurrence(parsed, ctx.today, settings) is None:
        message += f"; warning: cannot compute the next occurrence of '🔁 {parsed.recurrence}', none was added"
    return edit_note(ctx, path, fn, command=f"task done {row.task.text[:40]}", message=message, dry_run=dry_run)


# ---- taking a `task done` back ------------------------------------------------------------------
@dataclass(frozen=True)
class _Ticked:
    """What a journaled `task done` found and added: the line before it was ticked, and the next
    occurrence it inserted above it (None: not a recurring task)."""

    old: str
    inserted: str | None


def _done_befores(ctx: Context, path: str) -> Iterator[tuple[Note, str, float]]:
    """(the note before, the hash of the text it left, when) of each `task done` of `path` still in
    effect, newest first."""
    from vaultcrm.store import journal

    for entry in reversed(journal.entries(ctx.vault)):
        if entry.undone or not entry.command.startswith("task done "):
            continue
        for f in entry.files:
            if f.get("path") != path or f.get("moved_to") or not isinstance(f.get("before"), str):
                continue
            try:
                yield Note.parse(f["before"], path), f.get("after_hash"), entry.time
            except VaultCRMError:  # a journal entry vaultcrm cannot read back tells nothing
                continue


def _done_by(ctx: Context, path: str, current: taskline.Task) -> _Ticked | None:
    """The latest journaled `task done` whose ticked line is exactly `current`'s line: the line it
    ticked, and what it inserted. The journal keeps the text before and the hash of the text after,
    so the `task done` is replayed on a line that ticks to `current` and must give that hash."""
    from vaultcrm.model import taskline

    settings = ctx.config.tasks
    for was, after_hash, when in _done_befores(ctx, path):
        day = iso_date(current.dates.get("done")) or date.fromtimestamp(when)
        for i, line in enumerate(was.lines):
            old = taskline.parse_task(strip_eol(line), i, settings)
            if old is None or not old.open or taskline.tick(old, day, settings) != current.raw:
                continue
            inserted = taskline.next_occurrence(old, day, settings)
            if digest(edits.replace_line(was, i, current.raw, insert_above=inserted).render()) == after_hash:
                return _Ticked(old.raw, inserted)
    return None


def _toggled_back(task: taskline.Task, settings: TaskSettings) -> str:
    """The line as Tasks' toggle reopens it: the DONE status's next status (unless that is not an
    open one: then the first TODO status), and the done date removed; every other byte kept."""
    from vaultcrm.model import taskline

    nxt = settings.status(task.status).next_symbol
    symbol = nxt if settings.status(nxt).type in OPEN_TYPES else settings.todo_symbol()
    line = taskline.untick(task, settings)
    at = line.index("[", len(task.indent) + len(task.marker)) + 1  # the checkbox follows the marker
    return line[:at] + symbol + line[at + 1:]
