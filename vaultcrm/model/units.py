"""The units of a note's body that edits, `doctor` and `merge` reason about: list items with their
continuation lines, paragraphs, blank lines, code blocks; and the pure operations on them that
keep a section tidy (Recent Context newest first, exact duplicate bullets dropped).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from vaultcrm.model import grammar, taskline
from vaultcrm.model.note import Note, Section, strip_eol
from vaultcrm.model.records import fold
from vaultcrm.model.sections import is_recent_context

NEAR_DUPLICATE_RATIO = 0.9
_NEAR_MIN_CHARS = 16  # shorter bullets ("- Pricing", "- Pricing?") are too short to call near-duplicates
ITEM = re.compile(r"(?:[-*+]|\d+[.)])(?:\s|$)")
_TABLE_ROW = re.compile(r"\s*\|")


# ---- section units ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Unit:
    """A run of lines in a section body: a top-level list item with its indented continuation
    lines (`item`), a blank line (`blank`), or any other line (`other`). Lines [start, end)."""

    kind: str
    start: int
    end: int
    text: str  # the first line, without its ending

    def key(self, note: Note) -> str:
        """What makes two items the same bullet: their lines, trailing spaces ignored."""
        return "\n".join(strip_eol(line).rstrip() for line in note.lines[self.start:self.end])


def section_units(note: Note, start: int, end: int) -> list[Unit]:
    units: list[Unit] = []
    fenced = note.fenced
    i = start
    while i < end:
        text = strip_eol(note.lines[i])
        if i in fenced:  # a whole code block is one unit: its lines never part
            j = i + 1
            while j < end and j in fenced:
                j += 1
            units.append(Unit("other", i, j, text))
            i = j
            continue
        if not text.strip():
            units.append(Unit("blank", i, i + 1, text))
            i += 1
            continue
        if ITEM.match(text):
            j = i + 1
            while j < end and j not in fenced:
                nxt = strip_eol(note.lines[j])
                if not nxt.strip() or not nxt[:1].isspace():
                    break
                j += 1
            units.append(Unit("item", i, j, text))
            i = j
            continue
        j = i + 1  # a paragraph is one unit (a table row is a unit of its own)
        if not _TABLE_ROW.match(text):
            while j < end and j not in fenced:
                nxt = strip_eol(note.lines[j])
                if not nxt.strip() or ITEM.match(nxt) or _TABLE_ROW.match(nxt) or nxt.lstrip().startswith("#"):
                    break
                j += 1
        units.append(Unit("other", i, j, text))
        i = j
    return units


def spans(note: Note) -> list[tuple[Section | None, int, int]]:
    """The preamble and each section's own body, as (section, start, end) line spans."""
    start, end = note.preamble
    out: list[tuple[Section | None, int, int]] = [(None, start, end)]
    out += [(s, s.body_start, s.end) for s in note.sections]
    return out


# ---- Recent Context ----------------------------------------------------------------------------
def entry_date(unit: Unit) -> date | None:
    e = grammar.parse_entry(unit.text) if unit.kind == "item" else None
    return e.date if e is not None else None


def recent_context_sections(note: Note) -> list[Section]:
    return [s for s in note.sections if is_recent_context(s.heading)]


def reorder_entries(note: Note, section: Section) -> Note:
    """Recent Context newest first: dated entries are sorted (stably) into the places dated
    entries held; undated lines, blank lines and anything else stay where they were."""
    units = section_units(note, section.body_start, section.end)
    dated = [(n, u, entry_date(u)) for n, u in enumerate(units)]
    dated = [(n, u, d) for n, u, d in dated if d is not None]
    ordered = sorted(dated, key=lambda x: -x[2].toordinal())  # type: ignore[union-attr]
    if [n for n, _, _ in ordered] == [n for n, _, _ in dated]:
        return note
    slot = {n: u for (n, _, _), (_, u, _) in zip(dated, ordered, strict=True)}
    lines: list[str] = []
    for n, u in enumerate(units):
        src = slot.get(n, u)
        lines += note.lines[src.start:src.end]
    return note.splice(section.body_start, section.end, lines)


