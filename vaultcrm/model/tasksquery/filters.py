"""The Obsidian Tasks query language (```tasks blocks): filters, boolean lines, sort and limit.

`evaluate(query, pairs, today, here=record)` returns the tasks Obsidian would list under the block,
as dicts, in Tasks' order. What Tasks documents is followed: text filters are case-insensitive
substring searches, `done` also matches cancelled tasks, `tags include #x` is a substring search of
the task's `#tags`, dates accept ISO, `today`/`tomorrow`/`yesterday`, natural language and ranges
(`this week`, `2026-W05`, `2026-11`, `2026-Q4`, `2026`, `D1 D2`). `group by`, `hide`, `show` and
the layout words are accepted and do not change the result. A line that cannot be understood makes
the result empty and is reported in `.errors`, as Tasks shows "do not understand query" instead of
tasks. Pure: reading note text for `heading` filters is the caller's `read` function.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from vaultcrm.model import grammar
from vaultcrm.dates import ISO_DATE, iso_date

# ---- the items a query looks at -------------------------------------------------------------
_TAG = re.compile(r"(?:(?<=\s)|^)(#[^\s#!\"$%&'()*+,.:;<=>?@\[\]^`{|}~\\]+)")
_PRIORITY = {"🔺": ("highest", 0), "⏫": ("high", 1), "🔼": ("medium", 2), "🔽": ("low", 4), "⏬": ("lowest", 5)}
_PRIORITY_RANK = {"highest": 0, "high": 1, "medium": 2, "none": 3, "low": 4, "lowest": 5}
_PRIORITY_URGENCY = {0: 9.0, 1: 6.0, 2: 3.9, 3: 1.95, 4: 0.0, 5: -1.8}
_STATUS_ORDER = {"IN_PROGRESS": 1, "TODO": 2, "ON_HOLD": 3, "DONE": 4, "CANCELLED": 5, "NON_TASK": 6}
_STATUS_NAMES = {"TODO": "Todo", "IN_PROGRESS": "In Progress", "DONE": "Done", "CANCELLED": "Cancelled",
                 "ON_HOLD": "On Hold", "NON_TASK": "Non-Task"}


class _Item:
    """One task with everything a filter may ask about it, computed on demand."""

    def __init__(self, rec: Any, task: Any, order: int, headings: Callable[[Any, Any], str | None] | None) -> None:
        self.rec, self.task, self.order = rec, task, order
        self._parsed = grammar.parse_task(task.raw) if getattr(task, "raw", None) else None
        self._headings = headings

    @property
    def dates(self) -> dict[str, str]:
        return dict(self._parsed.dates) if self._parsed else ({"due": self.task.due} if self.task.due else {})

    def date(self, field: str) -> date | None:
        return iso_date(self.dates.get(field))

    def date_invalid(self, field: str) -> bool:
        raw = self.dates.get(field)
        return raw is not None and iso_date(raw) is None

    @property
    def status_type(self) -> str:
        s = self.task.status
        if s in grammar.DONE_STATUSES:
            return "DONE"
        if s in grammar.CANCELLED_STATUSES:
            return "CANCELLED"
        return "IN_PROGRESS" if s == "/" else "TODO"

    @property
    def is_done(self) -> bool:
        return self.status_type in ("DONE", "CANCELLED", "NON_TASK")

    @property
    def tags(self) -> list[str]:
        return _TAG.findall(self.task.text)

    @property
    def priority(self) -> int:
        """0 highest … 3 none … 5 lowest, from the priority emoji on the line."""
        raw = self.task.raw or ""
        for emoji, (_, rank) in _PRIORITY.items():
            if emoji in raw[raw.find("]") + 1:]:
                return rank
        return 3

    @property
    def recurrence(self) -> str:
        return (self._parsed.recurrence or "") if self._parsed else ""

    @property
    def heading(self) -> str | None:
        return self._headings(self.rec, self.task) if self._headings else None

    def field_text(self, name: str) -> str | None:
        path = self.rec.path
        folder = path.rsplit("/", 1)[0] + "/" if "/" in path else "/"
        if name == "description":
            return self.task.text
        if name == "path":
            return path
        if name == "filename":
            return path.rsplit("/", 1)[-1]
        if name == "folder":
            return folder
        if name == "root":
            return path.split("/", 1)[0] + "/" if "/" in path else "/"
        if name == "heading":
            return self.heading
        if name == "status.name":
            return _STATUS_NAMES[self.status_type]
        if name == "recurrence":
            return self.recurrence
        if name == "id":
            m = re.search(r"🆔\ufe0f?\s*([A-Za-z0-9_-]+)", self.task.raw or "")
            return m[1] if m else ""
        raise AssertionError(name)

    def urgency(self, today: date) -> float:
        score = _PRIORITY_URGENCY[self.priority]
        due = self.date("due")
        if due is not None:
            days = (due - today).days
            score += 12.0 if days <= -7 else 2.4 if days >= 14 else 8.8 - days * (6.4 / 14)
        scheduled = self.date("scheduled")
        if scheduled is not None and scheduled <= today:
            score += 5.0
        start = self.date("start")
        if start is not None and start > today:
            score -= 3.0
        return round(score, 5)


Predicate = Callable[[_Item], bool]


class QueryLineError(ValueError):
    """A query line Tasks would not understand; the message says which and why."""


# ---- dates -------------------------------------------------------------------------------------
_DATE_FIELDS = {"due": "due", "scheduled": "scheduled", "starts": "start", "start": "start", "created": "created",
                "done": "done", "cancelled": "cancelled", "happens": "happens"}
_DATE_OPS = ("on or before", "on or after", "in or before", "in or after", "before", "after", "on", "in")


def _week_start(d: date) -> date:
    return d - timedelta(days=d.weekday())


def _month_range(y: int, m: int) -> tuple[date, date]:
    start = date(y, m, 1)
    nxt = date(y + (m == 12), m % 12 + 1, 1)
    return start, nxt - timedelta(days=1)


def _date_range(text: str, today: date) -> tuple[date, date]:
    """The inclusive range a date or date-range expression names (a single date is a range of one day)."""
    s = " ".join(text.split()).lower()
    two = re.fullmatch(r"(\d{4}-\d{2}-\d{2}) (\d{4}-\d{2}-\d{2})", s)
    if two:
        a, b = iso_date(two[1]), iso_date(two[2])
        if a is None or b is None:
            raise QueryLineError(f"invalid date range {text!r}")
        return (a, b) if a <= b else (b, a)
    rel = re.fullmatch(r"(last|this|next) (week|month|quarter|year)", s)
    if rel:
        shift = {"last": -1, "this": 0, "next": 1}[rel[1]]
        unit = rel[2]
        if unit == "week":
            start = _week_start(today) + timedelta(weeks=shift)
            return start, start + timedelta(days=6)
        if unit == "year":
            return date(today.year + shift, 1, 1), date(today.year + shift, 12, 31)
        months = 1 if unit == "month" else 3
        index = today.year * 12 + (today.month - 1) // months * months + shift * months
        y, m = divmod(index, 12)
        last_y, last_m = divmod(index + months - 1, 12)
        return date(y, m + 1, 1), _month_range(last_y, last_m + 1)[1]
    week = re.fullmatch(r"(\d{4})-w(\d{1,2})", s)
    if week:
        try:
            start = date.fromisocalendar(int(week[1]), int(week[2]), 1)
        except ValueError:
            raise QueryLineError(f"invalid week {text!r}") from None
        return start, start + timedelta(days=6)
    quarter = re.fullmatch(r"(\d{4})-q([1-4])", s)
    if quarter:
        y, q = int(quarter[1]), int(quarter[2])
        return date(y, 3 * q - 2, 1), _month_range(y, 3 * q)[1]
    month = re.fullmatch(r"(\d{4})-(\d{2})", s)
    if month and 1 <= int(month[2]) <= 12:
        return _month_range(int(month[1]), int(month[2]))
    if re.fullmatch(r"\d{4}", s):
        return date(int(s), 1, 1), date(int(s), 12, 31)
    if ISO_DATE.fullmatch(s):
        d = iso_date(s)
        if d is None:
            raise QueryLineError(f"invalid date {text!r}")
        return d, d
    simple = {"today": 0, "tomorrow": 1, "yesterday": -1}
    if s in simple:
        d = today + timedelta(days=simple[s])
        return d, d
    from vaultcrm.dates import parse_date
    from vaultcrm.errors import UsageError

    try:
        d = parse_date(text, today=today)
    except UsageError:
        raise QueryLineError(f"cannot read {text.strip()!r} as a date") from None
    return d, d


def _date_filter(field: str, rest: str, today: date) -> Predicate:
    rest = rest.strip()
    low = rest.lower()
    if field != "happens" and low == "date is invalid":
        return lambda it: it.date_invalid(field)
    op = "on"
    for candidate in _DATE_OPS:
        if low.startswith(candidate + " "):
            op, rest = candidate, rest[len(candidate):].strip()
            break
    if not rest:
        raise QueryLineError("a date is missing")
    start, end = _date_range(rest, today)

    def ok(d: date | None) -> bool:
        if d is None:
            return False
        if op in ("on", "in"):
            return start <= d <= end
        if op == "before":
            return d < start
        if op == "after":
            return d > end
        if op in ("on or before", "in or before"):
            return d <= end
        return d >= start  # on or after, in or after

    if field == "happens":
        return lambda it: any(ok(it.date(f)) for f in ("due", "scheduled", "start"))
    return lambda it: ok(it.date(field))


# ---- text filters ------------------------------------------------------------------------------
_TEXT_FIELDS = ("description", "path", "filename", "folder", "root", "heading", "status.name", "recurrence", "id")


def _regex(spec: str) -> re.Pattern[str]:
    m = re.fullmatch(r"/(.*)/([a-z]*)", spec.strip(), re.DOTALL)
    if not m:
        raise QueryLineError(f"a regular expression must look like /pattern/ (got {spec.strip()!r})")
    flags = re.IGNORECASE if "i" in m[2] else 0
    flags |= re.MULTILINE if "m" in m[2] else 0
    flags |= re.DOTALL if "s" in m[2] else 0
    try:
        return re.compile(m[1], flags)
    except re.error as exc:
        raise QueryLineError(f"bad regular expression {spec.strip()!r}: {exc}") from None


def _text_filter(name: str, rest: str) -> Predicate | None:
    low = rest.lower()
    for verb, negate in (("includes ", False), ("does not include ", True), ("include ", False),
                         ("do not include ", True)):
        if low.startswith(verb):
            needle = rest[len(verb):].strip().lower()
            if name == "tags":
                def has_tag(it: _Item) -> bool:
                    return any(needle.lstrip("#") in t.lower() if not needle.startswith("#") else needle in t.lower()
                               for t in it.tags)
                return (lambda it: not has_tag(it)) if negate else has_tag

            def contains(it: _Item) -> bool:
                value = it.field_text(name)
                return value is not None and needle in value.lower()

            if name == "heading" and negate:  # a task with no heading does not include anything
                return lambda it: not contains(it)
            return (lambda it: not contains(it)) if negate else contains
    for verb, negate in (("regex matches ", False), ("regex does not match ", True)):
        if low.startswith(verb):
            pattern = _regex(rest[len(verb):])
            if name == "tags":
                def tag_match(it: _Item) -> bool:
                    return any(pattern.search(t) for t in it.tags)
                return (lambda it: not tag_match(it)) if negate else tag_match

            def matches(it: _Item) -> bool:
                value = it.field_text(name)
                return value is not None and pattern.search(value) is not None

            return (lambda it: not matches(it)) if negate else matches
    return None


# ---- one filter ----------------------------------------------------------------------------------
_STATUS_TYPES = set(_STATUS_ORDER)


def parse_filter(line: str, today: date) -> Predicate | None:
    """A predicate for one filter instruction, or None when the line is no filter at all."""
    s = " ".join(line.split())
    low = s.lower()
    if low == "done":
        return lambda it: it.is_done
    if low == "not done":
        return lambda it: not it.is_done
    m = re.fullmatch(r"(has|no) (due|scheduled|start|created|done|cancelled|happens) date", low)
    if m:
        want, fld = m[1] == "has", m[2]
        if fld == "happens":
            return lambda it: any(it.date(f) for f in ("due", "scheduled", "start")) == want
        return lambda it: (it.date(fld) is not None) == want
    if low in ("has tags", "has tag"):
        return lambda it: bool(it.tags)
    if low in ("no tags", "no tag"):
        return lambda it: not it.tags
    if low in ("is recurring", "is not recurring"):
        want = low == "is recurring"
        return lambda it: bool(it.recurrence) == want
    if low in ("has id", "no id"):
        want = low == "has id"
        return lambda it: bool(it.field_text("id")) == want
    if low == "exclude sub-items":
        return lambda it: not _indented(it)
    m = re.fullmatch(r"status\.type (is|is not) (\w+)", low)
    if m:
        kind = m[2].upper()
        if kind not in _STATUS_TYPES:
            raise QueryLineError(f"unknown status type {m[2]!r}")
        return (lambda it: it.status_type == kind) if m[1] == "is" else (lambda it: it.status_type != kind)
    m = re.fullmatch(r"priority is (?:(above|below|not) )?(lowest|low|none|medium|high|highest)", low)
    if m:
        rank = _PRIORITY_RANK[m[2]]
        cmp = {None: lambda p: p == rank, "not": lambda p: p != rank,
               "above": lambda p: p < rank, "below": lambda p: p > rank}[m[1]]
        return lambda it: cmp(it.priority)
    head, _, rest = s.partition(" ")
    key = head.lower()
    if key in _DATE_FIELDS and rest:
        return _date_filter(_DATE_FIELDS[key], rest, today)
    if key in ("tag", "tags") and rest:
        return _text_filter("tags", rest)
    if key in _TEXT_FIELDS and rest:
        return _text_filter(key, rest)
    return None


def _indented(it: _Item) -> bool:
    raw = it.task.raw or ""
    return bool(re.match(r"(?:>\s*)*[ \t]+[-*+\d]", raw))


# ---- boolean lines ---------------------------------------------------------------------------------
_DELIMS = {"(": ")", "[": "]", "{": "}", '"': '"'}
_OPS = ("AND NOT", "OR NOT", "AND", "OR", "XOR")


def _is_boolean(line: str) -> bool:
    s = line.lstrip()
    return s[:1] in _DELIMS or s.startswith("NOT ")


def _tokens(text: str) -> list[tuple[str, str]]:
    """Split a boolean line into ('op', AND…) / ('not', NOT) / ('sub', text inside delimiters)."""
    out: list[tuple[str, str]] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch.isspace():
            i += 1
            continue
        if ch in _DELIMS:
            close = _DELIMS[ch]
            depth, j = 1, i + 1
            while j < n:
                if text[j] == close:
                    depth = 0 if close == ch else depth - 1  # quotes do not nest
                    if depth == 0:
                        break
                elif text[j] == ch:
                    depth += 1
                j += 1
            if j >= n:
                raise QueryLineError(f"unbalanced {ch!r} in boolean instruction")
            out.append(("sub", text[i + 1:j]))
            i = j + 1
            continue
        for op in ("NOT", *_OPS):
            if text.startswith(op, i) and (i + len(op) == n or not text[i + len(op)].isalnum()):
                if op == "NOT":
                    if out and out[-1] == ("op", "AND"):
                        out[-1] = ("op", "AND NOT")
                    elif out and out[-1] == ("op", "OR"):
                        out[-1] = ("op", "OR NOT")
                    else:
                        out.append(("not", "NOT"))
                else:
                    out.append(("op", op))
                i += len(op)
                break
        else:
            raise QueryLineError(f"expected a filter in delimiters or AND/OR/NOT/XOR at {text[i:]!r}")
    return out


def _parse_boolean(text: str, today: date) -> Predicate:
    toks = _tokens(text)
    pos = 0

    def atom() -> Predicate:
        nonlocal pos
        if pos >= len(toks):
            raise QueryLineError("a boolean instruction ends too early")
        kind, val = toks[pos]
        pos += 1
        if kind == "not":
            inner = atom()
            return lambda it: not inner(it)
        if kind != "sub":
            raise QueryLineError(f"unexpected {val}")
        inner_text = val.strip()
        if _is_boolean(inner_text):
            return _parse_boolean(inner_text, today)
        p = parse_filter(inner_text, today)
        if p is None:
            raise QueryLineError(f"do not understand filter {inner_text!r}")
        return p

    def level(ops: tuple[str, ...], lower: Callable[[], Predicate]) -> Predicate:
        nonlocal pos
        left = lower()
        while pos < len(toks) and toks[pos][0] == "op" and toks[pos][1] in ops:
            op = toks[pos][1]
            pos += 1
            right = lower()
            left = _combine(op, left, right)
        return left

    def xor_level() -> Predicate:
        return level(("XOR",), atom)

    def and_level() -> Predicate:
        return level(("AND", "AND NOT"), xor_level)

    def or_level() -> Predicate:
        return level(("OR", "OR NOT"), and_level)

    result = or_level()
    if pos != len(toks):
        raise QueryLineError(f"unexpected {toks[pos][1]!r} in boolean instruction")
    return result


def _combine(op: str, a: Predicate, b: Predicate) -> Predicate:
    if op == "AND":
        return lambda it: a(it) and b(it)
    if op == "AND NOT":
        return lambda it: a(it) and not b(it)
    if op == "OR":
        return lambda it: a(it) or b(it)
    if op == "OR NOT":
        return lambda it: a(it) or not b(it)
    return lambda it: a(it) != b(it)


# ---- sorting -----------------------------------------------------------------------------------
_FAR = date.max


def _sort_key(name: str, today: date) -> Callable[[_Item], Any] | None:
    if name in ("due", "scheduled", "start", "created", "done", "cancelled", "happens"):
        fld = name

        def by_date(it: _Item) -> Any:
            if fld == "happens":
                ds = [d for d in (it.date("due"), it.date("scheduled"), it.date("start")) if d]
                d = min(ds) if ds else None
            else:
                d = it.date(fld)
            return (d is None, d or _FAR)

        return by_date
    simple: dict[str, Callable[[_Item], Any]] = {
        "status": lambda it: it.is_done,
        "status.type": lambda it: _STATUS_ORDER[it.status_type],
        "status.name": lambda it: _STATUS_NAMES[it.status_type].lower(),
        "urgency": lambda it: -it.urgency(today),
        "priority": lambda it: it.priority,
        "path": lambda it: it.rec.path.lower(),
        "filename": lambda it: it.rec.path.rsplit("/", 1)[-1].lower(),
        "folder": lambda it: it.field_text("folder").lower(),  # type: ignore[union-attr]
        "root": lambda it: it.field_text("root").lower(),  # type: ignore[union-attr]
        "description": lambda it: _sortable_description(it.task.text),
        "heading": lambda it: ((it.heading or "") == "", (it.heading or "").lower()),
        "tag": lambda it: (not it.tags, it.tags[0].lower() if it.tags else ""),
        "recurring": lambda it: not it.recurrence,
        "id": lambda it: it.field_text("id") or "",
    }
    return simple.get(name)


def _sortable_description(text: str) -> str:
    """Tasks sorts descriptions without leading markdown emphasis and links' brackets."""
    return re.sub(r"^[*_=~\[]+|\]\]", "", text).lower()


