"""Key dates (`dates`, and the Key dates part of `agenda`): birthdays, anniversaries, renewals and
contract ends written as properties of any note, and more named in `.vaultcrm.toml`:

    [dates]
    yearly = ["founded"]    # come round every year, like birthday and anniversary
    once = ["go_live"]      # one day, like renewal_date and contract_end; a past one is not coming
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from vaultcrm.errors import UsageError
from vaultcrm.model import keys
from vaultcrm.model.records import NoteRecord, fold
from vaultcrm.model.yearly import KeyDate, WrittenDate, next_yearly, read_date
from vaultcrm.ops.context import Context

YEARLY = ("birthday", "anniversary")
ONCE = ("renewal_date", "contract_end")
SECTION = "dates"
_EXAMPLE = '[dates] yearly = ["founded"], once = ["go_live"]'


def date_keys(raw: dict[str, Any]) -> dict[str, bool]:
    """The key-date properties (name -> yearly?): the built-in ones, then those `[dates]` of the
    parsed `.vaultcrm.toml` names (which may also move a built-in one to the other list)."""
    section = raw.get(SECTION, {})
    if not isinstance(section, dict):
        raise UsageError(f"[{SECTION}] in .vaultcrm.toml must be a table, e.g. {_EXAMPLE}")
    unknown = sorted(set(section) - {"yearly", "once"})
    if unknown:
        raise UsageError(f"[{SECTION}] in .vaultcrm.toml has unknown setting {unknown[0]!r}; "
                         f"use yearly and once, e.g. {_EXAMPLE}")
    out = dict.fromkeys(YEARLY, True) | dict.fromkeys(ONCE, False)
    yearly, once = _names(section, "yearly"), _names(section, "once")
    both = sorted({keys.key_fold(k) for k in yearly} & {keys.key_fold(k) for k in once})
    if both:
        raise UsageError(f"[{SECTION}] in .vaultcrm.toml lists {both[0]!r} as both yearly and once; keep one")
    for name, is_yearly in [*((k, True) for k in yearly), *((k, False) for k in once)]:
        for old in keys.same_keys(list(out), name):
            del out[old]
        out[name] = is_yearly
    return out


def _names(section: dict[str, Any], setting: str) -> list[str]:
    value = section.get(setting, [])
    names = [value] if isinstance(value, str) else value
    if not isinstance(names, list) or not all(isinstance(n, str) and n.strip() for n in names):
        raise UsageError(f"[{SECTION}] {setting} in .vaultcrm.toml must be a list of property names, "
                         f"not {value!r}, e.g. {_EXAMPLE}")
    return [n.strip() for n in names]


def coming(ctx: Context, *, within: int) -> list[KeyDate]:
    """The key dates of every note from today to `within` days ahead, soonest first.

    A yearly date (and any date written without a year, `--03-14`) comes on its next occurrence,
    Feb 29 on Feb 28 in a non-leap year; a one-off date with a year comes only when it is still
    ahead. A property is found in any case (`Birthday`); a value that is no date is left out."""
    if within < 0:
        raise UsageError("--within must be 0 or more days")
    wanted = date_keys(ctx.config.raw)
    horizon = ctx.today + timedelta(days=within)
    folded = {name.lower() for name in wanted}
    out = []
    for rec in ctx.records:
        if folded.isdisjoint(rec.property_keys):  # the light columns say so: its properties stay encoded
            continue
        for name, is_yearly in wanted.items():
            found = _key_date(rec, name, is_yearly, ctx.today)
            if found is not None and found.on <= horizon:
                out.append(found)
    out.sort(key=lambda k: (k.on, k.what, fold(k.title), k.path))
    return out


def _key_date(rec: NoteRecord, name: str, yearly: bool, today: date) -> KeyDate | None:
    prop = keys.listed_key(rec.properties, name)
    if prop is None:
        return None
    value = rec.properties[prop]
    written = read_date(value)
    if written is None:
        return None
    on = _next(written, yearly, today)
    if on is None:
        return None
    years = on.year - written.year if yearly and written.year is not None else None
    return KeyDate(on, (on - today).days, name, yearly or written.year is None, years, rec.title, rec.path,
                   prop, value if isinstance(value, str) else str(value))


def _next(written: WrittenDate, yearly: bool, today: date) -> date | None:
    """The coming day of a key date: a yearly one's next occurrence; a one-off one's own day if not
    past. A one-off date written without a year (`renewal_date: --03-14`) names a day of every
    year, so it comes round as a yearly one does."""
    if yearly or written.year is None:
        return next_yearly(written, today)
    on = date(written.year, written.month, written.day)
    return on if on >= today else None
