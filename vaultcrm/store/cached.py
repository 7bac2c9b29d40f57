"""Lazy cached note records and the reading of one note: split from index.py, which imports them, to keep it small."""

from __future__ import annotations

import json
import os
import sqlite3
from typing import Any

from vaultcrm.config import Config
from vaultcrm.errors import InvalidNote
from vaultcrm.model.records import EntryRecord, NoteRecord, TaskRecord
from vaultcrm.model.scan import build_record
from vaultcrm.store.vault import MAX_NOTE_BYTES, FileInfo, Vault, decode

CACHE_FILE = "index.sqlite"

SCALAR = ("path", "title", "kind", "note_date", "folder_note", "error", "error_line", "size", "mtime_ns")
META = ("aliases", "tags", "links", "named_accounts")
COLUMNS = (*SCALAR, "dating", "meta", "heavy")
HEAVY = ("properties", "entries", "tasks")
HEAVY_AT = len(COLUMNS) - 1


class CachedRecord(NoteRecord):
    """A record read from the cache: scalar columns at once, lists and heavy parts on first use.

    Decoding JSON for 10,000 notes costs more than listing them, and most commands need the
    heavy parts of only a few notes.
    """

    def __init__(self, row: tuple[Any, ...], heavy: str | None = None,
                 source: HeavySource | None = None) -> None:  # noqa: D107 - no dataclass init on purpose
        d = self.__dict__
        d.update(zip(SCALAR, row, strict=False))  # the row has more columns than these
        d["folder_note"] = bool(d["folder_note"])
        d["_raw"] = row
        d["_heavy"] = heavy
        d["_source"] = source

    def __getattr__(self, name: str) -> Any:
        raw = self.__dict__.get("_raw")
        if raw is None:
            raise AttributeError(name)
        if name == "dating":  # what dating an account reads: its own small column
            value = json.loads(raw[len(SCALAR)])
        elif name == "_meta":
            value = json.loads(raw[len(SCALAR) + 1])
        elif name in META[:3]:
            value = self._meta[name]
        elif name in HEAVY:
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


def note_row(rec: NoteRecord, config: Config) -> tuple[Any, ...]:
    """The note's `notes` row, then its name keys and (for meetings) link keys for the lookups."""
    meta = {k: getattr(rec, k) for k in META}
    heavy = {"properties": rec.properties, "entries": [e.__dict__ for e in rec.entries],
             "tasks": [t.__dict__ for t in rec.tasks]}
    # what can date an account through a link: meeting notes, and dated notes filed by `account:`
    dates_links = config.is_meeting(rec.kind) or bool(rec.note_date and rec.dating.get("accounts"))
    links = sorted(rec.link_keys()) if rec.error is None and dates_links else []
    return (*(getattr(rec, k) for k in SCALAR), json.dumps(rec.dating, ensure_ascii=False),
            json.dumps(meta, ensure_ascii=False),
            json.dumps(heavy, ensure_ascii=False), sorted(rec.name_keys()), links)


def from_row(row: tuple[Any, ...]) -> CachedRecord:
    """A record from a full row (heavy part included), as parsed this run."""
    return CachedRecord(row[:HEAVY_AT], row[HEAVY_AT])


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
        fresh = read_one(str(self.vault.root), info, self.config)
        return note_row(fresh, self.config)[HEAVY_AT] if isinstance(fresh, NoteRecord) else None


def read_one(root: str, info: FileInfo, config: Config) -> NoteRecord | tuple[str, str]:
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
