"""The vault index: every note's record, kept in a cache under `.vaultcrm/` between runs.

Each run lists the vault (one `stat` per note), re-reads only the notes whose size or mtime
changed, drops the deleted ones, and loads the rest from SQLite. Records come back light: the
columns that listing, resolving and dating need are read at once, the heavy parts (properties,
entries, tasks) are decoded only for the notes a command touches. Deleting `.vaultcrm/` is always
safe; a corrupt or old-version cache is rebuilt without a word. `VAULTCRM_NO_CACHE=1` turns the
cache off (the test suite runs both ways).
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from vaultcrm.config import Config
from vaultcrm.model.exclusion import Exclusion
from vaultcrm.model.records import NoteRecord
from vaultcrm.store import indexdb
from vaultcrm.store.cached import (
    CACHE_FILE,  # noqa: F401 - re-exported: the tests find the index file by it
    COLUMNS,
    HEAVY_AT,
    CachedRecord,
    HeavySource,
    Progress,
    from_row,
    note_row,
    read_many,
    read_one,
)
from vaultcrm.store.indexdb import connect, rows_for
from vaultcrm.store.settings import load_config
from vaultcrm.store.vault import FileInfo, Vault


@dataclass
class Scan:
    """Every note's record, plus the notes that could not be read at all (path, message)."""

    records: list[NoteRecord]
    unreadable: list[tuple[str, str]] = field(default_factory=list)
    parsed: int = 0  # how many notes this run had to read and parse
    excluded: list[tuple[str, str]] = field(default_factory=list)  # (path, reason): not notes of the vault
    source: HeavySource | None = None  # the cache the records came from, if on
    generation: str | None = None  # the index rows these records are (`indexdb.store`), if all of them

    @cached_property
    def link_rows(self) -> list[tuple[str, str]] | None:
        """(link key, meeting path) from the cache, read on first need (`task list` never asks:
        60,000 rows on a 50k vault); None without a cache."""
        return self.source.link_rows() if self.source is not None else None

    @property
    def ok(self) -> list[NoteRecord]:
        return [r for r in self.records if r.error is None]

    @property
    def broken(self) -> list[NoteRecord]:
        return [r for r in self.records if r.error is not None]


# ---- reading notes -----------------------------------------------------------------------------
def _is_row(item: tuple[Any, ...]) -> bool:
    return len(item) == len(COLUMNS) + 3


def load(vault: Vault, config: Config | None = None, *, progress: Progress | None = None,
         rebuild: bool = False) -> Scan:
    """Every note's record: unchanged notes from the cache, the others read and parsed now."""
    config = config or load_config(vault.root)
    if rebuild:
        indexdb.drop(vault)
    return _sync(vault, config, progress, focus=None) or Scan([])


def load_focused(vault: Vault, config: Config, name: str, *, progress: Progress | None = None) -> Scan | None:
    """The records a one-note command needs: the notes NAME names, the notes filed under a folder
    note among them, and the meeting notes that link to them. None when the cache is off or
    nothing matches (the caller then loads everything, for complete suggestions).

    Freshness is the same as `load`'s: every note is stat'ed and changed ones are re-read; only
    the building of 50,000 records nobody asked about is saved.
    """
    return _sync(vault, config, progress, focus=name)


@dataclass
class _Reading:
    """One run's view of the vault: the listing, the cached rows, and the notes read again."""

    listing: list[FileInfo]
    cached: dict[str, tuple[Any, ...]]
    new_rows: dict[str, tuple[Any, ...]]  # full rows of the notes parsed this run
    unreadable: list[tuple[str, str]]
    parsed: int
    seen: str | None  # the generation of the `cached` rows

    def stale(self) -> list[str]:
        """The paths whose cache rows must go: deleted notes and notes no longer readable."""
        listed = {i.path for i in self.listing}
        gone = [p for p in self.cached if p not in listed]
        return gone + [p for p, _ in self.unreadable]


def _sync(vault: Vault, config: Config, progress: Progress | None, focus: str | None) -> Scan | None:
    listed = vault.list_notes()
    db = connect(vault, config)
    if db is None and focus is not None:
        return None
    db, cached, seen = _cached_rows(vault, config, db, light=focus is None)
    rules = Exclusion.of(config)
    digest = rules.digest()
    known = _rules_held(db, digest)
    listing, excluded = _split(listed, rules, cached if known else {})
    scan = _sync_listed(vault, config, progress, focus, listing, db, cached, None if known else digest, seen)
    if scan is not None:
        scan.excluded = excluded
    return scan


