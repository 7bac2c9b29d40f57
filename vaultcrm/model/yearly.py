"""Key dates as date math: reading a property's date (`1986-03-14` or vCard's yearless `--03-14`),
the next time a yearly one comes round, and the row `dates` and `agenda` show. Pure."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

# A full date, optionally with the time Obsidian's date & time property adds (`2026-12-15T10:00`).
_FULL = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?")
# vCard's date without a year: `--03-14` (vCard 3) or `--0314` (vCard 4's basic format).
_YEARLESS = re.compile(r"--(\d{2})-?(\d{2})")
_LEAP = 2000  # a leap year: `--02-29` is a real day to check a yearless date against


@dataclass(frozen=True)
class WrittenDate:
    """A date as a property gives it: `year` None when written without one (`--03-14`)."""

    year: int | None
    month: int
    day: int


def read_date(value: object) -> WrittenDate | None:
    """The date a property value names: a YAML/Obsidian date (text or a date), ISO with or
    without a time, or `--MM-DD`/`--MMDD` with no year. Anything else (`TBD`, `2026-02-30`) is None."""
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return WrittenDate(value.year, value.month, value.day)
    if not isinstance(value, str):
        return None
    text = value.strip()
    full = _FULL.fullmatch(text)
    if full:
        year, month, day = int(full[1]), int(full[2]), int(full[3])
    else:
        yearless = _YEARLESS.fullmatch(text)
        if yearless is None:
            return None
        year, month, day = None, int(yearless[1]), int(yearless[2])
    try:
        date(_LEAP if year is None else year, month, day)
    except ValueError:
        return None
    return WrittenDate(year, month, day)


def in_year(year: int, month: int, day: int) -> date:
    """Month and day in `year`; Feb 29 falls on Feb 28 in a year that has no Feb 29 (as most
    calendars keep a leap-day birthday)."""
    if month == 2 and day == 29:
        try:
            return date(year, 2, 29)
        except ValueError:
            return date(year, 2, 28)
    return date(year, month, day)


def next_yearly(written: WrittenDate, today: date) -> date | None:
    """The next time a yearly date comes round, today included: this year's, else next year's.

    Feb 29 comes on Feb 28 in a non-leap year. A date whose written year is still ahead (an
    anniversary not yet reached) first comes on that date itself. None past the calendar's end."""
    if written.year is not None and written.year > today.year:
        return date(written.year, written.month, written.day)
    try:
        this_year = in_year(today.year, written.month, written.day)
        return this_year if this_year >= today else in_year(today.year + 1, written.month, written.day)
    except ValueError:  # year 10000
        return None


def milestone(what: str, years: int | None) -> str:
    """What the day marks: `turns 40` for a birthday, `5 years` (`1 year`) for other yearly dates;
    nothing when the year is unknown or the day is the first one."""
    if not years or years < 0:
        return ""
    if what == "birthday":
        return f"turns {years}"
    return f"{years} year{'s' * (years != 1)}"


@dataclass(frozen=True)
class KeyDate:
    """A coming key date of a note: `on` the day, `days` until it, `what` the configured key
    (`birthday`), `years` since its written year for a yearly date (None: one-off or no year)."""

    on: date
    days: int
    what: str
    yearly: bool
    years: int | None
    title: str
    path: str
    prop: str  # the property as the note spells it (`Birthday`)
    value: str  # its value as written

    def to_dict(self) -> dict[str, Any]:
        """The row scripts and tables see (`dates --json`, `agenda --json` key_dates)."""
        return {"date": self.on.isoformat(), "days": self.days, "what": self.what,
                "milestone": milestone(self.what, self.years), "years": self.years,
                "recurs": "yearly" if self.yearly else "once", "title": self.title, "path": self.path,
                "property": self.prop, "value": self.value}
