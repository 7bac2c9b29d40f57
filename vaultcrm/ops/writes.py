"""The one write pipeline: every edit, `undo` included, goes through here.

An edit is a list of `Change`s planned from bytes read under the vault lock. `apply_changes`
checks every file first (each must still hash to what was read, be settled, not read-only), then
journals the edit (so `undo` can take it back: an edit whose journal entry cannot be written is
not made), then writes each file through the store's single door (`Vault.write`/`move`/`remove`:
temp file, fsync, a last check, rename, mode kept), and then settles the edit exactly once: the
journal entry finished, the index cache, and, when the context says so, a git commit of just those
files. A failure after the files were replaced is a warning: the edit stands, and is undoable.
"""

from __future__ import annotations

import dataclasses
import difflib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from vaultcrm.errors import JournalError, UnsafeEdit, VaultCRMError, WriteConflict
from vaultcrm.model.note import Note
from vaultcrm.ops.context import Context
from vaultcrm.store import git, index, journal
from vaultcrm.store.vault import digest


@dataclass
class Change:
    """What an edit did (or, in a dry run, would do) to one file."""

    path: str
    before: str | None  # None: the file is created
    after: str | None  # None: the file is moved (to .trash/, or back from it) or, for undo only, removed
    moved_to: str | None = None
    remove: bool = False  # only `undo` of a created file: take it away again (if still unchanged)

    def diff(self) -> str:
        a = (self.before or "").splitlines(keepends=True)
        b = (self.after or "").splitlines(keepends=True)
        out = difflib.unified_diff(a, b, f"a/{self.path}" if self.before is not None else "/dev/null",
                                   f"b/{self.moved_to or self.path}" if self.after is not None else "/dev/null")
        # as GNU diff: mark every line that lacks a newline (the old or the new last line), where it falls
        return "".join(x if x.endswith("\n") else x + "\n\\ No newline at end of file\n" for x in out)

    @property
    def touched(self) -> list[str]:
        return [self.path, self.moved_to] if self.moved_to else [self.path]


@dataclass
class EditResult:
    """The outcome of an editing command: a message for people and the changes made."""

    message: str
    changes: list[Change]
    dry_run: bool = False
    data: dict[str, Any] = field(default_factory=dict)

    def diff(self) -> str:
        return "".join(c.diff() for c in self.changes)


EditFn = Callable[[Note], Note]


def edit_note(ctx: Context, path: str, fn: EditFn, *, command: str, message: str,
              dry_run: bool = False) -> EditResult:
    """Read one note under the lock (once it is not being written by another program), refuse it
    if malformed, apply `fn`, check it still holds the bytes read, write if anything changed."""
    vault = ctx.vault
    with vault.lock():
        current = vault.read_for_edit(path, was_empty=_was_empty(ctx, path))
        note = Note.parse(current.text, path)
        note.check_editable()
        text = fn(note).render()
        if text == current.text:
            return EditResult(f"{path}: nothing to change", [], dry_run)
        change = Change(path, current.text, text)
        if not dry_run:
            vault.recheck(current)  # parsing a large note takes a while: still the bytes read?
            write_locked(ctx, [change], command)
    return EditResult(message, [change], dry_run)


def _was_empty(ctx: Context, path: str) -> bool | None:
    """Whether the note was empty when this command listed it (None: not listed): a note found
    empty now that was not is another program's save caught half-way, and is not edited."""
    for scan in (ctx.memo.focused, ctx.memo.full):
        for rec in scan.records if scan is not None else ():
            if rec.path == path:
                return rec.size == 0
    return None


def forcing(ctx: Context) -> Context:
    """The context, with read-only notes editable (`--force`); their mode is kept."""
    return dataclasses.replace(ctx, vault=ctx.vault.forcing())


def apply_changes(ctx: Context, changes: Sequence[Change], command: str, *, dry_run: bool = False,
                  message: str = "", data: dict[str, Any] | None = None) -> EditResult:
    """Write `changes` under the vault lock as one journaled edit (one `undo` takes all back)."""
    changes = list(changes)
    result = EditResult(message or ("nothing to change" if not changes else command), changes, dry_run,
                        data=dict(data or {}))
    if dry_run or not changes:
        return result
    with ctx.vault.lock():
        write_locked(ctx, changes, command)
    return result


