"""The vault index: every note's record, kept in a cache under `.vaultcrm/` between runs.

Each run lists the vault (one `stat` per note), re-reads only the notes whose size or mtime
changed, drops the deleted ones, and loads the rest from SQLite. Records come back light: the
columns that listing, resolving and dating need are read at once, the heavy parts (properties,
entries, tasks) are decoded only for the notes a command touches. Deleting `.vaultcrm/` is always
safe; a corrupt or old-version cache is rebuilt without a word. `VAULTCRM_NO_CACHE=1` turns the
cache off (the test suite runs both ways).
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from vaultcrm import __version__
from vaultcrm.config import Config
from vaultcrm.store.settings import load_config
from vaultcrm.errors import InvalidNote
from vaultcrm.model.records import EntryRecord, NoteRecord, TaskRecord
from vaultcrm.model.scan import build_record
from vaultcrm.store.vault import MAX_NOTE_BYTES, FileInfo, Vault, decode

SCHEMA = 13  # bump whenever what a record holds changes (task ids, link keys)
CACHE_FILE = "index.sqlite"
PARALLEL_MIN = 4000  # below this many notes to parse, a second process costs more than it saves

Progress = Callable[[int, int], None]


@dataclass
class Scan:
    """Every note's record, plus the notes that could not be read at all (path, message)."""

    records: list[NoteRecord]
    unreadable: list[tuple[str, str]] = field(default_factory=list)
    parsed: int = 0  # how many notes this run had to read and parse
    link_rows: list[tuple[str, str]] | None = None  # (link key, meeting path) from the cache, if on

    @property
    def ok(self) -> list[NoteRecord]:
        return [r for r in self.records if r.error is None]

    @property
    def broken(self) -> list[NoteRecord]:
        return [r for r in self.records if r.error is not None]


# ---- lazy records --------------------------------------------------------------------------------
_SCALAR = ("path", "title", "kind", "note_date", "folder_note", "error", "error_line", "size", "mtime_ns")
_META = ("aliases", "tags", "links", "named_accounts")
_COLUMNS = (*_SCALAR, "dating", "meta", "heavy")
_HEAVY = ("properties", "entries", "tasks")


class CachedRecord(NoteRecord):
    """A record read from the cache: scalar columns at once, lists and heavy parts on first use.

    Decoding JSON for 10,000 notes costs more than listing them, and most commands need the
    heavy parts of only a few notes.
    """

    def __init__(self, row: tuple[Any, ...], heavy: str | None = None,
                 source: HeavySource | None = None) -> None:  # noqa: D107 - no dataclass init on purpose
        d = self.__dict__
        d.update(zip(_SCALAR, row, strict=False))  # the row has more columns than these
        d["folder_note"] = bool(d["folder_note"])
        d["_raw"] = row
        d["_heavy"] = heavy
        d["_source"] = source

    def __getattr__(self, name: str) -> Any:
        raw = self.__dict__.get("_raw")
        if raw is None:
            raise AttributeError(name)
        if name == "dating":  # what dating an account reads: its own small column
            value = json.loads(raw[len(_SCALAR)])
        elif name == "_meta":
            value = json.loads(raw[len(_SCALAR) + 1])
        elif name in _META[:3]:
            value = self._meta[name]
        elif name in _HEAVY:
            text = self.__dict__.pop("_heavy", None)
            if text is None:
                source = self.__dict__.get("_source")
                text = source.fetch(self) if source is not None else None
            if text is None:
                raise AttributeError(name)
            heavy = json.loads(text)
            self.__dict__["properties"] = heavy["properties"]
            self.__dict__["entries"] = [EntryRecord(**e) for e in heavy["entries"]]
            self.__dict__["tasks"] = [TaskRecord(**t) for t in heavy["tasks"]]
            return self.__dict__[name]
        else:
            raise AttributeError(name)
        self.__dict__[name] = value
        return value

    @property
    def named_accounts(self) -> list[str]:
        return self._meta["named_accounts"]


_HEAVY_AT = len(_COLUMNS) - 1


def _row(rec: NoteRecord, config: Config) -> tuple[Any, ...]:
    """The note's `notes` row, then its name keys and (for meetings) link keys for the lookups."""
    meta = {k: getattr(rec, k) for k in _META}
    heavy = {"properties": rec.properties, "entries": [e.__dict__ for e in rec.entries],
             "tasks": [t.__dict__ for t in rec.tasks]}
    links = sorted(rec.link_keys()) if rec.error is None and config.is_meeting(rec.kind) else []
    return (*(getattr(rec, k) for k in _SCALAR), json.dumps(rec.dating, ensure_ascii=False),
            json.dumps(meta, ensure_ascii=False),
            json.dumps(heavy, ensure_ascii=False), sorted(rec.name_keys()), links)


