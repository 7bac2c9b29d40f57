"""Pure, minimal edits on the note model: each takes a Note and returns a new Note.

Every edit replaces only the lines it means to change (`Note.replace_lines`); property edits
are checked by re-reading the block and comparing every other key, and refused (UnsafeEdit)
when the change could not be proven local.
"""

from __future__ import annotations

import json
import re
from datetime import date
from typing import Any

from vaultcrm.model import grammar

from vaultcrm.model import yamlblock
from vaultcrm.config import TaskSettings
from vaultcrm.dates import ISO_DATE, iso_date
from vaultcrm.errors import InvalidNote, UnsafeEdit
from vaultcrm.model import sections
from vaultcrm.model.note import Note, Section, strip_eol

_LIST_ITEM = re.compile(r"\s*(?:[-*+]|\d+[.)])\s")


# ---- frontmatter properties ------------------------------------------------------------------
def key_spans(note: Note) -> list[tuple[str, int, int]]:
    """(key, start, end) note-line spans of each top-level key, trailing blanks/comments excluded."""
    fm = note.frontmatter
    assert fm is not None
    keys = yamlblock.key_lines(fm.text, path=note.path, first_line=fm.body_start + 1)
    spans = []
    block_end = fm.end - 1  # the closing delimiter line
    for n, (key, line) in enumerate(keys):
        start = fm.body_start + line
        end = fm.body_start + keys[n + 1][1] if n + 1 < len(keys) else block_end
        while end - 1 > start and _is_gap(note.lines[end - 1]):
            end -= 1
        spans.append((key, start, end))
    return spans


def _is_gap(line: str) -> bool:
    s = strip_eol(line)
    return not s.strip() or s.startswith("#")


def _editable_block(note: Note) -> None:
    fm = note.frontmatter
    if fm is None:
        return
    if fm.fmt != "yaml":
        raise UnsafeEdit("this note has TOML (+++) frontmatter; vaultcrm edits YAML frontmatter only",
                         path=note.path, line=1)
    if fm.text.lstrip().startswith(("{", "[")):
        raise UnsafeEdit("this note's frontmatter is written as JSON; edit it by hand", path=note.path, line=2)


def _quote_style(note: Note, key: str | None = None) -> dict[str, str]:
    """How the block writes things: date quoting, list indent, and the key's own value style."""
    fm = note.frontmatter
    style = {"date": "plain", "indent": "", "value": ""}
    if fm is None:
        return style
    for raw in fm.text.splitlines():
        m = re.match(r"([^\s#][^:]*):\s+(['\"]?)(\d{4}-\d{2}-\d{2})\2\s*$", raw)
        if m:
            style["date"] = {"'": "single", '"': "double", "": "plain"}[m[2]]
        m = re.match(r"(\s*)-\s", raw)
        if m and not style["indent"]:
            style["indent"] = m[1] or "0"
        if key is not None:
            m = re.match(re.escape(key) + r"\s*:\s*(['\"\[])", raw)
            if m:
                style["value"] = m[1]
    if style["indent"] == "0":
        style["indent"] = ""
    return style


