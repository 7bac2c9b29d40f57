"""Merging one note into another, as pure functions over the note model: which properties INTO
takes from FROM, key by key; and FROM's sections united into INTO's by heading (new ones in
canonical order), each bullet once, lists item by item, prose whole. `ops.merge` is the command
around them (it writes the properties and rewrites links).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from vaultcrm.dates import iso_date
from vaultcrm.errors import UnsafeEdit
from vaultcrm.model import edits, grammar, sections, taskline
from vaultcrm.model.note import Note, strip_eol
from vaultcrm.model.records import fold
from vaultcrm.model.sections import is_recent_context
from vaultcrm.model.units import Unit, entry_date, recent_context_sections, reorder_entries, section_units

LIST_KEYS = frozenset({"tags", "aliases", "alias", "cssclasses"})
# a template's filler such as `_No key contacts identified._`: whole-line emphasis saying "nothing yet"
PLACEHOLDER_LINE = re.compile(r"\s*([_*])(?i:no|none|nothing|unknown|tbd|n/a|add\b.*\bhere)(?![A-Za-z])[^_*]*\1\s*$")
_TABLE_LINE = re.compile(r"\s*\|.*\|\s*$")
_TABLE_SEPARATOR = re.compile(r"\s*\|[\s:|-]+\|\s*$")
_SENTENCE_MARK = re.compile(r"[.;?!](?:\s|$)")  # a sentence's stop inside or at the end of an item
_CONJUNCTION = re.compile(r"(?i)(?:and|or|but)\s")  # `…, and then` goes on a sentence
_PARENTHETICAL = re.compile(r"\([^()]*\)")
_ITALIC_LINE = re.compile(r"\s*([*_])(?![*_\s]).*(?<![*_\s])\1\s*$")  # `*Source: …*`, not `**bold**`
_RULE = re.compile(r" {0,3}([-*_])(?:[ \t]*\1){2,}\s*$")
_LABEL_LINE = re.compile(r"\*\*[^*]+(?:\*\*:|:\*\*)")  # `**Date**: …`, `**With:** …`
_MISSING = object()


# ---- properties ----------------------------------------------------------------------------------
def _as_list(value: Any) -> list[Any]:
    if value is None or value is _MISSING:
        return []
    return list(value) if isinstance(value, list) else [value]


def _union(into: list[Any], extra: list[Any]) -> list[Any]:
    out, seen = list(into), {fold(str(v)) for v in into}
    for v in extra:
        if v is not None and not (isinstance(v, str) and not v.strip()) and fold(str(v)) not in seen:
            seen.add(fold(str(v)))
            out.append(v)
    return out


def _merged_date(key: str, fval: Any, ival: Any) -> Any:
    """Dates are facts about the relationship, not preferences: the last contact is the later of
    the two and the relationship began at the earlier, whichever note says so."""
    fd, idate = iso_date(fval), iso_date(ival) if ival is not _MISSING else None
    later = key == "last_contact"
    if fd is not None and (idate is None or (fd > idate if later else fd < idate)):
        return fd.isoformat()
    return fval if ival is _MISSING else _MISSING


def _merged_list(fval: Any, ival: Any) -> Any:
    """Tags and aliases of both notes stay true of the merged contact, so lists are united;
    a mapping cannot be united item by item, so INTO's stays."""
    if isinstance(fval, dict) or isinstance(ival, dict):
        return _MISSING
    united = _union(_as_list(ival), _as_list(fval))
    return united if united != _as_list(ival) else _MISSING


def _merged_placeholder(fval: Any, ival: Any) -> Any:
    """An empty or template-filler value in INTO says nothing, so FROM's real value may replace it."""
    if (ival is None or grammar.is_placeholder(ival)) and fval is not None and not grammar.is_placeholder(fval):
        return fval
    return _MISSING


def _merged_value(key: str, fval: Any, ival: Any) -> Any:
    """One key's new value, or _MISSING to leave INTO's alone (INTO wins unless a rule says otherwise)."""
    if key in ("last_contact", "created"):
        return _merged_date(key, fval, ival)
    if ival is _MISSING:
        return fval
    if key in LIST_KEYS or isinstance(fval, list) or isinstance(ival, list):
        return _merged_list(fval, ival)
    return _merged_placeholder(fval, ival)


def _alias_change(changes: dict[str, Any], iprops: dict[str, Any], *, from_title: str,
                  into_title: str) -> dict[str, Any]:
    """FROM's title must still find the contact once FROM is gone, so it becomes an alias of INTO
    (in whichever alias key INTO already uses, and never INTO's own title)."""
    if fold(from_title) == fold(into_title):
        return {}
    key = "aliases" if "aliases" in iprops or "alias" not in iprops else "alias"
    current = changes.get(key, _as_list(iprops.get(key)))
    want = _union(_as_list(current), [from_title])
    want = [a for a in want if fold(str(a)) != fold(into_title)]
    return {key: want} if want != _as_list(iprops.get(key)) else {}


