"""`undo`: take back an edit vaultcrm made, through the same write pipeline as every edit.

The journal says what each file held before the edit and the hash it left; an undo plans the
reverse changes under the lock, refuses if any file no longer holds what the edit left (someone
changed it since, and undo would lose that), and writes them with `writes.write_locked`, which
journals (marks the entry undone), refreshes the index and commits to git exactly once.
"""

from __future__ import annotations

from typing import Any

from vaultcrm.errors import JournalError, WriteConflict
from vaultcrm.ops.context import Context
from vaultcrm.ops.writes import Change, EditResult, write_locked
from vaultcrm.store import journal
from vaultcrm.store.journal import JournalEntry
from vaultcrm.store.vault import digest


def undo(ctx: Context, number: int | None = None, *, dry_run: bool = False) -> EditResult:
    """Take back edit `number` (default: the last one not yet undone)."""
    with ctx.vault.lock():
        try:
            journal.recover(ctx.vault, strict=True)  # an entry a killed run left: kept only if it landed
        except OSError as exc:
            raise JournalError(f"cannot settle the undo journal ({exc.strerror or exc}); nothing was restored",
                               path=".vaultcrm/journal") from None
        entry = journal.to_undo(ctx.vault, number)
        changes = [_reverse(ctx, entry, f) for f in entry.files]
        if not dry_run:
            write_locked(ctx, changes, f"undo {entry.number}: {entry.command}", undoing=entry.number)
    paths = ", ".join(f["path"] for f in entry.files)
    return EditResult(f"undid edit {entry.number} ({entry.command}): {paths}", changes, dry_run,
                      data={"number": entry.number, "command": entry.command})


def _reverse(ctx: Context, entry: JournalEntry, f: dict[str, Any]) -> Change:
    """The change that restores one file of `entry`, checked against what the edit left there."""
    vault = ctx.vault
    # An edit through a symlinked note wrote its target (`real`): that file is restored, whatever
    # the link points at now; a moved file is the link itself.
    original, moved = f["path"], f.get("moved_to")
    where = moved or f.get("real") or original
    current = vault.read_any(where).text if vault.exists_any(where) else None  # forged ../ paths refused here
    if (None if current is None else digest(current)) != f["after_hash"]:
        raise WriteConflict(f"{where} changed since edit {entry.number} ({entry.command}); "
                            "undo would lose that change, so nothing was restored", path=where)
    if moved:  # moved (to .trash/): move it back
        if vault.exists_any(original):
            raise WriteConflict(f"{original} exists again since edit {entry.number} ({entry.command}) moved it "
                                f"to {where}; nothing was restored", path=original)
        return Change(where, current, f["before"], moved_to=original)
    if f["before"] is None:  # the edit created the file
        return Change(where, current, None, remove=True)
    return Change(where, current, f["before"])


def journal_entries(ctx: Context) -> list[JournalEntry]:
    """The journaled edits, oldest first (`undo --list`)."""
    return journal.entries(ctx.vault)
