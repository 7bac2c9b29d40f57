"""The one write pipeline: every edit, `undo` included, goes through here.

An edit is a list of `Change`s planned from bytes read under the vault lock. `apply_changes`
checks every file first (each must still hash to what was read), then writes each through the
store's single door (`Vault.write`/`move`/`remove`: temp file, fsync, rename, mode kept), and
then settles the edit exactly once: the journal (so `undo` can take it back), the index cache,
and, when the context says so, a git commit of just those files.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from vaultcrm.errors import UnsafeEdit, WriteConflict
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
    """Read one note under the lock, refuse it if malformed, apply `fn`, write if anything changed."""
    with ctx.vault.lock():
        current = ctx.vault.read(path)
        note = Note.parse(current.text, path)
        note.check()
        text = fn(note).render()
        if text == current.text:
            return EditResult(f"{path}: nothing to change", [], dry_run)
        change = Change(path, current.text, text)
        if not dry_run:
            write_locked(ctx, [change], command)
    return EditResult(message, [change], dry_run)


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
    (`before`), a file to create must not exist, a move's destination must be free. Nothing is
    deleted, except that `undo` (`undoing`: the journal number it takes back) may remove a file
    that an edit created, if it still holds the bytes that edit wrote.
    """
    for c in changes:
        _check(ctx, c, undoing)
    done: list[Change] = []
    try:
        for c in changes:
            _write_one(ctx, c)
            done.append(c)
    except BaseException:
        if done and undoing is None:  # what was written can still be undone
            _settle(ctx, f"{command} (interrupted)", done, None)
        raise
    _settle(ctx, command, changes, undoing)


def _check(ctx: Context, c: Change, undoing: int | None) -> None:
    vault = ctx.vault
    if c.before is None:
        if vault.exists(c.path):
            raise WriteConflict("a note already exists there; nothing written", path=c.path)
    elif vault.read_any(c.path).digest != digest(c.before):
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


def _settle(ctx: Context, command: str, changes: Sequence[Change], undoing: int | None) -> None:
    """After a write, exactly once: the journal, the index cache, git; then forget what was read."""
    if undoing is None:
        journal.append(ctx.vault, command, changes)
    else:
        journal.mark_undone(ctx.vault, undoing)
    paths = [p for c in changes for p in c.touched]
    index.update(ctx.vault, ctx.config, paths)
    if ctx.commit:
        git.commit(ctx.vault, paths, f"vaultcrm {command}\n\n" + "\n".join(paths), changes=changes)
    ctx.forget()
