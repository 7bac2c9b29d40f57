"""Vault health: findings about notes (path, line, code, message) and the safe repairs for some.

Checks are pure functions over a parsed note and the vault's records; `diagnose` runs them,
`fix` applies only the repairs that cannot lose information (raise `last_contact` to the
effective last contact, drop exact duplicate bullets, re-order Recent Context newest first)
as minimal edits, journaled as one edit so `undo` takes all of them back together.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from vaultcrm.model import grammar
from vaultcrm.dates import iso_date
from vaultcrm.errors import VaultCRMError
from vaultcrm.model.note import Note, Section, eol, normalize_heading, strip_eol
from vaultcrm.model.records import RECENT_CONTEXT, NoteRecord, fold, string_list

if TYPE_CHECKING:
    from vaultcrm.ops.legacy import Context, EditResult

#: Every finding code, with what it means. Codes are a contract: scripts match on them.
CODES: dict[str, str] = {
    "unreadable-note": "the file is not readable UTF-8 text (binary, UTF-16 or too large)",
    "malformed-frontmatter": "the frontmatter cannot be read; the message carries the YAML error",
    "duplicate-title": "another note has the same title or alias",
    "last-contact-not-date": "last_contact is set but is not a date",
    "last-contact-behind": "last_contact is older than the effective last contact",
    "undated-entry": "a Recent Context line without a date",
    "entries-out-of-order": "Recent Context is not newest first",
    "duplicate-bullet": "the same bullet twice in one section",
    "near-duplicate-bullet": "two bullets in one section that say nearly the same",
    "task-date-unreadable": "a task's date field that Obsidian Tasks would not read",
    "placeholder-value": "a placeholder (`_Unknown_`, `unknown`, `TBD`, empty text) left as a value",
    "broken-link": "a [[link]] that names no note in the vault",
}
FIXABLE_CODES = frozenset({"last-contact-not-date", "last-contact-behind", "entries-out-of-order",
                           "duplicate-bullet"})
NEAR_DUPLICATE_RATIO = 0.9
_NEAR_MIN_CHARS = 16  # shorter bullets ("- Pricing", "- Pricing?") are too short to call near-duplicates
_PLACEHOLDERS = frozenset({"unknown", "_unknown_", "*unknown*", "tbd", "tbc", "?", "??", "todo", "xxx"})
_ITEM = re.compile(r"(?:[-*+]|\d+[.)])(?:\s|$)")
_TABLE_ROW = re.compile(r"\s*\|")
_TASK_EMOJI = re.compile(r"(📅|📆|🗓️?|✅|⏳|⌛|🛫|➕)|❌\ufe0f?\s*\d")


@dataclass(frozen=True)
class Finding:
    """One problem: where it is (vault-relative path, 1-based line), its code and a message."""

    path: str
    line: int
    code: str
    message: str
    fixable: bool = False

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


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
        if _ITEM.match(text):
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
                if not nxt.strip() or _ITEM.match(nxt) or _TABLE_ROW.match(nxt) or nxt.lstrip().startswith("#"):
                    break
                j += 1
        units.append(Unit("other", i, j, text))
        i = j
    return units


def _blocks(note: Note) -> list[tuple[Section | None, int, int]]:
    """The preamble and each section's own body, as (section, start, end) line spans."""
    start, end = note.preamble
    out: list[tuple[Section | None, int, int]] = [(None, start, end)]
    out += [(s, s.body_start, s.end) for s in note.sections]
    return out


def _splice(note: Note, start: int, end: int, lines: Sequence[str]) -> Note:
    """Replace lines [start, end) with `lines` (which carry their own endings), keeping the note's
    final-newline state: a note that ended without a newline still does, and vice versa."""
    old = list(note.lines)
    had_final = not old or eol(old[-1]) != ""
    if not had_final:
        old[-1] += note.newline  # for now; whichever line ends up last loses it again
    old[start:end] = [line if eol(line) else line + note.newline for line in lines]
    if old and not had_final:
        old[-1] = strip_eol(old[-1])
    return Note.parse(note.bom + "".join(old), note.path)


