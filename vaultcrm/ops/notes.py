"""Reading notes (`show`, `list`) and writing them (`log`, `add`, `new`)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from vaultcrm import query
from vaultcrm.errors import Ambiguous, InvalidNote, OutsideVault, UsageError, VaultCRMError
from vaultcrm.model import edits, grammar, keys
from vaultcrm.model.note import Note
from vaultcrm.model.records import NoteRecord, TaskRecord, entries_of
from vaultcrm.ops import contact, scope
from vaultcrm.ops.contact import LastContact, effective_last_contact
from vaultcrm.ops.context import Context
from vaultcrm.ops.scope import belonging
from vaultcrm.store import index
from vaultcrm.store.vault import check_relative

if TYPE_CHECKING:
    from vaultcrm.ops.writes import EditResult

# `list` (and `pipeline`, which reads its fields) import this module: the task query engine, the
# write path (git, journal, subprocess) and the new-note layout are imported where they are used.


# ---- show ---------------------------------------------------------------------------------------
@dataclass
class NoteView:
    """Everything `show` presents about one note."""

    record: NoteRecord
    status: list[tuple[str, str]]
    entries: list[dict[str, Any]]
    tasks: list[tuple[NoteRecord, TaskRecord]]
    sections: list[dict[str, Any]]
    last_contact: LastContact
    queries: list[dict[str, Any]] = field(default_factory=list)
    history: list[tuple[str, int]] = field(default_factory=list)  # contacts per month, oldest first
    sources: list[dict[str, Any]] = field(default_factory=list)  # clipped articles about an account


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
    from vaultcrm.ops import links

    tasks = [(r, t) for r in belonging(ctx, rec) for t in r.tasks]
    sources = links.sources_of(ctx, rec, ctx.records) if ctx.config.is_account(rec.kind) else []
    return NoteView(rec, status, entries, tasks, sections, effective_last_contact(ctx, rec),
                    _queries(ctx, rec, note), contact.contact_histogram(ctx, rec), sources)


def _queries(ctx: Context, rec: NoteRecord, note: Note) -> list[dict[str, Any]]:
    """The note's ```tasks blocks, each evaluated over every task in the vault."""
    from vaultcrm.model import tasksquery

    found = tasksquery.query_blocks(note)
    if not found:
        return []
    every = [(r, t) for r in ctx.everything() for t in r.tasks]
    out = []
    for block in found:
        res = tasksquery.evaluate(block.text, every, ctx.today, here=rec, read=lambda p: ctx.vault.read(p).text,
                                  settings=ctx.config.tasks)
        out.append({"line": block.line, "query": block.text, "tasks": list(res), "errors": list(res.errors),
                    "total": res.total})
    return out


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
            raise InvalidNote(r.error, path=r.path, line=r.error_line)
    return [note_view(ctx, r) for r in found], warnings


# ---- list ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ListedNote:
    """One row of `list`: the note, its effective last contact, and the values of the columns asked
    for that are not built-in fields (see `list_notes`)."""

    record: NoteRecord
    last_contact: LastContact
    fields: dict[str, Any] = field(default_factory=dict)
    interactions: int | None = None  # an account's dated notes (meetings, calls); None for other notes


def list_notes(ctx: Context, *, kind: str | None = None, tags: Sequence[str] = (), where: Sequence[str] = (),
               sort: str | None = None, columns: Sequence[str] = ()) -> list[ListedNote]:
    """The notes that pass the filters, in order, each with its effective last contact.

    `--where`, `--sort` and `columns` read one field the same way (`list_field`). A sort key or a
    column must be known: a built-in field, or a property or Account Status field some note has;
    otherwise a UsageError suggests close names."""
    return list(iter_list_notes(ctx, kind=kind, tags=tags, where=where, sort=sort, columns=columns))


def iter_list_notes(ctx: Context, *, kind: str | None = None, tags: Sequence[str] = (), where: Sequence[str] = (),
                    sort: str | None = None, columns: Sequence[str] = (),
                    release: bool = False) -> Iterator[ListedNote]:
    """`list_notes` as a stream: the notes are picked and ordered (and bad filters refused) at once,
    each row is made as it is asked for; `release`: a note's decoded parts are let go once the next
    row is asked for, so a caller writing rows as they come never holds them all."""
    clauses = query.parse_where(where, ctx.today)
    want_kind = ctx.config.canonical_kind(kind) if kind else None

    def value(r: NoteRecord, key: str) -> Any:
        return list_field(ctx, r, key)

    rows = [r for r in ctx.records
            if (want_kind is None or (r.kind == want_kind and not _interaction_listed_as_account(ctx, r)))
            and all(query.has_tag(r, t) for t in tags)
            and query.where_ok(r, clauses, value)]
    if sort:
        _check_known(ctx, rows, sort.lstrip("-"), "--sort key")
        rows = query.sort_records(rows, sort, value)
    for c in columns:
        _check_known(ctx, rows, c, "column")
    extra = [c for c in columns if c not in query.BUILTIN_FIELDS]
    return _listed(ctx, rows, extra, value, release)