def merged_properties(fprops: dict[str, Any], iprops: dict[str, Any], *, from_title: str, into_title: str,
                      leave_out: Sequence[tuple[str, Any]] = ()) -> dict[str, Any]:
    """The properties INTO should change to: INTO wins on a conflict, except last_contact (the
    later date), created (the earlier), lists (united) and INTO placeholders (FROM's value).
    `leave_out`: (key, value) of FROM's that must not come over (a kind INTO contradicts)."""
    out: dict[str, Any] = {}
    for key, fval in fprops.items():
        if any(k == key for k, _ in leave_out):
            fval = [v for v in _as_list(fval) if (key, v) not in leave_out]
            if not fval:
                continue
        new = _merged_value(key, fval, iprops.get(key, _MISSING))
        if new is not _MISSING:
            out[key] = new
    out.update(_alias_change(out, iprops, from_title=from_title, into_title=into_title))
    return out


# ---- sections ------------------------------------------------------------------------------------
def split_commas(text: str) -> list[str]:
    """Comma-separated items, commas inside brackets kept: 'a (b, c), d' -> ['a (b, c)', 'd']."""
    out, depth, cur = [], 0, ""
    for ch in text:
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth = max(0, depth - 1)
        if ch == "," and depth == 0:
            out.append(cur.strip())
            cur = ""
            continue
        cur += ch
    if cur.strip():
        out.append(cur.strip())
    return [o for o in out if o]


def _lines(note: Note, u: Unit) -> list[str]:
    return [strip_eol(line) for line in note.lines[u.start:u.end]]


def _task_key(text: str) -> tuple[str, str] | None:
    t = taskline.parse_task(text)
    return None if t is None else (fold(t.description), "done" if t.done else "cancelled" if t.cancelled else "open")


def _table_field(text: str) -> str | None:
    cells = grammar.table_row(text)
    return grammar.plain_cell(cells[0]).lower() if cells else None


def _joins(a: Unit, b: Unit) -> bool:
    """May `b` follow `a` without a blank line (items of one list, rows of one table)?"""
    return (a.kind == b.kind == "item") or bool(_TABLE_LINE.match(a.text) and _TABLE_LINE.match(b.text))


def _target_span(note: Note, heading: str | None, level1: bool) -> tuple[int, int, bool] | None:
    """(body start, end, is Recent Context) of INTO's section matching FROM's heading."""
    if heading is None:
        return (*note.preamble, False)
    found = note.find_sections(heading)
    if not found and level1:
        found = [s for s in note.sections if s.level == 1]
    if not found:
        return None
    s = found[0]
    return s.body_start, s.end, is_recent_context(s.heading)


def _content(note: Note, start: int, end: int) -> list[Unit]:
    return [u for u in section_units(note, start, end) if u.kind != "blank"]


def _is_list_item(item: str) -> bool:
    """A short phrase, its parenthetical detail aside (`Microsoft AI capacity (leases, neocloud)`):
    no clause of a sentence, no bold or link that a comma cut in two."""
    bare = _PARENTHETICAL.sub("", item)
    if item.count("**") % 2 or ("," in item and ("[[" in item or "](" in item)):
        return False
    return not (_SENTENCE_MARK.search(item) or _CONJUNCTION.match(item)) and len(bare) <= 80 and len(bare.split()) <= 10


def is_comma_list(text: str) -> bool:
    """A list of short items (the seed notes' Topics), not prose: only a list may be united item
    by item; a sentence cut at its commas and spliced into another says nothing."""
    items = split_commas(text)
    return len(items) > 1 and all(_is_list_item(i) for i in items)


def _is_comma_line(u: Unit) -> bool:
    return u.kind == "other" and u.end - u.start == 1 and not _TABLE_LINE.match(u.text) and is_comma_list(u.text)


def _unite_comma_lists(note: Note, mine: Unit, theirs: Unit) -> Note:
    """A one-line comma list on both sides (the seed notes' Topics) is one list, not two
    paragraphs: FROM's new items are appended to INTO's line."""
    items = {fold(m) for m in split_commas(mine.text)}
    extra = [t for t in split_commas(theirs.text) if fold(t) not in items]
    if not extra:
        return note
    return note.splice(mine.start, mine.end, [mine.text.rstrip() + ", " + ", ".join(extra)])


def _new_row_field(text: str, fields: set[str | None]) -> str | None:
    """A table keeps one row per field and one header, so FROM's row counts only for a new field."""
    f = _table_field(text)
    if _TABLE_SEPARATOR.match(text) or f is None or f in fields or f == "field":
        return None
    return f


