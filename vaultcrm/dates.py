"""Today's date and date parsing: ISO on a fast path, natural language through dateparser."""

from __future__ import annotations

import os
import re
from datetime import date, timedelta

from vaultcrm.errors import UsageError

ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_RELATIVE = re.compile(r"([+-]?\d+)\s*([dwmy])", re.IGNORECASE)


def today() -> date:
    """Today, or `$VAULTCRM_TODAY` when set, so scripts and tests are reproducible."""
    forced = os.environ.get("VAULTCRM_TODAY", "").strip()
    if forced:
        parsed = iso_date(forced)
        if parsed is None:
            raise UsageError(f"VAULTCRM_TODAY={forced!r} is not an ISO date (YYYY-MM-DD)")
        return parsed
    return date.today()


def iso_date(text: object) -> date | None:
    """The date `text` names when it starts with a real YYYY-MM-DD, else None (never raises)."""
    if isinstance(text, date):
        return text
    if not isinstance(text, str):
        return None
    m = ISO_DATE.match(text.strip())
    if not m:
        return None
    try:
        return date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        return None


def parse_date(text: str, *, today: date, prefer: str = "future") -> date:
    """Read a user's date: ISO, `today`/`yesterday`/`tomorrow`, `+3d`/`-2w`, else dateparser.

    `prefer` settles words such as "friday": a due date means the coming one ("future"), the
    date of something that happened means the last one ("past"). dateparser costs ~100 ms to
    import and ~0.5 s on its first parse, so it is only imported when the cheap forms do not match.
    """
    raw = text.strip()
    if ISO_DATE.fullmatch(raw):
        parsed = iso_date(raw)
        if parsed is None:
            raise UsageError(f"{text!r} is not a valid date")
        return parsed
    low = raw.lower()
    simple = {"today": 0, "yesterday": -1, "tomorrow": 1}
    if low in simple:
        return today + timedelta(days=simple[low])
    rel = _RELATIVE.fullmatch(low)
    if rel:
        try:
            return add_period(today, int(rel[1]), rel[2])
        except (ValueError, OverflowError):
            raise UsageError(f"{text!r} is outside the calendar") from None
    return _natural(raw, today, prefer)


def add_period(start: date, count: int, unit: str) -> date:
    """`start` moved by `count` days/weeks/months/years (months clamp to the month's end)."""
    unit = unit.lower()
    if unit == "d":
        return start + timedelta(days=count)
    if unit == "w":
        return start + timedelta(weeks=count)
    months = count * (12 if unit == "y" else 1)
    y, m = divmod(start.month - 1 + months, 12)
    year, month = start.year + y, m + 1
    if not 1 <= year <= 9999:
        raise OverflowError(f"year {year} is out of range")
    for day in (start.day, 30, 29, 28):
        try:
            return date(year, month, day)
        except ValueError:
            continue
    raise ValueError(f"no day {start.day} in {year}-{month:02d}")


def _natural(raw: str, today: date, prefer: str = "future") -> date:
    from datetime import datetime

    import dateparser  # heavy: only for words such as "next friday"

    base = datetime(today.year, today.month, today.day, 12, 0)
    settings = {"RELATIVE_BASE": base, "PREFER_DATES_FROM": prefer,
                "RETURN_AS_TIMEZONE_AWARE": False}
    found = dateparser.parse(raw, languages=["en"], settings=settings)  # type: ignore[arg-type]
    if found is None:
        raise UsageError(f"cannot read {raw!r} as a date; try YYYY-MM-DD, 'yesterday' or 'next friday'")
    return found.date()


CADENCE_WORDS = {"daily": 1, "weekly": 7, "biweekly": 14, "bi-weekly": 14, "fortnightly": 14, "monthly": 30,
                 "quarterly": 90, "semiannually": 182, "semi-annually": 182,
                 "half-yearly": 182, "yearly": 365, "annually": 365, "annual": 365}


def parse_period(text: object) -> int | None:
    """A cadence such as `14d`, `2w`, `3m`, `1y`, a bare number of days, or a word people write
    (`weekly`, `biweekly`, `fortnightly`, `monthly`, `quarterly`, `yearly`, `annually`), in days."""
    if isinstance(text, bool):
        return None
    if isinstance(text, int):
        return text if text > 0 else None
    if not isinstance(text, str):
        return None
    s = text.strip().lower()
    if s.isdigit():
        return int(s) or None
    if s in CADENCE_WORDS:
        return CADENCE_WORDS[s]
    m = re.fullmatch(r"(\d+)\s*(d|w|m|y|days?|weeks?|months?|years?)", s)
    if not m:
        return None
    n, unit = int(m[1]), m[2][0]
    return n * {"d": 1, "w": 7, "m": 30, "y": 365}[unit] or None
