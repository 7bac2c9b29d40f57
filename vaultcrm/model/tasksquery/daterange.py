"""Date filters of the Tasks query language: the date expressions a filter names (a day, a week,
a month, "next quarter", a range of two dates …) and the predicates comparing a task's dates to them."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta

from vaultcrm.dates import ISO_DATE, iso_date
from vaultcrm.model.tasksquery.items import Predicate, QueryLineError


# ---- date expressions -------------------------------------------------------------------------------------
DATE_FIELDS = {"due": "due", "scheduled": "scheduled", "starts": "start", "start": "start", "created": "created",
               "done": "done", "cancelled": "cancelled", "happens": "happens"}
_DATE_OPS = ("on or before", "on or after", "in or before", "in or after", "before", "after", "on", "in")


def _week_start(d: date) -> date:
    return d - timedelta(days=d.weekday())


def _month_range(y: int, m: int) -> tuple[date, date]:
    start = date(y, m, 1)
    nxt = date(y + (m == 12), m % 12 + 1, 1)
    return start, nxt - timedelta(days=1)


def _two_dates(m: re.Match[str], text: str, today: date) -> tuple[date, date] | None:
    a, b = iso_date(m[1]), iso_date(m[2])
    if a is None or b is None:
        raise QueryLineError(f"invalid date range {text!r}")
    return (a, b) if a <= b else (b, a)


def _relative_period(m: re.Match[str], text: str, today: date) -> tuple[date, date] | None:
    shift = {"last": -1, "this": 0, "next": 1}[m[1]]
    unit = m[2]
    if unit == "week":
        start = _week_start(today) + timedelta(weeks=shift)
        return start, start + timedelta(days=6)
    if unit == "year":
        return date(today.year + shift, 1, 1), date(today.year + shift, 12, 31)
    months = 1 if unit == "month" else 3
    index = today.year * 12 + (today.month - 1) // months * months + shift * months
    y, mo = divmod(index, 12)
    last_y, last_m = divmod(index + months - 1, 12)
    return date(y, mo + 1, 1), _month_range(last_y, last_m + 1)[1]


def _iso_week(m: re.Match[str], text: str, today: date) -> tuple[date, date] | None:
    try:
        start = date.fromisocalendar(int(m[1]), int(m[2]), 1)
    except ValueError:
        raise QueryLineError(f"invalid week {text!r}") from None
    return start, start + timedelta(days=6)


def _quarter(m: re.Match[str], text: str, today: date) -> tuple[date, date] | None:
    y, q = int(m[1]), int(m[2])
    return date(y, 3 * q - 2, 1), _month_range(y, 3 * q)[1]


def _month(m: re.Match[str], text: str, today: date) -> tuple[date, date] | None:
    if 1 <= int(m[2]) <= 12:
        return _month_range(int(m[1]), int(m[2]))
    return None  # not a month: let a later form (or the date parser) have it


def _year(m: re.Match[str], text: str, today: date) -> tuple[date, date] | None:
    y = int(m[0])
    return date(y, 1, 1), date(y, 12, 31)


def _one_iso_date(m: re.Match[str], text: str, today: date) -> tuple[date, date] | None:
    d = iso_date(m[0])
    if d is None:
        raise QueryLineError(f"invalid date {text!r}")
    return d, d


def _day_word(m: re.Match[str], text: str, today: date) -> tuple[date, date] | None:
    d = today + timedelta(days={"today": 0, "tomorrow": 1, "yesterday": -1}[m[0]])
    return d, d


_RangeBuilder = Callable[[re.Match[str], str, date], tuple[date, date] | None]

# Tried in order on the normalised (lower-case, single-spaced) text; a builder may return None to
# pass the text on to the next form.
_DATE_FORMS: tuple[tuple[re.Pattern[str], _RangeBuilder], ...] = (
    (re.compile(r"(\d{4}-\d{2}-\d{2}) (\d{4}-\d{2}-\d{2})"), _two_dates),
    (re.compile(r"(last|this|next) (week|month|quarter|year)"), _relative_period),
    (re.compile(r"(\d{4})-w(\d{1,2})"), _iso_week),
    (re.compile(r"(\d{4})-q([1-4])"), _quarter),
    (re.compile(r"(\d{4})-(\d{2})"), _month),
    (re.compile(r"\d{4}"), _year),
    (ISO_DATE, _one_iso_date),
    (re.compile(r"today|tomorrow|yesterday"), _day_word),
)


def _natural_date(text: str, today: date) -> tuple[date, date]:
    from vaultcrm.dates import parse_date
    from vaultcrm.errors import UsageError

    try:
        d = parse_date(text, today=today)
    except UsageError:
        raise QueryLineError(f"cannot read {text.strip()!r} as a date") from None
    return d, d


def date_range(text: str, today: date) -> tuple[date, date]:
    """The inclusive range a date or date-range expression names (a single date is a range of one day)."""
    s = " ".join(text.split()).lower()
    for pattern, build in _DATE_FORMS:
        m = pattern.fullmatch(s)
        if m:
            found = build(m, text, today)
            if found is not None:
                return found
    return _natural_date(text, today)


def date_filter(field: str, rest: str, today: date) -> Predicate:
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
    start, end = date_range(rest, today)

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
