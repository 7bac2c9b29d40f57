"""`brief`: one screen about an account before a call: its stage, value and owner, how long since
the last contact and until it goes stale, the last interactions, who holds the relationship, open
and overdue tasks, blockers and decisions, and the newest sources. Read-only: it never writes.

Everything is asked of the owners of each concept (`relations`, `contact`, `scope`, `tasks`,
`notes`, `links`, `opening`); only the blockers and decisions are read here, from the text of the
account's note and its interaction notes, in the shapes real notes use: a `## Blockers`, `## Risks`
or `## Key Decisions` section, a ❌/✅ bullet, a `**Decision**:` line, or a bullet that says
"blocker", "risk", "decision" or "decided".
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from vaultcrm.dates import iso_date
from vaultcrm.errors import VaultCRMError
from vaultcrm.model.note import Note
from vaultcrm.model.records import FOLDER_NOTE_NAMES, NoteRecord, fold
from vaultcrm.model.sections import SHOWN_AS_TABLES, normalize_heading
from vaultcrm.ops import links, notes, relations, scope, tasks
from vaultcrm.ops.contact import LastContact, effective_last_contact, related_meetings
from vaultcrm.ops.context import Context

SHOWN = 5  # interactions, people, blockers and decisions a brief shows (JSON: every blocker and decision)
SOURCES = 3
FIELDS = (("stage", "stage"), ("value", "deal_value"), ("owner", "owner"))  # (brief key, property or row)

BLOCKER, DECISION = "blocker", "decision"
_BLOCKER_WORDS = re.compile(r"\b(?:blockers?|blocked|blocking|risks?)\b(?!-)", re.IGNORECASE)  # not risk-free
_DECISION_WORDS = re.compile(r"\b(?:decisions?(?![\s-]*mak)|decided)\b", re.IGNORECASE)  # not a decision maker
_BULLET = re.compile(r"(?:[-*+]|\d+[.)])\s+")
_TASK = re.compile(r"\s*(?:[-*+]|\d+[.)])\s+\[.\]")
_MARK = re.compile(r"(?:❌|✅|⚠️?|⛔|🚫)\s*")
# `**Decision**: …`, `**Decided:** …`, `Risk - …`: a label that says what the line is
_LABEL = re.compile(r"(?:\*\*|__)?(?P<word>[A-Za-z][A-Za-z ]{0,30}?)"
                    r"(?::(?:\*\*|__)|(?:\*\*|__)?\s*:|(?:\*\*|__)?\s+[–—-]\s)\s*")  # not `Risk-free`
_COMMENT = re.compile(r"<!--.*?(?:-->|$)|%%.*?(?:%%|$)")
_PLACEHOLDER = re.compile(r"[_*]+[^_*]*[_*]+")  # `_No blockers identified._`
_DATE_PREFIX = re.compile(r"\d{4}-\d{2}-\d{2}[\s_-]*")


@dataclass(frozen=True)
class Interaction:
    """A Recent Context entry (`type` entry) or a dated note filed under or linking to the account
    (`type` note: a meeting, a call), as the brief lists them."""

    date: str
    type: str  # entry | note
    text: str  # the entry's text, or the note's title
    path: str
    line: int | None = None  # the entry's line; None for a note
    via: str | None = None
    link: str | None = None
    kind: str | None = None  # the note's kind (meeting, call…); None for an entry

    def to_dict(self) -> dict[str, Any]:
        return {"date": self.date, "type": self.type, "text": self.text, "via": self.via, "link": self.link,
                "kind": self.kind, "path": self.path, "line": self.line}


@dataclass(frozen=True)
class Item:
    """A blocker or a decision: its text (bullet, mark and label taken off), where it is written, and
    the date of the interaction note it comes from (None: the account's own note)."""

    text: str
    path: str
    line: int
    date: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "path": self.path, "line": self.line, "date": self.date}


