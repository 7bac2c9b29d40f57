"""The filters of the Tasks query language: date (via `daterange`), text, status and boolean lines."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

from vaultcrm.model.tasksquery.daterange import DATE_FIELDS, date_filter
from vaultcrm.model.tasksquery.items import (
    PRIORITY_RANK,
    STATUS_ORDER,
    Item,
    Predicate,
    QueryLineError,
)


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
_HAPPENS_FIELDS = ("due", "scheduled", "start")


def _indented(it: Item) -> bool:
    raw = it.task.raw or ""
    return bool(re.match(r"(?:>\s*)*[ \t]+[-*+\d]", raw))


# Filters that are one fixed (normalised, lower-case) line.
_FIXED_FILTERS: dict[str, Predicate] = {
    "done": lambda it: it.is_done,
    "not done": lambda it: not it.is_done,
    "has tags": lambda it: bool(it.tags),
    "has tag": lambda it: bool(it.tags),
    "no tags": lambda it: not it.tags,
    "no tag": lambda it: not it.tags,
    "is recurring": lambda it: bool(it.recurrence),
    "is not recurring": lambda it: not it.recurrence,
    "has id": lambda it: bool(it.field_text("id")),
    "no id": lambda it: not it.field_text("id"),
    "exclude sub-items": lambda it: not _indented(it),
}


def _has_date_filter(m: re.Match[str]) -> Predicate:
    want, fld = m[1] == "has", m[2]
    if fld == "happens":
        return lambda it: any(it.date(f) for f in _HAPPENS_FIELDS) == want
    return lambda it: (it.date(fld) is not None) == want


def _status_type_filter(m: re.Match[str]) -> Predicate:
    kind = m[2].upper()
    if kind not in _STATUS_TYPES:
        raise QueryLineError(f"unknown status type {m[2]!r}")
    return (lambda it: it.status_type == kind) if m[1] == "is" else (lambda it: it.status_type != kind)


def _priority_filter(m: re.Match[str]) -> Predicate:
    rank = PRIORITY_RANK[m[2]]
    cmp = {None: lambda p: p == rank, "not": lambda p: p != rank,
           "above": lambda p: p < rank, "below": lambda p: p > rank}[m[1]]
    return lambda it: cmp(it.priority)


# Filters recognised by a regular expression over the whole (normalised, lower-case) line.
_PATTERN_FILTERS: tuple[tuple[re.Pattern[str], Callable[[re.Match[str]], Predicate]], ...] = (
    (re.compile(r"(has|no) (due|scheduled|start|created|done|cancelled|happens) date"), _has_date_filter),
    (re.compile(r"status\.type (is|is not) (\w+)"), _status_type_filter),
    (re.compile(r"priority is (?:(above|below|not) )?(lowest|low|none|medium|high|highest)"), _priority_filter),
)


def _field_filter(s: str, today: date) -> Predicate | None:
    """A '<field> <condition>' filter (dates and text fields), or None."""
    head, _, rest = s.partition(" ")
    key = head.lower()
    if not rest:
        return None
    if key in DATE_FIELDS:
        return date_filter(DATE_FIELDS[key], rest, today)
    if key in ("tag", "tags"):
        return _text_filter("tags", rest)
    if key in _TEXT_FIELDS:
        return _text_filter(key, rest)
    return None


def parse_filter(line: str, today: date) -> Predicate | None:
    """A predicate for one filter instruction, or None when the line is no filter at all."""
    s = " ".join(line.split())
    low = s.lower()
    fixed = _FIXED_FILTERS.get(low)
    if fixed is not None:
        return fixed
    for pattern, build in _PATTERN_FILTERS:
        m = pattern.fullmatch(low)
        if m:
            return build(m)
    return _field_filter(s, today)


# ---- boolean lines ---------------------------------------------------------------------------------
_DELIMS = {"(": ")", "[": "]", "{": "}", '"': '"'}
_OPS = ("AND NOT", "OR NOT", "AND", "OR", "XOR")


def is_boolean(line: str) -> bool:
    s = line.lstrip()
    return s[:1] in _DELIMS or s.startswith("NOT ")


def _delimited(text: str, i: int) -> tuple[str, int]:
    """The text inside the delimiter opening at text[i], and the index just past its close."""
    ch, n = text[i], len(text)
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
    return text[i + 1:j], j + 1


def _operator_at(text: str, i: int) -> str | None:
    """The NOT/AND/OR/XOR word starting at text[i], or None."""
    n = len(text)
    for op in ("NOT", *_OPS):
        if text.startswith(op, i) and (i + len(op) == n or not text[i + len(op)].isalnum()):
            return op
    return None


def _push_operator(out: list[tuple[str, str]], op: str) -> None:
    """Append an operator token, folding NOT into a preceding AND/OR."""
    if op != "NOT":
        out.append(("op", op))
    elif out and out[-1] == ("op", "AND"):
        out[-1] = ("op", "AND NOT")
    elif out and out[-1] == ("op", "OR"):
        out[-1] = ("op", "OR NOT")
    else:
        out.append(("not", "NOT"))


def _tokens(text: str) -> list[tuple[str, str]]:
    """Split a boolean line into ('op', AND…) / ('not', NOT) / ('sub', text inside delimiters)."""
    out: list[tuple[str, str]] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch.isspace():
            i += 1
        elif ch in _DELIMS:
            sub, i = _delimited(text, i)
            out.append(("sub", sub))
        else:
            op = _operator_at(text, i)
            if op is None:
                raise QueryLineError(f"expected a filter in delimiters or AND/OR/NOT/XOR at {text[i:]!r}")
            _push_operator(out, op)
            i += len(op)
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


