"""Vault health: findings about notes (path, line, code, message) and the safe repairs for some.

Checks are pure functions over a parsed note and the vault's records; `diagnose` runs them,
`fix` applies only the repairs that cannot lose information (raise `last_contact` to the
effective last contact, drop exact duplicate bullets, re-order Recent Context newest first)
as minimal edits, journaled as one edit so `undo` takes all of them back together.

Most checks read one note's text and the config alone (LOCAL_CHECKS, none depends on today);
their findings and the facts the other checks (VAULT_CHECKS, run every time) need from the note
are cached per note in `.vaultcrm/doctor.sqlite`: a warm run reads only the notes that changed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from vaultcrm.dates import iso_date
from vaultcrm.errors import InvalidNote, VaultCRMError
from vaultcrm.model import conflicts, edits, grammar, keys, taskline, units
from vaultcrm.model.note import Note, strip_eol
from vaultcrm.model.records import NoteRecord, fold, string_list
from vaultcrm.ops import contact, scope
from vaultcrm.ops.context import Context
from vaultcrm.ops.writes import Change, EditResult, apply_changes
from vaultcrm.store import findings as cache
from vaultcrm.store.findings import Finding  # lives beside the cache that stores findings; still doctor.Finding

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
    "duplicate-key": "the same property written twice in one frontmatter block (Obsidian refuses the block)",
    "interaction-typed-as-account": "a dated note filed under an account (its folder, or `account:`) whose "
                                    "type says it is an account itself",
    "template-not-expanded": "a template placeholder never filled in (`created: {{date}}`), read as its text",
    "ambiguous-key": "two frontmatter keys that differ only in case",
    "conflict-copy": "a sync service's conflict copy of a note (Syncthing, Dropbox, Obsidian Sync…)",
    "conflict-markers": "git conflict markers (<<<<<<< ======= >>>>>>>) left in a note",
}
FIXABLE_CODES = frozenset({"last-contact-not-date", "last-contact-behind", "entries-out-of-order",
                           "duplicate-bullet"})
CHECKS_VERSION = "2"  # bump whenever a local check, or what `_facts` records, changes
_FACTS = frozenset(("title", "aliases", "kind", "last_contact", "links", "body"))  # the keys `_facts` returns


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


class LinkTargets:
    """Every name a [[link]] may use to reach a note or an attachment in the vault."""

    def __init__(self, ctx: Context) -> None:
        self.names: set[str] = set()
        self.paths: list[str] = []
        for r in ctx.scan.records:
            # a title is most often its file's stem: each name folded once
            self.names.update(map(fold, dict.fromkeys((r.title, r.stem, r.path.removesuffix(".md"), r.path, *r.aliases))))
            self.paths.append(fold(r.path.removesuffix(".md")))
        self._files: set[str] | None = None
        self._vault = ctx.vault
        self._seen: dict[str, bool] = {}  # target as written -> resolves: 60,000 links name ~10,000 targets

    def files(self) -> set[str]:
        if self._files is None:
            self._files = {fold(name) for name in self._vault.file_names()}
        return self._files

    def resolves(self, target: str) -> bool:
        known = self._seen.get(target)
        if known is None:
            known = self._seen[target] = self._resolves(target)
        return known

    def _resolves(self, target: str) -> bool:
        t = fold(target.strip())
        if not t:
            return True
        t_md = t.removesuffix(".md")
        if t in self.names or t_md in self.names:
            return True
        if "/" in t_md and any(p.endswith("/" + t_md) for p in self.paths):
            return True
        return t in self.files()


@dataclass
class Checking:
    """One readable note under examination (its text for local checks, its facts for vault checks), and its findings."""

    ctx: Context
    rec: NoteRecord
    note: Note | None = None
    facts: dict[str, Any] = field(default_factory=dict)  # see _facts
    others: dict[str, list[NoteRecord]] = field(default_factory=dict)  # fold(title or alias) -> notes with it
    targets: LinkTargets | None = None  # set for the vault checks
    body_links: bool = False
    found: list[Finding] = field(default_factory=list)

    def add(self, line: int, code: str, message: str, fixable: bool = False) -> None:
        self.found.append(Finding(self.rec.path, line, code, message, fixable))


def _facts(note: Note) -> dict[str, Any]:
    """What the vault checks need from a note's text, so that they never read it: the lines of its
    title, aliases and type keys, its last_contact ([line, repr, ISO date or None]), and its
    [[links]] in properties ([line, key, target]) and in the body ([line, target])."""
    props = note.properties
    last = None
    if contact.PROPERTY in props:
        raw = props[contact.PROPERTY]
        current = iso_date(raw)
        last = [_key_line(note, contact.PROPERTY), repr(raw), current.isoformat() if current else None]
    links = [[_key_line(note, key), key, target] for key, value in props.items()
             for item in (string_list(value) if isinstance(value, (str, list)) else [])
             for target in grammar.wikilinks(item)]
    body = [[i + 1, target] for i, text in note.body_lines(note.body_start, len(note.lines)) if "[[" in text
            for target in grammar.wikilinks(re.sub(r"`[^`]*`", "", text))]
    return {"title": _key_line(note, "title") if "title" in props else 1, "aliases": _key_line(note, "aliases"),
            "kind": _key_line(note, "type" if "type" in props else "tags"), "last_contact": last,
            "links": links, "body": body}


def _duplicate_titles(c: Checking) -> None:
    reported: set[str] = set()
    for label, key in [(c.rec.title, "title"), *((a, "aliases") for a in c.rec.aliases)]:
        clash = [r.path for r in c.others.get(fold(label), []) if r.path != c.rec.path and r.path not in reported]
        if clash:
            reported.update(clash)
            what = "title" if key == "title" else "alias"
            c.add(c.facts[key], "duplicate-title", f"{what} {label!r} also names {', '.join(sorted(clash))}")


def _last_contact(c: Checking) -> None:
    if c.facts["last_contact"] is None:
        return
    line, raw, iso = c.facts["last_contact"]
    current = date.fromisoformat(iso) if iso else None
    eff = contact.effective_last_contact(c.ctx, c.rec)
    where = f"{eff.source}" + (f" {eff.evidence}" if eff.evidence else "")
    if current is None:
        hint = f"; the effective last contact is {eff.date} ({where})" if eff.date else ""
        c.add(line, "last-contact-not-date", f"last_contact is {raw}, not a date{hint}", eff.date is not None)
    elif eff.date is not None and eff.date > current:
        c.add(line, "last-contact-behind",
              f"last_contact {current} is behind the effective last contact {eff.date} ({where})", True)


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
                c.add(_key_line(c.note, key),
                      "placeholder-value",
                      f"property {key!r} holds a placeholder ({v!r})" if v.strip() else f"property {key!r} is empty text")
                break
    for line, field_name, value in edits.status_rows(c.note):
        if value.strip() and grammar.is_placeholder(value):
            c.add(line + 1, "placeholder-value", f"Account Status {field_name!r} holds a placeholder ({value!r})")


def _links(c: Checking) -> None:
    for line, key, target in c.facts["links"]:
        if not c.targets.resolves(target):
            c.add(line, "broken-link", f"property {key!r} links to [[{target}]], no such note")
    if not c.body_links:
        return
    for line, target in c.facts["body"]:
        if not c.targets.resolves(target):
            c.add(line, "broken-link", f"[[{target}]] names no note")


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


def _interaction_kind(c: Checking) -> None:
    """A meeting note typed `customer` (copied from the account's template) is an interaction, and
    vaultcrm treats it as one; the finding lets the user fix the type so Obsidian's views agree."""
    account = scope.interaction_of(c.ctx, c.rec)
    if account is None or not c.ctx.config.is_account(c.rec.kind):
        return
    how = "filed in its folder" if c.rec.path.startswith(account.folder + "/") and account.folder_note \
        else "naming it in account:"
    c.add(c.facts["kind"], "interaction-typed-as-account",
          f"dated {c.rec.note_date} and {how}, so an interaction of {account.title!r} ({account.path}), but "
          f"typed {c.rec.kind!r}; vaultcrm does not count it as an account: set its type to meeting (or call, email)")


def _conflict_markers(c: Checking) -> None:
    lines = conflicts.marker_lines(c.note.lines, c.note.fenced)
    starts = [n for n in lines if c.note.lines[n].startswith("<<<<<<<")]
    for n, start in enumerate(starts):
        block = [k + 1 for k in lines if start <= k < (starts[n + 1] if n + 1 < len(starts) else len(c.note.lines))]
        c.add(start + 1, "conflict-markers", f"git conflict markers (lines {', '.join(map(str, block))}): two "
              "versions of these lines are kept; `vaultcrm conflicts resolve` merges entries, tasks and bullets")


# Each code comes from one check, so running the two groups apart and sorting gives the same order.
LOCAL_CHECKS: tuple[Callable[[Checking], None], ...] = (_recent_context, _duplicate_bullets, _task_dates,
                                                        _placeholders, _ambiguous_keys, _templates, _repeated_keys,
                                                        _conflict_markers)
VAULT_CHECKS: tuple[Callable[[Checking], None], ...] = (_duplicate_titles, _last_contact, _links, _interaction_kind)


def _names_index(records: Iterable[NoteRecord]) -> dict[str, list[NoteRecord]]:
    by: dict[str, list[NoteRecord]] = {}
    for r in records:
        if r.error:
            continue
        for label in dict.fromkeys(fold(n) for n in (r.title, *r.aliases)):
            by.setdefault(label, []).append(r)
    return by


def diagnose(ctx: Context, name: str | None = None, *, body_links: bool = False, fresh: bool = False) -> list[Finding]:
    """Every finding for the vault (or the notes NAME names), sorted by path, line and code.
    `fresh`: check every note again, trusting no cached row (the cache is still brought up to date)."""
    records = ctx.find_all(name) if name else ctx.scan.records
    out: list[Finding] = []
    if name is None:
        out += [Finding(p, 1, "unreadable-note", msg) for p, msg in ctx.scan.unreadable]
        out += [Finding(p, 1, "conflict-copy", f"a sync conflict copy of {conflicts.copy_of(p)}: another device's "
                        "version; `vaultcrm conflicts resolve` merges it into the note")
                for p, why in ctx.scan.excluded if why == "conflict-copy"]
    others = _names_index(ctx.scan.records)
    targets = LinkTargets(ctx)
    store = cache.open_cache(ctx.vault, ctx.config, CHECKS_VERSION, _FACTS)
    if not fresh:
        store.load(None if name is None else [r.path for r in records])
    for rec in records:
        if rec.error:
            out.append(Finding(rec.path, rec.error_line or 1, "malformed-frontmatter", rec.error))
            continue
        try:  # a note unchanged since the last run is not even read
            found, facts = store.lookup(ctx.vault, rec.path, rec.size, rec.mtime_ns,
                                        lambda text, rec=rec: _check(ctx, rec, text))
        except InvalidNote as exc:  # changed or unreadable since the scan
            found, facts = [_invalid(rec.path, exc)], None
        out += found
        if facts is not None:
            c = Checking(ctx, rec, facts=facts, others=others, targets=targets, body_links=body_links)
            for check in VAULT_CHECKS:
                check(c)
            out += c.found
    store.save(keep_only=None if name else [r.path for r in records if not r.error])
    out.sort(key=lambda f: (f.path, f.line, f.code))
    return out


def _check(ctx: Context, rec: NoteRecord, text: str) -> cache.Checked:
    """The local checks on one note's text: its findings, and its facts (None when it cannot be parsed)."""
    try:
        note = Note.parse(text, rec.path)
        note.check()
    except InvalidNote as exc:
        return [_invalid(rec.path, exc)], None
    c = Checking(ctx, rec, note)
    for check in LOCAL_CHECKS:
        check(c)
    return c.found, _facts(note)


def _invalid(path: str, exc: InvalidNote) -> Finding:
    code = "malformed-frontmatter" if "frontmatter" in exc.message else "unreadable-note"
    return Finding(path, exc.line or 1, code, exc.message)


# ---- repairs -----------------------------------------------------------------------------------
def fix_note(note: Note, effective: date | None) -> Note:
    """The safe repairs on one note: exact duplicate bullets dropped, Recent Context newest first,
    `last_contact` raised to `effective` (in the block's own quoting style)."""
    note = units.drop_duplicates(note)
    for n in range(len(units.recent_context_sections(note))):
        note = units.reorder_entries(note, units.recent_context_sections(note)[n])
    if effective is not None and note.frontmatter is not None and contact.PROPERTY in note.properties:
        try:
            note = contact.raise_to(note, effective, effective)
        except VaultCRMError:
            pass  # e.g. TOML or JSON frontmatter: left for a person, still reported
    return note


def fix(ctx: Context, name: str | None = None, *, body_links: bool = False,
        dry_run: bool = False) -> tuple[EditResult, list[Finding]]:
    """Apply the safe repairs as one journaled edit; returns it and the findings that remain."""
    findings = diagnose(ctx, name, body_links=body_links, fresh=True)
    fixable = [f for f in findings if f.fixable]
    by_path = {r.path: r for r in ctx.scan.records}
    changes = []
    for path in sorted({f.path for f in fixable}):
        text = ctx.vault.read(path).text
        effective = contact.effective_last_contact(ctx, by_path[path]).date
        new = fix_note(Note.parse(text, path), effective).render()
        if new != text:
            changes.append(Change(path, text, new))
    changed = {c.path for c in changes}
    fixed = sum(1 for f in fixable if f.path in changed)
    message = f"fixed {fixed} problem{'s' * (fixed != 1)} in {len(changes)} note{'s' * (len(changes) != 1)}"
    result = apply_changes(ctx, changes, "doctor --fix" + (f" {name}" if name else ""), dry_run=dry_run,
                           message=message if changes else "nothing to fix")
    if dry_run:
        remaining = [f for f in findings if not (f.fixable and f.path in changed)]
    else:
        remaining = diagnose(ctx, name, body_links=body_links)
    return result, remaining