# ---- Recent Context ----------------------------------------------------------------------------
def entry_date(unit: Unit) -> date | None:
    e = grammar.parse_entry(unit.text) if unit.kind == "item" else None
    return e.date if e is not None else None


def recent_context_sections(note: Note) -> list[Section]:
    return [s for s in note.sections if normalize_heading(s.heading) == RECENT_CONTEXT]


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
    return _splice(note, section.body_start, section.end, lines)


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
    return grammar.parse_task(text) is not None


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
    t = _ITEM.sub("", text.strip(), count=1)
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
    out = []
    for j in range(1, len(uniq)):
        uj, cj = uniq[j]
        sm = difflib.SequenceMatcher(None, autojunk=False)
        sm.set_seq2(cj)
        for i in range(j):
            ui, ci = uniq[i]
            if ci == cj:
                out.append((uj, ui, 1.0))
                break
            sm.set_seq1(ci)
            if sm.real_quick_ratio() < NEAR_DUPLICATE_RATIO or sm.quick_ratio() < NEAR_DUPLICATE_RATIO:
                continue
            r = sm.ratio()
            if r >= NEAR_DUPLICATE_RATIO:
                out.append((uj, ui, r))
                break
    return out


def drop_duplicates(note: Note) -> Note:
    """Every exact duplicate item removed (the first occurrence stays), section by section."""
    doomed: list[Unit] = []
    for _, start, end in _blocks(note):
        doomed += [d for d, _ in duplicate_units(note, start, end)]
    for u in sorted(doomed, key=lambda u: u.start, reverse=True):
        note = _splice(note, u.start, u.end, [])
    return note


# ---- checks ------------------------------------------------------------------------------------
def _key_line(note: Note, key: str) -> int:
    fm = note.frontmatter
    if fm is None:
        return 1
    pat = re.compile(r"""\s*['"]?""" + re.escape(key) + r"""['"]?\s*[:=]""")
    for i in range(fm.body_start, fm.end - 1):
        if pat.match(strip_eol(note.lines[i])) and not note.lines[i][:1].isspace():
            return i + 1
    return 1


def is_placeholder(value: Any) -> bool:
    return isinstance(value, str) and (not value.strip() or value.strip().lower() in _PLACEHOLDERS)


class LinkTargets:
    """Every name a [[link]] may use to reach a note or an attachment in the vault."""

    def __init__(self, ctx: Context) -> None:
        self.names: set[str] = set()
        self.paths: list[str] = []
        for r in ctx.scan.records:
            self.names.update(fold(n) for n in (r.title, r.stem, r.path.removesuffix(".md"), r.path, *r.aliases))
            self.paths.append(fold(r.path.removesuffix(".md")))
        self._files: set[str] | None = None
        self._root = ctx.vault.root

    def files(self) -> set[str]:
        if self._files is None:
            import os

            found: set[str] = set()
            for dirpath, dirnames, filenames in os.walk(self._root):
                dirnames[:] = [d for d in dirnames if not d.startswith(".")]
                rel = os.path.relpath(dirpath, self._root).replace(os.sep, "/")
                for f in filenames:
                    found.add(fold(f))
                    found.add(fold(f if rel == "." else f"{rel}/{f}"))
            self._files = found
        return self._files

    def resolves(self, target: str) -> bool:
        t = fold(target.strip())
        if not t:
            return True
        t_md = t.removesuffix(".md")
        if t in self.names or t_md in self.names:
            return True
        if "/" in t_md and any(p.endswith("/" + t_md) for p in self.paths):
            return True
        return t in self.files()