_DEFAULT_SORT = ("status.type", "urgency", "due", "priority", "path")


# ---- the query ---------------------------------------------------------------------------------
@dataclass
class Query:
    """A parsed query block: filters (all must hold), sort keys, limit, and what was not understood."""

    filters: list[Predicate] = field(default_factory=list)
    sorts: list[tuple[Callable[[_Item], Any], bool]] = field(default_factory=list)
    limit: int | None = None
    errors: list[str] = field(default_factory=list)
    needs_headings: bool = False


class Results(list):  # type: ignore[type-arg]
    """The tasks a query lists (dicts), with `errors` (lines not understood) and `total` before `limit`."""

    def __init__(self, items: Sequence[dict[str, Any]] = (), errors: Sequence[str] = (), total: int = 0) -> None:
        super().__init__(items)
        self.errors = list(errors)
        self.total = total


_IGNORED = re.compile(
    r"(group by|hide|show|short mode|full mode|short|full|explain|ignore global query|layout|"
    r"limit groups)\b", re.IGNORECASE)


def _placeholders(text: str, here: Any) -> str:
    def sub(m: re.Match[str]) -> str:
        name = m[1].strip()
        if name.startswith("!"):
            return ""
        if here is None:
            raise QueryLineError(f"placeholder {{{{{name}}}}} needs the note that holds the query")
        path: str = here.path
        folder = path.rsplit("/", 1)[0] + "/" if "/" in path else "/"
        values = {
            "query.file.path": path,
            "query.file.pathWithoutExtension": path.removesuffix(".md"),
            "query.file.folder": folder,
            "query.file.root": path.split("/", 1)[0] + "/" if "/" in path else "/",
            "query.file.filename": path.rsplit("/", 1)[-1],
            "query.file.filenameWithoutExtension": path.rsplit("/", 1)[-1].removesuffix(".md"),
        }
        if name not in values:
            raise QueryLineError(f"unknown placeholder {{{{{name}}}}}")
        return values[name]

    return re.sub(r"\{\{(.*?)\}\}", sub, text)


