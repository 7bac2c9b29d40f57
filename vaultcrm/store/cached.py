"""Lazy cached note records, and the reading of notes (one, or many on every usable core): split from index.py, which imports them, to keep it small."""

from __future__ import annotations

import json
import operator
import os
import sqlite3
from collections.abc import Callable
from typing import Any

from vaultcrm.config import Config
from vaultcrm.errors import InvalidNote
from vaultcrm.model.records import EntryRecord, NoteRecord, TaskRecord
from vaultcrm.model.scan import build_record
from vaultcrm.store.guard import read_capped
from vaultcrm.store.layout import INDEX_FILE
from vaultcrm.store.vault import MAX_NOTE_BYTES, FileInfo, Vault, decode

CACHE_FILE = INDEX_FILE

SCALAR = ("path", "title", "kind", "note_date", "folder_note", "error", "error_line", "size", "mtime_ns",
          "open_due")
# JSON lists kept as columns of their own, NULL when empty: every account's names, every
# interaction's account, every key date and every note's tags (`list` prints them, filters and
# cadences ask) are found without decoding a note's meta (its links: 9.7 MB of JSON at 50k) or dating
LISTS = ("aliases", "filed_accounts", "property_keys", "tags")
LIGHT = (*SCALAR, *LISTS)
META = ("links", "md_links", "named_accounts")
COLUMNS = (*LIGHT, "dating", "heavy")
# fetched per note when first asked (`HeavySource`); `_meta` (META's lists) too: only links,
# backlinks and doctor ask, and it was 10 MB of every 50k run's light rows
HEAVY = ("properties", "entries", "tasks", "_meta")
HEAVY_AT = len(COLUMNS) - 1


class CachedRecord(NoteRecord):
    """A record read from the cache: scalar columns at once, lists and heavy parts on first use.

    Decoding JSON for 10,000 notes costs more than listing them, and most commands need the
    heavy parts of only a few notes.
    """

    def __init__(self, row: tuple[Any, ...], heavy: tuple[str, ...] | None = None,
                 source: HeavySource | None = None) -> None:  # noqa: D107 - no dataclass init on purpose
        d = self.__dict__
        d.update(zip(SCALAR, row, strict=False))  # the row has more columns than these
        d["folder_note"] = bool(d["folder_note"])
        d["_raw"] = row
        d["_heavy"] = heavy
        d["_source"] = source
        # What was decoded, by name, kept apart: every record's __dict__ then keeps the keys it was
        # made with, and Python keeps such dicts compact (176 bytes; one that gained and lost keys
        # takes 832: 33 MB more for a 50k vault's records once `list` has walked them).
        d["_decoded"] = None

    def __getattr__(self, name: str) -> Any:
        d = self.__dict__
        held = d.get("_decoded")
        if held is not None and name in held:
            return held[name]
        raw = d.get("_raw")
        if raw is None or name not in _LAZY:
            raise AttributeError(name)
        if name in ("aliases", "tags"):
            value = _list(raw, name)
        elif name == "dating":  # what dating an account reads: its own small column
            value = json.loads(raw[len(LIGHT)])
        elif name in META[:2]:
            value = self._meta[name]
        else:
            value = self._heavy_part(name)
        held = d["_decoded"]  # (a heavy part's fetch may have made it)
        if held is None:
            held = d["_decoded"] = {}
        held[name] = value
        return value

    def _heavy_part(self, name: str) -> Any:
        """One heavy part, fetched and decoded alone: `task list` reads tasks and never pays for
        properties, `list` the reverse. A part's text is let go once decoded (memory on a 50k vault)."""
        k = HEAVY.index(name)
        d = self.__dict__
        parts = d.get("_heavy")
        text = parts[k] if parts else None
        if text is None:
            source = d.get("_source")
            text = source.fetch(self, k) if source is not None else None
            if text is None:
                raise AttributeError(name)
            parts = d["_heavy"]
        parts = list(parts)
        parts[k] = None
        d["_heavy"] = parts
        value = json.loads(text)
        # stored in field order (`note_row`): positional is the quickest init. Days and statuses
        # repeat across a vault's 230,000 entries and 120,000 tasks: one copy of each (`_SHARED`)
        # spares `timeline` ~27 MB at 50k notes and `agenda` ~9 MB
        one = _SHARED.setdefault
        if name == "entries":
            value = [EntryRecord(one(day, day), one(raw, raw), *rest) for day, raw, *rest in value]
        elif name == "tasks":
            value = [TaskRecord(i, line, words, one(st, st), one(sn, sn), one(ty, ty), one(due, due), done, raw,
                                *dates, one(prio, prio), recur, tags)
                     for i, line, words, st, sn, ty, due, done, raw, *dates, prio, recur, tags in value]
        return value

    def decoded(self) -> set[str]:
        """The parts decoded and held now (what `release` lets go)."""
        return set(self.__dict__.get("_decoded") or ())

    def release(self) -> None:
        """Drop the decoded heavy parts (the next use fetches them from the index again) and what
        was decoded from the light row (kept as text in `_raw`). Not for a record parsed this run
        (its parts came with the row: `from_row`)."""
        d = self.__dict__
        if d.get("_source") is not None:
            d["_decoded"] = None
            d["_heavy"] = None

    @property
    def filed_accounts(self) -> list[str]:  # its column, not the `dating` JSON
        return _list(self.__dict__["_raw"], "filed_accounts")

    @property
    def named_accounts(self) -> list[str]:
        return self._meta["named_accounts"]

    @property
    def property_keys(self) -> list[str]:  # its column: `agenda` asks every note for a birthday
        return _list(self.__dict__["_raw"], "property_keys")

    @property
    def open_due(self) -> str | None:  # a column of its own: never decodes the tasks
        return self.__dict__.get("open_due")


