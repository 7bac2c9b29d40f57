"""Last contact: what counts as a contact with an account, when the last one was, and how often
there should be one (the cadence). The one owner of these rules: `show`, `list`, `stale`,
`agenda`, `log`, `doctor` and `merge` all ask here.

A contact is dated by any of these sources (`model.dating` finds them in each note):
- `frontmatter`: the `last_contact` property, when it is a date;
- `inline_field`: a Dataview inline field `last_contact:: DATE` in the note's body;
- `recent_context`: the newest dated Recent Context entry;
- `meeting`: the newest dated note that belongs to the account (filed under its folder note, or
  a meeting note linking to it).
Dates after today are plans, not contacts, and never count. On a tie the order above wins.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from vaultcrm import query
from vaultcrm.dates import iso_date, parse_period
from vaultcrm.errors import Ambiguous
from vaultcrm.model import edits, keys
from vaultcrm.model.dating import is_not_contact
from vaultcrm.model.note import Note
from vaultcrm.model.records import NoteRecord, fold
from vaultcrm.ops.context import Context
from vaultcrm.ops.scope import belonging

PROPERTY = "last_contact"
# sources, strongest first on a tie: (rank, name)
_FRONTMATTER, _INLINE, _RECENT_CONTEXT, _MEETING = (3, "frontmatter"), (2, "inline_field"), (1, "recent_context"), \
    (0, "meeting")


@dataclass(frozen=True)
class LastContact:
    date: date | None
    source: str | None  # frontmatter | inline_field | recent_context | meeting | None
    evidence: str | None = None  # path of the meeting note, or path:line of the entry


# ---- which notes date an account ---------------------------------------------------------------
@dataclass
class Links:
    """Which notes point at which names: fold(name) -> notes linking to it."""

    by_target: dict[str, list[NoteRecord]]

    def linking_to(self, rec: NoteRecord) -> list[NoteRecord]:
        seen = {r.path: r for r in self.each_linking_to(rec)}
        return [seen[p] for p in sorted(seen)]

    def each_linking_to(self, rec: NoteRecord) -> Iterator[NoteRecord]:
        """`linking_to` in no order, a note once for each of `rec`'s names it links to."""
        for n in rec.linked_as():
            yield from self.by_target.get(n, ())


def links_index(records: Sequence[NoteRecord]) -> Links:
    by: dict[str, list[NoteRecord]] = {}
    for r in records:
        for key in sorted(r.link_keys()):
            by.setdefault(key, []).append(r)
    return Links(by)


def _meeting_links(ctx: Context) -> Links:
    """Links from meeting notes only: only they date an account."""
    return ctx.derived("links", lambda: _meeting_links_now(ctx))


def _meeting_links_now(ctx: Context) -> Links:
    rows = ctx.scan.link_rows
    if rows is None:
        return links_index([r for r in ctx.records if ctx.config.is_meeting(r.kind)])
    by_path = ctx.by_path
    by: dict[str, list[NoteRecord]] = {}
    for key, path in rows:  # the cache's links table holds exactly what links_index would compute
        rec = by_path.get(path)
        if rec is not None:
            by.setdefault(key, []).append(rec)
    return Links(by)


def related_meetings(ctx: Context, rec: NoteRecord) -> list[NoteRecord]:
    """Dated notes that belong to an account (in its folder, or naming it in `account:`), and dated
    meeting notes that link to it."""
    out = _related(ctx, rec)
    return [out[p] for p in sorted(out)]


def _related(ctx: Context, rec: NoteRecord) -> dict[str, NoteRecord]:
    """`related_meetings` by path, in no order (`_newest_meeting` finds the newest of the same notes)."""
    out = {r.path: r for r in _filed(ctx, rec)}
    is_meeting = ctx.config.is_meeting
    for r in _meeting_links(ctx).each_linking_to(rec):
        if r.path != rec.path and r.note_date and is_meeting(r.kind):
            out[r.path] = r
    return out


def _filed(ctx: Context, rec: NoteRecord) -> Iterator[NoteRecord]:
    """The dated notes filed under the note: its folder's notes and its interactions filed by
    `account:`, but no source (an article filed beside the account dates no contact)."""
    for r in belonging(ctx, rec)[1:]:
        if r.note_date and r.kind != "article":
            yield r


