"""One function per command. Each takes the vault and `today`, returns plain data; no printing.

Editing operations go through `apply`, which holds the vault lock, re-reads each note, refuses
notes with malformed frontmatter, writes atomically and only if the note is unchanged since it
was read, and journals what it wrote so `undo` can take it back.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from vaultcrm import query

from vaultcrm.model import grammar

from vaultcrm.model import edits
from vaultcrm.config import Config, load_config
from vaultcrm.dates import iso_date, parse_period
from vaultcrm.errors import Ambiguous, NotFound, OutsideVault, UnsafeEdit, UsageError, VaultCRMError, WriteConflict
from vaultcrm.store.index import Scan, scan
from vaultcrm.model.note import Note, strip_eol
from vaultcrm.model.records import PEOPLE_KEYS, NoteRecord, TaskRecord, entries_of, fold, string_list, tasks_of
from vaultcrm.store.vault import Vault


# ---- context --------------------------------------------------------------------------------
@dataclass
class Context:
    """What every operation needs: the vault, its config, today, and (lazily) the scan."""

    vault: Vault
    today: date
    config: Config = field(default_factory=Config)
    _scan: Scan | None = None

    @classmethod
    def open(cls, vault: Vault, today: date) -> Context:
        return cls(vault=vault, today=today, config=load_config(vault.root))

    progress: Any = None
    focus: str | None = None  # a one-note command: load only the notes NAME needs (see index)
    _derived: dict[str, Any] = field(default_factory=dict)
    _derived_of: Scan | None = None

    @property
    def scan(self) -> Scan:
        if self._scan is None:
            if self.focus is not None:
                from vaultcrm.store.index import load_focused

                self._scan = load_focused(self.vault, self.config, self.focus, progress=self.progress)
            if self._scan is None:
                self._scan = scan(self.vault, self.config, progress=self.progress)
        return self._scan

    def everything(self) -> list[NoteRecord]:
        """Every note's record, even when this command started focused on one note."""
        if self.focus is not None:
            self.focus = None
            self._scan = None
        return self.records

    def derived(self, key: str, make: Callable[[], Any]) -> Any:
        """A value computed from the current scan (link index, folder notes…), recomputed after edits."""
        current = self.scan
        if self._derived_of is not current:
            self._derived, self._derived_of = {}, current
        if key not in self._derived:
            self._derived[key] = make()
        return self._derived[key]

    @property
    def records(self) -> list[NoteRecord]:
        return self.derived("ok", lambda: self.scan.ok)

    def resolve(self, name: str) -> NoteRecord:
        """The one note NAME names; a note whose frontmatter is broken is still found by path/stem."""
        try:
            return query.resolve(self.scan.records, name)
        except NotFound:
            self._refuse_unreadable(name)
            raise

    def _refuse_unreadable(self, name: str) -> None:
        """A name that only matches a file vaultcrm cannot read (binary, UTF-16, too large) is an
        invalid note (exit 5), and a path that would leave the vault a usage error (exit 2), not a
        missing note (exit 3)."""
        if _ESCAPING_PATH.search(name.strip()):
            raise OutsideVault(f"{name!r} is outside the vault; names and paths are relative to the vault")
        stubs = [NoteRecord(path=p, title=p.rsplit("/", 1)[-1].removesuffix(".md")) for p, _ in self.scan.unreadable]
        for rec in query.matches(stubs, name):
            from vaultcrm.errors import InvalidNote

            raise InvalidNote(dict(self.scan.unreadable)[rec.path], path=rec.path)

    def find_all(self, name: str) -> list[NoteRecord]:
        found = query.matches(self.scan.records, name)
        if not found:
            self._refuse_unreadable(name)
            raise NotFound(f"no note named {name!r}", suggestions=query.suggest(self.scan.records, name))
        return found

    def warnings(self) -> list[str]:
        out = [f"{r.path}:{r.error_line or 1}: skipped: {r.error}" for r in self.scan.broken]
        out += [f"{p}: skipped: {msg}" for p, msg in self.scan.unreadable]
        return out


_ESCAPING_PATH = re.compile(r"^(?:/|\\|[A-Za-z]:[\\/])|(?:^|[/\\])\.\.(?:[/\\]|$)")  # /x, \\x, C:\x, a/../x