def note_findings(ctx: Context, rec: NoteRecord, note: Note, *, others: dict[str, list[NoteRecord]],
                  targets: LinkTargets, body_links: bool = False) -> list[Finding]:
    """Every finding about one readable note (duplicates across notes need `others`: fold(name) ->
    notes with that title or alias)."""
    from vaultcrm.ops import legacy as ops

    out: list[Finding] = []
    path = rec.path
    props = note.properties

    def add(line: int, code: str, message: str, fixable: bool = False) -> None:
        out.append(Finding(path, line, code, message, fixable))

    # duplicate titles and aliases
    reported: set[str] = set()
    for label, key in [(rec.title, "title"), *((a, "aliases") for a in rec.aliases)]:
        clash = [r.path for r in others.get(fold(label), []) if r.path != path and r.path not in reported]
        if clash:
            reported.update(clash)
            what = "title" if key == "title" else "alias"
            add(_key_line(note, key) if key in props or key == "aliases" else 1, "duplicate-title",
                f"{what} {label!r} also names {', '.join(sorted(clash))}")

    # last_contact
    if "last_contact" in props:
        raw = props["last_contact"]
        current = iso_date(raw)
        eff = ops.effective_last_contact(ctx, rec)
        line = _key_line(note, "last_contact")
        where = f"{eff.source}" + (f" {eff.evidence}" if eff.evidence else "")
        if current is None:
            hint = f"; the effective last contact is {eff.date} ({where})" if eff.date else ""
            add(line, "last-contact-not-date", f"last_contact is {raw!r}, not a date{hint}", eff.date is not None)
        elif eff.date is not None and eff.date > current:
            add(line, "last-contact-behind",
                f"last_contact {current} is behind the effective last contact {eff.date} ({where})", True)

    # Recent Context
    for section in recent_context_sections(note):
        for u in section_units(note, section.body_start, section.end):
            if u.kind != "item":
                continue
            e = grammar.parse_entry(u.text)
            if e is None or e.date is None:
                shown = e.raw_date if e is not None else u.text.strip()[:40]
                add(u.start + 1, "undated-entry", f"Recent Context line is not dated ({shown!r})")
        ok, bad, prev = is_newest_first(note, section)
        if not ok:
            add(bad, "entries-out-of-order",
                f"Recent Context is not newest first: this entry is newer than the one on line {prev}", True)

    # duplicate and near-duplicate bullets
    for section, start, end in _blocks(note):
        where = f"## {section.heading}" if section else "the text before the first heading"
        for dup, first in duplicate_units(note, start, end):
            add(dup.start + 1, "duplicate-bullet", f"same bullet as line {first.start + 1} in {where}", True)
        for later, earlier, ratio in near_duplicates(note, start, end):
            add(later.start + 1, "near-duplicate-bullet",
                f"nearly the same ({ratio:.0%}) as line {earlier.start + 1} in {where}")

    # task date fields
    for i, text in note.body_lines(note.body_start, len(note.lines)):
        if "[" not in text:
            continue
        t = grammar.parse_task(text, i)
        if t is None:
            continue
        for field_name, value in t.dates.items():
            if iso_date(value) is None:
                add(i + 1, "task-date-unreadable", f"the {field_name} date {value} does not exist")
        m = _TASK_EMOJI.search(t.description)
        if m:
            add(i + 1, "task-date-unreadable",
                f"text after the {m[0].strip()[:1]} date field: Obsidian Tasks reads date fields only at the "
                "end of the line")

    # placeholders
    for key, value in props.items():
        if key == "last_contact":
            continue
        values = value if isinstance(value, list) else [value]
        for v in values:
            if is_placeholder(v):
                add(_key_line(note, key), "placeholder-value",
                    f"property {key!r} holds a placeholder ({v!r})" if v.strip() else f"property {key!r} is empty text")
                break
    from vaultcrm.model import edits

    for line, field_name, value in edits.status_rows(note):
        if value.strip() and is_placeholder(value):
            add(line + 1, "placeholder-value", f"Account Status {field_name!r} holds a placeholder ({value!r})")

    # links
    for key, value in props.items():
        for item in string_list(value) if isinstance(value, (str, list)) else []:
            for target in grammar.wikilinks(item):
                if not targets.resolves(target):
                    add(_key_line(note, key), "broken-link", f"property {key!r} links to [[{target}]], no such note")
    if body_links:
        for i, text in note.body_lines(note.body_start, len(note.lines)):
            if "[[" not in text:
                continue
            for target in grammar.wikilinks(re.sub(r"`[^`]*`", "", text)):
                if not targets.resolves(target):
                    add(i + 1, "broken-link", f"[[{target}]] names no note")
    return out