def _listed(ctx: Context, rows: list[NoteRecord], extra: list[str], value: Callable[[NoteRecord, str], Any],
            release: bool) -> Iterator[ListedNote]:
    for r in rows:
        yield ListedNote(r, effective_last_contact(ctx, r), {c: value(r, c) for c in extra},
                         len(scope.interactions_of(ctx, r)) if scope.is_account(ctx, r) else None)
        if release:
            r.release()


def _interaction_listed_as_account(ctx: Context, rec: NoteRecord) -> bool:
    """A meeting note typed `customer` is no customer: `list --kind customer` lists accounts."""
    return ctx.config.is_account(rec.kind) and scope.interaction_of(ctx, rec) is not None


def list_field(ctx: Context, rec: NoteRecord, key: str) -> Any:
    """A field as `list` reads it: `last_contact` is the effective last contact (the column `list`
    prints), then a property in any case, a built-in field, else the Account Status row of that name
    (bold or not) when the note has no such property, as `get` falls back to it."""
    if key == contact.PROPERTY:
        d = effective_last_contact(ctx, rec).date
        return d.isoformat() if d else None
    if key in query.BUILTIN_FIELDS or keys.listed_key(rec.properties, key) is not None:
        return query.field_value(rec, key)
    row = status_fields(ctx, rec).get(grammar.field_key(key))
    return row[1] if row else None


def status_fields(ctx: Context, rec: NoteRecord) -> dict[str, tuple[str, str | None]]:
    """The note's Account Status rows: field key (`grammar.field_key`) -> (field as written, value;
    None for an empty cell, which `unset` leaves), the first row of a name winning as in `get`.

    Records do not hold the table, so the note is read again: once per run, and parsed only when its
    text mentions a status at all. A note that vanished or broke since the scan has no rows."""
    memo = ctx.derived("status_fields", dict)
    if rec.path not in memo:
        memo[rec.path] = _read_status(ctx, rec.path)
    return memo[rec.path]


def _read_status(ctx: Context, path: str) -> dict[str, tuple[str, str | None]]:
    try:
        text = ctx.vault.read(path).text
        if "status" not in text.lower():  # `## Account Status` folds to this; most notes have none
            return {}
        rows = edits.status_rows(Note.parse(text, path))
    except VaultCRMError:
        return {}
    out: dict[str, tuple[str, str | None]] = {}
    for _, name, value in rows:
        out.setdefault(grammar.field_key(name), (name, value.strip() or None))
    return out


def _check_known(ctx: Context, rows: Sequence[NoteRecord], key: str, what: str) -> None:
    """Refuse a sort key or column no note could have (the listed notes are asked first, cheaply)."""
    if not key.strip():
        raise UsageError(f"{what} names no field", hint=_known_hint(ctx, what))
    if key in query.BUILTIN_FIELDS:
        return
    groups = (rows, ctx.records)
    if any(keys.listed_key(r.properties, key) is not None for g in groups for r in g):
        return
    want = grammar.field_key(key)
    if any(want in status_fields(ctx, r) for g in groups for r in g):
        return
    close = query.close_keys(key, _known_names(ctx))
    guess = f"; did you mean {' or '.join(close)}?" if close else ""
    raise UsageError(f"unknown {what} {key!r}{guess}", hint=_known_hint(ctx, what))


def _known_names(ctx: Context) -> list[str]:
    """Built-in fields, then every property and Account Status field of the vault (each once, in any case)."""
    names = dict.fromkeys(query.BUILTIN_FIELDS)
    seen = {n.lower() for n in names}
    for r in ctx.records:
        for name in [*r.properties, *(n for n, _ in status_fields(ctx, r).values())]:
            if name.lower() not in seen:
                seen.add(name.lower())
                names[name] = None
    return list(names)


def _known_hint(ctx: Context, what: str, most: int = 30) -> str:
    builtin = ", ".join(query.BUILTIN_FIELDS)
    others = sorted(_known_names(ctx)[len(query.BUILTIN_FIELDS):], key=str.lower)
    more = f" (and {len(others) - most} more)" if len(others) > most else ""
    listed = f"; properties and Account Status fields: {', '.join(others[:most])}{more}" if others else ""
    reverse = "; prefix - to reverse" if what.startswith("--sort") else ""
    return f"known fields: {builtin}{listed}{reverse}"