# ---- editing pipeline -----------------------------------------------------------------------
@dataclass
class Change:
    """What an edit did (or, in a dry run, would do) to one file."""

    path: str
    before: str | None  # None: the file is created
    after: str | None  # None: the file is removed (moved to .trash)
    moved_to: str | None = None

    def diff(self) -> str:
        a = (self.before or "").splitlines(keepends=True)
        b = (self.after or "").splitlines(keepends=True)
        out = difflib.unified_diff(a, b, f"a/{self.path}" if self.before is not None else "/dev/null",
                                   f"b/{self.moved_to or self.path}" if self.after is not None else "/dev/null")
        # as GNU diff: mark every line that lacks a newline (the old or the new last line), where it falls
        return "".join(x if x.endswith("\n") else x + "\n\\ No newline at end of file\n" for x in out)


@dataclass
class EditResult:
    """The outcome of an editing command: a message for people and the changes made."""

    message: str
    changes: list[Change]
    dry_run: bool = False
    data: dict[str, Any] = field(default_factory=dict)

    def diff(self) -> str:
        return "".join(c.diff() for c in self.changes)


EditFn = Callable[[Note], Note]


def edit_note(ctx: Context, path: str, fn: EditFn, *, command: str, message: str,
              dry_run: bool = False) -> EditResult:
    """Read one note under the lock, refuse it if malformed, apply `fn`, write if anything changed."""
    with ctx.vault.lock():
        current = ctx.vault.read(path)
        note = Note.parse(current.text, path)
        note.check()
        new = fn(note)
        text = new.render()
        if text == current.text:
            return EditResult(f"{path}: nothing to change", [], dry_run)
        change = Change(path, current.text, text)
        if not dry_run:
            _write_all(ctx, [change], command)
    return EditResult(message, [change], dry_run)


def apply_changes(ctx: Context, changes: Sequence[Change], command: str, *, dry_run: bool = False,
                  message: str = "", data: dict[str, Any] | None = None) -> EditResult:
    """Write `changes` under the vault lock as one journaled edit (one `undo` takes all back).

    Every file is checked before any is written: it must still hash to the text that was read
    (`before`), a file to create must not exist, a move's destination must be free. Files are
    replaced atomically; a change with `moved_to` is a rename (into `.trash/`). Nothing is deleted.
    """
    changes = list(changes)
    result = EditResult(message or ("nothing to change" if not changes else command), changes, dry_run,
                        data=dict(data or {}))
    if dry_run or not changes:
        return result
    with ctx.vault.lock():
        _write_all(ctx, changes, command)
    return result


def _write_all(ctx: Context, changes: Sequence[Change], command: str) -> None:
    """The writing half of `apply_changes`, for callers that already hold the lock."""
    from vaultcrm.store.vault import digest

    vault = ctx.vault
    for c in changes:
        if c.before is None:
            if vault.exists(c.path):
                raise WriteConflict("a note already exists there; nothing written", path=c.path)
        elif vault.read(c.path).digest != digest(c.before):
            raise WriteConflict("the note changed on disk since it was read; nothing written",
                                path=c.path, hint="run the command again")
        if c.after is None and not c.moved_to:
            raise UnsafeEdit("vaultcrm never deletes a note; nothing written", path=c.path)
        if c.moved_to and vault.abspath(c.moved_to, allow_hidden=True).exists():  # .trash may not lead outside
            raise WriteConflict(f"{c.moved_to} already exists; nothing written", path=c.moved_to)
    done: list[Change] = []
    try:
        for c in changes:
            if c.moved_to:
                if c.after is not None and c.after != c.before:
                    vault.write(c.path, c.after, expected=digest(c.before or ""))
                vault.move(c.path, c.moved_to)
            elif c.before is None:
                vault.write(c.path, c.after or "", expected=None, create=True)
            else:
                vault.write(c.path, c.after or "", expected=digest(c.before))
            done.append(c)
    except BaseException:
        if done:  # what was written can still be undone
            record(ctx, f"{command} (interrupted)", done)
        raise
    record(ctx, command, changes)


def record(ctx: Context, command: str, changes: Sequence[Change]) -> None:
    """After a write: journal it for `undo` and, when configured, commit it to git."""
    from vaultcrm.store import journal

    journal.append(ctx.vault, command, changes)
    from vaultcrm.store import index

    index.update(ctx.vault, ctx.config, [c.path for c in changes] + [c.moved_to for c in changes if c.moved_to])
    if ctx.config.git_commit or getattr(ctx, "git_commit", False):
        from vaultcrm.store import git

        paths = [c.path for c in changes] + [c.moved_to for c in changes if c.moved_to]
        git.commit(ctx.vault, paths, f"vaultcrm {command}\n\n" + "\n".join(paths), changes=changes)
    ctx._scan = None


