"""`doctor`'s findings, and its cache of what each note says about itself (`.vaultcrm/doctor.sqlite`).

One row per note: its size and mtime when checked, the sha256 of the bytes read, the stamp it
was made under (the checks' version, vaultcrm's version, the config fingerprint) and, as JSON,
the note's own findings and the facts the vault-wide checks need from it. A row serves while
the stamp holds and the note's size and mtime are the row's (the note is not read at all) or,
once the note is read again, its bytes hash to the row's. Kept apart from the index, whose
schema it leaves alone. Deleting the file is always safe; a corrupt or foreign one is deleted
and made afresh without a word; `VAULTCRM_NO_CACHE=1` turns it off, as it does the index.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import stat
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vaultcrm import __version__
from vaultcrm.config import Config
from vaultcrm.store.vault import Vault

CACHE_FILE = "doctor.sqlite"
LAYOUT = 1  # PRAGMA user_version: bump when the table's columns change
# A note written in the last two seconds may be written again with the same size and mtime
# (timestamp granularity, git's "racily clean"): its row gets mtime 0, so only its hash can match.
RACY_NS = 2_000_000_000
_TABLE = ("CREATE TABLE findings (path TEXT PRIMARY KEY, size INTEGER, mtime_ns INTEGER, sha TEXT, stamp TEXT, "
          "data TEXT)")


@dataclass(frozen=True)
class Finding:
    """One problem: where it is (vault-relative path, 1-based line), its code and a message."""

    path: str
    line: int
    code: str
    message: str
    fixable: bool = False

    def to_dict(self) -> dict[str, Any]:
        # what dataclasses.asdict gives, without its deep copies: a 10,000-note vault has 20,000 findings
        return {"path": self.path, "line": self.line, "code": self.code, "message": self.message,
                "fixable": self.fixable}


Checked = tuple[list[Finding], dict[str, Any] | None]  # a note's own findings, and its facts (None: unparsable)


@dataclass(frozen=True)
class Row:
    """One note's cached data, and what it was computed from."""

    size: int
    mtime_ns: int
    sha: str | None
    data: str


@dataclass
class FindingsCache:
    """The open cache file (no connection: nothing cached this run), its rows read so far, and the
    rows this run will write."""

    path: Path | None
    stamp: str
    facts: frozenset[str]  # the keys every cached facts dict has
    db: sqlite3.Connection | None = None
    rows: dict[str, Row] = field(default_factory=dict)
    pending: dict[str, tuple[int, int, str | None, str]] = field(default_factory=dict)

    def load(self, paths: Iterable[str] | None = None) -> None:
        """Read the rows made under this stamp, of `paths` (None: every note)."""
        if self.db is None:
            return
        query = "SELECT path, size, mtime_ns, sha, data FROM findings WHERE stamp = ?"
        try:
            if paths is None:
                found = self.db.execute(query, (self.stamp,)).fetchall()
            else:
                found, wanted = [], sorted(set(paths))
                for i in range(0, len(wanted), 500):  # SQLite caps the parameters of one statement
                    chunk = wanted[i:i + 500]
                    found += self.db.execute(f"{query} AND path IN ({', '.join('?' * len(chunk))})",
                                             (self.stamp, *chunk)).fetchall()
        except sqlite3.Error as exc:
            self._unusable(exc)
            return
        self.rows = {p: Row(size, mtime, sha, data) for p, size, mtime, sha, data in found
                     if isinstance(data, str) and isinstance(size, int) and isinstance(mtime, int)}

    def lookup(self, vault: Vault, path: str, size: int, mtime_ns: int, check: Callable[[str], Checked]) -> Checked:
        """A note's own findings and facts: from its row while the note's `size` and `mtime_ns`
        (as listed) are the row's, without reading it; else read, and from its row still if the
        bytes hash to the row's, else `check(text)`. InvalidNote when the note cannot be read."""
        row = self.rows.get(path)
        got = self._decode(path, row.data) if row is not None else None
        if got is not None and row is not None and (row.size, row.mtime_ns) == (size, mtime_ns):
            return got
        text = vault.read(path)
        if got is None or row is None or row.sha != text.digest:
            got = check(text.text)
        found, facts = got
        data = json.dumps({"found": [[f.line, f.code, f.message, f.fixable] for f in found], "facts": facts})
        self.pending[path] = (size, 0 if mtime_ns >= time.time_ns() - RACY_NS else mtime_ns, text.digest, data)
        return got

    def _decode(self, path: str, data: str) -> Checked | None:
        """A row's findings and facts; None when it is not what `lookup` writes."""
        try:
            got = json.loads(data)
            found = [Finding(path, line, code, message, fixable) for line, code, message, fixable in got["found"]]
            facts = got["facts"]
        except (ValueError, TypeError, KeyError, AttributeError):
            return None
        if not all(type(f.line) is int and isinstance(f.code, str) and isinstance(f.message, str)
                   and type(f.fixable) is bool for f in found):
            return None
        return (found, facts) if facts is None or (isinstance(facts, dict) and facts.keys() == self.facts) else None

    def save(self, keep_only: Iterable[str] | None = None) -> None:
        """Write the rows of the notes read, and drop those of notes not in `keep_only` (when given:
        deleted or unreadable since), in one transaction, then close. Best effort: a cache that
        cannot be written is left as it was."""
        db, self.db = self.db, None
        if db is None:
            return
        try:
            keep = None if keep_only is None else set(keep_only)
            gone = [] if keep is None else [(p,) for (p,) in db.execute("SELECT path FROM findings") if p not in keep]
            if self.pending or gone:
                db.execute("BEGIN IMMEDIATE")
                try:
                    db.executemany("DELETE FROM findings WHERE path = ?", gone)
                    db.executemany("INSERT OR REPLACE INTO findings VALUES (?, ?, ?, ?, ?, ?)",
                                   [(p, *row[:3], self.stamp, row[3]) for p, row in self.pending.items()])
                    db.execute("COMMIT")
                except sqlite3.Error:
                    db.execute("ROLLBACK")
                    raise
        except sqlite3.Error:
            pass
        finally:
            db.close()
            self.pending = {}

    def _unusable(self, exc: sqlite3.Error) -> None:
        """A file that cannot be read is deleted and made afresh (empty); one that another vaultcrm
        holds locked is left alone, and unused this run."""
        if self.db is not None:
            self.db.close()
        self.db = None
        if self.path is not None and not _busy(exc):
            _remove(self.path)
            self.db = _connect(self.path)