# ---- writing -------------------------------------------------------------------------------------
def log(ctx: Context, name: str, text: str, *, day: date | None = None, via: str | None = None,
        link: str | None = None, follow_up: date | None = None, dry_run: bool = False) -> EditResult:
    """Add a Recent Context entry and raise `last_contact` when the entry is later; with `follow_up`,
    also the task `Follow up with NAME` due that day in Open Tasks, in the same (one-undo) edit."""
    if not text.strip():
        raise UsageError("the entry text is empty")
    if follow_up is not None and follow_up < ctx.today:
        raise UsageError(f"--next {follow_up.isoformat()} is in the past; give today or a later day")
    day = day or ctx.today
    rec = ctx.editable(name)

    def fn(note: Note) -> Note:
        note = edits.add_entry(note, day, text.replace("\n", " "), link=link, via=via)
        if follow_up is not None:
            note = edits.add_task(note, f"Follow up with {rec.title}", follow_up, ctx.config.tasks)
        return contact.raise_to(note, day, ctx.today)

    from vaultcrm.ops.writes import edit_note

    also = f" with a follow-up due {follow_up.isoformat()}" if follow_up is not None else ""
    return edit_note(ctx, rec.path, fn, command=f"log {rec.title}", message=f"logged to {rec.path}{also}",
                     dry_run=dry_run)


def add(ctx: Context, name: str, section: str, text: str, *, dry_run: bool = False) -> EditResult:
    if not section.strip() or not text.strip():
        raise UsageError("section and text must not be empty")
    from vaultcrm.ops.writes import edit_note

    rec = ctx.editable(name)
    return edit_note(ctx, rec.path, lambda n: edits.add_bullet(n, section, text.replace("\n", " ")),
                     command=f"add {rec.title} {section}", message=f"added to {section} in {rec.path}",
                     dry_run=dry_run)


_BAD_TITLE = re.compile(r'[\\/:*?"<>|\x00-\x1f]')


def new_note(ctx: Context, kind: str, title: str, *, folder: str | None = None, account: str | None = None,
             dry_run: bool = False) -> EditResult:
    from vaultcrm.ops import layout
    from vaultcrm.ops.writes import Change, apply_changes
    from vaultcrm.store import templates

    title = title.strip()
    if not title or title.startswith(".") or _BAD_TITLE.search(title) or ".." in title:
        raise OutsideVault(f"{title!r} cannot be a note's file name (no / \\ : * ? \" < > |, no leading dot)")
    canonical = ctx.config.canonical_kind(kind) or kind
    stem = title
    if ctx.config.is_meeting(canonical) and not re.match(r"\d{4}-\d{2}-\d{2}", title):
        stem = f"{ctx.today.isoformat()} {title}"
    rel = layout.new_path(ctx, canonical, stem, folder=folder)  # names too long refused before any stat
    check_relative(rel)
    ctx.vault.abspath(rel)
    if ctx.vault.exists(rel):
        raise VaultCRMError(f"{rel} already exists; nothing written", path=rel)
    same_name = query.matches(ctx.records, title)
    if same_name and not ctx.config.is_meeting(canonical):
        raise VaultCRMError(f"a note named {title!r} already exists ({', '.join(r.path for r in same_name)}); "
                            "nothing written")
    account_link = _account_link(ctx, ctx.resolve(account)) if account else None
    text = templates.render(ctx.vault, canonical, title=title, today=ctx.today, account=account_link)
    return apply_changes(ctx, [Change(rel, None, text)], f"new {canonical} {title}", dry_run=dry_run,
                         message=f"created {rel}", data={"path": rel})


def _account_link(ctx: Context, rec: NoteRecord) -> str:
    """What a new meeting writes inside [[…]] for its account: the link that reaches that note alone,
    shown as the account's name (`Customers/Acme/README|Acme`) when the link text is not that name."""
    link = query.link_name(ctx.scan.records, rec)
    if link == rec.title or re.search(r"[|\[\]\n]", rec.title):  # such a name cannot be a link's alias
        return link
    return f"{link}|{rec.title}"


def reindex(ctx: Context, *, rebuild: bool = False) -> dict[str, int]:
    """Bring the index cache up to date (`--rebuild`: from scratch); what it holds now."""
    scan = index.load(ctx.vault, ctx.config, progress=ctx.progress, rebuild=rebuild)
    return {"notes": len(scan.records), "parsed": scan.parsed, "broken": len(scan.broken),
            "unreadable": len(scan.unreadable), "excluded": len(scan.excluded)}