# ---- reading --------------------------------------------------------------------------------
@dataclass
class NoteView:
    """Everything `show` presents about one note."""

    record: NoteRecord
    status: list[tuple[str, str]]
    entries: list[dict[str, Any]]
    tasks: list[tuple[NoteRecord, TaskRecord]]
    sections: list[dict[str, str]]
    last_contact: LastContact
    queries: list[dict[str, Any]] = field(default_factory=list)
    history: list[tuple[str, int]] = field(default_factory=list)  # contacts per month, oldest first


def note_view(ctx: Context, rec: NoteRecord) -> NoteView:
    text = ctx.vault.read(rec.path).text
    note = Note.parse(text, rec.path)
    note.check()
    status = [(name, value) for _, name, value in edits.status_rows(note)]
    entries = sorted(
        ({"date": e.date, "raw_date": e.raw_date, "link": e.link, "text": e.text, "via": e.via, "line": e.line}
         for e in entries_of(note)),
        key=lambda e: (e["date"] is not None, e["date"] or ""), reverse=True)
    sections = []
    for s in note.sections:
        body = "".join(note.lines[s.body_start:s.end]).replace("\r\n", "\n").strip("\n")
        sections.append({"heading": s.heading, "level": s.level, "line": s.start + 1, "text": body})
    tasks = tasks_for(ctx, rec)
    queries = []
    from vaultcrm.model import tasksquery

    blocks_found = tasksquery.blocks_in(note)
    all_tasks = [(r, t) for r in ctx.everything() for t in r.tasks] if blocks_found else []
    for block in blocks_found:
        res = tasksquery.run(block.text, all_tasks, ctx.today, here=rec, read=lambda p: ctx.vault.read(p).text)
        queries.append({"line": block.line, "query": block.text, "tasks": list(res),
                        "errors": list(res.errors), "total": res.total})
    return NoteView(rec, status, entries, tasks, sections, effective_last_contact(ctx, rec), queries,
                    contact_histogram(ctx, rec))


def show(ctx: Context, name: str, *, exact_one: bool) -> tuple[list[NoteView], list[str]]:
    """The notes NAME names (several on a terminal, with a warning), or exactly one for --json."""
    found = ctx.find_all(name)
    if exact_one and len(found) > 1:
        raise Ambiguous(f"{name!r} names {len(found)} notes; give a path to choose one",
                        candidates=[r.path for r in found])
    warnings = []
    if len(found) > 1:
        warnings.append(f"{name!r} names {len(found)} notes: " + ", ".join(r.path for r in found))
    for r in found:
        if r.error:
            from vaultcrm.errors import InvalidNote

            raise InvalidNote(r.error, path=r.path, line=r.error_line)
    return [note_view(ctx, r) for r in found], warnings


def list_notes(ctx: Context, *, kind: str | None = None, tags: Sequence[str] = (),
               where: Sequence[str] = (), sort: str | None = None) -> list[tuple[NoteRecord, LastContact]]:
    """The notes that pass the filters, in order, each with its effective last contact."""
    return [(r, effective_last_contact(ctx, r)) for r in _listed(ctx, kind, tags, where, sort)]


def _listed(ctx: Context, kind: str | None, tags: Sequence[str], where: Sequence[str],
            sort: str | None) -> list[NoteRecord]:
    clauses = query.parse_where(where)
    want_kind = ctx.config.canonical_kind(kind) if kind else None

    def field(r: NoteRecord, key: str) -> Any:
        if key == "last_contact":  # the column `list` prints: the effective last contact
            d = effective_last_contact(ctx, r).date
            return d.isoformat() if d else None
        return query.field_value(r, key)

    rows = [r for r in ctx.records
            if (want_kind is None or r.kind == want_kind)
            and all(query.has_tag(r, t) for t in tags)
            and query.where_ok(r, clauses, field)]
    if sort:
        desc = sort.startswith("-")
        key = sort.lstrip("-")

        def value(r: NoteRecord) -> Any:
            return field(r, key)

        def sort_key(r: NoteRecord) -> tuple[int, float, str]:
            v = value(r)
            if isinstance(v, (int, float)) and not isinstance(v, bool):
                return (0, float(v), "")  # numbers as numbers, before text
            return (1, 0.0, fold(query._text(v)))

        def missing(r: NoteRecord) -> bool:
            return value(r) in (None, "", [])

        present = sorted((r for r in rows if not missing(r)), key=lambda r: (sort_key(r), r.path), reverse=desc)
        rows = present + [r for r in rows if missing(r)]
    return rows


