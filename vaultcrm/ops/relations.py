"""Relationships over time: which accounts are going stale, what is due (`agenda`), what happened
(`timeline`) and through whom (`who`)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING

from vaultcrm.dates import iso_date
from vaultcrm.errors import UsageError
from vaultcrm.model.records import PEOPLE_KEYS, EntryRecord, NoteRecord, fold, string_list
from vaultcrm.ops.contact import LastContact, cadence_days, effective_last_contact, related_meetings
from vaultcrm.ops.context import Context
from vaultcrm.ops.scope import belonging, interaction_of, interactions_of, is_account, owner_of

if TYPE_CHECKING:  # agenda's parts, imported when it runs: tasks bring the edit path (git, journal)
    from vaultcrm.model.yearly import KeyDate
    from vaultcrm.ops.tasks import TaskRow


@dataclass
class StaleRow:
    record: NoteRecord
    last: LastContact
    days: int | None
    cadence: int
    due: date | None  # the day the account goes (or went) stale
    interactions: int = 0  # dated notes filed under it (meetings, calls), whatever their type

    @property
    def is_stale(self) -> bool:
        """Contacted, but longer ago than its cadence: what `stale` lists (before the undated ones)."""
        return self.days is not None and self.days > self.cadence

    @property
    def overdue_days(self) -> int:
        """Days past the cadence: 1 on the first stale day (`due`), 0 or less while not stale."""
        return (self.days or 0) - self.cadence


def accounts(ctx: Context, kind: str | None = None) -> list[NoteRecord]:
    """The accounts (of one kind): never the interactions filed under them, whatever their type."""
    if kind:
        want = ctx.config.canonical_kind(kind)
        return [r for r in ctx.records if r.kind == want and interaction_of(ctx, r) is None]
    return [r for r in ctx.records if is_account(ctx, r)]


def account_rows(ctx: Context, *, days: int | None = None, kind: str | None = None) -> list[StaleRow]:
    rows = []
    for rec in accounts(ctx, kind):
        rows.append(account_row(ctx, rec, days=days))
        rec.release()  # its decoded dates (every Recent Context entry's): ~40 MB for 7,500 accounts at 50k
    return rows


def account_row(ctx: Context, rec: NoteRecord, *, days: int | None = None) -> StaleRow:
    """One account dated as `stale` dates it: `days` overrides its cadence."""
    last = effective_last_contact(ctx, rec)
    cadence = days if days is not None else cadence_days(ctx, rec)
    age = (ctx.today - last.date).days if last.date else None
    due = last.date + timedelta(days=cadence + 1) if last.date else None
    return StaleRow(rec, last, age, cadence, due, len(interactions_of(ctx, rec)))


def stale(ctx: Context, *, days: int | None = None, kind: str | None = None, known: bool = False) -> list[StaleRow]:
    """Accounts whose effective last contact is more than their cadence ago, oldest first, then undated."""
    if days is not None and days < 0:
        raise UsageError("--days must be 0 or more")
    rows = account_rows(ctx, days=days, kind=kind)
    dated = sorted((r for r in rows if r.is_stale),
                   key=lambda r: (r.last.date, fold(r.record.title), r.record.path))
    undated = [] if known else sorted((r for r in rows if r.days is None),
                                      key=lambda r: (fold(r.record.title), r.record.path))
    return dated + undated


@dataclass
class Agenda:
    overdue: list[TaskRow]
    due_soon: list[TaskRow]
    going_stale: list[StaleRow]
    stale_now: list[StaleRow] = field(default_factory=list)  # already past their cadence, most overdue first
    key_dates: list[KeyDate] = field(default_factory=list)  # birthdays, renewals… from today to the horizon


def agenda(ctx: Context, *, days: int = 7) -> Agenda:
    from vaultcrm.ops import keydates
    from vaultcrm.ops.tasks import iter_task_list

    if days < 0:
        raise UsageError("--days must be 0 or more")
    horizon = ctx.today + timedelta(days=days)
    # each note's other tasks let go once its rows are out: 33,000 overdue of 120,000 decoded at 50k
    dated = [(iso_date(r.task.due), r) for r in iter_task_list(ctx, due_within=days, release=True) if r.task.due]
    key = lambda r: (r.task.due, r.note.path, r.task.line)
    overdue = sorted((r for d, r in dated if d is not None and d < ctx.today), key=key)
    soon = sorted((r for d, r in dated if d is not None and ctx.today <= d <= horizon), key=key)
    rows = account_rows(ctx)  # dated once: both parts below read them (7,500 accounts at 50k notes)
    going = [r for r in rows if r.due is not None and ctx.today < r.due <= horizon]
    going.sort(key=lambda r: (r.due, fold(r.record.title), r.record.path))
    # The rows `stale` lists (without the never-contacted ones, which have no day to be late from):
    # an agenda that only warns about what will go stale hides the accounts that already have.
    late = [r for r in rows if r.is_stale]
    late.sort(key=lambda r: (-r.overdue_days, fold(r.record.title), r.record.path))
    return Agenda(overdue, soon, going, late, keydates.coming(ctx, within=days))


@dataclass(slots=True)  # one per dated entry of the vault: 230,000 on a 50k vault
class TimelineRow:
    date: date
    record: NoteRecord  # the note that holds the entry
    entry: EntryRecord
    account: NoteRecord  # the account it belongs to (the note itself, or its folder note)


def timeline(ctx: Context, name: str | None = None, *, since: date | None = None,
             until: date | None = None) -> list[TimelineRow]:
    """Every dated entry (of the vault, or of one account's notes) from `since` to `until`: newest
    first, then by account title, note path and line."""
    recs = belonging(ctx, ctx.resolve(name, reading=True)) if name else ctx.records
    rows: list[TimelineRow] = []
    titles: dict[str, str] = {}  # account path -> its sort title
    for r in recs:
        if r.dating.get("entries"):  # a cached summary: notes without dated entries are never decoded
            account = None  # the note's account: once a note, not once an entry
            for e in r.entries:
                d = iso_date(e.date)
                if d is None or (since and d < since) or (until and d > until):
                    continue
                if account is None:
                    account = owner_of(ctx, r)
                    titles.setdefault(account.path, fold(account.title))
                rows.append(TimelineRow(d, r, e, account))
        r.release()  # its decoded dates and entries but those in rows: at 50k, 230,000 entries' worth
    # two stable sorts, each key made only while it sorts: 230,000 rows' keys held beside the rows
    # to the end were ~40 MB at 50k
    rows.sort(key=lambda row: (titles[row.account.path], row.record.path, row.entry.line))
    rows.sort(key=lambda row: row.date, reverse=True)  # (reverse keeps equal dates in the order above)
    return rows


@dataclass
class Person:
    """Someone through whom an account's contact runs."""

    name: str
    last: str | None = None  # ISO date of the latest contact through them
    count: int = 0
    sources: list[str] = field(default_factory=list)  # via (entries) and/or meeting (attendees)


def who(ctx: Context, name: str) -> list[Person]:
    """People through whom an account's contact runs: `(via P)` entries and meeting attendees,
    newest first, then the most contacts, then by name. The user (`me`, `[[Me]]`) is left out."""
    from vaultcrm.ops.opening import is_user, user_names

    rec = ctx.resolve(name, reading=True)
    own_names = {fold(n) for n in rec.names()}
    mine = user_names(ctx)
    people: dict[str, Person] = {}

    def add_person(person: str, day: str | None, source: str) -> None:
        label = person.strip().strip('"').removeprefix("[[").removesuffix("]]").split("|")[0].strip()
        if not label or fold(label) in own_names or is_user(label, mine):
            return
        p = people.setdefault(fold(label), Person(label))
        p.count += 1
        if day and (p.last is None or day > p.last):
            p.last = day
        if source not in p.sources:
            p.sources.append(source)

    for r in belonging(ctx, rec):
        for e in r.entries:
            for person in re.split(r"\s*(?:[,;&]|\band\b)\s*", e.via or ""):  # (via Jane, Bob and Carol)
                add_person(person, e.date, "via")
    for m in related_meetings(ctx, rec):
        for key in PEOPLE_KEYS:
            for person in string_list(m.properties.get(key)):
                add_person(person, m.note_date, "meeting")
    by_name = sorted(people.values(), key=lambda p: fold(p.name))
    by_name.sort(key=lambda p: (p.last or "", p.count), reverse=True)  # stable: newest, most, then name
    return by_name