def _scalar(value: Any, style: dict[str, str]) -> str:
    """One YAML scalar in the block's style; plain only when it reads back as the same value."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    s = str(value)
    if "\n" in s:
        return json.dumps(s, ensure_ascii=False)
    if s.startswith("[[") and s.endswith("]]"):
        return json.dumps(s, ensure_ascii=False)  # Obsidian writes links as "[[X]]"
    want = style.get("value") or ""
    if ISO_DATE.fullmatch(s) and not want:
        want = {"single": "'", "double": '"'}.get(style["date"], "")
    if want == "'":
        return "'" + s.replace("'", "''") + "'"
    if want == '"':
        return json.dumps(s, ensure_ascii=False)
    if s and s == s.strip() and _plain_is_safe(s):
        return s
    return "'" + s.replace("'", "''") + "'" if "'" not in s else json.dumps(s, ensure_ascii=False)


# Strings YAML 1.2 (Obsidian) reads as numbers: `01234` would come back as 1234, so quote them.
_YAML_NUMBER = re.compile(r"[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)"
                          r"|[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?")


def _plain_is_safe(s: str) -> bool:
    """Whether string `s` may be written unquoted: it reads back as itself here, in YAML 1.2
    (Obsidian) and in YAML 1.1 (PyYAML and older tools: `yes`, `1:30`, `1_000`)."""
    if _YAML_NUMBER.fullmatch(s):
        return False
    try:
        if yamlblock.load_yaml(f"k: {s}\n") != {"k": s}:
            return False
    except InvalidNote:  # `a: b`, `[x`, `*alias`… are not plain scalars at all
        return False
    if ISO_DATE.fullmatch(s):
        return True  # dates follow the block's own style (see _quote_style)
    import yaml

    try:
        return yaml.safe_load(f"k: {s}\n") == {"k": s}
    except yaml.YAMLError:
        return False


def _format_property(key: str, value: Any, style: dict[str, str]) -> list[str]:
    k = key if re.fullmatch(r"[A-Za-z_][\w -]*", key) and key == key.strip() else json.dumps(key)
    if isinstance(value, list):
        if not value:
            return [f"{k}: []"]
        item_style = dict(style, value="")
        if style.get("value") == "[":
            return [f"{k}: [" + ", ".join(_scalar(v, item_style) for v in value) + "]"]
        return [f"{k}:"] + [f"{style['indent']}- {_scalar(v, item_style)}" for v in value]
    if value is None:
        return [f"{k}:"]
    return [f"{k}: {_scalar(value, style)}"]


def set_property(note: Note, key: str, value: Any) -> Note:
    """Set one property, rewriting only its lines (or appending it after the last key)."""
    _editable_block(note)
    fm = note.frontmatter
    if fm is None:
        lines = ["---", *_format_property(key, value, _quote_style(note)), "---"]
        new = note.replace_lines(0, 0, lines)
        _verify(note, new, key, value)
        return new
    before = note.properties
    spans = key_spans(note)
    style = _quote_style(note, key if key in before else None)
    new_lines = _format_property(key, value, style)
    hit = [s for s in spans if s[0] == key]
    if hit:
        _, start, end = hit[0]
        new = note.replace_lines(start, end, new_lines)
    else:
        at = spans[-1][2] if spans else fm.end - 1
        new = note.replace_lines(at, at, new_lines)
    _verify(note, new, key, value)
    return new


def unset_property(note: Note, key: str) -> Note:
    """Remove one property's lines; the rest of the block is untouched."""
    _editable_block(note)
    if note.frontmatter is None or key not in note.properties:
        return note
    hit = [s for s in key_spans(note) if s[0] == key]
    if not hit:
        raise UnsafeEdit(f"cannot locate property {key!r} in the frontmatter", path=note.path)
    _, start, end = hit[0]
    new = note.replace_lines(start, end, [])
    _verify(note, new, key, _MISSING)
    fm = new.frontmatter
    if fm is not None and fm.start == 0 and fm.end == 2:  # only `---` `---` left: the block `set` made goes
        return new.replace_lines(0, 2, [])
    return new


_MISSING = object()


def _verify(old: Note, new: Note, key: str, value: Any) -> None:
    """Re-read both blocks: every other key must be unchanged and in order, `key` must hold `value`."""
    before = dict(old.properties) if old.frontmatter else {}
    try:
        after = dict(new.properties)
    except Exception as exc:  # noqa: BLE001 - any failure to re-read means the edit is unsafe
        raise UnsafeEdit(f"editing {key!r} would break the frontmatter ({exc}); nothing written",
                         path=old.path) from None
    got = after.pop(key, _MISSING)
    before.pop(key, None)
    expected = value
    if isinstance(value, date):
        expected = value.isoformat()
    if before != after or list(before) != list(after) or got != expected:
        raise UnsafeEdit(f"cannot prove an edit of {key!r} stays local in this frontmatter; "
                         "nothing written (edit it by hand)", path=old.path, line=2)


