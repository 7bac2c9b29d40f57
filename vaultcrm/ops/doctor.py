"""Vault health: findings about notes (path, line, code, message) and the safe repairs for some.

Checks are pure functions over a parsed note and the vault's records; `diagnose` runs them,
`fix` applies only the repairs that cannot lose information (raise `last_contact` to the
effective last contact, drop exact duplicate bullets, re-order Recent Context newest first)
as minimal edits, journaled as one edit so `undo` takes all of them back together.

Most checks read one note's text and the config alone (`ops/notechecks.py`, none depends on today);
their findings and the facts the other checks (VAULT_CHECKS, run every time) need from the note
are cached per note in `.vaultcrm/doctor.sqlite`: a warm run reads only the notes that changed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from typing import TYPE_CHECKING

from vaultcrm.errors import InvalidNote, VaultCRMError
from vaultcrm.model import conflicts
from vaultcrm.model.note import Note
from vaultcrm.model.records import NoteRecord, fold
from vaultcrm.ops import contact, scope
from vaultcrm.ops.checking import Checking, LinkTargets
from vaultcrm.ops.context import Context
from vaultcrm.store import findings as cache
from vaultcrm.store.findings import Finding  # lives beside the cache that stores findings; still doctor.Finding

if TYPE_CHECKING:
    from vaultcrm.ops.writes import EditResult

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
CHECKS_VERSION = "2"  # bump whenever a local check, or what `notechecks.facts` records, changes
_FACTS = frozenset(("title", "aliases", "kind", "last_contact", "links", "body"))  # the keys `notechecks.facts` returns


# ---- checks ------------------------------------------------------------------------------------


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


def _links(c: Checking) -> None:
    for line, key, target in c.facts["links"]:
        if not c.targets.resolves(target):
            c.add(line, "broken-link", f"property {key!r} links to [[{target}]], no such note")
    if not c.body_links:
        return
    for line, target in c.facts["body"]:
        if not c.targets.resolves(target):
            c.add(line, "broken-link", f"[[{target}]] names no note")


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


# Each code comes from one check, so running the two groups apart and sorting gives the same order.
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
    from vaultcrm.ops import notechecks  # their grammars load only when a note is checked again

    try:
        note = Note.parse(text, rec.path)
        note.check()
    except InvalidNote as exc:
        return [_invalid(rec.path, exc)], None
    c = Checking(ctx, rec, note)
    for check in notechecks.LOCAL_CHECKS:
        check(c)
    return c.found, notechecks.facts(note)


def _invalid(path: str, exc: InvalidNote) -> Finding:
    code = "malformed-frontmatter" if "frontmatter" in exc.message else "unreadable-note"
    return Finding(path, exc.line or 1, code, exc.message)


# ---- repairs -----------------------------------------------------------------------------------
def fix_note(note: Note, effective: date | None) -> Note:
    """The safe repairs on one note: exact duplicate bullets dropped, Recent Context newest first,
    `last_contact` raised to `effective` (in the block's own quoting style)."""
    from vaultcrm.model import units

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
    from vaultcrm.ops.writes import Change, apply_changes

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