def get_property(ctx: Context, name: str, key: str) -> Any:
    """A property's value; falls back to the Account Status row of that name."""
    rec = _editable(ctx, name)
    if key in rec.properties:
        return rec.properties[key]
    note = Note.parse(ctx.vault.read(rec.path).text, rec.path)
    value = edits.status_value(note, key)
    if value is not None:
        return value
    raise NotFound(f"{rec.path} has no property {key!r}", suggestions=list(rec.properties)[:10])


def _editable(ctx: Context, name: str) -> NoteRecord:
    rec = ctx.resolve(name)
    if rec.error:
        from vaultcrm.errors import InvalidNote

        raise InvalidNote(f"{rec.error}; fix it before editing", path=rec.path,
                          line=rec.error_line)
    return rec


# ---- editing commands --------------------------------------------------------------------------
def log(ctx: Context, name: str, text: str, *, day: date | None = None, via: str | None = None,
        link: str | None = None, dry_run: bool = False) -> EditResult:
    """Add a Recent Context entry and raise `last_contact` when the entry is later."""
    if not text.strip():
        raise UsageError("the entry text is empty")
    day = day or ctx.today
    rec = _editable(ctx, name)

    def fn(note: Note) -> Note:
        note = edits.add_entry(note, day, text.replace("\n", " "), link=link, via=via)
        if note.frontmatter is not None:
            current = iso_date(note.properties.get("last_contact"))
            # a contact that has not happened yet never becomes the last one
            if (current is None or current < day) and day <= ctx.today:
                note = edits.set_property(note, "last_contact", day.isoformat())
        return note

    return edit_note(ctx, rec.path, fn, command=f"log {rec.title}", message=f"logged to {rec.path}",
                     dry_run=dry_run)


def set_property(ctx: Context, name: str, key: str, value: Any, *, dry_run: bool = False) -> EditResult:
    if not key.strip() or "\n" in key:
        raise UsageError("property names cannot be empty or span lines")
    rec = _editable(ctx, name)

    def fn(note: Note) -> Note:
        note = edits.set_property(note, key, value)
        return edits.set_status_cell(note, key, edits.as_cell(value))

    return edit_note(ctx, rec.path, fn, command=f"set {rec.title} {key}", message=f"set {key} in {rec.path}",
                     dry_run=dry_run)


def add_to_list(ctx: Context, name: str, key: str, items: Sequence[Any], *, dry_run: bool = False) -> EditResult:
    """Append items to a list property (a scalar becomes a list), each once.

    The current value is read inside the edit, under the lock, so a concurrent addition is
    never overwritten.
    """
    rec = _editable(ctx, name)

    def fn(note: Note) -> Note:
        current = note.properties.get(key)
        have = current if isinstance(current, list) else ([] if current in (None, "") else [current])
        new = have + [v for v in items if v not in have]
        note = edits.set_property(note, key, new)
        return edits.set_status_cell(note, key, edits.as_cell(new))

    return edit_note(ctx, rec.path, fn, command=f"set {rec.title} {key}", message=f"added to {key} in {rec.path}",
                     dry_run=dry_run)


def unset_property(ctx: Context, name: str, key: str, *, dry_run: bool = False) -> EditResult:
    """Remove a property, and empty the Account Status cell of the same field if there is one."""
    rec = _editable(ctx, name)

    def fn(note: Note) -> Note:
        if key not in note.properties and edits.status_value(note, key) is None:
            raise NotFound(f"{rec.path} has no property or Account Status row {key!r}",
                           suggestions=list(note.properties)[:10])
        note = edits.unset_property(note, key)
        return edits.set_status_cell(note, key, "")

    return edit_note(ctx, rec.path, fn, command=f"unset {rec.title} {key}",
                     message=f"removed {key} from {rec.path}", dry_run=dry_run)