def _is_row(item: tuple[Any, ...]) -> bool:
    return len(item) == len(_COLUMNS) + 2


def _from_row(row: tuple[Any, ...]) -> CachedRecord:
    """A record from a full row (heavy part included), as parsed this run."""
    return CachedRecord(row[:_HEAVY_AT], row[_HEAVY_AT])


class HeavySource:
    """Fetches a cached note's heavy part when a command first needs it.

    Only the light columns of every note are read up front; a 50,000-note vault's properties,
    entries and tasks would cost hundreds of MB. If the row changed since (another vaultcrm wrote
    it), the note is read again from disk instead, so a record never mixes two versions.
    """

    def __init__(self, vault: Vault, config: Config) -> None:
        self.vault, self.config = vault, config
        self._db: sqlite3.Connection | None = None

    def fetch(self, rec: CachedRecord) -> str | None:
        try:
            if self._db is None:
                uri = (self.vault.state_dir / CACHE_FILE).as_uri() + "?mode=ro"
                self._db = sqlite3.connect(uri, uri=True, timeout=10)
            row = self._db.execute("SELECT heavy FROM heavy WHERE path = ? AND size = ? AND mtime_ns = ?",
                                   (rec.path, rec.size, rec.mtime_ns)).fetchone()
        except sqlite3.DatabaseError:
            row = None
        if row is not None:
            return row[0]
        info = FileInfo(rec.path, rec.size, rec.mtime_ns)
        fresh = _read_one(str(self.vault.root), info, self.config)
        return _row(fresh, self.config)[_HEAVY_AT] if isinstance(fresh, NoteRecord) else None


# ---- reading notes -----------------------------------------------------------------------------
def _read_one(root: str, info: FileInfo, config: Config) -> NoteRecord | tuple[str, str]:
    """The record of one listed note, or (path, why) when it is not readable text."""
    if info.size > MAX_NOTE_BYTES:
        return info.path, f"note is {info.size:,} bytes; notes over {MAX_NOTE_BYTES:,} bytes are not read"
    try:
        with open(os.path.join(root, info.disk or info.path), "rb") as fh:
            data = fh.read(MAX_NOTE_BYTES + 1)
        text = decode(data, info.path)
    except InvalidNote as exc:
        return info.path, exc.message
    except OSError as exc:
        return info.path, exc.strerror or str(exc)
    return build_record(info.path, text, config, size=info.size, mtime_ns=info.mtime_ns)


def _read_chunk(args: tuple[str, list[FileInfo], Config]) -> list[Any]:
    root, infos, config = args
    out = []
    for info in infos:
        r = _read_one(root, info, config)
        out.append(_row(r, config) if isinstance(r, NoteRecord) else r)
    return out


