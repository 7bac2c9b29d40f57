"""Read-only answers from the index an earlier run left, for shell completion: titles, kinds, tags
and property keys. A Tab must answer at once, so this imports only what a query needs (not the
note model nor the store's writers): `layout` for where the index is, `names` for how names fold."""

from __future__ import annotations

import contextlib
import os
import sqlite3
from pathlib import Path

from vaultcrm.model.names import fold
from vaultcrm.store.layout import INDEX_FILE, SCHEMA, STATE_DIR

PEEK = {"titles": "SELECT DISTINCT title FROM notes WHERE :p = '' OR path IN (SELECT path FROM names "
                  "WHERE key >= :p AND key < :p || char(1114111))", "kinds": "SELECT DISTINCT kind FROM notes",
        "tags": "SELECT DISTINCT j.value FROM notes, json_each(tags) j WHERE tags IS NOT NULL",
        "keys": "SELECT DISTINCT j.key FROM heavy h, json_each(h.properties) j "
                "WHERE :n IS NULL OR h.path IN (SELECT path FROM names WHERE key = :n)"}


def index_file(root: Path) -> Path | None:
    """The vault's index file, unless `.vaultcrm/` leads outside the vault (as `Vault.state_dir`
    refuses it): a planted link must not make a Tab read another vault's names."""
    state = root / STATE_DIR
    real, inside = os.path.realpath(state), os.path.realpath(root)
    if os.path.commonpath([real, inside]) != inside:
        return None
    return state / INDEX_FILE


def peek(root: Path, what: str, prefix: str = "", note: str | None = None) -> list[str]:
    """The titles, kinds, tags or property keys (`what`, of the notes `note` names) starting with
    `prefix` in any case, sorted; nothing when there is no index (it is never built here), when it
    is of another schema, or when anything goes wrong."""
    want, rows = fold(prefix), []
    path = index_file(root)
    if path is None or not path.is_file():
        return []
    with contextlib.suppress(sqlite3.Error, OSError, TypeError), \
            contextlib.closing(sqlite3.connect(path.as_uri() + "?mode=ro", uri=True, timeout=0.5)) as db:
        if str(db.execute("SELECT value FROM meta WHERE key = 'stamp'").fetchone()[0]).startswith(f"{SCHEMA}:"):
            rows = db.execute(PEEK[what], {"p": want, "n": fold(note) if note else None}).fetchall()
    return sorted({str(v) for (v,) in rows if v is not None and fold(str(v)).startswith(want)}, key=str.casefold)