def _table_fields(icontent: list[Unit]) -> set[str | None] | None:
    """INTO's table fields, or None when INTO has no table (FROM's rows are then plain content)."""
    rows = [u for u in icontent if _TABLE_LINE.match(u.text)]
    return ({_table_field(u.text) for u in rows} - {None}) if rows else None


def _is_copy(u: Unit, fnote: Note, have: set[str], tasks: set[tuple[str, str] | None]) -> bool:
    """Each thing once: INTO's lines or task again, or a template filler, would add nothing."""
    if u.key(fnote) in have or PLACEHOLDER_LINE.match(u.text):
        return True
    return u.kind == "item" and _task_key(u.text) in tasks


def _select(note: Note, icontent: list[Unit], fnote: Note, fcontent: list[Unit]) -> tuple[list[str], list[Unit]]:
    """(rows for INTO's table, other units): rows must join INTO's table, the rest goes after it."""
    have = {u.key(note) for u in icontent}
    tasks = {_task_key(u.text) for u in icontent if u.kind == "item"} - {None}
    fields = _table_fields(icontent)
    new_rows: list[str] = []
    added: list[Unit] = []
    for u in fcontent:
        if _is_copy(u, fnote, have, tasks):
            continue
        if fields is not None and _TABLE_LINE.match(u.text):
            f = _new_row_field(u.text, fields)
            if f is not None:
                fields.add(f)
                new_rows += _lines(fnote, u)
            continue
        have.add(u.key(fnote))
        added.append(u)
    return new_rows, added


def _place_rows(note: Note, icontent: list[Unit], rows: list[str]) -> Note:
    """New rows go at the end of INTO's table: anywhere else they would start a second table."""
    if not rows:
        return note
    at = [u for u in icontent if _TABLE_LINE.match(u.text)][-1].end
    return note.splice(at, at, rows)


def _place_undated(note: Note, start: int, end: int, fnote: Note,
                   added: list[Unit]) -> tuple[Note, int, list[Unit]]:
    """(note, new end, units still to add). `reorder_entries` never moves undated lines, so FROM's
    undated Recent Context entries go above INTO's first dated entry rather than below its log."""
    undated = [u for u in added if entry_date(u) is None]
    first = next((u for u in _content(note, start, end) if u.kind == "item" and entry_date(u) is not None), None)
    if not undated or first is None:
        return note, end, added
    lines = [ln for u in undated for ln in _lines(fnote, u)]
    dated = [u for u in added if entry_date(u) is not None]
    return note.splice(first.start, first.start, lines), end + len(lines), dated


def _drop_placeholders(note: Note, start: int, end: int) -> tuple[Note, int]:
    """(note, new end). INTO's fillers (`_No key contacts identified._`) stop being true once
    FROM's real content arrives; removed last first so earlier line numbers stay valid."""
    fillers = [u for u in _content(note, start, end) if PLACEHOLDER_LINE.match(u.text)]
    for u in sorted(fillers, key=lambda u: -u.start):
        note = note.splice(u.start, u.end, [])
        end -= u.end - u.start
    return note, end


def _blank_before(u: Unit, prev: Unit | None, into_last: Unit | None, funits: list[Unit]) -> bool:
    """Where INTO's text meets FROM's, a blank line unless a list or table goes on; between FROM's
    own units, the blank lines FROM had, so its paragraphs stay paragraphs."""
    if prev is None:
        return into_last is not None and not _joins(into_last, u)
    return any(b.kind == "blank" and prev.end <= b.start < u.start for b in funits)


def _from_lines(fnote: Note, funits: list[Unit], added: list[Unit], into_last: Unit | None) -> list[str]:
    lines: list[str] = []
    prev: Unit | None = None
    for u in added:
        if _blank_before(u, prev, into_last, funits):
            lines.append("")
        lines += _lines(fnote, u)
        prev = u
    return lines


def _insertion(note: Note, start: int, end: int, icontent: list[Unit], lines: list[str]) -> tuple[int, list[str]]:
    """(line, lines to insert there): after INTO's last content; in an empty section, framed so
    one blank line follows the heading and one precedes the next heading."""
    if icontent:
        return icontent[-1].end, lines
    blanks = end - start
    at = start + 1 if blanks else start
    if not blanks:
        lines = ["", *lines]
    if end < len(note.lines) and blanks < 2:
        lines = [*lines, ""]
    return at, lines