def write_locked(ctx: Context, changes: Sequence[Change], command: str, *, undoing: int | None = None) -> None:
    """Check, write and settle `changes`; the caller holds the vault lock.

    Every file is checked before any is written: it must still hash to the text that was read
    (`before`), not be read-only (unless --force) nor half-saved by another program, a file to
    create must not exist, a move's destination must be free. Then the journal entry is written,
    and only then the files. Nothing is deleted, except that `undo` (`undoing`: the journal
    number it takes back) may remove a file that an edit created, if it still holds the bytes
    that edit wrote.
    """
    if ctx.commit:  # `[git] commit = true` too: a repository reaching outside is refused before writing
        git.is_work_tree(ctx.vault)
    journal.recover(ctx.vault)  # what a killed run left pending
    for c in changes:
        _check(ctx, c, undoing)
    number = _journal_first(ctx, command, changes) if undoing is None else None
    done: list[Change] = []
    try:
        for c in changes:
            _write_one(ctx, c)
            done.append(c)
    except BaseException as exc:
        if number is not None:  # the entry keeps what was written, which can still be undone
            journal.abandon(ctx.vault, number, done)
            if done and isinstance(exc, VaultCRMError):
                exc.hint = (f"{len(done)} of the edit's {len(changes)} files were written before it stopped; "
                            "`vaultcrm undo` takes them back")
        raise
    _settle(ctx, command, changes, number, undoing)


def _check(ctx: Context, c: Change, undoing: int | None) -> None:
    vault = ctx.vault
    if c.before is None:
        if vault.exists(c.path):
            raise WriteConflict("a note already exists there; nothing written", path=c.path)
    else:
        vault.check_writable(c.path)
        if vault.read_for_edit(c.path, was_empty=not c.before, trash=True).digest != digest(c.before):
            raise WriteConflict("the note changed on disk since it was read; nothing written",
                                path=c.path, hint="run the command again")
    if c.remove and undoing is None:
        raise UnsafeEdit("vaultcrm never deletes a note; nothing written", path=c.path)
    if c.after is None and not c.moved_to and not c.remove:
        raise UnsafeEdit("vaultcrm never deletes a note; nothing written", path=c.path)
    if c.moved_to and vault.exists_any(c.moved_to):
        raise WriteConflict(f"{c.moved_to} already exists; nothing written", path=c.moved_to)


def _write_one(ctx: Context, c: Change) -> None:
    vault = ctx.vault
    if c.remove:
        vault.remove(c.path, expected=digest(c.before or ""))
    elif c.moved_to:
        if c.after is not None and c.after != c.before:
            vault.write(c.path, c.after, expected=digest(c.before or ""))
        vault.move(c.path, c.moved_to)
    elif c.before is None:
        vault.write(c.path, c.after or "", expected=None, create=True)
    else:
        vault.write(c.path, c.after or "", expected=digest(c.before))


def _journal_first(ctx: Context, command: str, changes: Sequence[Change]) -> int:
    """The journal entry, written before any file: if it cannot be, the edit is not made."""
    try:
        return journal.begin(ctx.vault, command, changes)
    except OSError as exc:
        raise JournalError(f"cannot write the undo journal ({exc.strerror or exc}); nothing was written",
                           path=".vaultcrm/journal", hint="free some space, or make .vaultcrm/journal "
                           "writable, then run the command again") from None


def _settle(ctx: Context, command: str, changes: Sequence[Change], number: int | None,
            undoing: int | None) -> None:
    """After a write, exactly once: the journal, the index cache, git; then forget what was read.
    The files are replaced by now, so a journal or cache failure is only a warning."""
    vault = ctx.vault
    if number is not None:
        _after(ctx, changes, lambda: journal.finish(vault, number), "the edit was made, but its undo journal "
               "entry could not be finished ({}); `vaultcrm undo` still takes it back")
    if undoing is not None:
        _after(ctx, changes, lambda: journal.mark_undone(vault, undoing), "the files were restored, but edit "
               f"{undoing} could not be marked undone in the journal ({{}})")
    real = [_resolved(ctx, c) for c in changes]  # an edit through a symlink wrote its target
    paths = list(dict.fromkeys(p for c in (*changes, *real) for p in c.touched))
    _after(ctx, changes, lambda: index.update(vault, ctx.config, paths), "the edit was made, but the index cache "
           "could not be updated ({}); the next run reads the note again")
    if ctx.commit:
        files = list(dict.fromkeys(p for c in real for p in c.touched))
        git.commit(vault, files, f"vaultcrm {command}\n\n" + "\n".join(files), changes=real)
    ctx.forget()


def _after(ctx: Context, changes: Sequence[Change], step: Callable[[], object], warning: str) -> None:
    """A step after the files were replaced: its failure is a warning naming the files."""
    try:
        step()
    except (OSError, ValueError, KeyError, VaultCRMError) as exc:
        if ctx.notify is not None:
            where = ", ".join(dict.fromkeys(c.path for c in changes))
            ctx.notify(f"{where}: " + warning.format(getattr(exc, "strerror", None) or exc))


def _resolved(ctx: Context, c: Change) -> Change:
    """`c` at the file it really wrote: a symlinked note's target (a moved file is the link itself)."""
    if c.moved_to:
        return c
    try:
        real = ctx.vault.real_rel(c.path)
    except VaultCRMError:
        return c
    return c if real == c.path else dataclasses.replace(c, path=real)
