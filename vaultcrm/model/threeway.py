"""Three-way merge of one note (git's merge driver): BASE, OURS, THEIRS in; the merged text and its
number of conflicts out. Pure, and no line is re-serialised: BOM, CRLF, quoting, comments survive.

1. Lines merge as diff3 (`git merge-file`) merges them: a stretch one side changed takes that side;
   changes of both sides that overlap or touch, and differ, form a conflict region.
2. A conflict in the frontmatter is settled key by key: a key changed (or removed) on one side takes
   that side; changed on both, ISO dates take the later, lists are united in order (an item one side
   removed stays removed), anything else is a conflict around that key's lines only.
3. A conflict in the body whose sides are whole list items (Recent Context entries, tasks, bullets)
   is settled item by item: each once, tasks matched by 🆔 id else by their text without fields (a
   done state wins), an item one side removed stays removed, dated entries newest first.
4. The rest is marked as git marks it (`<<<<<<< ours`, `=======`, `>>>>>>> theirs`) around only
   the lines the sides disagree on.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Any

from vaultcrm.dates import ISO_DATE, iso_date
from vaultcrm.errors import VaultCRMError
from vaultcrm.model import edits, taskline
from vaultcrm.model.grammar import parse_entry
from vaultcrm.model.note import Note, eol, strip_eol
from vaultcrm.model.records import fold
from vaultcrm.model.sections import is_recent_context
from vaultcrm.model.units import ITEM

OURS_MARK, SEPARATOR, THEIRS_MARK = "<<<<<<< ours", "=======", ">>>>>>> theirs"
Lines = tuple[str, ...]
Item = tuple[str, ...]  # a top-level list item: its first line and its indented continuation lines
DIFF_LINES = 5000


@dataclass(frozen=True)
class Merged:
    """The merged note and how many conflict regions it still marks."""

    text: str
    conflicts: int


@dataclass(frozen=True)
class Chunk:
    """A stretch of a line merge: the agreed `lines`, or (`conflict`) what each side has there.
    `at` is where the stretch starts in OURS (a line index)."""

    lines: Lines = ()
    base: Lines = ()
    ours: Lines = ()
    theirs: Lines = ()
    conflict: bool = False
    at: int = 0


class _Unresolved(Exception):
    """The two sides disagree on one key or item in a way no rule settles."""


# ---- diff3 -----------------------------------------------------------------------------------------
def _changes(base: Sequence[str], side: Sequence[str]) -> list[tuple[int, int, int, int]]:
    """(base start, base end, side start, side end) of each stretch `side` changed. Past the lines
    both share at either end, a middle over DIFF_LINES counts as one change: slower diffs
    (quadratic in lines repeated hundreds of times) would let a hostile note stall git."""
    p, s = _common_ends(base, side)
    b, t = base[p:len(base) - s], side[p:len(side) - s]
    if max(len(b), len(t)) > DIFF_LINES:
        return [(p, p + len(b), p, p + len(t))]
    opcodes = SequenceMatcher(None, b, t).get_opcodes() if b or t else []
    return [(i1 + p, i2 + p, j1 + p, j2 + p) for tag, i1, i2, j1, j2 in opcodes if tag != "equal"]


def merge_lines(base: Sequence[str], ours: Sequence[str], theirs: Sequence[str]) -> list[Chunk]:
    """diff3 over lines: stretches of BASE both sides kept, stretches one side changed (taken), and
    conflict regions where the changes of both sides overlap or touch and differ."""
    hunks = sorted((*h, k) for k, side in enumerate((ours, theirs)) for h in _changes(base, side))
    chunks: list[Chunk] = []
    delta, done, i = [0, 0], 0, 0
    while i < len(hunks):
        lo, hi, j = hunks[i][0], hunks[i][1], i
        while j < len(hunks) and hunks[j][0] <= hi:
            hi, j = max(hi, hunks[j][1]), j + 1
        group, i = hunks[i:j], j
        if done < lo:
            chunks.append(Chunk(lines=tuple(base[done:lo]), at=done + delta[0]))
        before = list(delta)
        for b0, b1, s0, s1, k in group:
            delta[k] += (s1 - s0) - (b1 - b0)
        o, t = tuple(ours[lo + before[0]:hi + delta[0]]), tuple(theirs[lo + before[1]:hi + delta[1]])
        sides = {h[4] for h in group}
        if sides == {0} or o == t:
            chunks.append(Chunk(lines=o, at=lo + before[0]))
        elif sides == {1}:
            chunks.append(Chunk(lines=t, at=lo + before[0]))
        else:
            chunks.append(Chunk(base=tuple(base[lo:hi]), ours=o, theirs=t, conflict=True, at=lo + before[0]))
        done = hi
    if done < len(base):
        chunks.append(Chunk(lines=tuple(base[done:]), at=done + delta[0]))
    return chunks


def _common_ends(a: Sequence[str], b: Sequence[str]) -> tuple[int, int]:
    """How many lines `a` and `b` share at their start, and then at their end."""
    n = min(len(a), len(b))
    p = next((i for i in range(n) if a[i] != b[i]), n)
    return p, next((i for i in range(n - p) if a[-1 - i] != b[-1 - i]), n - p)


def _marked(chunk: Chunk, nl: str) -> list[str]:
    """The conflict region as git marks it, lines both sides share at either end left outside."""
    o, t = chunk.ours, chunk.theirs
    p, s = _common_ends(o, t)
    ended = [line if eol(line) else line + nl for line in (*o[p:len(o) - s], SEPARATOR, *t[p:len(t) - s])]
    return [*o[:p], OURS_MARK + nl, *ended, THEIRS_MARK + nl, *o[len(o) - s:]]


# ---- list items --------------------------------------------------------------------------------------
def _items(lines: Sequence[str], strict: bool = True) -> list[Item] | None:
    """The lines as whole top-level list items; None (strict) when a line is anything else. Not
    strict, other lines are left out (BASE only tells what each side changed)."""
    items: list[list[str]] = []
    for line in lines:
        text = strip_eol(line)
        if ITEM.match(text):
            items.append([line])
        elif items and items[-1] and text.strip() and text[:1].isspace():
            items[-1].append(line)
        elif strict:
            return None
        else:
            items.append([])  # a line that ends the item before it
    return [tuple(i) for i in items if i]


def _text(item: Item | None) -> str | None:
    return None if item is None else "\n".join(strip_eol(line).rstrip() for line in item)


def item_key(item: Item) -> tuple[str, str]:
    """What makes two items one: a task's 🆔 id, else its text without fields; else the item's text."""
    task = taskline.parse_task(strip_eol(item[0]))
    if task is not None:
        return ("id", task.id) if task.id else ("task", fold(task.description))
    return ("text", _text(item) or "")


def item_closed(item: Item) -> bool | None:
    task = taskline.parse_task(strip_eol(item[0]))
    return None if task is None else task.status_type in ("DONE", "CANCELLED")


def _pick(b: Item | None, o: Item | None, t: Item | None) -> Item | None:
    """One item's three-way outcome (None: absent); raises _Unresolved when no rule settles it."""
    bt, ot, tt = _text(b), _text(o), _text(t)
    if ot == tt or (b is not None and tt == bt):
        return o
    if b is not None and ot == bt:
        return t
    if b is None and (o is None or t is None):
        return o or t
    if o is not None and t is not None:
        oc, tc = item_closed(o), item_closed(t)
        if oc is not None and tc is not None and oc != tc:  # a task ticked on one side: done wins
            return o if oc else t
        if oc and tc:
            return o
    raise _Unresolved