def _footer_start(note: Note, content: list[Unit]) -> int:
    """Where the section's footer begins among its units (their number when it has none): what
    closes it after some content (`*Source: …*`, a comment, a rule and the lines under it), or a
    rule with a line or two below it (a navigation bar). A comment alone is no footer but a
    placeholder to write under."""
    def closes(u: Unit) -> bool:
        if u.kind != "other":
            return False
        if u.text.lstrip().startswith("<!--"):
            return u.key(note).endswith("-->")
        return bool(_RULE.match(u.text)) or (u.end - u.start == 1 and bool(_ITALIC_LINE.match(u.text)))

    i = len(content)
    while i > 1 and closes(content[i - 1]):
        i -= 1
    rule = max((n for n in range(1, i) if content[n].kind == "other" and _RULE.match(content[n].text)), default=0)
    below = content[rule + 1:i]
    return rule if rule and len(below) <= 2 and all(u.kind == "other" and u.end - u.start == 1 for u in below) else i


def _place(note: Note, start: int, end: int, fnote: Note, funits: list[Unit], added: list[Unit]) -> Note:
    """FROM's units after INTO's content and before INTO's footer, which stays the section's end;
    what FROM has below its own footer line goes after INTO's footer."""
    icontent, fcontent = _content(note, start, end), [u for u in funits if u.kind != "blank"]
    cut = _footer_start(note, icontent)
    fcut = _footer_start(fnote, fcontent) if cut < len(icontent) else len(fcontent)
    tail = [u for u in added if fcut < len(fcontent) and u.start >= fcontent[fcut].start]
    for part, mine in ((tail, icontent), ([u for u in added if u not in tail], icontent[:cut])):  # lowest first
        if part:
            at, lines = _insertion(note, start, end, mine, _from_lines(fnote, funits, part, mine[-1] if mine else None))
            note = note.splice(at, at, lines)
    return note


def _merge_units(note: Note, start: int, end: int, fnote: Note, fstart: int, fend: int, *,
                 recent: bool) -> Note:
    """Add FROM's lines in [fstart, fend) to INTO's span [start, end), each once."""
    icontent = _content(note, start, end)
    funits = section_units(fnote, fstart, fend)
    fcontent = [u for u in funits if u.kind != "blank"]
    if not fcontent:
        return note
    if len(icontent) == 1 and len(fcontent) == 1 and _is_comma_line(icontent[0]) and _is_comma_line(fcontent[0]):
        return _unite_comma_lists(note, icontent[0], fcontent[0])
    new_rows, added = _select(note, icontent, fnote, fcontent)
    note = _place_rows(note, icontent, new_rows)
    end += len(new_rows)
    if recent and added:
        note, end, added = _place_undated(note, start, end, fnote, added)
    if not added:
        return note
    note, end = _drop_placeholders(note, start, end)
    return _place(note, start, end, fnote, funits, added)


def _drop_known_labels(inote: Note, fnote: Note) -> Note:
    """FROM without the `**Label**: value` lines INTO's matching section has word for word: each
    is one fact about the meeting or account (`**Date**:`, `**With**:`), said once."""
    spans = [(None, *fnote.preamble, False)] + [(s.heading, s.body_start, s.end, s.level == 1) for s in fnote.sections]
    for heading, fstart, fend, level1 in reversed(spans):  # last first: earlier line numbers stay valid
        target = _target_span(inote, heading, level1)
        known = {t.rstrip() for _, t in inote.body_lines(*target[:2]) if _LABEL_LINE.match(t)} if target else set()
        doomed = [i for i, t in fnote.body_lines(fstart, fend) if _LABEL_LINE.match(t) and t.rstrip() in known]
        for i in reversed(doomed):
            fnote = fnote.splice(i, i + 1, [])
    return fnote


def merge_bodies(inote: Note, fnote: Note) -> Note:
    """FROM's preamble and sections united into INTO by heading (new ones in canonical order)."""
    note, fnote = inote, _drop_known_labels(inote, fnote)
    fspans: list[tuple[str | None, int, int, str, int]] = [(None, *fnote.preamble, "", 0)]
    fspans += [(s.heading, s.body_start, s.end, strip_eol(fnote.lines[s.start]), s.level) for s in fnote.sections]
    for heading, fstart, fend, raw_heading, level in fspans:
        target = _target_span(note, heading, level == 1)
        if target is None:
            if sections.canonical_rank(heading or "") is not None:
                note, _ = edits.ensure_section(note, heading or "")
            else:  # a heading of the user's own goes last, a blank line above it
                at, gap = len(note.lines), [""] if note.lines and strip_eol(note.lines[-1]).strip() else []
                note = note.splice(at, at, [*gap, raw_heading, ""])
            target = _target_span(note, heading, False)
            if target is None:  # e.g. INTO ends inside an unclosed code block
                raise UnsafeEdit(f"cannot place the section {heading!r} in {inote.path}; merge by hand",
                                 path=inote.path)
        start, end, recent = target
        note = _merge_units(note, start, end, fnote, fstart, fend, recent=recent)
    for n in range(len(recent_context_sections(note))):
        note = reorder_entries(note, recent_context_sections(note)[n])
    return note