# ---- sections ----------------------------------------------------------------------------------
def find_section(note: Note, heading: str) -> Section | None:
    found = note.find_sections(heading)
    return found[0] if found else None


def _sibling_level(note: Note) -> int:
    levels = [s.level for s in note.sections if sections.canonical_rank(s.heading) is not None]
    if levels:
        return min(levels)
    levels = [s.level for s in note.sections if s.level > 1]
    return min(levels) if levels else 2


def ensure_section(note: Note, heading: str) -> tuple[Note, Section]:
    """The section, created in canonical order (empty, with the seed notes' blank lines) if missing."""
    existing = find_section(note, heading)
    if existing is not None:
        return note, existing
    canon = sections.canonical_rank(heading)
    title = sections.canonical_title(heading)
    level = _sibling_level(note)
    at = None
    if canon is not None:
        after = [s for s in note.sections if _ranks_after(s.heading, canon)
                 and s.level == level]
        if after:
            at = after[0].start
    new_lines = ["#" * level + " " + title, ""]
    if at is None:
        at = len(note.lines)
        # keep one blank line between the previous text and the new heading
        if at and strip_eol(note.lines[at - 1]).strip():
            new_lines = ["", *new_lines]
        if at and not note.lines[at - 1].endswith("\n"):
            # no final newline: the heading ends the file until an item follows, so the
            # note still ends without a newline after the item is added
            new_lines = new_lines[:-1]
    else:
        new_lines = [*new_lines]
    note2 = note.replace_lines(at, at, new_lines)
    section = next((s for s in note2.sections if s.start in (at, at + 1) and sections.same(s.heading, title)),
                   None)
    if section is None:  # the end of the note is inside a code fence that is never closed
        raise UnsafeEdit(f"cannot add a {title!r} section: the note ends inside an unclosed code fence "
                         "(```); close it and try again", path=note.path)
    return note2, section


def _ranks_after(heading: str, canon: int) -> bool:
    rank = sections.canonical_rank(heading)
    return rank is not None and rank > canon


def _items(note: Note, section: Section) -> list[int]:
    return [i for i, text in note.body_lines(section.body_start, section.end) if _LIST_ITEM.match(text)]


def insert_item(note: Note, section: Section, text: str, *, before: int | None = None) -> Note:
    """Insert a list line into a section: before line `before`, else after its last list item,
    else as the first item of an empty section (one blank line after the heading).

    Refused (UnsafeEdit) when the line would land inside a code fence that is never closed."""
    new = _insert_item(note, section, text, before=before)
    if _unfenced_count(new, text) != _unfenced_count(note, text) + 1:
        raise UnsafeEdit("the new line would land inside an unclosed code fence (```); close it and try again",
                         path=note.path, line=section.start + 1)
    return new


def _unfenced_count(note: Note, text: str) -> int:
    return sum(1 for _, line in note.body_lines(note.body_start, len(note.lines)) if line == text)


def _insert_item(note: Note, section: Section, text: str, *, before: int | None = None) -> Note:
    if before is not None:
        return note.replace_lines(before, before, [text])
    items = _items(note, section)
    if items:
        at = items[-1] + 1
        # the item may continue on indented lines
        while at < section.end and strip_eol(note.lines[at]).startswith(("  ", "\t")) \
                and strip_eol(note.lines[at]).strip():
            at += 1
        return note.replace_lines(at, at, [text])
    first_blank = section.body_start
    body = [strip_eol(note.lines[i]) for i in range(section.body_start, section.end)]
    content = [i for i, t in enumerate(body) if t.strip()]
    if content:  # e.g. a placeholder or comment: put the item after the text already there
        at = section.body_start + content[-1] + 1
        return note.replace_lines(at, at, ["", text] if not _LIST_ITEM.match(body[content[-1]]) else [text])
    if body:  # only blank lines: heading, blank, item, [blank before the next heading]
        trailing = section.end < len(note.lines)
        lines = [text, ""] if trailing and len(body) < 2 else [text]
        return note.replace_lines(first_blank + 1, first_blank + 1, lines)
    trailing = section.end < len(note.lines)
    return note.replace_lines(section.body_start, section.body_start, ["", text, ""] if trailing else ["", text])