def _newest_first(items: list[Item]) -> None:
    """Dated entries sorted newest first into the places dated entries hold (stable)."""
    days = [(n, e.date) for n, it in enumerate(items) if (e := parse_entry(strip_eol(it[0]))) and e.date]
    moved = [items[n] for n, _ in sorted(days, key=lambda nd: -nd[1].toordinal())]
    for (n, _), item in zip(days, moved, strict=True):
        items[n] = item


def _keyed(items: list[Item]) -> dict[tuple[str, str], Item] | None:
    out = {item_key(it): it for it in items}
    return out if len(out) == len(items) else None


def _theirs_added(out: list[tuple[tuple[str, str], Item]], theirs: list[Item],
                  kept: dict[tuple[str, str], Item | None]) -> None:
    """THEIRS' new items into OURS' order: after the THEIRS item they follow, else before the one
    they precede, else at the end."""
    tkeys = [item_key(it) for it in theirs]
    anchor: int | None = None
    for n, key in enumerate(tkeys):
        where = [m for m, (k, _) in enumerate(out) if k == key]
        if where:
            anchor = where[0]
            continue
        item = kept.get(key)
        if item is None:
            continue
        if anchor is None:
            later = [m for m, (k, _) in enumerate(out) if k in tkeys[n + 1:]]
            anchor = later[0] if later else len(out)
        else:
            anchor += 1
        out.insert(anchor, (key, item))