@dataclass
class Brief:
    """Everything `brief` presents about one account."""

    record: NoteRecord
    today: date
    fields: dict[str, Any]  # stage, value, owner: the value written, or None
    last: LastContact
    days: int | None  # since the effective last contact
    cadence: int | None  # None: not an account, nothing goes stale
    stale_on: date | None
    interactions: list[Interaction]
    people: list[relations.Person]
    overdue: list[tasks.TaskRow]  # open tasks due before today, oldest due first
    open: list[tasks.TaskRow]  # the other open tasks: dated by due date, then undated
    blockers: list[Item] = field(default_factory=list)
    decisions: list[Item] = field(default_factory=list)
    sources: list[dict[str, Any]] = field(default_factory=list)

    @property
    def stale_in_days(self) -> int | None:
        """Days until the account goes stale (the day after its cadence runs out); 0 or less: stale."""
        return (self.stale_on - self.today).days if self.stale_on else None


def brief(ctx: Context, name: str) -> Brief:
    """The brief of the note NAME names (a read: the live note among archived copies, with a warning)."""
    rec = ctx.resolve(name, reading=True)
    fields = {key: notes.list_field(ctx, rec, prop) for key, prop in FIELDS}
    last, days, cadence, stale_on = _contact(ctx, rec)
    overdue, rest = _tasks(ctx, rec)
    noted = _noted(ctx, rec)
    blockers, decisions = _blockers_and_decisions(ctx, [rec, *noted])
    sources = links.sources_of(ctx, rec, ctx.records)[:SOURCES] if ctx.config.is_account(rec.kind) else []
    return Brief(rec, ctx.today, fields, last, days, cadence, stale_on, _interactions(ctx, rec, noted),
                 relations.who(ctx, rec.path)[:SHOWN], overdue, rest, blockers, decisions, sources)


def _contact(ctx: Context, rec: NoteRecord) -> tuple[LastContact, int | None, int | None, date | None]:
    """(effective last contact, days since, cadence, the day it goes stale) as `stale` counts them;
    a note that is no account has a last contact but no cadence."""
    if scope.is_account(ctx, rec):
        row = relations.account_row(ctx, rec)
        return row.last, row.days, row.cadence, row.due
    last = effective_last_contact(ctx, rec)
    return last, (ctx.today - last.date).days if last.date else None, None, None


def _tasks(ctx: Context, rec: NoteRecord) -> tuple[list[tasks.TaskRow], list[tasks.TaskRow]]:
    """(overdue, the other open tasks) of the account and the notes filed under it."""
    rows = tasks.task_list(ctx, rec.path)
    due = {id(r): iso_date(r.task.due) for r in rows}
    overdue = sorted((r for r in rows if (d := due[id(r)]) is not None and d < ctx.today),
                     key=lambda r: due[id(r)] or ctx.today)
    late = {id(r) for r in overdue}
    rest = [r for r in rows if id(r) not in late]
    rest.sort(key=lambda r: (due[id(r)] is None, due[id(r)] or ctx.today))  # stable: undated keep their order
    return overdue, rest


def _noted(ctx: Context, rec: NoteRecord) -> list[NoteRecord]:
    """The account's other notes: its interactions (filed under it or naming it) and the dated
    meeting notes that link to it, newest first, then the undated notes of its folder."""
    found = {r.path: r for r in (*scope.interactions_of(ctx, rec), *related_meetings(ctx, rec),
                                 *scope.belonging(ctx, rec)[1:]) if r.path != rec.path and r.kind != "article"}
    ordered = sorted(found.values(), key=lambda r: r.path)
    ordered.sort(key=lambda r: r.note_date or "", reverse=True)
    return ordered


def _interactions(ctx: Context, rec: NoteRecord, noted: Sequence[NoteRecord]) -> list[Interaction]:
    """The newest SHOWN interactions up to today: Recent Context entries, and dated notes that no
    entry already links to (an entry `[[2026-10-02 Kickoff]] - …` stands for that meeting)."""
    entries = [Interaction(t.date.isoformat(), "entry", t.entry.text, t.record.path, t.entry.line, t.entry.via,
                           t.entry.link) for t in relations.timeline(ctx, rec.path, until=ctx.today)]
    linked = {fold(e.link.split("|")[0].split("#")[0].removesuffix(".md")) for e in entries if e.link}
    dated = [Interaction(d.isoformat(), "note", r.title, r.path, kind=r.kind) for r in noted
             if (d := iso_date(r.note_date)) is not None and d <= ctx.today and not r.linked_as() & linked]
    both = entries + dated
    both.sort(key=lambda i: i.date, reverse=True)  # stable: on one day, entries first, each in its order
    return both[:SHOWN]