def add(ctx: Context, name: str, section: str, text: str, *, dry_run: bool = False) -> EditResult:
    if not section.strip() or not text.strip():
        raise UsageError("section and text must not be empty")
    rec = _editable(ctx, name)
    return edit_note(ctx, rec.path, lambda n: edits.add_bullet(n, section, text.replace("\n", " ")),
                     command=f"add {rec.title} {section}", message=f"added to {section} in {rec.path}",
                     dry_run=dry_run)


def task_add(ctx: Context, name: str, text: str, *, due: date | None = None, dry_run: bool = False) -> EditResult:
    if not text.strip():
        raise UsageError("the task text is empty")
    rec = _editable(ctx, name)
    return edit_note(ctx, rec.path, lambda n: edits.add_task(n, text.replace("\n", " "), due),
                     command=f"task add {rec.title}", message=f"added a task to {rec.path}", dry_run=dry_run)


# ---- tasks ------------------------------------------------------------------------------------
def belonging(ctx: Context, rec: NoteRecord) -> list[NoteRecord]:
    """The note and the notes filed under it (the folder of a folder note), in path order."""
    if not rec.folder_note:
        return [rec]
    import bisect

    records = ctx.records  # sorted by path: the folder's notes are one contiguous run
    paths = ctx.derived("paths", lambda: [r.path for r in records])
    prefix = rec.folder + "/"
    lo = bisect.bisect_left(paths, prefix)
    hi = bisect.bisect_left(paths, prefix + "\U0010ffff")
    return [rec] + [r for r in records[lo:hi] if r.path != rec.path]


def tasks_for(ctx: Context, rec: NoteRecord) -> list[tuple[NoteRecord, TaskRecord]]:
    return [(r, t) for r in belonging(ctx, rec) for t in r.tasks]


@dataclass
class TaskRow:
    """A task in a listing: its note, its number within that listing's note group, the task."""

    note: NoteRecord
    number: int
    task: TaskRecord


def task_rows(ctx: Context, name: str | None) -> list[TaskRow]:
    pairs = tasks_for(ctx, ctx.resolve(name)) if name else [(r, t) for r in ctx.records for t in r.tasks]
    return [TaskRow(r, n, t) for n, (r, t) in enumerate(pairs, 1)] if name else \
        [TaskRow(r, i, t) for r in {id(r): r for r, _ in pairs}.values() for i, t in enumerate(r.tasks, 1)]


def task_list(ctx: Context, name: str | None = None, *, done: bool = False, all_: bool = False,
              overdue: bool = False, due_within: int | None = None) -> list[TaskRow]:
    rows = task_rows(ctx, name)
    out = []
    for row in rows:
        t = row.task
        if all_:
            pass
        elif done:
            if not t.done:
                continue
        elif not (not t.done and not t.cancelled):
            continue
        due = iso_date(t.due)
        if overdue and not (due is not None and due < ctx.today and not t.done and not t.cancelled):
            continue
        if due_within is not None and not (due is not None and due <= ctx.today + timedelta(days=due_within)):
            continue
        out.append(row)
    return out


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
        raise NotFound(f"no task matches {match!r}" + (f" in {name!r}" if name else ""),
                       suggestions=[f"{r.task.id}  {r.task.text[:60]}" for r in task_rows(ctx, name)[:5]]
                       if name else [])
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


def task_done(ctx: Context, name: str | None, match: str, *, dry_run: bool = False) -> EditResult:
    row = _one_task(ctx, name, match, want_open=True)
    return _edit_task(ctx, row, done=True, dry_run=dry_run)


def task_undo(ctx: Context, name: str | None, match: str, *, dry_run: bool = False) -> EditResult:
    row = _one_task(ctx, name, match, want_open=False)
    return _edit_task(ctx, row, done=False, dry_run=dry_run)


def _edit_task(ctx: Context, row: TaskRow, *, done: bool, dry_run: bool) -> EditResult:
    path, task_id = row.note.path, row.task.id

    def fn(note: Note) -> Note:
        current = {t.id: t for t in tasks_of(note)}
        t = current.get(task_id)
        if t is None:
            raise VaultCRMError("the task changed on disk since it was listed; run the command again", path=path)
        index = t.line - 1
        parsed = grammar.parse_task(strip_eol(note.lines[index]), index)
        assert parsed is not None
        if done:
            above = grammar.next_occurrence(parsed, ctx.today)
            return edits.replace_line(note, index, grammar.tick(parsed, ctx.today), insert_above=above)
        return edits.replace_line(note, index, grammar.untick(parsed))

    verb = "done" if done else "reopened"
    message = f"{verb}: {row.task.text[:70]} ({path}:{row.task.line})"
    parsed = grammar.parse_task(row.task.raw)
    if done and parsed is not None and parsed.recurrence and grammar.next_occurrence(parsed, ctx.today) is None:
        message += f"; warning: cannot compute the next occurrence of '🔁 {parsed.recurrence}', none was added"
    return edit_note(ctx, path, fn, command=f"task {'done' if done else 'undo'} {row.task.text[:40]}",
                     message=message, dry_run=dry_run)


