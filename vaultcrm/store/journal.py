"""The undo journal: every write vaultcrm makes, with the bytes needed to take it back.

One JSON file per edit in `.vaultcrm/journal/`, numbered in order. `ops.undo` restores an edit,
through the same write pipeline as every edit, only when each file it touched still has the hash
vaultcrm left there.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from vaultcrm.errors import NotFound
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