_LIST_AT = {name: LIGHT.index(name) for name in LISTS}
_SHARED: dict[str | None, str | None] = {}  # a short value many records hold (a day, a status), kept once
_LAZY = frozenset(("aliases", "tags", "dating", *META[:2], *HEAVY))  # what __getattr__ decodes on first use


def _list(raw: tuple[Any, ...], name: str) -> list[Any]:
    text = raw[_LIST_AT[name]]
    return json.loads(text) if text else []


_ENTRY_FIELDS = tuple(EntryRecord.__dataclass_fields__)
_TASK_FIELDS = tuple(TaskRecord.__dataclass_fields__)
_entry_values = operator.attrgetter(*_ENTRY_FIELDS)
_task_values = operator.attrgetter(*_TASK_FIELDS)


def note_row(rec: NoteRecord, config: Config) -> tuple[Any, ...]:
    """The note's `notes` row, then its name keys, (for meetings) link keys, and the keys of every
    note it links to (backlinks) for the lookups."""
    heavy = (json.dumps(rec.properties, ensure_ascii=False),
             # entries and tasks as arrays in field order: no key repeated per task (half the
             # index's size at 50k) and a quicker decode
             json.dumps([_entry_values(e) for e in rec.entries], ensure_ascii=False),
             json.dumps([_task_values(t) for t in rec.tasks], ensure_ascii=False),
             json.dumps({k: getattr(rec, k) for k in META}, ensure_ascii=False))
    # what can date an account through a link: meeting notes, and dated notes filed by `account:`
    # and sources (articles, clippings), which `show` lists under their accounts
    dates_links = config.is_meeting(rec.kind) or bool(rec.note_date and rec.dating.get("accounts")) \
        or rec.kind == "article"
    links = sorted(rec.link_keys()) if rec.error is None and dates_links else []
    lists = (json.dumps(v, ensure_ascii=False) if (v := getattr(rec, k)) else None for k in LISTS)
    return (*(getattr(rec, k) for k in SCALAR), *lists, json.dumps(rec.dating, ensure_ascii=False),
            heavy, sorted(rec.name_keys()), links,
            sorted(rec.ref_keys()) if rec.error is None else [])


def from_row(row: tuple[Any, ...]) -> CachedRecord:
    """A record from a full row (heavy part included), as parsed this run."""
    return CachedRecord(row[:HEAVY_AT], row[HEAVY_AT])