# ---- blockers and decisions ----------------------------------------------------------------------
def _blockers_and_decisions(ctx: Context, recs: Sequence[NoteRecord]) -> tuple[list[Item], list[Item]]:
    """Blockers and decisions of the account's note (first) and its other notes (newest first), each
    text once."""
    found: dict[str, list[Item]] = {BLOCKER: [], DECISION: []}
    seen: set[tuple[str, str]] = set()
    for n, rec in enumerate(recs):
        for what, item in _read_items(ctx, rec, None if n == 0 else rec.note_date):
            key = (what, fold(item.text))
            if key not in seen:
                seen.add(key)
                found[what].append(item)
    return found[BLOCKER], found[DECISION]


def _read_items(ctx: Context, rec: NoteRecord, day: str | None) -> list[tuple[str, Item]]:
    try:
        text = ctx.vault.read(rec.path).text
    except (VaultCRMError, OSError):  # gone or unreadable since the scan: it has nothing to say
        return []
    low = text.lower()
    if not any(w in low for w in ("block", "risk", "decision", "decided", "❌", "✅")):
        return []
    return [(what, Item(body, rec.path, i + 1, day)) for what, i, body in items_of(Note.parse(text, rec.path))]


def items_of(note: Note) -> Iterator[tuple[str, int, str]]:
    """(blocker or decision, 0-based line, text) of each blocker and decision the note writes down."""
    starts = [s.start for s in note.sections]
    spans = [(None, note.body_start, starts[0] if starts else len(note.lines))]
    spans += [(s.heading, s.body_start, s.end) for s in note.sections]
    for heading, start, end in spans:
        folded = normalize_heading(heading or "")
        if folded in SHOWN_AS_TABLES:  # Recent Context, Open Tasks, Account Status: shown elsewhere
            continue
        whole = _said_by(folded, labelled=False)
        for i, line in note.body_lines(start, end):
            found = _item(line, whole)
            if found is not None:
                yield found[0], i, found[1]


def _item(line: str, whole: str | None) -> tuple[str, str] | None:
    """What one line is (blocker, decision or nothing) and its text. A labelled line says so itself
    (`**Decision**: …`), then a ❌/✅ mark, then a Blockers/Decisions section (each of its top-level
    lines is one), then the words of a bullet."""
    raw = _COMMENT.sub("", line).rstrip()
    if not raw.strip() or raw.startswith(("  ", "\t")) or _TASK.match(raw) or raw.lstrip().startswith(("#", "|")):
        return None
    bullet = _BULLET.match(raw)
    marked, labelled, text = _marks(raw[bullet.end():] if bullet else raw.strip())
    what = labelled or marked or whole or (_said_by(text, labelled=False) if bullet else None)
    if what is None or not text or _PLACEHOLDER.fullmatch(text):
        return None
    return what, text


def _marks(body: str) -> tuple[str | None, str | None, str]:
    """(what a ❌/✅ mark says, what a label says, the text without them) of a line's body."""
    mark = _MARK.match(body)
    marked = {"❌": BLOCKER, "✅": DECISION}.get(mark.group().strip()[:1]) if mark else None
    body = body[mark.end():] if mark else body
    label = _LABEL.match(body)
    labelled = _said_by(label["word"], labelled=True) if label else None
    if label and labelled:
        body = body[label.end():]
    return marked, labelled, body.strip()


def _said_by(words: str, *, labelled: bool) -> str | None:
    """Whether a heading, a label or a bullet says decision or blocker (a decision first: "Decision:
    accept the risk" is a decision). A label must be the word itself (`**Decision**:`, `Key risk:`)."""
    if labelled and len(words.split()) > 3:
        return None
    if _DECISION_WORDS.search(words):
        return DECISION
    if _BLOCKER_WORDS.search(words):
        return BLOCKER
    return None