# ---- new ---------------------------------------------------------------------------------------
_BAD_TITLE = re.compile(r'[\\/:*?"<>|\x00-\x1f]')


def new_note(ctx: Context, kind: str, title: str, *, folder: str | None = None, account: str | None = None,
             dry_run: bool = False) -> EditResult:
    from vaultcrm.store import templates

    title = title.strip()
    if not title or title.startswith(".") or _BAD_TITLE.search(title) or ".." in title:
        raise OutsideVault(f"{title!r} cannot be a note's file name (no / \\ : * ? \" < > |, no leading dot)")
    canonical = ctx.config.canonical_kind(kind) or kind
    stem = title
    if ctx.config.is_meeting(canonical) and not re.match(r"\d{4}-\d{2}-\d{2}", title):
        stem = f"{ctx.today.isoformat()} {title}"
    target_folder = folder if folder is not None else ctx.config.folder_for(canonical)
    rel = f"{target_folder.rstrip('/')}/{stem}.md" if target_folder.strip("/") else f"{stem}.md"  # /abs refused below
    from vaultcrm.store.vault import check_relative

    check_relative(rel)
    ctx.vault.abspath(rel)
    if ctx.vault.exists(rel):
        raise VaultCRMError(f"{rel} already exists; nothing written", path=rel)
    if query.matches(ctx.records, title) and not ctx.config.is_meeting(canonical):
        existing = ", ".join(r.path for r in query.matches(ctx.records, title))
        raise VaultCRMError(f"a note named {title!r} already exists ({existing}); nothing written")
    account_link = None
    if account:
        account_link = query.link_name(ctx.scan.records, ctx.resolve(account))
    text = templates.render(ctx.vault, canonical, title=title, today=ctx.today, account=account_link)
    return apply_changes(ctx, [Change(rel, None, text)], f"new {canonical} {title}", dry_run=dry_run,
                         message=f"created {rel}", data={"path": rel})


# ---- last contact, stale, agenda, timeline, who -----------------------------------------------------
@dataclass(frozen=True)
class LastContact:
    date: date | None
    source: str | None  # frontmatter | recent_context | meeting | None
    evidence: str | None = None  # path of the meeting note, or line of the entry


@dataclass
class Links:
    """Which notes point at which names: fold(name) -> notes linking to it."""

    by_target: dict[str, list[NoteRecord]]

    def linking_to(self, rec: NoteRecord) -> list[NoteRecord]:
        seen: dict[str, NoteRecord] = {}
        for n in rec.linked_as():
            for r in self.by_target.get(n, []):
                seen[r.path] = r
        return [seen[p] for p in sorted(seen)]


def links_index(records: Sequence[NoteRecord]) -> Links:
    by: dict[str, list[NoteRecord]] = {}
    for r in records:
        for key in sorted(r.link_keys()):
            by.setdefault(key, []).append(r)
    return Links(by)


def _links(ctx: Context) -> Links:
    # only meeting notes' links date an account, so only they are indexed
    return ctx.derived("links", lambda: _links_now(ctx))


def _links_now(ctx: Context) -> Links:
    rows = ctx.scan.link_rows
    if rows is None:
        return links_index([r for r in ctx.records if ctx.config.is_meeting(r.kind)])
    by_path = {r.path: r for r in ctx.records}
    by: dict[str, list[NoteRecord]] = {}
    for key, path in rows:  # the cache's links table holds exactly what links_index would compute
        rec = by_path.get(path)
        if rec is not None:
            by.setdefault(key, []).append(rec)
    return Links(by)


def related_meetings(ctx: Context, rec: NoteRecord) -> list[NoteRecord]:
    """Dated notes that belong to an account: in its folder, or meeting notes that link to it."""
    out: dict[str, NoteRecord] = {}
    if rec.folder_note:
        for r in belonging(ctx, rec)[1:]:
            if r.note_date:
                out[r.path] = r
    for r in _links(ctx).linking_to(rec):
        if r.path != rec.path and r.note_date and ctx.config.is_meeting(r.kind):
            out[r.path] = r
    return [out[p] for p in sorted(out)]