def logical_lines(text: str) -> list[tuple[int, str]]:
    """(1-based line in the block, instruction) after joining `\\` continuations and dropping comments."""
    out: list[tuple[int, str]] = []
    pending: list[str] = []
    start = 0
    for n, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not pending:
            start = n
        if line.endswith("\\\\"):
            pending.append(line[:-1])
        elif line.endswith("\\"):
            pending.append(line[:-1].rstrip())
            continue
        else:
            pending.append(line)
        joined = " ".join(p for p in pending if p).strip()
        pending = []
        if joined and not joined.startswith("#"):
            out.append((start, joined))
    if pending:
        joined = " ".join(p for p in pending if p).strip()
        if joined and not joined.startswith("#"):
            out.append((start, joined))
    return out


def parse(text: str, today: date, here: Any = None) -> Query:
    """Parse a query block; every line not understood becomes an entry of `errors`."""
    q = Query()
    for n, line in logical_lines(text):
        try:
            line = _placeholders(line, here).strip()
            if not line:
                continue
            low = " ".join(line.lower().split())
            m = re.fullmatch(r"limit (?:to )?(\d+)(?: tasks?)?", low)
            if m:
                q.limit = int(m[1])
                continue
            m = re.fullmatch(r"sort by ([\w.]+)( reverse)?", low)
            if m:
                key = _sort_key(m[1], today)
                if key is None:
                    raise QueryLineError(f"cannot sort by {m[1]!r}")
                q.sorts.append((key, bool(m[2])))
                q.needs_headings |= m[1] == "heading"
                continue
            if _IGNORED.match(low):
                continue
            if low.startswith(("filter by function", "sort by function", "group by function")):
                raise QueryLineError("custom JavaScript functions are not supported")
            pred = _parse_boolean(line, today) if _is_boolean(line) else parse_filter(line, today)
            if pred is None:
                raise QueryLineError("do not understand this instruction")
            q.needs_headings |= "heading" in low
            q.filters.append(pred)
        except QueryLineError as exc:
            q.errors.append(f"line {n}: {line}: {exc}")
    return q