class HeavySource:
    """Fetches cached notes' heavy parts when a command first needs them.

    Only the light columns of every note are read up front; a 50,000-note vault's properties,
    entries and tasks would cost hundreds of MB. A command that needs one note's part usually goes
    on to the notes after it (`task list`, `list --json`), so that part of the next `BATCH` notes in
    scan order comes in the same query: 40 queries for 10,000 notes, not 10,000; and only that part
    (`list` reads 5 MB of properties at 50k, not the 50 MB of entries and tasks beside them). A row
    that changed since (another vaultcrm wrote it) is read again from disk instead, so a record
    never mixes two versions.
    """

    BATCH = 256

    def __init__(self, vault: Vault, config: Config) -> None:
        self.vault, self.config = vault, config
        self._db: sqlite3.Connection | None = None
        self._order: list[CachedRecord] = []
        self._at: dict[str, int] = {}
        # each part's last read-ahead: (record, the text attached); a walk reading two parts of
        # each note in turn keeps both parts' batches
        self._ahead: dict[int, list[tuple[CachedRecord, str]]] = {}
        self._last: dict[int, int] = {}  # each part's last fetch, by scan position
        self._forward: dict[int, bool] = {}  # whether each part's fetches only ever went forward

    def follow(self, records: list[CachedRecord]) -> None:
        """The records this source serves, in scan order (what a batch reads ahead)."""
        self._order = records
        self._at = {r.path: i for i, r in enumerate(records)}

    def fetch(self, rec: CachedRecord, k: int) -> str | None:
        """The text of `rec`'s heavy part `k` (`HEAVY`), reading the same part of the notes after it."""
        i = self._at.get(rec.path)
        ahead = self._order[i + 1:i + self.BATCH] if i is not None and self._order[i] is rec else []
        batch = [rec, *(r for r in ahead if _unfetched(r, k))]
        found = self._select(batch, HEAVY[k])
        # The last batch's read-ahead that no one asked for is let go while the walk goes forward
        # in scan order: one that skips notes (`agenda` reads the tasks of a third of them) would
        # otherwise keep their parts to the end. A walk in another order (`list --sort`) may come
        # back to any of them, and keeps them: letting go there made every note a query of its own.
        position = -1 if i is None else i
        forward = self._forward.get(k, True) and position > self._last.get(k, -1)
        self._forward[k], self._last[k] = forward, position
        for r, text in self._ahead.get(k, ()) if forward else ():
            parts = r.__dict__.get("_heavy")
            if parts and parts[k] is text:
                parts[k] = None
        self._ahead[k] = [(r, found[r.path]) for r in batch if r is not rec and r.path in found]
        for r, text in self._ahead[k]:
            _attach(r, k, text)
        if rec.path in found:
            _attach(rec, k, found[rec.path])
            return found[rec.path]
        info = FileInfo(rec.path, rec.size, rec.mtime_ns)
        fresh = read_one(str(self.vault.root), info, self.config)
        if not isinstance(fresh, NoteRecord):
            return None
        parts = list(note_row(fresh, self.config)[HEAVY_AT])  # all its parts from this one read
        rec.__dict__["_heavy"] = parts
        return parts[k]

    def link_rows(self) -> list[tuple[str, str]] | None:
        """Every (link key, path) of the notes that can date an account through a link (None: the
        cache cannot be read; the caller then works them out from the records)."""
        try:
            return self._connection().execute("SELECT key, path FROM links").fetchall()
        except sqlite3.DatabaseError:
            return None

    def _connection(self) -> sqlite3.Connection:
        if self._db is None:
            uri = (self.vault.state_dir / CACHE_FILE).as_uri() + "?mode=ro"
            self._db = sqlite3.connect(uri, uri=True, timeout=10)
        return self._db

    def _select(self, batch: list[CachedRecord], column: str) -> dict[str, str]:
        """One heavy column of those records whose row still has their size and mtime."""
        want = {r.path: (r.size, r.mtime_ns) for r in batch}
        try:
            marks = ", ".join("?" * len(want))
            rows = self._connection().execute(f"SELECT path, size, mtime_ns, {column} FROM heavy "
                                              f"WHERE path IN ({marks})", list(want)).fetchall()
        except sqlite3.DatabaseError:
            return {}
        return {p: text for p, size, mtime, text in rows if want.get(p) == (size, mtime)}


def _attach(rec: CachedRecord, k: int, text: str) -> None:
    parts = list(rec.__dict__.get("_heavy") or [None] * len(HEAVY))
    parts[k] = text
    rec.__dict__["_heavy"] = parts


def _unfetched(rec: CachedRecord, k: int) -> bool:
    """Neither decoded nor waiting as text: a batch reading part `k` reads it for this note too."""
    d = rec.__dict__
    parts, held = d.get("_heavy"), d.get("_decoded")
    return not (held and HEAVY[k] in held) and not (parts and parts[k] is not None)


def read_one(root: str, info: FileInfo, config: Config) -> NoteRecord | tuple[str, str]:
    """The record of one listed note, or (path, why) when it is not readable text."""
    if info.size > MAX_NOTE_BYTES:
        return info.path, f"note is {info.size:,} bytes; notes over {MAX_NOTE_BYTES:,} bytes are not read"
    try:
        with open(os.path.join(root, info.disk or info.path), "rb") as fh:
            data = read_capped(fh, info.size)
        text = decode(data, info.path)
    except InvalidNote as exc:
        return info.path, exc.message
    except OSError as exc:
        return info.path, exc.strerror or str(exc)
    return build_record(info.path, text, config, size=info.size, mtime_ns=info.mtime_ns)


# ---- reading many notes ------------------------------------------------------------------------
PARALLEL_MIN = 4000  # below this many notes to parse, a second process costs more than it saves
Progress = Callable[[int, int], None]


def _row(root: str, info: FileInfo, config: Config) -> tuple[Any, ...]:
    """The note's full row, or (path, why) when it is not readable text."""
    r = read_one(root, info, config)
    return note_row(r, config) if isinstance(r, NoteRecord) else r


def _read_chunk(args: tuple[str, list[FileInfo], Config]) -> list[Any]:
    root, infos, config = args
    return [_row(root, info, config) for info in infos]


MAX_WORKERS = 8  # past this the parent, which stores every row, is the bottleneck


def worker_count(cpus: int) -> int:
    """How many processes parse a big first run: one per usable core, up to MAX_WORKERS."""
    return max(1, min(cpus, MAX_WORKERS))


def _usable_cpus() -> int:
    """The cores this process may run on (a container or `taskset` may allow fewer than the machine has)."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not on Linux
        return os.cpu_count() or 1


def read_many(vault: Vault, infos: list[FileInfo], config: Config, progress: Progress | None) -> list[Any]:
    """Rows (or unreadable pairs) for `infos`, in their order, on every usable core when there are many."""
    root = str(vault.root)
    cpus = _usable_cpus()
    if len(infos) < PARALLEL_MIN or cpus < 2:
        out = []
        for n, info in enumerate(infos, 1):
            out.append(_row(root, info, config))
            if progress and n % 500 == 0:
                progress(n, len(infos))
        return out
    import multiprocessing as mp

    workers = worker_count(cpus)
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