def effective_last_contact(ctx: Context, rec: NoteRecord) -> LastContact:
    """The latest of: `last_contact` (when a date), the newest dated Recent Context entry, and the
    newest dated note that belongs to the account. Dates after today do not count (plans, not
    contacts). Ties go to frontmatter, then recent_context, then meeting."""
    memo = ctx.derived("last_contact", dict)  # list --sort last_contact asks twice per note
    if rec.path not in memo:
        memo[rec.path] = _last_contact(ctx, rec)
    return memo[rec.path]


def _last_contact(ctx: Context, rec: NoteRecord) -> LastContact:
    candidates: list[tuple[date, int, str, str | None]] = []
    prop = rec.last_contact_property
    if prop is not None and prop <= ctx.today:
        candidates.append((prop, 2, "frontmatter", None))
    today = ctx.today.isoformat()  # entry dates are valid ISO dates: as strings they sort as dates
    dated = [(d, line) for d, line in rec.dated_entries if d <= today]
    if dated:
        d, line = max(dated, key=lambda x: x[0])
        candidates.append((date.fromisoformat(d), 1, "recent_context", f"{rec.path}:{line}"))
    for m in related_meetings(ctx, rec):
        d = iso_date(m.note_date)
        if d is not None and d <= ctx.today:
            candidates.append((d, 0, "meeting", m.path))
    if not candidates:
        return LastContact(None, None)
    best = max(candidates, key=lambda c: (c[0], c[1]))
    return LastContact(best[0], best[2], best[3])


def cadence_days(ctx: Context, rec: NoteRecord) -> int:
    """The account's cadence: its `cadence` property, else the shortest matching tag cadence in
    `.vaultcrm.toml`, else its kind's, else the default (30 days)."""
    own = parse_period(rec.cadence_value)
    if own:
        return own
    tag_days = [parse_period(v) for t, v in ctx.config.cadence_tags.items() if query.has_tag(rec, t)]
    tag_days = [d for d in tag_days if d]
    if tag_days:
        return min(tag_days)
    by_kind = next((parse_period(v) for k, v in ctx.config.cadence_kinds.items()
                    if rec.kind and ctx.config.canonical_kind(k) == rec.kind), None)
    return by_kind or ctx.config.default_days


@dataclass
class StaleRow:
    record: NoteRecord
    last: LastContact
    days: int | None
    cadence: int
    due: date | None  # the day the account goes (or went) stale


def accounts(ctx: Context, kind: str | None = None) -> list[NoteRecord]:
    if kind:
        want = ctx.config.canonical_kind(kind)
        return [r for r in ctx.records if r.kind == want]
    return [r for r in ctx.records if ctx.config.is_account(r.kind)]


def account_rows(ctx: Context, *, days: int | None = None, kind: str | None = None) -> list[StaleRow]:
    rows = []
    for rec in accounts(ctx, kind):
        last = effective_last_contact(ctx, rec)
        cadence = days if days is not None else cadence_days(ctx, rec)
        age = (ctx.today - last.date).days if last.date else None
        due = last.date + timedelta(days=cadence + 1) if last.date else None
        rows.append(StaleRow(rec, last, age, cadence, due))
    return rows


def stale(ctx: Context, *, days: int | None = None, kind: str | None = None, known: bool = False) -> list[StaleRow]:
    """Accounts whose effective last contact is more than their cadence ago, oldest first, then undated."""
    if days is not None and days < 0:
        raise UsageError("--days must be 0 or more")
    rows = account_rows(ctx, days=days, kind=kind)
    dated = sorted((r for r in rows if r.days is not None and r.days > r.cadence),
                   key=lambda r: (r.last.date, fold(r.record.title), r.record.path))
    undated = [] if known else sorted((r for r in rows if r.days is None),
                                      key=lambda r: (fold(r.record.title), r.record.path))
    return dated + undated


@dataclass
class Agenda:
    overdue: list[TaskRow]
    due_soon: list[TaskRow]
    going_stale: list[StaleRow]