# ---- the effective last contact ----------------------------------------------------------------
def effective_last_contact(ctx: Context, rec: NoteRecord) -> LastContact:
    """The latest date any source gives, up to today (see the module's docstring)."""
    memo = ctx.derived("last_contact", dict)  # list --sort last_contact asks twice per note
    found = memo.get(rec.path)
    if found is None:
        # and across runs: dating every note is most of a warm `list` or `stale` on a big vault
        # accounts apart: `stale` and `agenda` date 7,500 accounts of 50,000 notes, `list` every note
        kept = ctx.lasting("last_contact:" + ("accounts" if ctx.config.is_account(rec.kind) else "others"))
        raw = kept.get(rec.path)
        if raw is None:
            found = _last_contact(ctx, rec)
            kept[rec.path] = _kept(found)
        else:
            day, source, evidence = raw.split("|", 2)
            found = LastContact(date.fromisoformat(day) if day else None, source or None, evidence or None)
        memo[rec.path] = found
    return found


def _kept(found: LastContact) -> str:
    """A last contact as the index keeps it between runs: `date|source|evidence` (the date and the
    source hold no `|`; the evidence, a path, is the rest), one string a note at 50k notes."""
    return f"{found.date.isoformat() if found.date else ''}|{found.source or ''}|{found.evidence or ''}"


def _last_contact(ctx: Context, rec: NoteRecord) -> LastContact:
    candidates = own_candidates(rec.dating, rec.path, ctx.today, skip_link=_source_link(ctx))
    latest = _newest_meeting(ctx, rec)
    if latest is not None:
        candidates.append((latest[0], *_MEETING, latest[1]))
    if not candidates:
        return LastContact(None, None)
    best = max(candidates, key=lambda c: (c[0], c[1]))
    return LastContact(best[0], best[2], best[3])


def _newest_meeting(ctx: Context, rec: NoteRecord) -> tuple[date, str] | None:
    """The newest of `_related(ctx, rec)` up to today as (date, path); on a tie the first path.

    `list` dates all 50,000 notes of a big vault: each meeting's date is read once, and each link
    target's newest meetings once, instead of walking every meeting that links to every note."""
    dated = _meeting_day(ctx)
    found = [(d, r.path) for r in _filed(ctx, rec) if (d := dated(r)) is not None]
    linking, newest = _meeting_links(ctx).by_target, ctx.derived("newest_by_target", dict)
    for n in rec.linked_as():
        if n not in linking:  # most names no meeting links to
            continue
        top = newest.get(n)
        if top is None:
            top = newest[n] = _newest_two(ctx, linking[n])
        found += [m for m in top if m[1] != rec.path][:1]  # the newest linking here that is not this note
    if len(found) < 2:  # most notes: no meeting, or one
        return found[0] if found else None
    return min(found, key=_newest_first)


def _newest_first(meeting: tuple[date, str]) -> tuple[int, str]:
    """Sorts (date, path) newest first, then by path."""
    return -meeting[0].toordinal(), meeting[1]


def _newest_two(ctx: Context, linking: list[NoteRecord]) -> list[tuple[date, str]]:
    """The two newest dated meeting notes among those linking to a name, newest first, on a tie
    by path (two: the newest may be the note asking)."""
    dated, is_meeting = _meeting_day(ctx), ctx.config.is_meeting
    found = {(d, r.path) for r in linking if is_meeting(r.kind) and (d := dated(r)) is not None}
    return sorted(found, key=_newest_first)[:2]


def _meeting_day(ctx: Context) -> Callable[[NoteRecord], date | None]:
    """A note's date when it can date a contact (a valid date, not after today), read once a note."""
    def make() -> Callable[[NoteRecord], date | None]:
        memo: dict[str, date | None] = {}
        today = ctx.today

        def day(r: NoteRecord) -> date | None:
            path = r.path
            if path not in memo:
                d = iso_date(r.note_date) if r.note_date else None
                memo[path] = d if d is not None and d <= today else None
            return memo[path]
        return day
    return ctx.derived("meeting_day", make)