def _read_many(vault: Vault, infos: list[FileInfo], config: Config, progress: Progress | None) -> list[Any]:
    """Rows (or unreadable pairs) for `infos`, on both cores when there are many."""
    root = str(vault.root)
    if len(infos) < PARALLEL_MIN or (os.cpu_count() or 1) < 2:
        out = []
        for n, info in enumerate(infos, 1):
            r = _read_one(root, info, config)
            out.append(_row(r, config) if isinstance(r, NoteRecord) else r)
            if progress and n % 500 == 0:
                progress(n, len(infos))
        return out
    import multiprocessing as mp

    workers = 2
    size = max(200, len(infos) // (workers * 8))
    chunks = [(root, infos[i:i + size], config) for i in range(0, len(infos), size)]
    out: list[Any] = []
    ctx = mp.get_context("fork") if "fork" in mp.get_all_start_methods() else mp.get_context()
    with ctx.Pool(workers) as pool:
        for part in pool.imap(_read_chunk, chunks):
            out.extend(part)
            if progress:
                progress(len(out), len(infos))
    return out


# ---- the cache ---------------------------------------------------------------------------------
def _connect(vault: Vault, config: Config) -> sqlite3.Connection | None:
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
                for table in ("notes", "heavy", "names", "links"):
                    db.execute(f"DROP TABLE IF EXISTS {table}")
                cols = ", ".join(f"{c} {'INTEGER' if c in ('size', 'mtime_ns', 'error_line', 'folder_note') else 'TEXT'}"
                                 for c in _COLUMNS[:_HEAVY_AT] if c != "path")
                db.execute(f"CREATE TABLE notes (path TEXT PRIMARY KEY, {cols})")
                # the heavy parts live apart, so reading every note's light row stays a small scan
                db.execute("CREATE TABLE heavy (path TEXT PRIMARY KEY, size INTEGER, mtime_ns INTEGER, heavy TEXT)")
                # name -> note and link target -> meeting, so one-note commands need not load every row
                db.execute("CREATE TABLE names (key TEXT, path TEXT)")
                db.execute("CREATE INDEX names_key ON names (key)")
                db.execute("CREATE INDEX names_path ON names (path)")  # re-indexing a note deletes by path
                db.execute("CREATE TABLE links (key TEXT, path TEXT)")
                db.execute("CREATE INDEX links_key ON links (key)")
                db.execute("CREATE INDEX links_path ON links (path)")
                db.execute("INSERT OR REPLACE INTO meta VALUES ('stamp', ?)", (stamp,))
                db.execute("COMMIT")
            return db
        except (sqlite3.DatabaseError, OSError):
            with contextlib.suppress(OSError):
                os.unlink(path)
            if attempt == 2:
                return None
    return None


def load(vault: Vault, config: Config | None = None, *, progress: Progress | None = None,
         rebuild: bool = False) -> Scan:
    """Every note's record: unchanged notes from the cache, the others read and parsed now."""
    config = config or load_config(vault.root)
    if rebuild:
        _drop(vault)
    return _sync(vault, config, progress, focus=None) or Scan([])


def load_focused(vault: Vault, config: Config, name: str, *, progress: Progress | None = None) -> Scan | None:
    """The records a one-note command needs: the notes NAME names, the notes filed under a folder
    note among them, and the meeting notes that link to them. None when the cache is off or
    nothing matches (the caller then loads everything, for complete suggestions).

    Freshness is the same as `load`'s: every note is stat'ed and changed ones are re-read; only
    the building of 50,000 records nobody asked about is saved.
    """
    return _sync(vault, config, progress, focus=name)


def _sync(vault: Vault, config: Config, progress: Progress | None, focus: str | None) -> Scan | None:
    listing = vault.list_notes()
    db = _connect(vault, config)
    if db is None and focus is not None:
        return None
    columns = ", ".join(_COLUMNS[:_HEAVY_AT]) if focus is None else "path, size, mtime_ns"
    cached: dict[str, tuple[Any, ...]] = {}
    if db is not None:
        try:
            cached = {row[0]: row for row in db.execute(f"SELECT {columns} FROM notes")}
        except sqlite3.DatabaseError:
            db.close()
            _drop(vault)
            db = _connect(vault, config)
    si, mi = (_COLUMNS.index("size"), _COLUMNS.index("mtime_ns")) if focus is None else (1, 2)
    fresh = []
    for info in listing:
        row = cached.get(info.path)
        if row is None or row[si] != info.size or row[mi] != info.mtime_ns:
            fresh.append(info)
    parsed = _read_many(vault, fresh, config, progress)
    new_rows = {r[0]: r for r in parsed if _is_row(r)}
    unreadable = sorted(r for r in parsed if len(r) == 2)
    listed = {i.path for i in listing}
    gone = [p for p in cached if p not in listed]
    source = None
    link_rows: list[tuple[str, str]] = []
    if db is not None:
        try:
            _store(db, list(new_rows.values()), gone + [p for p, _ in unreadable])
            source = HeavySource(vault, config)
            if focus is not None:
                return _focused(db, source, focus, new_rows, unreadable, len(fresh))
            link_rows = db.execute("SELECT key, path FROM links").fetchall()
        except sqlite3.DatabaseError:
            _drop(vault)
            return _uncached(vault, listing, config) if focus is None else None
        finally:
            db.close()
    records: list[NoteRecord] = []
    for info in listing:
        row = new_rows.get(info.path)
        if row is not None:
            records.append(_from_row(row))
        elif info.path in cached and source is not None:
            records.append(CachedRecord(cached[info.path], None, source))
    return Scan(records, unreadable, parsed=len(fresh), link_rows=link_rows if source is not None else None)


def _focused(db: sqlite3.Connection, source: HeavySource, name: str, new_rows: dict[str, tuple[Any, ...]],
             unreadable: list[tuple[str, str]], parsed: int) -> Scan | None:
    from vaultcrm.model.records import fold

    want = fold(name.strip().strip("[]"))
    keys = {want, want + ".md", want.rstrip("/")}
    marks = ", ".join("?" * len(keys))
    paths = {p for (p,) in db.execute(f"SELECT path FROM names WHERE key IN ({marks})", tuple(keys))}
    if not paths:
        return None
    light = ", ".join(_COLUMNS[:_HEAVY_AT])
    named = [CachedRecord(row, None, source) for row in _rows_for(db, light, paths)]
    related: set[str] = set(paths)
    for rec in named:
        if rec.folder_note:  # the notes filed under a folder note belong to it
            lo, hi = rec.folder + "/", rec.folder + "/\U0010ffff"
            related.update(p for (p,) in db.execute("SELECT path FROM notes WHERE path >= ? AND path < ?", (lo, hi)))
        link_keys = sorted(rec.linked_as())
        marks = ", ".join("?" * len(link_keys))
        related.update(p for (p,) in db.execute(f"SELECT path FROM links WHERE key IN ({marks})", link_keys))
    records = [CachedRecord(row, None, source) for row in _rows_for(db, light, related)]
    records.sort(key=lambda r: r.path)
    return Scan(records, unreadable, parsed=parsed)


def _rows_for(db: sqlite3.Connection, columns: str, paths: Iterable[str]) -> list[tuple[Any, ...]]:
    out: list[tuple[Any, ...]] = []
    paths = sorted(paths)
    for i in range(0, len(paths), 500):  # SQLite caps the number of parameters in one statement
        chunk = paths[i:i + 500]
        marks = ", ".join("?" * len(chunk))
        out.extend(db.execute(f"SELECT {columns} FROM notes WHERE path IN ({marks})", chunk))
    return out


def _drop(vault: Vault) -> None:
    with contextlib.suppress(OSError):
        os.unlink(vault.state_dir / CACHE_FILE)


def _uncached(vault: Vault, listing: list[FileInfo], config: Config) -> Scan:
    rows = _read_many(vault, listing, config, None)
    recs = [_from_row(r) for r in rows if _is_row(r)]
    return Scan(recs, sorted(r for r in rows if len(r) == 2), parsed=len(listing))


def _store(db: sqlite3.Connection, rows: list[tuple[Any, ...]], drop: Iterable[str]) -> None:
    drop = list(drop)
    if not rows and not drop:
        return
    db.execute("BEGIN IMMEDIATE")
    try:
        stale = [(p,) for p in drop] + [(r[0],) for r in rows]
        for table in ("notes", "heavy", "names", "links"):
            db.executemany(f"DELETE FROM {table} WHERE path = ?", stale)
        settled = [_settled(r[:_HEAVY_AT]) for r in rows]
        marks = ", ".join("?" * _HEAVY_AT)
        db.executemany(f"INSERT INTO notes ({', '.join(_COLUMNS[:_HEAVY_AT])}) VALUES ({marks})", settled)
        db.executemany("INSERT INTO heavy VALUES (?, ?, ?, ?)",
                       [(s[0], s[_SIZE], s[_MTIME], r[_HEAVY_AT]) for s, r in zip(settled, rows, strict=True)])
        db.executemany("INSERT INTO names VALUES (?, ?)", [(k, r[0]) for r in rows for k in r[-2]])
        db.executemany("INSERT INTO links VALUES (?, ?)", [(k, r[0]) for r in rows for k in r[-1]])
        db.execute("COMMIT")
    except sqlite3.DatabaseError:
        db.execute("ROLLBACK")
        raise


RACY_NS = 2_000_000_000
_MTIME = _COLUMNS.index("mtime_ns")
_SIZE = _COLUMNS.index("size")


def _settled(row: tuple[Any, ...]) -> tuple[Any, ...]:
    """A row whose file changed in the last two seconds is stored as "unknown mtime".

    A second write within the file system's timestamp granularity can leave size and mtime as
    they were (git calls such entries "racily clean"); such notes are simply read again next run.
    """
    if row[_MTIME] >= time.time_ns() - RACY_NS:
        return (*row[:_MTIME], 0, *row[_MTIME + 1:])
    return row


def update(vault: Vault, config: Config, paths: Iterable[str]) -> None:
    """Refresh the cache rows of notes vaultcrm just wrote (or moved away), so the next run need
    not re-read them. Best effort: the next `load` would catch them anyway."""
    db = _connect(vault, config)
    if db is None:
        return
    try:
        rows, gone = [], []
        root = str(vault.root)
        for p in paths:
            full = os.path.join(root, p)
            try:
                st = os.stat(full)
            except OSError:
                gone.append(p)
                continue
            r = _read_one(root, FileInfo(p, st.st_size, st.st_mtime_ns), config)
            if isinstance(r, NoteRecord):
                rows.append(_row(r, config))
            else:
                gone.append(p)
        _store(db, rows, gone)
    except sqlite3.DatabaseError:
        pass
    finally:
        db.close()


def scan(vault: Vault, config: Config | None = None, *, progress: Progress | None = None) -> Scan:
    """The vault's records (through the cache when it is on)."""
    return load(vault, config, progress=progress)


def timed_progress(make: Callable[[], Progress], after: float = 1.0) -> Progress:
    """A progress callback that only starts showing once `after` seconds have passed."""
    start = time.monotonic()
    shown: list[Progress] = []

    def cb(done: int, total: int) -> None:
        if not shown and time.monotonic() - start < after:
            return
        if not shown:
            shown.append(make())
        shown[0](done, total)

    return cb
