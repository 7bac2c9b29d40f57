"""Guards on a note about to be replaced: still the bytes read, not half-written by another
program, not read-only.

A stamp (size, mtime, inode, ctime) is taken with every read; re-checking a note is then one
`stat`, and the hash is computed again only when the stamp moved (a `touch`, or a real change).
A note modified within the last second is looked at twice, a moment apart: an editor or sync
tool that truncates and rewrites in place shows up as a size or mtime still moving.
"""

from __future__ import annotations

import hashlib
import os
import stat
import time
from pathlib import Path
from typing import BinaryIO, NamedTuple

from vaultcrm.errors import InvalidNote, NoteBusy, ReadOnlyNote, VaultCRMError, WriteConflict

MAX_NOTE_BYTES = 8 * 1024 * 1024  # a note larger than this is refused, never read into memory
RECENT_NS = 1_000_000_000  # a note modified this recently may still be being written
PAUSE = 0.05  # seconds between the two looks at a recently modified note
TRIES = 10  # looks at a note still being written before giving up: about a second (two pauses each)
EMPTY = hashlib.sha256(b"").hexdigest()
BUSY = "the note is being written by another program; nothing written"
CHANGED = "the note changed on disk since it was read; nothing written"


class Stamp(NamedTuple):
    """What one `stat` says about a file's content: equal stamps, same bytes (in practice)."""

    size: int
    mtime_ns: int
    ino: int
    ctime_ns: int


def stamp_of(st: os.stat_result) -> Stamp:
    return Stamp(st.st_size, st.st_mtime_ns, st.st_ino, st.st_ctime_ns)


def read_capped(fh: BinaryIO, size: int) -> bytes:
    """A note's bytes, at most MAX_NOTE_BYTES + 1. `size` is what stat said: asking for that and a
    byte more costs a quarter of asking for 8 MiB (CPython allocates the whole request, then
    shrinks it: 10,000 notes read in 0.15 s instead of 0.4–1 s); a file that grew since is read on
    to the limit."""
    data = fh.read(min(size, MAX_NOTE_BYTES) + 1)
    if len(data) > size:
        data += fh.read(MAX_NOTE_BYTES + 1 - len(data))
    return data


def read_stamped(path: Path, rel: str) -> tuple[bytes, os.stat_result, bool]:
    """The file's bytes, its stat after the read, and whether it moved while being read."""
    try:
        with open(path, "rb") as fh:
            before = os.fstat(fh.fileno())
            if before.st_size > MAX_NOTE_BYTES:
                raise InvalidNote(f"note is {before.st_size:,} bytes; notes over {MAX_NOTE_BYTES:,} bytes "
                                  "are not read", path=rel)
            data = read_capped(fh, before.st_size)
            after = os.fstat(fh.fileno())
    except FileNotFoundError:
        raise VaultCRMError("note disappeared while reading", path=rel) from None
    except IsADirectoryError:
        raise VaultCRMError("not a note: a folder", path=rel) from None
    except OSError as exc:
        raise VaultCRMError(f"cannot read: {exc.strerror}", path=rel) from None
    torn = stamp_of(before) != stamp_of(after) or len(data) != after.st_size
    return data, after, torn


def stamp_now(path: Path) -> Stamp | None:
    try:
        return stamp_of(os.stat(path))
    except OSError:
        return None


def steady(path: Path, stamp: Stamp, was_empty: bool | None) -> bool:
    """False while another program seems to be writing the note: it is empty but was not, or it
    was modified within the last second and its size or mtime moved a moment later. A note
    modified longer ago answers at once, without a pause."""
    if stamp.size == 0 and was_empty is False:
        return False
    if time.time_ns() - stamp.mtime_ns >= RECENT_NS:
        return True
    pause()
    return stamp_now(path) == stamp


def pause() -> None:
    """The short moment between two looks at a note (tests replace it)."""
    time.sleep(PAUSE)


def verify(data: bytes, expected: str, rel: str) -> None:
    """Refuse bytes that no longer hash to what was read: a note another program emptied (it is
    writing it) or changed."""
    if hashlib.sha256(data).hexdigest() == expected:
        return
    if not data:
        raise NoteBusy(BUSY, path=rel, hint="wait until it has saved, then run the command again")
    raise WriteConflict(CHANGED, path=rel, hint="run the command again")


def unchanged(path: Path, stamp: Stamp, expected: str, rel: str) -> None:
    """The note still holds the bytes that hashed to `expected`: one `stat` when its stamp is
    `stamp`, else the bytes are read and hashed again."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise WriteConflict("the note was deleted since it was read; nothing written", path=rel) from None
    if stamp_of(st) == stamp:
        return
    data, _, _ = read_stamped(path, rel)
    verify(data, expected, rel)


def absent(path: Path, rel: str) -> None:
    """A note about to be created has not appeared meanwhile."""
    if os.path.lexists(path):
        raise WriteConflict("a note already exists there; nothing written", path=rel)


def writable(st: os.stat_result, rel: str, *, force: bool) -> None:
    """Refuse a note whose mode makes it read-only for its owner (0444), unless `force`. The
    mode bits are checked by vaultcrm itself, so the refusal holds for root too."""
    if not force and not st.st_mode & stat.S_IWUSR:
        raise ReadOnlyNote("note is read-only; use --force to edit it anyway (it stays read-only)", path=rel)
