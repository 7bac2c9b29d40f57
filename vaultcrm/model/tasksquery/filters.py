"""The filters of the Tasks query language: date, text, status and boolean lines."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta

from vaultcrm.dates import ISO_DATE, iso_date
from vaultcrm.model.tasksquery.items import (
    PRIORITY_RANK,
    STATUS_ORDER,
    Item,
    Predicate,
    QueryLineError,
)


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
                def has_tag(it: Item) -> bool:
                    return any(needle.lstrip("#") in t.lower() if not needle.startswith("#") else needle in t.lower()
                               for t in it.tags)
                return (lambda it: not has_tag(it)) if negate else has_tag

            def contains(it: Item) -> bool:
                value = it.field_text(name)
                return value is not None and needle in value.lower()

            if name == "heading" and negate:  # a task with no heading does not include anything
                return lambda it: not contains(it)
            return (lambda it: not contains(it)) if negate else contains
    for verb, negate in (("regex matches ", False), ("regex does not match ", True)):
        if low.startswith(verb):
            pattern = _regex(rest[len(verb):])
            if name == "tags":
                def tag_match(it: Item) -> bool:
                    return any(pattern.search(t) for t in it.tags)
                return (lambda it: not tag_match(it)) if negate else tag_match

            def matches(it: Item) -> bool:
                value = it.field_text(name)
                return value is not None and pattern.search(value) is not None

            return (lambda it: not matches(it)) if negate else matches
    return None


# ---- one filter ----------------------------------------------------------------------------------
_STATUS_TYPES = set(STATUS_ORDER)


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
        rank = PRIORITY_RANK[m[2]]
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


def _indented(it: Item) -> bool:
    raw = it.task.raw or ""
    return bool(re.match(r"(?:>\s*)*[ \t]+[-*+\d]", raw))


# ---- boolean lines ---------------------------------------------------------------------------------
_DELIMS = {"(": ")", "[": "]", "{": "}", '"': '"'}
_OPS = ("AND NOT", "OR NOT", "AND", "OR", "XOR")


def is_boolean(line: str) -> bool:
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


def parse_boolean(text: str, today: date) -> Predicate:
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
        if is_boolean(inner_text):
            return parse_boolean(inner_text, today)
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


