"""Tasks across the vault: listing them with stable ids, and `task add`, `done`, `undo`."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from vaultcrm.config import STATUS_TYPES, TaskSettings
from vaultcrm.dates import iso_date
from vaultcrm.errors import Ambiguous, NotFound, UsageError, VaultCRMError
from vaultcrm.model import edits, taskline
from vaultcrm.model.note import Note, strip_eol
from vaultcrm.model.records import NoteRecord, TaskRecord, fold, tasks_of
from vaultcrm.ops.context import Context
from vaultcrm.ops.scope import belonging
from vaultcrm.ops.writes import EditResult, edit_note


@dataclass
class TaskRow:
    """A task in a listing: its note, its number within that listing's note group, the task."""

    note: NoteRecord
    number: int
    task: TaskRecord


def task_rows(ctx: Context, name: str | None, *, reading: bool = False) -> list[TaskRow]:
    """Every task of NAME (and the notes filed under it), numbered together; else every task of
    the vault, numbered within each note. `reading`: a listing, which may take the live note among
    archived copies (an edit never does)."""
    if name:
        pairs = [(r, t) for r in belonging(ctx, ctx.resolve(name, reading=reading)) for t in r.tasks]
        return [TaskRow(r, n, t) for n, (r, t) in enumerate(pairs, 1)]
    return [TaskRow(r, i, t) for r in ctx.records for i, t in enumerate(r.tasks, 1)]


def task_list(ctx: Context, name: str | None = None, *, done: bool = False, all_: bool = False,
              overdue: bool = False, due_within: int | None = None, statuses: Sequence[str] = ()) -> list[TaskRow]:
    """The tasks a listing shows: open ones unless `done`/`all_`; `statuses` (types, symbols or
    names) pick tasks in those statuses whatever their state."""
    wanted = (lambda t: True) if all_ else (lambda t: t.done) if done else (lambda t: t.open)
    if statuses:
        wanted = status_matcher(ctx.config.tasks, statuses)
    horizon = ctx.today + timedelta(days=due_within) if due_within is not None else None
    out = []
    for row in task_rows(ctx, name, reading=True):
        t = row.task
        due = iso_date(t.due)
        if not wanted(t):
            continue
        if overdue and not (due is not None and due < ctx.today and t.open):
            continue
        if horizon is not None and not (due is not None and due <= horizon):
            continue
        out.append(row)
    return out


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
    if not text.strip():
        raise UsageError("the task text is empty")
    rec = ctx.editable(name)
    return edit_note(ctx, rec.path, lambda n: edits.add_task(n, text.replace("\n", " "), due, ctx.config.tasks),
                     command=f"task add {rec.title}", message=f"added a task to {rec.path}", dry_run=dry_run)


def task_done(ctx: Context, name: str | None, match: str, *, dry_run: bool = False) -> EditResult:
    row = _one_task(ctx, name, match, want_open=True)
    return _edit_task(ctx, row, done=True, dry_run=dry_run)


def task_undo(ctx: Context, name: str | None, match: str, *, dry_run: bool = False) -> EditResult:
    row = _one_task(ctx, name, match, want_open=False)
    return _edit_task(ctx, row, done=False, dry_run=dry_run)


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


def _edit_task(ctx: Context, row: TaskRow, *, done: bool, dry_run: bool) -> EditResult:
    path, task_id, settings = row.note.path, row.task.id, ctx.config.tasks

    def fn(note: Note) -> Note:
        current = {t.id: t for t in tasks_of(note, settings)}
        t = current.get(task_id)
        if t is None:
            raise VaultCRMError("the task changed on disk since it was listed; run the command again", path=path)
        index = t.line - 1
        parsed = taskline.parse_task(strip_eol(note.lines[index]), index, settings)
        assert parsed is not None
        if done:
            above = taskline.next_occurrence(parsed, ctx.today, settings)
            return edits.replace_line(note, index, taskline.tick(parsed, ctx.today, settings), insert_above=above)
        return edits.replace_line(note, index, taskline.untick(parsed, settings))

    verb = "done" if done else "reopened"
    message = f"{verb}: {row.task.text[:70]} ({path}:{row.task.line})"
    parsed = taskline.parse_task(row.task.raw, 0, settings)
    if done and parsed is not None and parsed.recurrence and taskline.next_occurrence(parsed, ctx.today, settings) is None:
        message += f"; warning: cannot compute the next occurrence of '🔁 {parsed.recurrence}', none was added"
    return edit_note(ctx, path, fn, command=f"task {'done' if done else 'undo'} {row.task.text[:40]}",
                     message=message, dry_run=dry_run)