# ---- the brief as Markdown -------------------------------------------------------------------------
def markdown(b: Brief, *, links: bool = True) -> str:
    """The brief as Markdown to paste into a meeting note: a `### Brief: NAME (DATE)` heading, then
    a bold label and a bullet list for each part that has something to say. No checkboxes: a pasted
    brief must not add tasks. `links`: notes as [[links]] (else their titles, for the terminal)."""
    out = [f"### Brief: {b.record.title} ({b.today.isoformat()})", "", *_head(b)]
    parts = (("Recent interactions", [_interaction_line(i, links) for i in b.interactions]),
             ("People", [_person_line(p) for p in b.people]),
             ("Tasks", [_task_line(r, overdue=True) for r in b.overdue] + [_task_line(r) for r in b.open]),
             ("Blockers", _limited([f"❌ {i.text}" for i in b.blockers])),
             ("Decisions", _limited([f"✅ {i.text}" for i in b.decisions])),
             ("Sources", [_source_line(s, links) for s in b.sources]))
    for label, lines in parts:
        if lines:
            out += ["", f"**{label}**", *(f"- {line}" for line in lines)]
    return "\n".join(out) + "\n"


def _head(b: Brief) -> list[str]:
    out = [f"- **Kind:** {b.record.kind or 'note'}"]
    said = [f"**{key.capitalize()}:** {_value(v)}" for key, v in b.fields.items() if _value(v)]
    if said:
        out.append("- " + " · ".join(said))
    return [*out, f"- **Last contact:** {contact_line(b)}"]


def contact_line(b: Brief) -> str:
    """`2026-11-18, 4 days ago (meeting) · stale in 11 days`, or that nothing dates a contact."""
    if b.last.date is None:
        return "none on record" + (" · stale" if b.cadence is not None else "")
    ago = "today" if b.days == 0 else f"{_count(b.days or 0, 'day')} ago"
    line = f"{b.last.date.isoformat()}, {ago} ({b.last.source})"
    left = b.stale_in_days
    if left is None:
        return line
    if left > 0:
        return f"{line} · stale in {_count(left, 'day')} ({b.cadence}-day cadence)"
    return f"{line} · stale for {_count(1 - left, 'day')} ({b.cadence}-day cadence)"


def _interaction_line(i: Interaction, links: bool) -> str:
    if i.type == "entry":
        return f"{i.date}: {i.text}" + (f" (via {i.via})" if i.via else "")
    shown = _link(i.path, i.text) if links else (_DATE_PREFIX.sub("", i.text, count=1) or i.text)
    return f"{i.date}: {shown} ({i.kind or 'note'})"


def _person_line(p: relations.Person) -> str:
    return f"{p.name} ({p.last or 'no date'}, {_count(p.count, 'contact')})"


def _task_line(r: tasks.TaskRow, *, overdue: bool = False) -> str:
    due = r.task.due
    when = f"overdue since {due}" if overdue else f"due {due}" if due else "no due date"
    return f"{'⚠ ' if overdue else ''}{when}: {r.task.text}"


def _source_line(s: dict[str, Any], links: bool) -> str:
    publisher = s.get("site") or (s.get("source") if "://" not in (s.get("source") or "") else None)
    about = ", ".join(v for v in (publisher, s.get("published")) if v)
    shown = _link(s["path"], s["title"]) if links else s["title"]
    return shown + (f" ({about})" if about else "")


def _limited(lines: list[str]) -> list[str]:
    if len(lines) <= SHOWN:
        return lines
    return [*lines[:SHOWN], f"… {len(lines) - SHOWN} more (--json lists every one)"]


def _link(path: str, title: str) -> str:
    """A wikilink Obsidian resolves: by file name (`[[2026-11-18 QBR]]`), by path for a folder note."""
    stem = path.rsplit("/", 1)[-1].removesuffix(".md")
    target = path.removesuffix(".md") if stem.lower() in FOLDER_NOTE_NAMES else stem
    return f"[[{target}]]" if title == target else f"[[{target}|{title}]]"


def _value(v: Any) -> str:
    if v is None or v == "" or v == []:
        return ""
    if isinstance(v, list):
        return ", ".join(_value(x) for x in v)
    if isinstance(v, bool):
        return "true" if v else "false"
    return " ".join(str(v).split())  # a block scalar's lines would break the bullet


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"