def evaluate(query: str, tasks: Sequence[tuple[Any, Any]], today: date, here: Any = None,
             read: Callable[[str], str] | None = None) -> Results:
    """The tasks the query block lists, in Tasks' order, as dicts (path, title, line, text, done, due, id…).

    `tasks` are (note record, task record) pairs; `here` is the note holding the query (for
    `{{query.file.*}}`); `read(path)` returns a note's text, needed only for `heading` filters.
    """
    q = parse(query, today, here)
    headings = _heading_reader(read) if q.needs_headings else None
    if q.needs_headings and headings is None:
        q.errors.append("heading filters need the notes' text, which is not available here")
    if q.errors:
        return Results([], q.errors, 0)
    items = [_Item(rec, t, i, headings) for i, (rec, t) in enumerate(tasks)]
    kept = [it for it in items if all(f(it) for f in q.filters)]
    kept.sort(key=lambda it: (it.rec.path.lower(), it.task.line))  # the file order Tasks starts from
    for name in reversed(_DEFAULT_SORT):
        key = _sort_key(name, today)
        assert key is not None
        kept.sort(key=key)
    for key, rev in reversed(q.sorts):
        kept.sort(key=key, reverse=rev)
    total = len(kept)
    if q.limit is not None:
        kept = kept[: q.limit]
    return Results([_as_dict(it) for it in kept], [], total)


def _as_dict(it: _Item) -> dict[str, Any]:
    t = it.task
    return {"id": t.id, "title": it.rec.title, "path": it.rec.path, "line": t.line, "text": t.text,
            "status": t.status, "done": t.done, "cancelled": t.cancelled, "due": t.due,
            "done_date": t.done_date}


def _heading_reader(read: Callable[[str], str] | None) -> Callable[[Any, Any], str | None] | None:
    if read is None:
        return None
    from vaultcrm.model.note import Note

    cache: dict[str, list[tuple[int, str]]] = {}

    def heading(rec: Any, task: Any) -> str | None:
        if rec.path not in cache:
            try:
                note = Note.parse(read(rec.path), rec.path)
                cache[rec.path] = [(s.start + 1, s.heading) for s in note.sections]
            except Exception:  # noqa: BLE001 - an unreadable note has no headings to match
                cache[rec.path] = []
        found = None
        for line, text in cache[rec.path]:
            if line < task.line:
                found = text
        return found

    return heading
