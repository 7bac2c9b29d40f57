"""Merging one note into another, as pure functions over the note model: properties united key
by key, sections by heading (new ones in canonical order), each bullet once; and links to the
merged note pointed at the one that stays. `ops.merge` is the command around them.
"""

from __future__ import annotations

import re
from typing import Any

from vaultcrm.dates import iso_date
from vaultcrm.errors import UnsafeEdit
from vaultcrm.model import edits, grammar, sections
from vaultcrm.model.note import Note, strip_eol
from vaultcrm.model.records import fold
from vaultcrm.model.sections import is_recent_context
from vaultcrm.model.units import Unit, recent_context_sections, reorder_entries, section_units

LIST_KEYS = frozenset({"tags", "aliases", "alias", "cssclasses"})
# a template's filler such as `_No key contacts identified._`: whole-line emphasis saying "nothing yet"
PLACEHOLDER_LINE = re.compile(r"\s*([_*])(?i:no|none|nothing|unknown|tbd|n/a|add\b.*\bhere)(?![A-Za-z])[^_*]*\1\s*$")
_TABLE_LINE = re.compile(r"\s*\|.*\|\s*$")
_TABLE_SEPARATOR = re.compile(r"\s*\|[\s:|-]+\|\s*$")
_LINK = re.compile(r"(\[\[)([^\]|#^]+)((?:[#^][^\]|]*)?(?:\|[^\]]*)?\]\])")
_MISSING = object()


# ---- properties ----------------------------------------------------------------------------------
def _as_list(value: Any) -> list[Any]:
    if value is None or value is _MISSING:
        return []
    return list(value) if isinstance(value, list) else [value]


def _union(into: list[Any], extra: list[Any]) -> list[Any]:
    seen = {fold(str(v)) for v in into}
    out = list(into)
    for v in extra:
        if v is None or (isinstance(v, str) and not v.strip()):
            continue
        if fold(str(v)) not in seen:
            seen.add(fold(str(v)))
            out.append(v)
    return out


def merged_properties(fprops: dict[str, Any], iprops: dict[str, Any], *, from_title: str,
                      into_title: str) -> dict[str, Any]:
    """The properties INTO should change to: INTO wins on a conflict, except last_contact (the
    later date), created (the earlier), lists (united) and INTO placeholders (FROM's value)."""
    out: dict[str, Any] = {}
    for key, fval in fprops.items():
        ival = iprops.get(key, _MISSING)
        new: Any = _MISSING
        if key in ("last_contact", "created"):
            fd, idate = iso_date(fval), iso_date(ival) if ival is not _MISSING else None
            later = key == "last_contact"
            if fd is not None and (idate is None or (fd > idate if later else fd < idate)):
                new = fd.isoformat()
            elif ival is _MISSING:
                new = fval
        elif ival is _MISSING:
            new = fval
        elif key in LIST_KEYS or isinstance(fval, list) or isinstance(ival, list):
            if not isinstance(fval, dict) and not isinstance(ival, dict):
                united = _union(_as_list(ival), _as_list(fval))
                if united != _as_list(ival):
                    new = united
        elif (ival is None or grammar.is_placeholder(ival)) and fval is not None and not grammar.is_placeholder(fval):
            new = fval
        if new is not _MISSING:
            out[key] = new
    if fold(from_title) != fold(into_title):
        key = "aliases" if "aliases" in iprops or "alias" not in iprops else "alias"
        current = out.get(key, _as_list(iprops.get(key)))
        want = _union(_as_list(current), [from_title])
        want = [a for a in want if fold(str(a)) != fold(into_title)]
        if want != _as_list(iprops.get(key)):
            out[key] = want
    return out


def _copy_raw_property(note: Note, fnote: Note, key: str) -> Note:
    """Append FROM's own lines for `key` (a mapping or other value we do not re-serialise)."""
    spans = [s for s in edits.key_spans(fnote) if s[0] == key]
    if not spans or note.frontmatter is None:
        raise UnsafeEdit(f"cannot copy property {key!r}", path=note.path)
    _, start, end = spans[0]
    lines = [strip_eol(line) for line in fnote.lines[start:end]]
    ispans = edits.key_spans(note)
    at = ispans[-1][2] if ispans else note.frontmatter.end - 1
    new = note.replace_lines(at, at, lines)
    if new.properties.get(key) != fnote.properties.get(key):
        raise UnsafeEdit(f"cannot copy property {key!r} safely; merge it by hand", path=note.path)
    return new


