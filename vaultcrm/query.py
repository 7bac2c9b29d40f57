"""Finding notes the way a user names them, and filtering records. Pure functions over records."""

from __future__ import annotations

import difflib
import operator
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from vaultcrm.dates import iso_date, parse_date
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


BUILTIN_FIELDS = ("title", "path", "kind", "tags", "aliases", "last_contact")
ORDER_OPS: dict[str, Callable[[Any, Any], bool]] = {"<": operator.lt, "<=": operator.le, ">": operator.gt,
                                                    ">=": operator.ge}
_OPS = ("<=", ">=", "!=", "~=", "<", ">", "=")  # at each position, two-character operators first
WHERE_FORMS = ("--where takes KEY=VALUE, KEY!=VALUE, KEY~=TEXT (contains), KEY<V, KEY<=V, KEY>V, KEY>=V "
               "(V a number such as 50000, or a date: YYYY-MM-DD, -90d, +2w, yesterday, 'last month', "
               "'2 weeks ago'), KEY (is set) or !KEY (is not set); quote a value that starts with < > or =")
# a number as a comparison reads it: no thousands separators (`50,000` is 50.000 in half the world)
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")
# a date value: YYYY-MM-DD, or a YAML/ISO date-time on that day
_DATE_VALUE = re.compile(r"\d{4}-\d{2}-\d{2}(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:Z|[+-]\d{2}:?\d{2})?)?")


@dataclass(frozen=True)
class Clause:
    """One `--where` condition; `bound` is what an ordering operator (< <= > >=) compares with."""

    key: str
    op: str  # = != ~= < <= > >= set unset
    value: str = ""
    bound: float | date | None = None


def parse_where(clauses: Sequence[str], today: date) -> list[Clause]:
    """`KEY=VALUE`, `KEY!=VALUE`, `KEY~=TEXT` (contains), `KEY<V`, `KEY<=V`, `KEY>V`, `KEY>=V` (V a
    number, or a date that `dates.parse_date` reads, relative to `today`), `KEY` (is set) and `!KEY`
    (is not set). The leftmost operator splits a clause; a malformed one is a UsageError."""
    return [_clause(c, today) for c in clauses]


def _clause(raw: str, today: date) -> Clause:
    text = raw.strip()
    if not text:
        raise _bad("empty --where clause")
    found = _split_op(text)
    if found is None:
        key = text[1:].strip() if text.startswith("!") else text
        if not key:
            raise _bad(f"--where {raw!r} names no property")
        return Clause(key, "unset" if text.startswith("!") else "set")
    key, op, value = found[0].strip(), found[1], found[2].strip()
    if not key:
        raise _bad(f"--where {raw!r} names no property before {op!r}")
    if key.startswith("!"):
        raise _bad(f"--where {raw!r}: '!' goes only before a bare KEY (is not set); write KEY!=VALUE for 'is not'")
    if value[:1] in ("<", ">", "="):
        raise _bad(f"--where {raw!r}: the value {value!r} starts with an operator")
    if op not in ORDER_OPS:
        return Clause(key, op, value)
    return Clause(key, op, value, _bound(raw, op, value, today))


def _split_op(text: str) -> tuple[str, str, str] | None:
    """(key, operator, value) at the leftmost operator, or None for a bare `KEY`/`!KEY`."""
    for i in range(len(text)):
        for op in _OPS:
            if text.startswith(op, i):
                return text[:i], op, text[i + len(op):]
    return None


def _bound(raw: str, op: str, value: str, today: date) -> float | date:
    """What `KEY<V` compares with: a number when V reads as one, else a date (ISO or relative)."""
    text = value.strip("\"'").strip()
    if not text:
        raise _bad(f"--where {raw!r}: no value after {op!r}")
    if _NUMBER.fullmatch(text):
        return float(text)
    try:
        return parse_date(text, today=today, prefer="past")
    except UsageError:
        raise _bad(f"--where {raw!r}: cannot read {text!r} as a number or a date") from None


