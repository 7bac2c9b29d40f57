"""Finding notes the way a user names them, and filtering records. Pure functions over records."""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from vaultcrm.errors import Ambiguous, NotFound, UsageError
from vaultcrm.model.keys import listed_key
from vaultcrm.model.records import NoteRecord, fold


def matches(records: Iterable[NoteRecord], name: str) -> list[NoteRecord]:
    """Every note that `name` names exactly: by title, alias, file stem, path, or folder-note folder.

    A path (with `/` or ending `.md`) is matched as a path only, so `Customers/OpenAI` never
    reaches a note elsewhere that happens to be titled the same.
    """
    want = fold(name.strip().strip("[]"))
    if not want:
        return []
    records = list(records)
    if "/" in want or want.endswith(".md"):
        by_path = [r for r in records if fold(r.path) in (want, want + ".md")
                   or (r.folder_note and fold(r.folder) == want.rstrip("/"))]
        if by_path:
            return by_path
    return [r for r in records if want in {fold(n) for n in r.names()}]


def resolve(records: Iterable[NoteRecord], name: str) -> NoteRecord:
    """The one note `name` names; NotFound (with close matches) or Ambiguous (with paths) otherwise."""
    records = list(records)
    found = matches(records, name)
    if len(found) == 1:
        return found[0]
    if not found:
        raise NotFound(f"no note named {name!r}", suggestions=suggest(records, name))
    raise Ambiguous(f"{name!r} names {len(found)} notes; give a path to choose one",
                    candidates=[r.path for r in found])


def link_name(records: Iterable[NoteRecord], rec: NoteRecord, *, ignore: Sequence[str] = ()) -> str:
    """What to write inside [[…]] so the link reaches `rec` alone, as Obsidian resolves links:
    the file name when no other note (outside `ignore`) shares it, else the vault path."""
    from vaultcrm.model.records import FOLDER_NOTE_NAMES

    skip = {rec.path, *ignore}
    stem = fold(rec.stem)
    clash = rec.stem.lower() in FOLDER_NOTE_NAMES or any(
        fold(r.stem) == stem for r in records if r.path not in skip)
    return rec.path.removesuffix(".md") if clash else rec.stem


def suggest(records: Sequence[NoteRecord], name: str, n: int = 5) -> list[str]:
    """Close matches for a name that matched nothing: prefix/substring hits first, then fuzzy ones."""
    want = fold(name)
    titles: dict[str, str] = {}
    for r in records:
        for label in (r.title, *r.aliases):
            titles.setdefault(fold(label), label)
    close = [titles[t] for t in titles if want and (t.startswith(want) or want in t)]
    close += [titles[t] for t in difflib.get_close_matches(want, list(titles), n=n, cutoff=0.6)]
    return list(dict.fromkeys(close))[:n]


def parse_where(clauses: Sequence[str]) -> list[tuple[str, str, str]]:
    """`KEY=VALUE`, `KEY!=VALUE`, `KEY~=TEXT` (contains), `KEY` (is set) and `!KEY` (is not set)."""
    out = []
    for clause in clauses:
        for op in ("!=", "~=", "="):
            if op in clause:
                key, value = clause.split(op, 1)
                if not key.strip():
                    raise UsageError(f"--where {clause!r} names no property")
                out.append((key.strip(), op, value.strip()))
                break
        else:
            c = clause.strip()
            if not c:
                raise UsageError("empty --where clause")
            if c == "!":
                raise UsageError("--where '!' names no property")
            out.append((c[1:], "unset", "") if c.startswith("!") else (c, "set", ""))
    return out


def _values(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list):
        return [fold(_text(v)) for v in value if v is not None]
    return [fold(_text(value))]


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def field_value(rec: NoteRecord, key: str) -> Any:
    """A property named in any case (see `listed_key`), or one of the record's own fields (title,
    path, kind, tags, last_contact)."""
    builtin = {"title": rec.title, "path": rec.path, "kind": rec.kind, "tags": rec.tags}
    own = listed_key(rec.properties, key)
    if own is not None:
        return rec.properties[own]
    return builtin.get(key)


def where_ok(rec: NoteRecord, clauses: Sequence[tuple[str, str, str]],
             get: Callable[[NoteRecord, str], Any] | None = None) -> bool:
    """Whether a record passes every clause; `get` reads a field (default: `field_value`)."""
    get = get or field_value
    for key, op, value in clauses:
        have = _values(get(rec, key))
        want = fold(value.strip("\"'"))
        if op == "set" and not have:
            return False
        if op == "unset" and have:
            return False
        if op == "=" and want not in have:
            return False
        if op == "!=" and want in have:
            return False
        if op == "~=" and not any(want in h for h in have):
            return False
    return True


def has_tag(rec: NoteRecord, tag: str) -> bool:
    """Tag match as Obsidian searches: case-insensitive, and `#a` also matches `#a/b`."""
    want = fold(tag.lstrip("#"))
    return any(fold(t) == want or fold(t).startswith(want + "/") for t in rec.tags)


def sort_records(rows: Sequence[NoteRecord], sort: str, get: Callable[[NoteRecord, str], Any]) -> list[NoteRecord]:
    """`rows` by the field `sort` names (`-key` reverses): numbers as numbers before text, notes
    without the field last, ties by path."""
    desc = sort.startswith("-")
    key = sort.lstrip("-")

    def sort_key(r: NoteRecord) -> tuple[int, float, str]:
        v = get(r, key)
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            return (0, float(v), "")
        return (1, 0.0, fold(_text(v)))

    def missing(r: NoteRecord) -> bool:
        return get(r, key) in (None, "", [])

    present = sorted((r for r in rows if not missing(r)), key=lambda r: (sort_key(r), r.path), reverse=desc)
    return present + [r for r in rows if missing(r)]
