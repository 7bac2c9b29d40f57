"""The undo journal: every write vaultcrm makes, with the bytes needed to take it back.

One JSON file per edit in `.vaultcrm/journal/`, numbered in order, written (as a pending entry)
before any file of the edit is replaced: an edit is either not made, or made and undoable.
`ops.undo` restores an edit, through the same write pipeline as every edit, only when each file it
touched still has the hash vaultcrm left there.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from vaultcrm.errors import NotFound, VaultCRMError
from vaultcrm.store.vault import Vault, atomic_write, digest

KEEP = 200  # journal entries kept; older ones are pruned
PENDING = ".pending"  # `NNNNNNNN.json.pending`: an entry whose edit has not (yet) finished


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


def _dir(vault: Vault) -> Path:
    return vault.state_dir / "journal"


def _digest(text: str | None) -> str | None:
    return None if text is None else digest(text)


def begin(vault: Vault, command: str, changes: Sequence[ChangeLike]) -> int:
    """Record an edit before any of its files is replaced (called under the vault lock): a
    pending entry, flushed to disk, holding all `undo` needs. Raises OSError when it cannot be
    written (disk full, read-only folder), and then the edit must not be made."""
    folder = _dir(vault)
    folder.mkdir(parents=True, exist_ok=True)
    number = max(_numbers(folder), default=0) + 1
    data = {"number": number, "time": time.time(), "command": command,
            "files": [_file(vault, c) for c in changes], "undone": False}
    path = _pending(folder, number)
    # Created exclusively and written in place, as a write-ahead log record (no temp file, no
    # rename): a run killed mid-write leaves a torn pending file that `recover` drops, and no note
    # was touched yet. fdatasync: the record's bytes and length reach the disk before any note
    # is replaced (timestamps need not).
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    try:
        view = memoryview(json.dumps(data, ensure_ascii=False).encode("utf-8"))
        while view:
            view = view[os.write(fd, view):]
        getattr(os, "fdatasync", os.fsync)(fd)  # macOS has no fdatasync
    except BaseException:
        os.close(fd)
        with contextlib.suppress(OSError):
            os.unlink(path)
        raise
    os.close(fd)
    return number


def finish(vault: Vault, number: int) -> None:
    """The edit's files were replaced: its pending entry becomes an entry `undo` lists, and the
    oldest entries beyond KEEP are pruned."""
    folder = _dir(vault)
    pending = _pending(folder, number)
    d = json.loads(pending.read_text(encoding="utf-8"))
    _promote(folder, pending, d, d["files"])
    existing = sorted(n for n in _numbers(folder, pending=False))
    for old in existing[: max(0, len(existing) - KEEP)]:
        with contextlib.suppress(OSError):
            os.unlink(folder / f"{old:08d}.json")


def abandon(vault: Vault, number: int, done: Sequence[ChangeLike]) -> None:
    """An edit stopped part-way: keep in its entry just the files it did replace (none: drop it)."""
    with contextlib.suppress(OSError, ValueError, KeyError):
        folder = _dir(vault)
        pending = _pending(folder, number)
        if not done:
            os.unlink(pending)
            return
        d = json.loads(pending.read_text(encoding="utf-8"))
        touched = {c.path for c in done}
        _promote(folder, pending, d, [f for f in d["files"] if f["path"] in touched])


def recover(vault: Vault, *, strict: bool = False) -> None:
    """Settle the pending entries a killed run (or a failed `finish`) left, under the vault lock,
    by looking at the files: an entry keeps the files its edit did change, and is dropped when it
    changed none (the run died before replacing anything), so `undo` never "restores" a file the
    edit never wrote. `strict`: raise OSError when an entry cannot be settled (for `undo`)."""
    folder = _dir(vault)
    try:
        names = [n for n in os.listdir(folder) if n.endswith(PENDING)]
    except OSError:
        return
    for name in names:
        try:
            _recover_one(vault, folder, folder / name)
        except OSError:
            if strict:
                raise


def _recover_one(vault: Vault, folder: Path, pending: Path) -> None:
    try:
        d = json.loads(pending.read_text(encoding="utf-8"))
        files = d["files"]
    except (ValueError, KeyError, TypeError):  # torn: the run died writing it, before any note
        os.unlink(pending)
        return
    landed = [f for f in files if not _untouched(vault, f)]
    if not landed:
        os.unlink(pending)
        return
    _promote(folder, pending, d, landed)


def _promote(folder: Path, pending: Path, d: dict[str, Any], files: list[dict[str, Any]]) -> None:
    """A pending entry, cut to `files`, becomes a plain entry."""
    if len(files) < len(d["files"]):
        d["files"], d["command"] = files, f"{d['command']} (interrupted)"
    atomic_write(folder / f"{d['number']:08d}.json", json.dumps(d, ensure_ascii=False).encode("utf-8"), 0o644)
    os.unlink(pending)


def _untouched(vault: Vault, f: dict[str, Any]) -> bool:
    """The file still holds what it held before the edit (by hash): the edit never wrote it."""
    where = f.get("moved_to")
    if where and vault.exists_any(where):
        return False
    path = f.get("real") or f["path"]
    try:
        current = vault.read_any(path).digest if vault.exists_any(path) else None
    except VaultCRMError:  # unreadable now: not provably untouched, so kept
        return False
    return current == f.get("before_hash")


def _file(vault: Vault, c: ChangeLike) -> dict[str, Any]:
    """One file of an entry. `real`: the file an edit through a symlinked note really wrote,
    which its undo restores, whatever the link points at by then."""
    f = {"path": c.path, "moved_to": c.moved_to, "before": c.before, "after_hash": _digest(_left(c)),
         "before_hash": _digest(c.before)}
    if not c.moved_to:
        real = vault.real_rel(c.path)
        if real != c.path:
            f["real"] = real
    return f


def _pending(folder: Path, number: int) -> Path:
    return folder / f"{number:08d}.json{PENDING}"


def _numbers(folder: Path, *, pending: bool = True) -> list[int]:
    """The entry numbers in use (pending entries too: a number is never given twice)."""
    out = []
    for name in os.listdir(folder):
        stem = name.removesuffix(PENDING) if pending else name
        if stem.endswith(".json") and stem[:-5].isdigit():
            out.append(int(stem[:-5]))
    return out


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


def to_undo(vault: Vault, number: int | None = None) -> JournalEntry:
    """The edit `undo` takes back: `number`, else the last one not yet undone."""
    every = entries(vault)
    pending = [e for e in every if not e.undone]
    if not pending:
        raise NotFound("nothing to undo")
    if number is None:
        return pending[-1]
    match = [e for e in pending if e.number == number]
    if not match:
        done = any(e.number == number for e in every)
        raise NotFound(f"edit {number} was already undone" if done else
                       f"no edit number {number} to undo (see `vaultcrm undo --list`)")
    return match[0]


def mark_undone(vault: Vault, number: int) -> None:
    """Record that edit `number` was taken back (called under the lock, after the files were restored)."""
    p = _dir(vault) / f"{number:08d}.json"
    d = json.loads(p.read_text(encoding="utf-8"))
    d["undone"] = True
    atomic_write(p, json.dumps(d, ensure_ascii=False).encode("utf-8"), 0o644)