def _split(listing: list[FileInfo], rules: Exclusion,
           known: dict[str, Any]) -> tuple[list[FileInfo], list[tuple[str, str]]]:
    """(the notes, the excluded files with their reason): excluded notes are never read or cached.
    A path with a cached row is a note under the rules the cache holds (`known`): only new paths are
    tried, which saves 50,000 matches a run on a big vault."""
    kept, excluded = [], []
    for info in listing:
        why = None if info.path in known else rules.reason(info.path)
        if why is None:
            kept.append(info)
        else:
            excluded.append((info.path, why))
    return kept, excluded


def _rules_held(db: sqlite3.Connection | None, digest: str) -> bool:
    """Whether every cached row was made under these exclusion rules (Obsidian's Excluded files,
    `.vaultcrm.toml`, template folders, conflict copies), which are not part of the cache's stamp:
    under other rules every path is tried again, and the rows of notes now excluded are dropped."""
    if db is None:
        return False
    try:
        row = db.execute("SELECT value FROM meta WHERE key='exclusion'").fetchone()
    except sqlite3.DatabaseError:
        return False
    return row is not None and row[0] == digest


def _sync_listed(vault: Vault, config: Config, progress: Progress | None, focus: str | None,
                 listing: list[FileInfo], db: sqlite3.Connection | None,
                 cached: dict[str, tuple[Any, ...]], rules: str | None, seen: str | None) -> Scan | None:
    fresh = _changed(listing, cached, light=focus is None)
    parsed = read_many(vault, fresh, config, progress)
    reading = _Reading(listing, cached, {r[0]: r for r in parsed if _is_row(r)},
                       sorted(r for r in parsed if len(r) == 2), len(fresh), seen)
    if db is None:
        return _records(reading, None)
    return _through_cache(db, vault, config, focus, reading, rules)


def _cached_rows(vault: Vault, config: Config, db: sqlite3.Connection | None,
                 light: bool) -> tuple[sqlite3.Connection | None, dict[str, tuple[Any, ...]], str | None]:
    """Every cached `notes` row by path (all light columns, or only path, size and mtime), the
    generation they are (read in the same transaction), and the connection to go on with: a cache
    that cannot be read is dropped and made afresh."""
    columns = ", ".join(COLUMNS[:HEAVY_AT]) if light else "path, size, mtime_ns"
    cached: dict[str, tuple[Any, ...]] = {}
    seen = None
    if db is not None:
        try:
            db.execute("BEGIN")
            cached = {row[0]: row for row in db.execute(f"SELECT {columns} FROM notes")}
            seen = indexdb.generation(db)
            db.execute("COMMIT")
        except sqlite3.DatabaseError:
            db.close()
            indexdb.drop(vault)
            db = connect(vault, config)
            cached, seen = {}, None
    return db, cached, seen


def _changed(listing: list[FileInfo], cached: dict[str, tuple[Any, ...]], light: bool) -> list[FileInfo]:
    """The listed notes without a cached row, or whose size or mtime differ from it."""
    si, mi = (COLUMNS.index("size"), COLUMNS.index("mtime_ns")) if light else (1, 2)
    get = cached.get
    return [info for info in listing
            if (row := get(info.path)) is None or row[si] != info.size or row[mi] != info.mtime_ns]


def _through_cache(db: sqlite3.Connection, vault: Vault, config: Config, focus: str | None,
                   reading: _Reading, rules: str | None) -> Scan | None:
    """Store this run's rows (and the digest of the exclusion `rules` they now follow, when new),
    then answer from the cache; closes `db`."""
    try:
        generation = indexdb.store(db, list(reading.new_rows.values()), reading.stale(), reading.seen)
        if rules is not None:
            db.execute("INSERT OR REPLACE INTO meta VALUES ('exclusion', ?)", (rules,))
        source = HeavySource(vault, config)
        if focus is not None:
            return _focused(db, source, focus, reading.new_rows, reading.unreadable, reading.parsed)
    except sqlite3.DatabaseError:
        indexdb.drop(vault)
        return _uncached(vault, reading.listing, config) if focus is None else None
    finally:
        db.close()
    return _records(reading, source, generation)