def _bad(message: str) -> UsageError:
    return UsageError(message, hint=WHERE_FORMS)


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


def as_number(value: Any) -> float | None:
    """A value as a comparison or a sort reads a number: YAML numbers, and text that is a plain
    decimal (`"50000"`, as Account Status cells hold them); `50,000`, `$50k` and booleans are not."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str) and _NUMBER.fullmatch(value.strip()):
        return float(value.strip())
    return None


def as_date(value: Any) -> date | None:
    """A value as a comparison reads a date: `YYYY-MM-DD`, or a date-time (its day); other text is not."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str) and _DATE_VALUE.fullmatch(value.strip()):
        return iso_date(value.strip())
    return None


def field_value(rec: NoteRecord, key: str) -> Any:
    """A property named in any case (see `listed_key`), or one of the record's own fields (title,
    path, kind, tags, aliases; `ops` supplies the effective last_contact)."""
    builtin = {"title": rec.title, "path": rec.path, "kind": rec.kind, "tags": rec.tags, "aliases": rec.aliases}
    own = listed_key(rec.properties, key)
    if own is not None:
        return rec.properties[own]
    return builtin.get(key)


def where_ok(rec: NoteRecord, clauses: Sequence[Clause],
             get: Callable[[NoteRecord, str], Any] | None = None) -> bool:
    """Whether a record passes every clause; `get` reads a field (default: `field_value`)."""
    get = get or field_value
    return all(passes(c, get(rec, c.key)) for c in clauses)


def passes(clause: Clause, value: Any) -> bool:
    """Whether a field's value meets one clause. Text tests compare case-folded text (a list: any
    item). An ordering test needs a value of the bound's type, a number or a date (a list: any
    item); a missing value, or one of the other type (text, a date against a number), never passes."""
    if clause.op in ORDER_OPS:
        test, bound = ORDER_OPS[clause.op], clause.bound
        read = as_date if isinstance(bound, date) else as_number
        items = value if isinstance(value, list) else [value]
        return any((v := read(i)) is not None and test(v, bound) for i in items)
    have = _values(value)
    want = fold(clause.value.strip("\"'"))
    if clause.op == "set":
        return bool(have)
    if clause.op == "unset":
        return not have
    if clause.op == "=":
        return want in have
    if clause.op == "!=":
        return want not in have
    return any(want in h for h in have)  # ~=


def close_keys(name: str, known: Iterable[str], n: int = 3) -> list[str]:
    """Known field names close to `name`, compared in any case, for a "did you mean" line."""
    by_fold: dict[str, str] = {}
    for k in known:
        by_fold.setdefault(k.lower(), k)
    return [by_fold[k] for k in difflib.get_close_matches(name.lower(), list(by_fold), n=n, cutoff=0.6)]


def has_tag(rec: NoteRecord, tag: str) -> bool:
    """Tag match as Obsidian searches: case-insensitive, and `#a` also matches `#a/b`."""
    want = fold(tag.lstrip("#"))
    return any(fold(t) == want or fold(t).startswith(want + "/") for t in rec.tags)


def sort_records(rows: Sequence[NoteRecord], sort: str, get: Callable[[NoteRecord, str], Any]) -> list[NoteRecord]:
    """`rows` by the field `sort` names (`-key` reverses): numbers (and text that `as_number` reads)
    as numbers before text, notes without the field last, ties by path."""
    desc = sort.startswith("-")
    key = sort.lstrip("-")

    def sort_key(r: NoteRecord) -> tuple[int, float, str]:
        v = get(r, key)
        n = as_number(v)
        if n is not None:
            return (0, n, "")
        return (1, 0.0, fold(_text(v)))

    def missing(r: NoteRecord) -> bool:
        return get(r, key) in (None, "", [])

    present = sorted((r for r in rows if not missing(r)), key=lambda r: (sort_key(r), r.path), reverse=desc)
    return present + [r for r in rows if missing(r)]