def unite_items(base: Sequence[str], ours: Sequence[str], theirs: Sequence[str], *,
                newest_first: bool = False) -> list[str] | None:
    """A conflict region whose sides are whole list items, settled item by item; None when a side
    holds anything else, repeats an item, or an item changed in ways no rule settles."""
    o_items, t_items, b_items = _items(ours), _items(theirs), _items(base, strict=False) or []
    if o_items is None or t_items is None:
        return None
    bmap, omap, tmap = _keyed(b_items) or {item_key(it): it for it in b_items}, _keyed(o_items), _keyed(t_items)
    if omap is None or tmap is None:
        return None
    try:
        picked = {k: _pick(bmap.get(k), omap.get(k), tmap.get(k)) for k in {**omap, **tmap}}
    except _Unresolved:
        return None
    out = [(k, picked[k]) for k in omap if picked[k] is not None]
    _theirs_added(out, t_items, {k: v for k, v in picked.items() if k not in omap})
    items = [it for _, it in out if it is not None]
    if newest_first:
        _newest_first(items)
    return [line for it in items for line in it]


# ---- frontmatter, key by key -----------------------------------------------------------------------
def _spans(note: Note) -> Spans | None:
    """Each key's lines in a readable YAML block ({} without a block); None when it cannot be read."""
    fm = note.frontmatter
    if fm is None or fm.fmt != "yaml":
        return {} if fm is None else None
    try:
        note.check()
        spans = edits.key_spans(note)
    except VaultCRMError:
        return None
    out = {key: (start, end) for key, start, end in spans}
    return out if len(out) == len(spans) else None


def _raw(note: Note, span: tuple[int, int] | None) -> Lines | None:
    return None if span is None else tuple(strip_eol(line) for line in note.lines[span[0]:span[1]])


def _day(value: Any) -> Any:
    return iso_date(value) if isinstance(value, str) and ISO_DATE.fullmatch(value.strip()) else None


def _merged_list(b: Any, o: list[Any], t: list[Any]) -> list[Any]:
    """OURS' items (less those THEIRS removed), then THEIRS' new ones, in order."""
    b = b if isinstance(b, list) else []
    kept = [x for x in o if not (x in b and x not in t)]
    return kept + [x for x in t if x not in o and x not in b]


def _both_changed(key: str, notes: Sequence[Note]) -> Lines:
    """A key both sides changed: the later ISO date, or the united list; else _Unresolved."""
    bv, ov, tv = (n.properties.get(key) for n in notes)
    od, td = _day(ov), _day(tv)
    if od is not None and td is not None:
        later = notes[1] if od >= td else notes[2]
        return _raw(later, (_spans(later) or {}).get(key)) or ()
    scalar = (str, int, float, bool)
    if isinstance(ov, list) and isinstance(tv, list) and all(isinstance(x, scalar) for x in [*ov, *tv]):
        try:
            note = edits.set_property(notes[1], key, _merged_list(bv, ov, tv))
        except VaultCRMError:
            raise _Unresolved from None
        return _raw(note, (_spans(note) or {}).get(key)) or ()
    raise _Unresolved


Spans = dict[str, tuple[int, int]]


def _key_lines(key: str, notes: Sequence[Note], spans: Sequence[Spans]) -> tuple[Lines | None, bool]:
    """(the key's merged lines, None when absent; whether they are a conflict block)."""
    b, o, t = (_raw(n, s.get(key)) for n, s in zip(notes, spans, strict=True))
    if o == t or t == b:
        return o, False
    if o == b:
        return t, False
    try:
        if o is None or t is None:
            raise _Unresolved
        return _both_changed(key, notes), False
    except _Unresolved:
        return (OURS_MARK, *(o or ()), SEPARATOR, *(t or ()), THEIRS_MARK), True


def _gaps(note: Note, spans: Spans) -> Lines:
    """The block's lines outside every key's span (comments, blank lines), without endings."""
    inside = {i for start, end in spans.values() for i in range(start, end)}
    end = note.frontmatter.end if note.frontmatter else 0
    return tuple(strip_eol(line) for i, line in enumerate(note.lines[:end]) if i not in inside)