def merge_frontmatter(inote: Note, fnote: Note, *, from_title: str, into_title: str) -> Note:
    changes = merged_properties(fnote.properties, inote.properties, from_title=from_title, into_title=into_title)
    note = inote
    for key, value in changes.items():
        if isinstance(value, dict) or (isinstance(value, list) and any(isinstance(v, (dict, list)) for v in value)):
            if key in note.properties:
                continue  # INTO has its own nested value: it wins
            note = _copy_raw_property(note, fnote, key)
        else:
            note = edits.set_property(note, key, value)
    return note


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
    t = grammar.parse_task(text)
    if t is None:
        return None
    return (fold(t.description), "done" if t.done else "cancelled" if t.cancelled else "open")


def _table_field(text: str) -> str | None:
    cells = grammar.table_row(text)
    return grammar.plain_cell(cells[0]).lower() if cells else None


def _joins(a: Unit, b: Unit) -> bool:
    """May `b` follow `a` without a blank line (items of one list, rows of one table)?"""
    return (a.kind == b.kind == "item") or bool(_TABLE_LINE.match(a.text) and _TABLE_LINE.match(b.text))


def _target_span(note: Note, heading: str | None, level1: bool) -> tuple[int, int, bool] | None:
    """(body start, end, is Recent Context) of INTO's section matching FROM's heading."""
    if heading is None:
        start, end = note.preamble
        return start, end, False
    found = note.find_sections(heading)
    if not found and level1:
        found = [s for s in note.sections if s.level == 1]
    if not found:
        return None
    s = found[0]
    return s.body_start, s.end, is_recent_context(s.heading)


def _merge_units(note: Note, start: int, end: int, fnote: Note, fstart: int, fend: int, *,
                 recent: bool) -> Note:
    """Add FROM's lines in [fstart, fend) to INTO's span [start, end), each once."""
    iunits = section_units(note, start, end)
    funits = section_units(fnote, fstart, fend)
    icontent = [u for u in iunits if u.kind != "blank"]
    fcontent = [u for u in funits if u.kind != "blank"]
    if not fcontent:
        return note
    nl_lines: list[str]

    # a one-paragraph comma list on both sides (the seed notes' Topics): unite the items
    if (len(icontent) == 1 and len(fcontent) == 1 and icontent[0].kind == fcontent[0].kind == "other"
            and icontent[0].end - icontent[0].start == 1 and fcontent[0].end - fcontent[0].start == 1
            and "," in icontent[0].text and "," in fcontent[0].text
            and not _TABLE_LINE.match(icontent[0].text) and not _TABLE_LINE.match(fcontent[0].text)):
        mine = split_commas(icontent[0].text)
        extra = [t for t in split_commas(fcontent[0].text) if fold(t) not in {fold(m) for m in mine}]
        if not extra:
            return note
        line = icontent[0].text.rstrip() + ", " + ", ".join(extra)
        return note.splice(icontent[0].start, icontent[0].end, [line])

    have = {u.key(note) for u in icontent}
    tasks = {_task_key(u.text) for u in icontent if u.kind == "item"} - {None}
    table_rows = [u for u in icontent if _TABLE_LINE.match(u.text)]
    fields = {_table_field(u.text) for u in table_rows} - {None}
    new_rows: list[str] = []
    added: list[Unit] = []
    for u in fcontent:
        k = u.key(fnote)
        if k in have or PLACEHOLDER_LINE.match(u.text):
            continue
        if u.kind == "item" and _task_key(u.text) is not None and _task_key(u.text) in tasks:
            continue
        if table_rows and _TABLE_LINE.match(u.text):
            f = _table_field(u.text)
            if _TABLE_SEPARATOR.match(u.text) or f is None or f in fields or f == "field":
                continue
            fields.add(f)
            new_rows += _lines(fnote, u)
            continue
        have.add(k)
        added.append(u)

    if new_rows:
        at = table_rows[-1].end
        note = note.splice(at, at, new_rows)
        shift = len(new_rows)
        end += shift
        iunits = section_units(note, start, end)
        icontent = [u for u in iunits if u.kind != "blank"]
    if not added:
        return note

    if recent:
        dated = [u for u in added if grammar.parse_entry(u.text) and grammar.parse_entry(u.text).date]  # type: ignore[union-attr]
        undated = [u for u in added if u not in dated]
        first_dated = next((u for u in icontent if u.kind == "item" and grammar.parse_entry(u.text)
                            and grammar.parse_entry(u.text).date), None)  # type: ignore[union-attr]
        if undated and first_dated is not None:
            lines = [ln for u in undated for ln in _lines(fnote, u)]
            note = note.splice(first_dated.start, first_dated.start, lines)
            end += len(lines)
            added = dated
            iunits = section_units(note, start, end)
            icontent = [u for u in iunits if u.kind != "blank"]
        if not added:
            return note

    # placeholders in INTO (`_No key contacts identified._`) give way to real content
    for u in sorted((u for u in icontent if PLACEHOLDER_LINE.match(u.text)), key=lambda u: -u.start):
        note = note.splice(u.start, u.end, [])
        end -= u.end - u.start
    iunits = section_units(note, start, end)
    icontent = [u for u in iunits if u.kind != "blank"]

    nl_lines = []
    prev_from: Unit | None = None
    for u in added:
        if prev_from is None:  # where INTO's text meets FROM's: a blank line unless a list or table goes on
            blank = bool(icontent) and not _joins(icontent[-1], u)
        else:  # between FROM's own lines: the blank lines FROM had
            blank = any(b.kind == "blank" and prev_from.end <= b.start < u.start for b in funits)
        if blank:
            nl_lines.append("")
        nl_lines += _lines(fnote, u)
        prev_from = u
    if icontent:
        at = icontent[-1].end
    else:
        blanks = end - start
        at = start + 1 if blanks else start
        if not blanks:
            nl_lines = ["", *nl_lines]
        if end < len(note.lines) and blanks < 2:
            nl_lines.append("")
    return note.splice(at, at, nl_lines)