def agenda(ctx: Context, *, days: int = 7) -> Agenda:
    if days < 0:
        raise UsageError("--days must be 0 or more")
    horizon = ctx.today + timedelta(days=days)
    rows = task_list(ctx)
    overdue = [r for r in rows if r.task.due and iso_date(r.task.due) < ctx.today]  # type: ignore[operator]
    soon = [r for r in rows if r.task.due and ctx.today <= iso_date(r.task.due) <= horizon]  # type: ignore[operator]
    key = lambda r: (r.task.due, r.note.path, r.task.line)  # noqa: E731
    going = [r for r in account_rows(ctx) if r.due is not None and ctx.today < r.due <= horizon]
    going.sort(key=lambda r: (r.due, fold(r.record.title), r.record.path))
    return Agenda(sorted(overdue, key=key), sorted(soon, key=key), going)


@dataclass
class TimelineRow:
    date: date
    record: NoteRecord  # the note that holds the entry
    entry: Any
    account: NoteRecord  # the account it belongs to (the note itself, or its folder note)


def owner_of(ctx: Context, rec: NoteRecord) -> NoteRecord:
    """The account a note belongs to: itself when it is one, else the nearest folder note above it."""
    if ctx.config.is_account(rec.kind):
        return rec
    folders = ctx.derived("folder_notes", lambda: {r.folder: r for r in ctx.records if r.folder_note})
    parts = rec.folder.split("/") if rec.folder else []
    while parts:
        owner = folders.get("/".join(parts))
        if owner is not None and owner.path != rec.path:
            return owner
        parts.pop()
    return rec


def timeline(ctx: Context, name: str | None = None, *, since: date | None = None,
             until: date | None = None) -> list[TimelineRow]:
    recs = belonging(ctx, ctx.resolve(name)) if name else ctx.records
    out = []
    for r in recs:
        if not r.dated_entries:  # a cached summary: notes without dated entries are never decoded
            continue
        for e in r.entries:
            d = iso_date(e.date)
            if d is None or (since and d < since) or (until and d > until):
                continue
            out.append(TimelineRow(d, r, e, owner_of(ctx, r)))
    out.sort(key=lambda t: (-t.date.toordinal(), fold(t.account.title), t.record.path, t.entry.line))
    return out


def who(ctx: Context, name: str) -> list[dict[str, Any]]:
    """People through whom an account's contact runs: `(via P)` entries and meeting attendees."""
    rec = ctx.resolve(name)
    people: dict[str, dict[str, Any]] = {}

    def add_person(person: str, day: str | None, source: str) -> None:
        label = person.strip().strip('"').removeprefix("[[").removesuffix("]]").split("|")[0].strip()
        if not label or fold(label) in {fold(n) for n in rec.names()}:
            return
        p = people.setdefault(fold(label), {"name": label, "last": None, "count": 0, "sources": []})
        p["count"] += 1
        if day and (p["last"] is None or day > p["last"]):
            p["last"] = day
        if source not in p["sources"]:
            p["sources"].append(source)

    for r in belonging(ctx, rec):
        for e in r.entries:
            for person in re.split(r"\s*(?:[,;&]|\band\b)\s*", e.via or ""):  # (via Jane, Bob and Carol)
                add_person(person, e.date, "via")
    for m in related_meetings(ctx, rec):
        for key in PEOPLE_KEYS:
            for person in string_list(m.properties.get(key)):
                add_person(person, m.note_date, "meeting")
    by_name = sorted(people.values(), key=lambda p: fold(p["name"]))
    by_name.sort(key=lambda p: (p["last"] or "", p["count"]), reverse=True)  # stable: newest, most, then name
    return by_name


def contact_histogram(ctx: Context, rec: NoteRecord, months: int = 12) -> list[tuple[str, int]]:
    """Entries and dated related notes per month over the last `months` months, oldest first."""
    counts: dict[str, int] = {}
    y, m = ctx.today.year, ctx.today.month
    keys = []
    for _ in range(months):
        keys.append(f"{y:04d}-{m:02d}")
        y, m = (y, m - 1) if m > 1 else (y - 1, 12)
    keys.reverse()
    for k in keys:
        counts[k] = 0
    dates = [e.date for r in belonging(ctx, rec) for e in r.entries if e.date]
    dates += [r.note_date for r in related_meetings(ctx, rec)]
    for d in dates:
        if d and d <= ctx.today.isoformat() and d[:7] in counts:  # plans are not contacts
            counts[d[:7]] += 1
    return list(counts.items())

