"""The checks that read one note's text (`doctor`'s local checks), and the facts the vault-wide
checks need from it.

None depends on today or on other notes, so their findings and facts are cached per note
(`store/findings.py`): `doctor` imports this module only when a note must be checked again, and a
warm run, which reads every note's findings from the cache, never loads these grammars (bullets,
task lines, conflict markers).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from vaultcrm.dates import iso_date
from vaultcrm.model import conflicts, edits, grammar, keys, taskline, units
from vaultcrm.model.note import Note, strip_eol
from vaultcrm.model.records import string_list
from vaultcrm.ops import contact

if TYPE_CHECKING:
    from vaultcrm.ops.checking import Checking


def key_line(note: Note, key: str) -> int:
    fm = note.frontmatter
    if fm is None:
        return 1
    pat = re.compile(r"""\s*['"]?""" + re.escape(key) + r"""['"]?\s*[:=]""")
    for i in range(fm.body_start, fm.end - 1):
        if pat.match(strip_eol(note.lines[i])) and not note.lines[i][:1].isspace():
            return i + 1
    return 1


def facts(note: Note) -> dict[str, Any]:
    """What the vault checks need from a note's text, so that they never read it: the lines of its
    title, aliases and type keys, its last_contact ([line, repr, ISO date or None]), and its
    [[links]] in properties ([line, key, target]) and in the body ([line, target])."""
    props = note.properties
    last = None
    if contact.PROPERTY in props:
        raw = props[contact.PROPERTY]
        current = iso_date(raw)
        last = [key_line(note, contact.PROPERTY), repr(raw), current.isoformat() if current else None]
    links = [[key_line(note, key), key, target] for key, value in props.items()
             for item in (string_list(value) if isinstance(value, (str, list)) else [])
             for target in grammar.wikilinks(item)]
    body = [[i + 1, target] for i, text in note.body_lines(note.body_start, len(note.lines)) if "[[" in text
            for target in grammar.wikilinks(re.sub(r"`[^`]*`", "", text))]
    return {"title": key_line(note, "title") if "title" in props else 1, "aliases": key_line(note, "aliases"),
            "kind": key_line(note, "type" if "type" in props else "tags"), "last_contact": last,
            "links": links, "body": body}


def _recent_context(c: Checking) -> None:
    note = c.note
    for section in units.recent_context_sections(note):
        for u in units.section_units(note, section.body_start, section.end):
            if u.kind != "item":
                continue
            e = grammar.parse_entry(u.text)
            if e is None or e.date is None:
                shown = e.raw_date if e is not None else u.text.strip()[:40]
                c.add(u.start + 1, "undated-entry", f"Recent Context line is not dated ({shown!r})")
        ok, bad, prev = units.is_newest_first(note, section)
        if not ok:
            c.add(bad, "entries-out-of-order",
                  f"Recent Context is not newest first: this entry is newer than the one on line {prev}", True)


def _duplicate_bullets(c: Checking) -> None:
    note = c.note
    for section, start, end in units.spans(note):
        where = f"## {section.heading}" if section else "the text before the first heading"
        for dup, first in units.duplicate_units(note, start, end):
            c.add(dup.start + 1, "duplicate-bullet", f"same bullet as line {first.start + 1} in {where}", True)
        for later, earlier, ratio in units.near_duplicates(note, start, end):
            c.add(later.start + 1, "near-duplicate-bullet",
                  f"nearly the same ({ratio:.0%}) as line {earlier.start + 1} in {where}")


def _task_dates(c: Checking) -> None:
    """Dates Obsidian Tasks cannot read: a field whose date does not exist (`📅 2026-02-30`), or a
    field sign followed by something that is not a date (`📅 TBD`), which Tasks leaves in the text.
    A valid date anywhere Tasks reads it (any order, before trailing tags) is not a finding."""
    note, settings = c.note, c.ctx.config.tasks
    for i, text in note.body_lines(note.body_start, len(note.lines)):
        t = taskline.parse_task(text, i, settings) if "[" in text else None
        if t is None:
            continue
        for name, value in t.dates.items():
            if iso_date(value) is None:
                c.add(i + 1, "task-date-unreadable", f"the {name} date ({taskline.field_sign(name, settings)}) {value!r} "
                      "is not a real date; Obsidian Tasks cannot read it")
        for sign, name, found in taskline.unread_fields(t.description, settings):
            if re.match(r"[0-9]{4}-[0-9]{2}-[0-9]{2}$", found):
                c.add(i + 1, "task-date-unreadable", f"the {name} field ({sign} {found}) is followed by more text; "
                      "Obsidian Tasks reads fields only at the end of the line (tags may follow them)")
            else:
                c.add(i + 1, "task-date-unreadable", f"the {name} field ({sign}) is followed by {found!r}, not a "
                      "YYYY-MM-DD date; Obsidian Tasks reads no date from it")


def _placeholders(c: Checking) -> None:
    for key, value in c.note.properties.items():
        if key == contact.PROPERTY:
            continue
        for v in value if isinstance(value, list) else [value]:
            if grammar.is_placeholder(v):
                c.add(key_line(c.note, key),
                      "placeholder-value",
                      f"property {key!r} holds a placeholder ({v!r})" if v.strip() else f"property {key!r} is empty text")
                break
    for line, field_name, value in edits.status_rows(c.note):
        if value.strip() and grammar.is_placeholder(value):
            c.add(line + 1, "placeholder-value", f"Account Status {field_name!r} holds a placeholder ({value!r})")


def _ambiguous_keys(c: Checking) -> None:
    """Obsidian shows `status:` and `Status:` as one property, and `get`/`set`/`unset` refuse to
    guess between them, so say where both are (at the second); only a person can merge them."""
    for (first, line1), (second, line2) in keys.case_twins(c.note):
        c.add(line2, "ambiguous-key",
              f"properties {first!r} (line {line1}) and {second!r} (line {line2}) differ only in case")


def _templates(c: Checking) -> None:
    """Placeholders read as their text (the note stays listed); said here so a person fills them in."""
    for key, line, raw in c.note.unexpanded_templates():
        c.add(line, "template-not-expanded", f"property {key!r} holds a template never expanded: {raw}")


def _repeated_keys(c: Checking) -> None:
    for key, lines in keys.repeated_keys(c.note):
        c.add(lines[1], "duplicate-key", f"property {key!r} is written {len(lines)} times (lines "
              f"{', '.join(map(str, lines))}); Obsidian cannot read this frontmatter and vaultcrm reads the "
              "last value: keep one")


def _conflict_markers(c: Checking) -> None:
    lines = conflicts.marker_lines(c.note.lines, c.note.fenced)
    starts = [n for n in lines if c.note.lines[n].startswith("<<<<<<<")]
    for n, start in enumerate(starts):
        block = [k + 1 for k in lines if start <= k < (starts[n + 1] if n + 1 < len(starts) else len(c.note.lines))]
        c.add(start + 1, "conflict-markers", f"git conflict markers (lines {', '.join(map(str, block))}): two "
              "versions of these lines are kept; `vaultcrm conflicts resolve` merges entries, tasks and bullets")


LOCAL_CHECKS: tuple[Callable[[Checking], None], ...] = (_recent_context, _duplicate_bullets, _task_dates,
                                                        _placeholders, _ambiguous_keys, _templates, _repeated_keys,
                                                        _conflict_markers)
