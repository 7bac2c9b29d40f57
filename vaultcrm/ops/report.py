"""The manager's week (`report`): what happened between two dates, per account and in total.

Interactions (Recent Context entries that record a contact, and meeting or interaction notes dated
in the range), tasks done (✅ in the range) and added (➕ in the range, or, for a task without ➕,
the journaled vaultcrm edit that added it), accounts that went stale (their stale-on day in the
range), the pipeline by stage and its changes in the range (from `ops.pipeline`, the owner of deals),
and sources clipped in the range.
A report is filed as a new note through the one write pipeline (`file_report`), never over one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from vaultcrm import query
from vaultcrm.dates import iso_date
from vaultcrm.errors import UsageError, VaultCRMError
from vaultcrm.model.dating import is_not_contact
from vaultcrm.model.keys import listed_key
from vaultcrm.model.note import Note
from vaultcrm.model.records import NoteRecord, TaskRecord, fold, tasks_of
from vaultcrm.ops import pipeline
from vaultcrm.ops.contact import contact_dates, related_meetings
from vaultcrm.ops.context import Context
from vaultcrm.ops.pipeline import FieldChange, StageSum
from vaultcrm.ops.relations import StaleRow, account_rows, accounts, stale, timeline
from vaultcrm.ops.scope import is_account, owner_of
from vaultcrm.ops.writes import Change, EditResult, apply_changes
from vaultcrm.store import journal
from vaultcrm.store.paths import check_relative
from vaultcrm.store.vault import digest

STRIP_WEEKS = 12  # the heat strip shows at least this many weeks, ending with the range's last week
MOST_WEEKS = 104


@dataclass
class Interaction:
    """A contact in the range: a Recent Context entry, or a dated meeting/interaction note."""

    day: date
    kind: str  # "entry" | "meeting"
    record: NoteRecord  # the note holding the entry, or the meeting note itself
    text: str
    link: str | None = None
    via: str | None = None
    line: int | None = None


@dataclass
class TaskItem:
    record: NoteRecord
    task: TaskRecord
    day: date  # the day it was done, or added
    how: str = "done"  # done | created (➕) | journal (the vaultcrm edit that added it)


@dataclass
class AccountActivity:
    """One account's part of the report; `account` None gathers notes that belong to no account."""

    account: NoteRecord | None
    interactions: list[Interaction] = field(default_factory=list)
    done: list[TaskItem] = field(default_factory=list)
    added: list[TaskItem] = field(default_factory=list)


@dataclass
class Report:
    since: date
    until: date
    today: date
    activity: list[AccountActivity]
    weeks: list[date]  # the Mondays of the heat strip's weeks, oldest first
    strip: list[tuple[NoteRecord, list[int]]]  # (account, contacts per week) of the accounts contacted then
    went_stale: list[StaleRow]
    stale_now: list[StaleRow]
    pipeline: list[StageSum]  # stages in the pipeline's order, each with its count and totals
    pipeline_changes: list[FieldChange]  # newest first
    sources: list[NoteRecord]
    links: dict[str, str] = field(default_factory=dict)  # note path -> what [[…]] reaches it by

    def totals(self) -> dict[str, int]:
        seen = {(i.record.path, i.line) for a in self.activity for i in a.interactions}
        return {"interactions": len(seen),
                "tasks_done": len({(t.record.path, t.task.line) for a in self.activity for t in a.done}),
                "tasks_added": len({(t.record.path, t.task.line) for a in self.activity for t in a.added}),
                "went_stale": len(self.went_stale), "stale_now": len(self.stale_now),
                "pipeline_changes": len(self.pipeline_changes), "new_sources": len(self.sources)}


def report_range(today: date, since: date | None, until: date | None) -> tuple[date, date]:
    """The range a report covers: the last 7 days (today-6 … today) unless given."""
    until = until or today
    since = since or until - timedelta(days=6)
    if since > until:
        raise UsageError(f"--since {since.isoformat()} is after --until {until.isoformat()}")
    return since, until


def build(ctx: Context, *, since: date | None = None, until: date | None = None) -> Report:
    """The report for [since, until] (both included)."""
    since, until = report_range(ctx.today, since, until)
    activity = _activity(ctx, since, until)
    weeks, strip = _heat_strip(ctx, since, until)
    went = sorted((r for r in account_rows(ctx) if r.due is not None and since <= r.due <= until),
                  key=lambda r: (r.due, fold(r.record.title), r.record.path))
    late = sorted(stale(ctx, known=True), key=lambda r: (-r.overdue_days, fold(r.record.title), r.record.path))
    stages, changes = _pipeline(ctx, since, until)
    sources = _new_sources(ctx, since, until)
    report = Report(since, until, ctx.today, activity, weeks, strip, went, late, stages, changes, sources)
    by_path = ctx.by_path
    named = [r.record for r in (*went, *late)] + sources + [a.account for a in activity if a.account]
    named += [by_path[c.path] for c in changes if c.path in by_path] + [a for a, _ in strip]
    named += [i.record for a in activity for i in a.interactions]
    named += [t.record for a in activity for t in (*a.done, *a.added)]
    link = _linker(ctx)
    report.links = {r.path: link(r) for r in named}
    return report