def open_cache(vault: Vault, config: Config, checks: str, facts: frozenset[str]) -> FindingsCache:
    """The cache for checks of version `checks` under `config`, whose facts have the keys `facts`;
    one without a file (every lookup checks the note, nothing is written) when the cache is off or
    cannot be used. Raises OutsideVault when `.vaultcrm/` is a link leading outside the vault."""
    stamp = f"{checks}:{__version__}:{config.fingerprint()}"
    if os.environ.get("VAULTCRM_NO_CACHE"):
        return FindingsCache(None, stamp, facts)
    path = vault.state_dir / CACHE_FILE  # the guarded door: refuses a .vaultcrm/ leading outside
    return FindingsCache(path, stamp, facts, _connect(path))


def _connect(path: Path) -> sqlite3.Connection | None:
    for _ in (1, 2):
        db = None
        try:
            if _planted(path):
                return None
            path.parent.mkdir(exist_ok=True)
            db = sqlite3.connect(path, timeout=5, isolation_level=None)
            if db.execute("PRAGMA user_version").fetchone()[0] != LAYOUT:
                db.execute("BEGIN IMMEDIATE")
                db.execute("DROP TABLE IF EXISTS findings")
                db.execute(_TABLE)
                db.execute(f"PRAGMA user_version = {LAYOUT}")
                db.execute("COMMIT")
            return db
        except (sqlite3.Error, OSError) as exc:
            if db is not None:
                db.close()
            if isinstance(exc, sqlite3.Error) and _busy(exc):
                return None
            _remove(path)
    return None


def _planted(path: Path) -> bool:
    """The cache file, or SQLite's journal beside it, is a symlink, a hard link or no regular file:
    not vaultcrm's to write through or delete."""
    for p in (path, path.with_name(path.name + "-journal")):
        with contextlib.suppress(FileNotFoundError):
            st = os.lstat(p)
            if not stat.S_ISREG(st.st_mode) or st.st_nlink > 1:
                return True
    return False


def _busy(exc: BaseException) -> bool:
    return "locked" in str(exc) or "busy" in str(exc)


def _remove(path: Path) -> None:
    if not _planted(path):
        with contextlib.suppress(OSError):
            os.unlink(path)