def _rebuilt(ours: Note, replace: dict[int, tuple[int, Lines]], added: list[str]) -> list[str]:
    """OURS' frontmatter lines with the spans in `replace` (start: (end, lines)) replaced, and the
    `added` lines after its last key."""
    fm, spans, nl = ours.frontmatter, _spans(ours) or {}, ours.newline
    assert fm is not None
    last = max((end for _, end in spans.values()), default=fm.end - 1)
    out: list[str] = []
    skip = 0  # a replaced span's end
    for i, line in enumerate(ours.lines[:fm.end]):
        if i == last:
            out += [x + nl for x in added]
        if i < skip:
            continue
        if i in replace:
            skip = replace[i][0]
            out += [x + nl for x in replace[i][1]]
            continue
        out.append(line)
    return out


def merge_frontmatter(notes: Sequence[Note]) -> tuple[list[str], int] | None:
    """OURS' frontmatter lines with each key merged (BASE, OURS, THEIRS); None when a block cannot
    be read key by key (then the line merge's conflict stands)."""
    spans = [_spans(n) for n in notes]
    ours = notes[1]
    if None in spans or ours.frontmatter is None or notes[2].frontmatter is None:
        return None
    os_, ts = spans[1] or {}, spans[2] or {}
    gaps = [_gaps(n, s or {}) for n, s in zip(notes, spans, strict=True)]
    if gaps[2] not in (gaps[0], gaps[1]):
        return None  # THEIRS changed a comment or blank line of the block: OURS' would lose it
    conflicts, replace, added = 0, {}, []
    for key in [*os_, *(k for k in ts if k not in os_)]:
        lines, conflict = _key_lines(key, notes, spans)  # type: ignore[arg-type]
        conflicts += conflict
        if key not in os_:
            added += lines or ()
        elif lines != _raw(ours, os_[key]):
            replace[os_[key][0]] = (os_[key][1], lines or ())
    out = _rebuilt(ours, replace, added)
    if not conflicts and _spans(Note.parse("".join(out))) is None:
        return None  # the united block does not read back: leave the line merge's markers
    return out, conflicts


# ---- the note ------------------------------------------------------------------------------------------
def in_recent_context(note: Note, line: int) -> bool:
    return any(s.start <= line < s.end and is_recent_context(s.heading) for s in note.sections)


def _merge_head(notes: Sequence[Note], nl: str) -> tuple[list[str], int]:
    chunks = merge_lines(*(n.lines[:n.body_start] for n in notes))
    if any(c.conflict for c in chunks):
        keyed = merge_frontmatter(notes)
        if keyed is not None:
            return keyed
    out: list[str] = []
    for c in chunks:
        out += _marked(c, nl) if c.conflict else c.lines
    return out, sum(c.conflict for c in chunks)


def _merge_body(notes: Sequence[Note], nl: str) -> tuple[list[str], int]:
    ours, out, conflicts = notes[1], [], 0
    for c in merge_lines(*(n.lines[n.body_start:] for n in notes)):
        if not c.conflict:
            out += c.lines
            continue
        p, s = _common_ends(c.ours, c.theirs)
        recent = in_recent_context(ours, ours.body_start + c.at + p - 1)
        united = unite_items(c.base, c.ours[p:len(c.ours) - s], c.theirs[p:len(c.theirs) - s],
                             newest_first=recent)
        if united is None:
            out += _marked(c, nl)
            conflicts += 1
        else:
            out += [*c.ours[:p], *united, *c.ours[len(c.ours) - s:]]
    return out, conflicts


def merge_note(base: str, ours: str, theirs: str) -> Merged:
    """The three-way merge of one note (see the module's docstring)."""
    if ours == theirs or base == theirs:
        return Merged(ours, 0)
    if base == ours:
        return Merged(theirs, 0)
    notes = [Note.parse(text) for text in (base, ours, theirs)]
    b, o, t = notes
    head, n_head = _merge_head(notes, o.newline)
    body, n_body = _merge_body(notes, o.newline)
    lines = head + body  # a line that was last without an ending gets one when lines follow it now
    text = "".join(line if eol(line) or n == len(lines) - 1 else line + o.newline for n, line in enumerate(lines))
    return Merged((o.bom if o.bom != b.bom else t.bom) + text, n_head + n_body)
