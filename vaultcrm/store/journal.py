"""The undo journal: every write vaultcrm makes, with the bytes needed to take it back.

One JSON file per edit in `.vaultcrm/journal/`, numbered in order. `undo` restores an edit only
when each file it touched still has the hash vaultcrm left there.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from vaultcrm.errors import NotFound, WriteConflict
from vaultcrm.store.vault import Vault, atomic_write, digest

KEEP = 200  # journal entries kept; older ones are pruned


class ChangeLike(Protocol):
    path: str
    before: str | None
    after: str | None
    moved_to: str | None


@dataclass
class JournalEntry:
    number: int
    time: float
    command: str
    files: list[dict[str, Any]]
    undone: bool = False


def _dir(vault: Vault):  # noqa: ANN202
    return vault.state_dir / "journal"


def _digest(text: str | None) -> str | None:
    return None if text is None else digest(text)


def append(vault: Vault, command: str, changes: Sequence[ChangeLike]) -> int:
    """Record one edit (called under the vault lock, after the write)."""
    folder = _dir(vault)
    folder.mkdir(parents=True, exist_ok=True)
    existing = sorted(int(p.stem) for p in folder.glob("*.json") if p.stem.isdigit())
    number = (existing[-1] + 1) if existing else 1
    files = [{"path": c.path, "moved_to": c.moved_to, "before": c.before, "after_hash": _digest(_left(c)),
              "before_hash": _digest(c.before)} for c in changes]
    data = {"number": number, "time": time.time(), "command": command, "files": files, "undone": False}
    atomic_write(folder / f"{number:08d}.json", json.dumps(data, ensure_ascii=False).encode("utf-8"), 0o644)
    for old in existing[: max(0, len(existing) + 1 - KEEP)]:
        try:
            os.unlink(folder / f"{old:08d}.json")
        except OSError:
            pass
    return number


def _left(c: ChangeLike) -> str | None:
    """What the edit left at its final place: the new text, or for a move the text it carried."""
    if c.after is None and c.moved_to:
        return c.before
    return c.after


def entries(vault: Vault) -> list[JournalEntry]:
    folder = _dir(vault)
    out = []
    if not folder.is_dir():
        return out
    for p in sorted(folder.glob("*.json")):
        try:
            d = json.loads(p.read_text(encoding="utf-8"))
            out.append(JournalEntry(d["number"], d["time"], d["command"], d["files"], d.get("undone", False)))
        except (ValueError, KeyError, OSError):
            continue
    return out


def undo(vault: Vault, number: int | None = None, *, dry_run: bool = False) -> tuple[JournalEntry, list[tuple[str, str | None, str | None]]]:
    """Take back edit `number` (default: the last one not yet undone).

    Returns the entry and (path, current text, restored text) per file. Refuses when a file
    no longer has the bytes vaultcrm wrote: someone changed it since, and undo would lose that.
    """
    with vault.lock():
        pending = [e for e in entries(vault) if not e.undone]
        if not pending:
            raise NotFound("nothing to undo")
        if number is None:
            entry = pending[-1]
        else:
            match = [e for e in pending if e.number == number]
            if not match:
                done = any(e.number == number for e in entries(vault))
                raise NotFound(f"edit {number} was already undone" if done else
                               f"no edit number {number} to undo (see `vaultcrm undo --list`)")
            entry = match[0]
        plan = []
        for f in entry.files:
            where = f.get("moved_to") or f["path"]
            vault.abspath(where, allow_hidden=True), vault.abspath(f["path"], allow_hidden=True)  # no forged ../ paths
            path = vault.root / where
            current = path.read_bytes() if path.exists() else None
            current_hash = hashlib.sha256(current).hexdigest() if current is not None else None
            if current_hash != f["after_hash"]:
                raise WriteConflict(f"{where} changed since edit {entry.number} ({entry.command}); "
                                    "undo would lose that change, so nothing was restored", path=where)
            if where != f["path"] and (vault.root / f["path"]).exists():
                raise WriteConflict(f"{f['path']} exists again since edit {entry.number} ({entry.command}) moved it "
                                    f"to {where}; nothing was restored", path=f["path"])
            plan.append((f, current))
        results = []
        for f, current in plan:
            results.append((f["path"], None if current is None else current.decode("utf-8"), f["before"]))
        if dry_run:
            return entry, results
        for f, current in plan:
            where = f.get("moved_to") or f["path"]
            path = vault.root / where
            if f["before"] is None:
                path.unlink()
                continue
            original = vault.root / f["path"]
            mode = path.stat().st_mode & 0o7777 if path.exists() else 0o644
            original.parent.mkdir(parents=True, exist_ok=True)
            atomic_write(original, f["before"].encode("utf-8"), mode)
            if where != f["path"] and path.exists():
                path.unlink()
                _prune_empty(vault, path.parent)
        p = _dir(vault) / f"{entry.number:08d}.json"
        d = json.loads(p.read_text(encoding="utf-8"))
        d["undone"] = True
        atomic_write(p, json.dumps(d, ensure_ascii=False).encode("utf-8"), 0o644)
        return entry, results


def _prune_empty(vault: Vault, folder: Any) -> None:
    """Remove the folders a move into `.trash/` created, now empty again (never the vault's own)."""
    trash = vault.root / ".trash"
    while folder != vault.root and (folder == trash or trash in folder.parents):
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent


@dataclass
class _Restore:
    """What an undo did to one file, in the shape gitops commits."""

    path: str
    before: str | None
    after: str | None
    moved_to: str | None


def undo_edit(ctx: Any, number: int | None = None, *, dry_run: bool = False) -> tuple[JournalEntry, list[tuple[str, str | None, str | None]]]:
    """`undo` for the CLI: take the edit back and, when the vault commits its edits to git,
    commit the restored files too (only them)."""
    entry, results = undo(ctx.vault, number, dry_run=dry_run)
    if not dry_run and (ctx.config.git_commit or getattr(ctx, "git_commit", False)):
        from vaultcrm.store import git

        changes = []
        for f, (_, current, restored) in zip(entry.files, results, strict=True):
            if f.get("moved_to"):  # the move is taken back: from .trash/ to where it was
                changes.append(_Restore(f["moved_to"], current, None, f["path"]))
            else:
                changes.append(_Restore(f["path"], current, restored, None))
        paths = [p for f in entry.files for p in (f["path"], f.get("moved_to")) if p]
        git.commit(ctx.vault, paths, f"vaultcrm undo {entry.number}: {entry.command}\n\n" + "\n".join(paths),
                      changes=changes)
    ctx._scan = None
    return entry, results

