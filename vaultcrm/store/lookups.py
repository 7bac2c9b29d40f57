"""What the index answers without building a record per note: which notes link to a note
(backlinks), which notes hold some words (mentions), and the light records of a few paths.

Backlinks come from the `refs` table, filled as each note is indexed. Mentions come from a
full-text index of the notes' words (SQLite's FTS5), made the first time a mention search runs
and kept in step afterwards: the index drops a note's `words_docs` row whenever it re-reads the
note, and the next search reads and indexes only those notes again. The FTS table is contentless
(it holds no copy of the text, so it stays a fraction of the notes' size) with `detail=none`, and
SQLite before 3.43 cannot delete from such a table: a note indexed again gets a new row id, the old
one is left dead (nothing in `words_docs` points at it), and the table is rebuilt when the dead
outnumber the living.

Every answer is a superset to be checked against the notes' text (the caller reads the few
candidates); None means "no index here, read them all" (`VAULTCRM_NO_CACHE`, or an SQLite
without FTS5).
"""

from __future__ import annotations

import os
import sqlite3
import unicodedata
from collections.abc import Iterable, Sequence

from vaultcrm.config import Config
from vaultcrm.model.grammar import ANY_TARGET
from vaultcrm.model.records import NoteRecord
from vaultcrm.store import indexdb
from vaultcrm.store.cached import COLUMNS, HEAVY_AT, CachedRecord
from vaultcrm.store.guard import read_capped
from vaultcrm.store.vault import Vault

_TOKENIZER = "unicode61 remove_diacritics 2"  # folds case and accents: a wider net, never a narrower one
_CHUNK = 500  # SQLite caps the parameters of one statement
DEAD_SLACK = 1000  # dead FTS rows tolerated beyond the live ones before the table is made anew


def referrers(vault: Vault, config: Config, keys: Iterable[str]) -> set[str] | None:
    """Paths of the notes whose links (wikilinks or Markdown) reach one of the folded `keys`, and
    of those with a line too hostile to scan; None without an index."""
    db = indexdb.connect(vault, config)
    if db is None:
        return None
    wanted = sorted({*keys, ANY_TARGET})
    try:
        return {p for i in range(0, len(wanted), _CHUNK) for (p,) in db.execute(
            f"SELECT path FROM refs WHERE key IN ({', '.join('?' * len(wanted[i:i + _CHUNK]))})",
            wanted[i:i + _CHUNK])}
    except sqlite3.DatabaseError:
        return None
    finally:
        db.close()


def records_at(vault: Vault, config: Config, paths: Iterable[str]) -> list[NoteRecord]:
    """The light records (no heavy parts) of the indexed, readable notes at `paths`, in path order."""
    db = indexdb.connect(vault, config)
    if db is None:
        return []
    error = COLUMNS.index("error")
    try:
        return [CachedRecord(row) for row in indexdb.rows_for(db, ", ".join(COLUMNS[:HEAVY_AT]), set(paths))
                if row[error] is None]
    finally:
        db.close()


def mentioning(vault: Vault, config: Config, names: Sequence[str]) -> set[str] | None:
    """Paths of the readable notes holding every word of at least one of `names` (in any case,
    with or without accents): the only notes where one of them can stand as a whole phrase. None
    when there is no index or no FTS5, or a name has no word at all (then every note is a
    candidate)."""
    db = indexdb.connect(vault, config)
    if db is None:
        return None
    try:
        unread = _catch_up(db, vault)
        groups = _words(db, names)
        if groups is None:
            return None
        query = " OR ".join("(" + " AND ".join(f'"{w}"' for w in words) + ")" for words in groups)
        return unread | {p for (p,) in db.execute(
            "SELECT d.path FROM words w JOIN words_docs d ON d.rowid = w.rowid WHERE words MATCH ?", (query,))}
    except sqlite3.DatabaseError:  # no FTS5 in this SQLite, a locked or damaged file: read every note
        return None
    finally:
        db.close()


def _words(db: sqlite3.Connection, names: Sequence[str]) -> list[list[str]] | None:
    """Each name's words as FTS5 itself splits and folds them (its own tokenizer, through a
    scratch table and `fts5vocab`), so a query word is never split differently from the text's."""
    db.execute(f"CREATE VIRTUAL TABLE IF NOT EXISTS temp.scratch USING fts5(t, tokenize='{_TOKENIZER}')")
    db.execute("CREATE VIRTUAL TABLE IF NOT EXISTS temp.scratch_vocab USING fts5vocab(scratch, 'instance')")
    db.execute("DELETE FROM temp.scratch")
    db.executemany("INSERT INTO temp.scratch (rowid, t) VALUES (?, ?)",
                   [(i + 1, unicodedata.normalize("NFC", n)) for i, n in enumerate(names)])
    groups: dict[int, set[str]] = {i + 1: set() for i in range(len(names))}
    for term, doc in db.execute("SELECT term, doc FROM temp.scratch_vocab"):
        groups[doc].add(term.replace('"', '""'))
    if not names or any(not g for g in groups.values()):
        return None
    return [sorted(g) for _, g in sorted(groups.items())]


def _catch_up(db: sqlite3.Connection, vault: Vault) -> set[str]:
    """Index the words of every readable note the FTS table does not hold yet (all of them the
    first time), after dropping the table if dead rows outnumber live ones. Returns the notes that
    could not be read so (an NFD file name on macOS): candidates of every search, as they may hold
    any word."""
    db.execute("BEGIN IMMEDIATE")
    try:
        live = db.execute("SELECT count(*) FROM words_docs").fetchone()[0]
        row = db.execute("SELECT value FROM meta WHERE key = 'words_next'").fetchone()
        nxt = int(row[0]) if row else 1
        if row is None or nxt - 1 - live > live + DEAD_SLACK:
            db.execute("DROP TABLE IF EXISTS words")
            db.execute("DELETE FROM words_docs")
            db.execute(f"CREATE VIRTUAL TABLE words USING fts5(body, content='', detail=none, "
                       f"tokenize='{_TOKENIZER}')")
            nxt = 1
        todo = [p for (p,) in db.execute(
            "SELECT path FROM notes WHERE error IS NULL AND path NOT IN (SELECT path FROM words_docs) "
            "ORDER BY path")]
        root = str(vault.root)
        unread = set()
        for path in todo:
            text = _text(root, path)
            if text is None:
                unread.add(path)
                continue
            db.execute("INSERT INTO words (rowid, body) VALUES (?, ?)", (nxt, text))
            db.execute("INSERT INTO words_docs (rowid, path) VALUES (?, ?)", (nxt, path))
            nxt += 1
        db.execute("INSERT OR REPLACE INTO meta VALUES ('words_next', ?)", (str(nxt),))
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise
    return unread


def _text(root: str, path: str) -> str | None:
    """The note's text, NFC (as the mention search compares), or None if it cannot be read now."""
    try:
        with open(os.path.join(root, path), "rb") as fh:
            data = read_capped(fh, os.fstat(fh.fileno()).st_size)
        return unicodedata.normalize("NFC", data.decode("utf-8", errors="replace"))
    except OSError:
        return None