def merge_bodies(inote: Note, fnote: Note) -> Note:
    """FROM's preamble and sections united into INTO by heading (new ones in canonical order)."""
    note = inote
    fspans: list[tuple[str | None, int, int, str, int]] = [(None, *fnote.preamble, "", 0)]
    fspans += [(s.heading, s.body_start, s.end, strip_eol(fnote.lines[s.start]), s.level) for s in fnote.sections]
    for heading, fstart, fend, raw_heading, level in fspans:
        target = _target_span(note, heading, level == 1)
        if target is None:
            if sections.canonical_rank(heading or "") is not None:
                note, _ = edits.ensure_section(note, heading or "")
            else:
                at = len(note.lines)
                lines = [raw_heading, ""]
                if at and strip_eol(note.lines[at - 1]).strip():
                    lines = ["", *lines]
                note = note.splice(at, at, lines)
            target = _target_span(note, heading, False)
            if target is None:  # e.g. INTO ends inside an unclosed code block
                raise UnsafeEdit(f"cannot place the section {heading!r} in {inote.path}; merge by hand",
                                 path=inote.path)
        start, end, recent = target
        note = _merge_units(note, start, end, fnote, fstart, fend, recent=recent)
    for n in range(len(recent_context_sections(note))):
        note = reorder_entries(note, recent_context_sections(note)[n])
    return note


def merge_notes(inote: Note, fnote: Note, *, from_title: str, into_title: str) -> Note:
    note = merge_frontmatter(inote, fnote, from_title=from_title, into_title=into_title)
    return merge_bodies(note, fnote)



# ---- links ----------------------------------------------------------------------------------------
def rewrite_links(text: str, path: str, old: set[str], new_target: str) -> str:
    """`[[old…]]` links (by any name in `old`) pointed at `new_target`, heading and alias kept;
    lines inside code fences are left alone."""
    note = Note.parse(text, path)
    changed = False
    lines = list(note.lines)
    fenced = note.fenced

    def repl(m: re.Match[str]) -> str:
        nonlocal changed
        if fold(m[2].strip().removesuffix(".md")) in old:
            changed = True
            return m[1] + new_target + m[3]
        return m[0]

    for i, line in enumerate(lines):
        if "[[" in line and i not in fenced:
            lines[i] = _LINK.sub(repl, line)
    return note.bom + "".join(lines) if changed else text