def is_newest_first(note: Note, section: Section) -> tuple[bool, int, int]:
    """(in order?, 1-based line of the first entry out of place, line of the entry it follows)."""
    prev: tuple[date, int] | None = None
    for u in section_units(note, section.body_start, section.end):
        d = entry_date(u)
        if d is None:
            continue
        if prev is not None and d > prev[0]:
            return False, u.start + 1, prev[1] + 1
        prev = (d, u.start)
    return True, 0, 0


# ---- duplicates --------------------------------------------------------------------------------
def _is_task(text: str) -> bool:
    return taskline.is_task(text)


def lists(note: Note, start: int, end: int) -> list[list[Unit]]:
    """The item units of a span grouped into lists: any line that is neither an item nor blank
    (a paragraph, a code fence) ends a list, so two example lists under one heading stay apart."""
    out: list[list[Unit]] = [[]]
    for u in section_units(note, start, end):
        if u.kind == "item":
            out[-1].append(u)
        elif u.kind == "other" and out[-1]:
            out.append([])
    return [group for group in out if group]


def duplicate_units(note: Note, start: int, end: int) -> list[tuple[Unit, Unit]]:
    """(duplicate, first occurrence) for each item that repeats an earlier item of its list exactly."""
    out = []
    for items in lists(note, start, end):
        seen: dict[str, Unit] = {}
        for u in items:
            k = u.key(note)
            if k in seen:
                out.append((u, seen[k]))
            else:
                seen[k] = u
    return out


def _comparable(text: str) -> str:
    t = ITEM.sub("", text.strip(), count=1)
    return fold(t)


def near_duplicates(note: Note, start: int, end: int) -> list[tuple[Unit, Unit, float]]:
    """(later, earlier, ratio) for items of one list (tasks excepted: a recurring task's instances
    look alike) that differ but read nearly the same."""
    out = []
    for items in lists(note, start, end):
        out += _near(note, [u for u in items if not _is_task(u.text)])
    return out


def _near(note: Note, items: list[Unit]) -> list[tuple[Unit, Unit, float]]:
    keys: dict[str, Unit] = {}
    uniq: list[tuple[Unit, str]] = []
    for u in items:
        k = u.key(note)
        if k in keys:
            continue
        keys[k] = u
        c = _comparable(u.text)
        if len(c) >= _NEAR_MIN_CHARS:
            uniq.append((u, c))
    if len(uniq) < 2:
        return []
    from rapidfuzz import fuzz, process  # only `doctor` and `merge` compare bullets

    texts = [c for _, c in uniq]
    # Similarity is rapidfuzz's normalised Indel ratio, 2·LCS/(len a + len b), computed in C: the
    # pairwise difflib loop it replaces took 300 s on 10k generated notes. Each later item is
    # reported once, against the first earlier item of its list that reads nearly the same.
    cutoff = NEAR_DUPLICATE_RATIO * 100 - 1e-9
    out = []
    for j in range(1, len(uniq)):
        hits = process.extract(texts[j], texts[:j], scorer=fuzz.ratio, score_cutoff=cutoff, limit=None)
        if hits:
            _, score, i = min(hits, key=lambda h: h[2])
            out.append((uniq[j][0], uniq[i][0], score / 100))
    return out


def drop_duplicates(note: Note) -> Note:
    """Every exact duplicate item removed (the first occurrence stays), section by section."""
    doomed: list[Unit] = []
    for _, start, end in spans(note):
        doomed += [d for d, _ in duplicate_units(note, start, end)]
    for u in sorted(doomed, key=lambda u: u.start, reverse=True):
        note = note.splice(u.start, u.end, [])
    return note