def own_candidates(facts: dict[str, Any], path: str, today: date,
                   skip_link: Callable[[str | None], bool] = lambda link: False,
                   ) -> list[tuple[date, int, str, str | None]]:
    """(date, rank, source, evidence) of what the note itself says, dates after today left out, and
    entries whose link `skip_link` refuses (a clipped article mentions the account; no one met it)."""
    out: list[tuple[date, int, str, str | None]] = []
    prop = iso_date(facts.get("last_contact"))
    if prop is not None and prop <= today:
        out.append((prop, *_FRONTMATTER, None))
    iso_today = today.isoformat()  # dates here are valid ISO dates: as strings they sort as dates
    for key, source in (("entries", _RECENT_CONTEXT), ("inline", _INLINE)):
        best: tuple[str, int] | None = None  # the first of the latest, as max() would pick
        for d, line, *link in facts.get(key, []):
            # asking `skip_link` only of an entry that would win: an account has dozens of entries
            if d <= iso_today and (best is None or d > best[0]) and not (link and skip_link(link[0])):
                best = (d, line)
        if best is not None:
            out.append((date.fromisoformat(best[0]), *source, f"{path}:{best[1]}"))
    return out


def _source_link(ctx: Context) -> Callable[[str | None], bool]:
    """Whether an entry's [[link]] points at a source (article, clipping): such an entry records
    that the account was mentioned, not a contact."""
    def make() -> set[str]:
        return {k for r in ctx.records if r.kind == "article" for k in r.linked_as()}

    sources = ctx.derived("source_links", make)
    return lambda link: bool(link) and fold(str(link).split("|")[0].split("#")[0].removesuffix(".md")) in sources


def contact_dates(ctx: Context, rec: NoteRecord) -> list[str]:
    """Every ISO date on which the account had a contact (entries of its notes, related meetings)."""
    skip = _source_link(ctx)
    dates = [e.date for r in belonging(ctx, rec) for e in r.entries
             if e.date and not skip(e.link) and not is_not_contact(e.text, ctx.config.not_contact)]
    dates += [r.note_date for r in related_meetings(ctx, rec) if r.note_date]
    return dates


# ---- writing it --------------------------------------------------------------------------------
def raise_to(note: Note, day: date, today: date) -> Note:
    """`last_contact` moved up to `day` when that is later (never past today: a plan is no contact).
    A note without frontmatter is left as it is: vaultcrm never invents a frontmatter block."""
    if note.frontmatter is None or day > today:
        return note
    try:  # `Last_Contact:` is this property, as Obsidian shows it
        own = keys.own_key(note, PROPERTY) or PROPERTY
    except Ambiguous:  # two spellings: the entry is still logged, neither key is guessed at (doctor names them)
        return note
    current = iso_date(note.properties.get(own))
    if current is None or current < day:
        return edits.set_property(note, own, day.isoformat())
    return note


def later(a: Any, b: Any) -> str | None:
    """The later of two written last_contact values, as ISO text (None when neither is a date)."""
    dates = [d for d in (iso_date(a), iso_date(b)) if d is not None]
    return max(dates).isoformat() if dates else None


# ---- cadence -----------------------------------------------------------------------------------
def cadence_days(ctx: Context, rec: NoteRecord) -> int:
    """The account's cadence: its `cadence` property, else the shortest matching tag cadence in
    `.vaultcrm.toml`, else its kind's, else the default (30 days)."""
    own = parse_period(rec.dating.get("cadence"))
    if own:
        return own
    tag_days = [parse_period(v) for t, v in ctx.config.cadence_tags.items() if query.has_tag(rec, t)]
    tag_days = [d for d in tag_days if d]
    if tag_days:
        return min(tag_days)
    by_kind = next((parse_period(v) for k, v in ctx.config.cadence_kinds.items()
                    if rec.kind and ctx.config.canonical_kind(k) == rec.kind), None)
    return by_kind or ctx.config.default_days


def contact_histogram(ctx: Context, rec: NoteRecord, months: int = 12) -> list[tuple[str, int]]:
    """Contacts per month over the last `months` months, oldest first (plans are not contacts)."""
    keys = []
    y, m = ctx.today.year, ctx.today.month
    for _ in range(months):
        keys.append(f"{y:04d}-{m:02d}")
        y, m = (y, m - 1) if m > 1 else (y - 1, 12)
    counts = dict.fromkeys(reversed(keys), 0)
    today = ctx.today.isoformat()
    for d in contact_dates(ctx, rec):
        if d <= today and d[:7] in counts:
            counts[d[:7]] += 1
    return list(counts.items())