def _activity(ctx: Context, since: date, until: date) -> list[AccountActivity]:
    """Each account's interactions and tasks in the range, by title, then the notes of no account."""
    groups: dict[str, AccountActivity] = {}
    _interactions(ctx, since, until, groups)
    _tasks(ctx, since, until, groups)
    activity = sorted((g for k, g in groups.items() if k), key=lambda g: (fold(g.account.title), g.account.path))
    activity += [groups[""]] if "" in groups else []
    for g in activity:
        g.interactions.sort(key=lambda i: (-i.day.toordinal(), i.record.path, i.line or 0))
        g.done.sort(key=lambda t: (t.day, t.record.path, t.task.line))
        g.added.sort(key=lambda t: (t.day, t.record.path, t.task.line))
    return activity


def _linker(ctx: Context) -> Callable[[NoteRecord], str]:
    """What [[…]] reaches a note by (`query.link_name`), asking only the notes of the same file
    name: a report names hundreds of notes, and a vault may hold 50,000."""
    by_stem: dict[str, list[NoteRecord]] = {}
    for r in ctx.scan.records:
        by_stem.setdefault(fold(r.stem), []).append(r)
    return lambda rec: query.link_name(by_stem.get(fold(rec.stem), []), rec)


# ---- interactions --------------------------------------------------------------------------------
def _group(ctx: Context, groups: dict[str, AccountActivity], owner: NoteRecord | None) -> AccountActivity:
    if owner is None or not is_account(ctx, owner):
        return groups.setdefault("", AccountActivity(None))
    return groups.setdefault(owner.path, AccountActivity(owner))


def _interactions(ctx: Context, since: date, until: date, groups: dict[str, AccountActivity]) -> None:
    """Contacts in the range: entries (those pointing at a clipped source, or matching a
    `not_contact` pattern, record a mention, not a contact) and dated meeting/interaction notes."""
    source = _source_names(ctx)
    for row in timeline(ctx, since=since, until=until):
        e = row.entry
        if _names(e.link) & source or is_not_contact(e.text, ctx.config.not_contact):
            continue
        _group(ctx, groups, row.account).interactions.append(
            Interaction(row.date, "entry", row.record, e.text, e.link, e.via, e.line))
    met: set[str] = set()
    for acc in accounts(ctx):
        for m in related_meetings(ctx, acc):
            day = iso_date(m.note_date)
            if day is not None and since <= day <= until:
                met.add(m.path)
                _group(ctx, groups, acc).interactions.append(Interaction(day, "meeting", m, m.title))
    for m in ctx.records:  # a meeting filed under no account still happened
        day = iso_date(m.note_date)
        if ctx.config.is_meeting(m.kind) and m.path not in met and day is not None and since <= day <= until:
            _group(ctx, groups, None).interactions.append(Interaction(day, "meeting", m, m.title))


def _source_names(ctx: Context) -> set[str]:
    return {k for r in ctx.records if r.kind == "article" for k in r.linked_as()}


def _names(link: str | None) -> set[str]:
    if not link:
        return set()
    return {fold(link.split("|")[0].split("#")[0].strip().removesuffix(".md"))}


# ---- tasks ---------------------------------------------------------------------------------------
def _tasks(ctx: Context, since: date, until: date, groups: dict[str, AccountActivity]) -> None:
    first_seen = journal_added(ctx, since, until)
    for r in ctx.records:
        if not r.tasks:
            continue
        owner = owner_of(ctx, r)
        for t in r.tasks:
            done = iso_date(t.done_date)
            if t.done and done is not None and since <= done <= until:
                _group(ctx, groups, owner).done.append(TaskItem(r, t, done, "done"))
            created = iso_date(t.created)
            if created is not None:
                if since <= created <= until:
                    _group(ctx, groups, owner).added.append(TaskItem(r, t, created, "created"))
            elif (r.path, t.text) in first_seen:
                _group(ctx, groups, owner).added.append(TaskItem(r, t, first_seen[(r.path, t.text)], "journal"))