def add_entry(note: Note, day: date, text: str, *, link: str | None = None, via: str | None = None) -> Note:
    """Insert a Recent Context entry at its date's place (newest first), creating the section."""
    note, section = ensure_section(note, sections.RECENT_CONTEXT)
    line = grammar.format_entry(day, text, link=link, via=via)
    before = None
    for i, raw in note.body_lines(section.body_start, section.end):
        e = grammar.parse_entry(raw, i)
        if e is not None and e.date is not None and e.date <= day:
            before = i
            break
    return insert_item(note, section, line, before=before)


def add_bullet(note: Note, heading: str, text: str) -> Note:
    note, section = ensure_section(note, heading)
    return insert_item(note, section, sections.bullet(section.heading, text))


def add_task(note: Note, text: str, due: date | None = None, settings: TaskSettings | None = None) -> Note:
    from vaultcrm.model import taskline  # not imported by every run that reads properties (edits <- keys <- query)

    note, section = ensure_section(note, sections.OPEN_TASKS)
    return insert_item(note, section, taskline.format_task(text, due=due, settings=settings or TaskSettings()))


def replace_line(note: Note, index: int, text: str, *, insert_above: str | None = None) -> Note:
    """Replace one line's text (keeping its ending); optionally insert a line above it."""
    ending = note.lines[index][len(strip_eol(note.lines[index])):]
    above = [] if insert_above is None else [insert_above + (ending or note.newline)]
    return note.splice(index, index + 1, [*above, text + ending])


# ---- Account Status table ----------------------------------------------------------------------
def _field_key(name: str) -> str:
    return re.sub(r"[\s_-]+", " ", grammar.plain_cell(name)).strip().lower()


def status_rows(note: Note) -> list[tuple[int, str, str]]:
    """(line, field, value) rows of the Account Status table, header row excluded."""
    section = find_section(note, sections.ACCOUNT_STATUS)
    if section is None:
        return []
    rows = []
    header_seen = False
    for i, text in note.body_lines(section.body_start, section.end):
        cells = grammar.table_row(text)
        if cells is None or len(cells) < 2:
            continue
        if not header_seen:
            header_seen = True
            if _field_key(cells[0]) == "field":
                continue
        rows.append((i, grammar.plain_cell(cells[0]), grammar.plain_cell(cells[1])))
    return rows


def set_status_cell(note: Note, key: str, value: str) -> Note:
    """Update the Account Status row named like `key` (bold or not), if the note has one."""
    want = _field_key(key)
    for line, name, _ in status_rows(note):
        if _field_key(name) == want:
            raw = strip_eol(note.lines[line])
            return replace_line(note, line, grammar.replace_cell(raw, 1, value))
    return note


def status_value(note: Note, key: str) -> str | None:
    want = _field_key(key)
    return next((v for _, name, v in status_rows(note) if _field_key(name) == want), None)


def as_cell(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value).replace("|", "\\|")


def coerce_value(raw: str) -> Any:
    """A command-line value as Obsidian would type it: number, boolean, date text or string."""
    s = raw.strip()
    if re.fullmatch(r"-?(?:0|[1-9]\d*)", s):
        return int(s)
    if re.fullmatch(r"-?(?:0|[1-9]\d*)\.\d+", s):
        return float(s)
    if s in ("true", "false"):
        return s == "true"
    d = iso_date(s) if ISO_DATE.fullmatch(s) else None
    return d.isoformat() if d else raw
