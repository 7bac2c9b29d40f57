"""The index's SQLite file: its tables, made afresh when the schema, vaultcrm or the settings that
shape a row change, and the one way rows are written into them (in a transaction, so a crash
leaves the rows of before)."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import time
from collections.abc import Iterable
from typing import Any

from vaultcrm import __version__
from vaultcrm.config import Config
from vaultcrm.store.cached import CACHE_FILE, COLUMNS, HEAVY, HEAVY_AT
from vaultcrm.store.layout import SCHEMA
from vaultcrm.store.vault import Vault

TABLES = ("notes", "heavy", "names", "links", "refs", "words_docs")


def connect(vault: Vault, config: Config) -> sqlite3.Connection | None:
    """The cache database, created or rebuilt as needed; None when it cannot be used."""
    if os.environ.get("VAULTCRM_NO_CACHE"):
        return None
    path = vault.state_dir / CACHE_FILE
    stamp = f"{SCHEMA}:{__version__}:{config.fingerprint()}"
    for attempt in (1, 2):
        try:
            vault.state_dir.mkdir(exist_ok=True)
            db = sqlite3.connect(path, timeout=10, isolation_level=None)
            db.execute("PRAGMA synchronous=OFF")
            db.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)")
            row = db.execute("SELECT value FROM meta WHERE key='stamp'").fetchone()
            if row is None or row[0] != stamp:
                db.execute("BEGIN IMMEDIATE")
                for table in (*TABLES, "words", "derived"):
                    db.execute(f"DROP TABLE IF EXISTS {table}")
                cols = ", ".join(f"{c} {'INTEGER' if c in ('size', 'mtime_ns', 'error_line', 'folder_note') else 'TEXT'}"
                                 for c in COLUMNS[:HEAVY_AT] if c != "path")
                db.execute(f"CREATE TABLE notes (path TEXT PRIMARY KEY, {cols})")
                # the heavy parts live apart, so reading every note's light row stays a small scan
                db.execute("CREATE TABLE heavy (path TEXT PRIMARY KEY, size INTEGER, mtime_ns INTEGER, "
                           f"{', '.join(f'{part} TEXT' for part in HEAVY)})")
                # name -> note, link target -> meeting, link target -> any linking note: one-note
                # commands and backlinks need not load every row
                for table in ("names", "links", "refs"):
                    db.execute(f"CREATE TABLE {table} (key TEXT, path TEXT)")
                    db.execute(f"CREATE INDEX {table}_key ON {table} (key)")
                    db.execute(f"CREATE INDEX {table}_path ON {table} (path)")  # re-indexing deletes by path
                # the notes whose words the mention search (store/lookups.py) holds, filled on first use
                db.execute("CREATE TABLE words_docs (rowid INTEGER PRIMARY KEY, path TEXT UNIQUE)")
                # what a run worked out from every note (each note's last contact…), kept for the next
                # run that finds the notes as they were (the same generation of rows, see `store`)
                db.execute("CREATE TABLE derived (name TEXT PRIMARY KEY, generation TEXT, value TEXT)")
                db.execute("INSERT OR REPLACE INTO meta VALUES ('generation', ?)", (_new_generation(),))
                db.execute("INSERT OR REPLACE INTO meta VALUES ('stamp', ?)", (stamp,))
                db.execute("COMMIT")
                db.execute("VACUUM")  # the old tables' pages go back to the disk (cheap: all are empty)
            return db
        except (sqlite3.DatabaseError, OSError):
            with contextlib.suppress(OSError):
                os.unlink(path)
            if attempt == 2:
                return None
    return None


def rows_for(db: sqlite3.Connection, columns: str, paths: Iterable[str], table: str = "notes") -> list[tuple[Any, ...]]:
    """The `table` rows (those columns) of the indexed notes at `paths`, in path order."""
    out: list[tuple[Any, ...]] = []
    paths = sorted(paths)
    for i in range(0, len(paths), 500):  # SQLite caps the number of parameters in one statement
        chunk = paths[i:i + 500]
        marks = ", ".join("?" * len(chunk))
        out.extend(db.execute(f"SELECT {columns} FROM {table} WHERE path IN ({marks})", chunk))
    return out


def drop(vault: Vault) -> None:
    """Delete the index file (always safe: the next run builds it again)."""
    with contextlib.suppress(OSError):
        os.unlink(vault.state_dir / CACHE_FILE)


KEY_TABLES = (("names", -3), ("links", -2), ("refs", -1))  # and where a full row holds each one's keys


def store(db: sqlite3.Connection, rows: list[tuple[Any, ...]], dropped: Iterable[str],
          seen: str | None = None) -> str | None:
    """Write the full rows of notes read this run, and drop the rows of `dropped` paths, in one
    transaction that starts a new generation of rows (and so lets go of what was derived from
    the last). The generation the rows now are, when the rows this run read were generation
    `seen` (nobody wrote between), else None."""
    gone = [(p,) for p in dropped]
    if not rows and not gone:
        return seen
    db.execute("BEGIN IMMEDIATE")
    try:
        was, before = generation(db), db.total_changes
        stale = gone + [(r[0],) for r in rows]
        for table in ("notes", "heavy", "words_docs"):
            db.executemany(f"DELETE FROM {table} WHERE path = ?", stale)
        settled = [_settled(r[:HEAVY_AT]) for r in rows]
        marks = ", ".join("?" * HEAVY_AT)
        db.executemany(f"INSERT INTO notes ({', '.join(COLUMNS[:HEAVY_AT])}) VALUES ({marks})", settled)
        db.executemany(f"INSERT INTO heavy VALUES (?, ?, ?, {', '.join('?' * len(HEAVY))})",
                       [(s[0], s[_SIZE], s[_MTIME], *r[HEAVY_AT]) for s, r in zip(settled, rows, strict=True)])
        for table, at in KEY_TABLES:
            # a re-read note mostly keeps its names and links (an edit rarely renames or relinks):
            # rewriting only the notes whose keys moved spares three tables' pages and their journal
            held = _keys_of(db, table, [r[0] for r in rows])
            moved = [r for r in rows if held.get(r[0], []) != sorted(r[at])]
            db.executemany(f"DELETE FROM {table} WHERE path = ?", gone + [(r[0],) for r in moved])
            db.executemany(f"INSERT INTO {table} VALUES (?, ?)", [(k, r[0]) for r in moved for k in r[at]])
        now = was
        if db.total_changes != before:  # (a note that cannot be read is "dropped" every run, but has no row)
            now = _new_generation()
            db.execute("INSERT OR REPLACE INTO meta VALUES ('generation', ?)", (now,))
            db.execute("DELETE FROM derived")
        db.execute("COMMIT")
    except sqlite3.DatabaseError:
        db.execute("ROLLBACK")
        raise
    return now if seen == was else None


def generation(db: sqlite3.Connection) -> str:
    """Which writing of the rows they are: a random token each `store` (and each new index) draws,
    so what a run derived from the rows holds while the token is the one it read with them,
    even across an index deleted and built again."""
    row = db.execute("SELECT value FROM meta WHERE key='generation'").fetchone()
    return str(row[0]) if row else ""


def _new_generation() -> str:
    return os.urandom(8).hex()


def derived(db: sqlite3.Connection, name: str, of: str) -> str | None:
    """The value saved as `name` from the rows of generation `of`, if they still are."""
    row = db.execute("SELECT d.value FROM derived d JOIN meta m ON m.key = 'generation' "
                     "WHERE d.name = ? AND d.generation = ? AND m.value = ?", (name, of, of)).fetchone()
    return row[0] if row else None


def keep_derived(db: sqlite3.Connection, name: str, of: str, value: str) -> bool:
    """Save `value` as `name`, worked out from the rows of generation `of`: only while they still
    are (another run may have written since this one read them). A read command saves this on its
    way out: it waits for no writer (a busy index keeps nothing, the next run works it out again)."""
    db.execute("PRAGMA busy_timeout = 0")
    db.execute("BEGIN IMMEDIATE")
    try:
        if generation(db) != of:
            db.execute("ROLLBACK")
            return False
        db.execute("INSERT OR REPLACE INTO derived VALUES (?, ?, ?)", (name, of, value))
        db.execute("COMMIT")
    except sqlite3.DatabaseError:
        db.execute("ROLLBACK")
        raise
    return True


def _keys_of(db: sqlite3.Connection, table: str, paths: Iterable[str]) -> dict[str, list[str]]:
    """The keys `table` holds for each of `paths`, sorted."""
    held: dict[str, list[str]] = {}
    for key, path in rows_for(db, "key, path", paths, table):
        held.setdefault(path, []).append(key)
    for keys in held.values():
        keys.sort()
    return held


RACY_NS = 2_000_000_000
_MTIME = COLUMNS.index("mtime_ns")
_SIZE = COLUMNS.index("size")


def _settled(row: tuple[Any, ...]) -> tuple[Any, ...]:
    """A row whose file changed in the last two seconds is stored as "unknown mtime".

    A second write within the file system's timestamp granularity can leave size and mtime as
    they were (git calls such entries "racily clean"); such notes are simply read again next run.
    """
    if row[_MTIME] >= time.time_ns() - RACY_NS:
        return (*row[:_MTIME], 0, *row[_MTIME + 1:])
    return row