def journal_added(ctx: Context, since: date, until: date) -> dict[tuple[str, str], date]:
    """(note path, task text) -> the day a journaled vaultcrm edit in the range added that task.

    The journal keeps each edit's text before and the hash of the text after; the text after is
    known exactly when the next edit of that file started from it (or the file holds it now), and
    only then is the difference counted: nothing is guessed from a text that does not hash right.
    A task an edit moved from another of its files (`merge`) was not added."""
    steps: dict[str, list[tuple[float, str | None, str, list[dict[str, Any]]]]] = {}
    for entry in journal.entries(ctx.vault):
        for f in entry.files if not entry.undone else ():
            if f.get("path") and not f.get("moved_to") and f.get("after_hash"):
                steps.setdefault(f["path"], []).append((entry.time, f.get("before"), f["after_hash"], entry.files))
    out: dict[tuple[str, str], date] = {}
    for path, edits in steps.items():
        afters = [step[1] for step in edits[1:]] + [_current_text(ctx, path)]
        for (when, before, after_hash, files), after in zip(edits, afters, strict=True):
            day = datetime.fromtimestamp(when).date()
            if not since <= day <= until or after is None or digest(after) != after_hash:
                continue
            new = _task_texts(ctx, path, after) - _task_texts(ctx, path, before)
            for f in files if new and len(files) > 1 else ():
                new -= _task_texts(ctx, str(f.get("path")), f.get("before"))
            for text in new:
                out.setdefault((path, text), day)
    return out


def _current_text(ctx: Context, path: str) -> str | None:
    try:
        return ctx.vault.read(path).text if ctx.vault.exists(path) else None
    except (VaultCRMError, OSError):
        return None


def _task_texts(ctx: Context, path: str, text: str | None) -> set[str]:
    if not text:
        return set()
    try:
        return {t.text for t in tasks_of(Note.parse(text, path), ctx.config.tasks)}
    except VaultCRMError:  # a text vaultcrm cannot parse back tells nothing
        return set()


# ---- the heat strip, the pipeline, sources ------------------------------------------------------
def _heat_strip(ctx: Context, since: date, until: date) -> tuple[list[date], list[tuple[NoteRecord, list[int]]]]:
    """Contacts per week (Monday to Sunday) of each account contacted in the strip's weeks, most first."""
    last = until - timedelta(days=until.weekday())
    spanned = (last - (since - timedelta(days=since.weekday()))).days // 7 + 1
    n = min(max(STRIP_WEEKS, spanned), MOST_WEEKS)
    first = last - timedelta(weeks=n - 1)
    weeks = [first + timedelta(weeks=i) for i in range(n)]
    end = min(until, ctx.today)  # plans are not contacts
    rows = []
    for acc in accounts(ctx):
        counts = [0] * n
        for d in filter(None, (iso_date(x) for x in contact_dates(ctx, acc))):
            if first <= d <= end:
                counts[(d - first).days // 7] += 1
        if any(counts):
            rows.append((acc, counts))
    rows.sort(key=lambda row: (-sum(row[1]), fold(row[0].title), row[0].path))
    return weeks, rows


def prop(rec: NoteRecord, key: str) -> Any:
    """A property in any case, as Obsidian's panel reads it."""
    found = listed_key(rec.properties, key)
    return rec.properties.get(found) if found is not None else None


def _pipeline(ctx: Context, since: date, until: date) -> tuple[list[StageSum], list[FieldChange]]:
    """The deals by stage now (as `pipeline` shows them), and their changes in the range (as
    `pipeline --changes` finds them: the undo journal and git); git's own troubles are warnings."""
    stages = pipeline.pipeline(ctx).stages
    found, warnings = pipeline.changes(ctx, since)
    for warning in warnings:
        if ctx.notify is not None:
            ctx.notify(warning)
    return stages, [c for c in found if c.day <= until]


def _new_sources(ctx: Context, since: date, until: date) -> list[NoteRecord]:
    """Sources (kind article) whose `created` falls in the range, oldest first."""
    found = [(d, r) for r in ctx.records if r.kind == "article"
             for d in [iso_date(prop(r, "created"))] if d is not None and since <= d <= until]
    return [r for _, r in sorted(found, key=lambda x: (x[0], fold(x[1].title), x[1].path))]


# ---- filing it -------------------------------------------------------------------------------------
def file_report(ctx: Context, path: str, text: str, *, dry_run: bool = False) -> EditResult:
    """Write the report as a new note at `path` (`.md` added when missing); an existing note is
    never overwritten (exit 1, nothing written)."""
    rel = path.strip()
    if not rel.lower().endswith(".md"):
        if "." in rel.rsplit("/", 1)[-1]:
            raise UsageError(f"--out {path!r}: a report is filed as a Markdown note (.md)")
        rel += ".md"
    check_relative(rel)
    ctx.vault.abspath(rel)
    if ctx.vault.exists(rel):
        raise VaultCRMError(f"{rel} already exists; nothing written", path=rel,
                            hint="give another --out, or move the old report away")
    return apply_changes(ctx, [Change(rel, None, text)], f"report {rel}", dry_run=dry_run,
                         message=f"filed the report as {rel}", data={"path": rel})