def _records(reading: _Reading, source: HeavySource | None, generation: str | None = None) -> Scan:
    """Every listed note's record: parsed this run, or (with a source for heavy parts) from the cache."""
    cached, new = reading.cached, reading.new_rows
    records: list[NoteRecord] = []
    if source is not None and not new:  # a warm run: every record from the cache (50,000 on a big vault)
        served = [CachedRecord(cached[i.path], None, source) for i in reading.listing if i.path in cached]
        records = list(served)
    else:
        for info in reading.listing:
            row = new.get(info.path)
            if row is not None:
                records.append(from_row(row))
            elif info.path in cached and source is not None:
                records.append(CachedRecord(cached[info.path], None, source))
        served = [r for r in records if isinstance(r, CachedRecord) and r.__dict__.get("_heavy") is None]
    if source is not None:
        source.follow(served)
    return Scan(records, reading.unreadable, parsed=reading.parsed, source=source, generation=generation)


def read_derived(vault: Vault, config: Config, name: str, of: str) -> str | None:
    """What a run saved as `name` from the index rows of generation `of` (`indexdb.derived`)."""
    db = connect(vault, config)
    if db is None:
        return None
    try:
        return indexdb.derived(db, name, of)
    except sqlite3.DatabaseError:
        return None
    finally:
        db.close()


def keep_derived(vault: Vault, config: Config, name: str, of: str, value: str) -> None:
    """Save `value` as `name` for the runs that find the rows of generation `of`; best effort."""
    db = connect(vault, config)
    if db is None:
        return
    try:
        indexdb.keep_derived(db, name, of, value)
    except sqlite3.DatabaseError:
        pass
    finally:
        db.close()


def _focused(db: sqlite3.Connection, source: HeavySource, name: str, new_rows: dict[str, tuple[Any, ...]],
             unreadable: list[tuple[str, str]], parsed: int) -> Scan | None:
    from vaultcrm.model.records import fold

    want = fold(name.strip().strip("[]"))
    keys = {want, want + ".md", want.rstrip("/")}
    marks = ", ".join("?" * len(keys))
    paths = {p for (p,) in db.execute(f"SELECT path FROM names WHERE key IN ({marks})", tuple(keys))}
    if not paths:
        return None
    light = ", ".join(COLUMNS[:HEAVY_AT])
    named = [CachedRecord(row, None, source) for row in rows_for(db, light, paths)]
    related: set[str] = set(paths)
    for rec in named:
        if rec.folder_note:  # the notes filed under a folder note belong to it
            lo, hi = rec.folder + "/", rec.folder + "/\U0010ffff"
            related.update(p for (p,) in db.execute("SELECT path FROM notes WHERE path >= ? AND path < ?", (lo, hi)))
        link_keys = sorted(rec.linked_as())
        marks = ", ".join("?" * len(link_keys))
        related.update(p for (p,) in db.execute(f"SELECT path FROM links WHERE key IN ({marks})", link_keys))
        targets = sorted(rec.link_keys())  # and the sources it links to, which `show` lists
        for i in range(0, len(targets), 500):
            chunk = targets[i:i + 500]
            related.update(p for (p,) in db.execute(
                f"SELECT n.path FROM names m JOIN notes n ON n.path = m.path WHERE n.kind = 'article' "
                f"AND m.key IN ({', '.join('?' * len(chunk))})", chunk))
    # and every malformed note, so a command that searched the vault says what it could not read
    related.update(p for (p,) in db.execute("SELECT path FROM notes WHERE error IS NOT NULL"))
    records = [CachedRecord(row, None, source) for row in rows_for(db, light, related)]
    records.sort(key=lambda r: r.path)
    source.follow(records)
    return Scan(records, unreadable, parsed=parsed)


def _uncached(vault: Vault, listing: list[FileInfo], config: Config) -> Scan:
    rows = read_many(vault, listing, config, None)
    recs = [from_row(r) for r in rows if _is_row(r)]
    return Scan(recs, sorted(r for r in rows if len(r) == 2), parsed=len(listing))


def update(vault: Vault, config: Config, paths: Iterable[str]) -> None:
    """Refresh the cache rows of notes vaultcrm just wrote (or moved away), so the next run need
    not re-read them. Best effort: the next `load` would catch them anyway."""
    db = connect(vault, config)
    if db is None:
        return
    try:
        rows, gone = [], []
        root = str(vault.root)
        rules = Exclusion.of(config)
        for p in paths:
            if rules.reason(p) is not None:  # written through an explicit path: still no note of the index
                gone.append(p)
                continue
            full = os.path.join(root, p)
            try:
                st = os.stat(full)
            except OSError:
                gone.append(p)
                continue
            r = read_one(root, FileInfo(p, st.st_size, st.st_mtime_ns), config)
            if isinstance(r, NoteRecord):
                rows.append(note_row(r, config))
            else:
                gone.append(p)
        indexdb.store(db, rows, gone)
    except sqlite3.DatabaseError:
        pass
    finally:
        db.close()