def _names_index(records: Iterable[NoteRecord]) -> dict[str, list[NoteRecord]]:
    by: dict[str, list[NoteRecord]] = {}
    for r in records:
        if r.error:
            continue
        for label in dict.fromkeys(fold(n) for n in (r.title, *r.aliases)):
            by.setdefault(label, []).append(r)
    return by


def diagnose(ctx: Context, name: str | None = None, *, body_links: bool = False) -> list[Finding]:
    """Every finding for the vault (or the notes NAME names), sorted by path, line and code."""
    from vaultcrm.errors import InvalidNote

    records = ctx.find_all(name) if name else ctx.scan.records
    out: list[Finding] = []
    if name is None:
        out += [Finding(p, 1, "unreadable-note", msg) for p, msg in ctx.scan.unreadable]
    others = _names_index(ctx.scan.records)
    targets = LinkTargets(ctx)
    for rec in records:
        if rec.error:
            out.append(Finding(rec.path, rec.error_line or 1, "malformed-frontmatter", rec.error))
            continue
        try:
            note = Note.parse(ctx.vault.read(rec.path).text, rec.path)
            note.check()
        except InvalidNote as exc:  # changed or unreadable since the scan
            code = "malformed-frontmatter" if "frontmatter" in exc.message else "unreadable-note"
            out.append(Finding(rec.path, exc.line or 1, code, exc.message))
            continue
        out += note_findings(ctx, rec, note, others=others, targets=targets, body_links=body_links)
    out.sort(key=lambda f: (f.path, f.line, f.code))
    return out


# ---- repairs -----------------------------------------------------------------------------------
def fix_note(note: Note, effective: date | None) -> Note:
    """The safe repairs on one note: exact duplicate bullets dropped, Recent Context newest first,
    `last_contact` raised to `effective` (in the block's own quoting style)."""
    from vaultcrm.model import edits

    note = drop_duplicates(note)
    for n in range(len(recent_context_sections(note))):
        note = reorder_entries(note, recent_context_sections(note)[n])
    if effective is not None and note.frontmatter is not None and "last_contact" in note.properties:
        current = iso_date(note.properties["last_contact"])
        if current is None or current < effective:
            try:
                note = edits.set_property(note, "last_contact", effective.isoformat())
            except VaultCRMError:
                pass  # e.g. TOML or JSON frontmatter: left for a person, still reported
    return note


def fix(ctx: Context, name: str | None = None, *, body_links: bool = False,
        dry_run: bool = False) -> tuple[EditResult, list[Finding]]:
    """Apply the safe repairs as one journaled edit; returns it and the findings that remain."""
    from vaultcrm.ops import legacy as ops
    from vaultcrm.ops.legacy import apply_changes

    findings = diagnose(ctx, name, body_links=body_links)
    fixable = [f for f in findings if f.fixable]
    by_path = {r.path: r for r in ctx.scan.records}
    changes = []
    for path in sorted({f.path for f in fixable}):
        rec = by_path[path]
        text = ctx.vault.read(path).text
        note = Note.parse(text, path)
        eff = ops.effective_last_contact(ctx, rec)
        new = fix_note(note, eff.date).render()
        if new != text:
            changes.append(ops.Change(path, text, new))
    fixed = sum(1 for f in fixable if f.path in {c.path for c in changes})
    message = f"fixed {fixed} problem{'s' * (fixed != 1)} in {len(changes)} note{'s' * (len(changes) != 1)}"
    result = apply_changes(ctx, changes, "doctor --fix" + (f" {name}" if name else ""), dry_run=dry_run,
                           message=message if changes else "nothing to fix")
    if dry_run:
        remaining = [f for f in findings if not (f.fixable and f.path in {c.path for c in changes})]
    else:
        remaining = diagnose(ctx, name, body_links=body_links)
    return result, remaining
