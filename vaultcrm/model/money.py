"""Amounts and percentages as people write them in deal fields: `$1.2M`, `250k`, `1,200,000 USD`,
`€300K`, `40%`, `0.4`. Pure: text in, numbers out (Decimal, so `$1.1M` is exactly 1100000).

An amount is a number with optional thousands separators (`,`, `.`, spaces: `1.200.000,50` reads
as a European writes it), an optional scale (`k`/`thousand`, `m`/`mm`/`mn`/`million`,
`b`/`bn`/`billion`, any case) and an optional currency: a symbol before it (`$`, `US$`, `€`, `£`,
`¥`, `₹`) or an ISO code, before or after it (`USD 5k`, `5k EUR`, `300 €`). `$` alone is the vault's currency
when that one is written with `$` (USD, CAD, AUD, NZD, SGD, HKD, MXN), else USD. An amount without
a currency is in the vault's currency. Anything else (`250-300k`, `TBD`, a negative) is no amount.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

SYMBOLS = {"US$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY", "₹": "INR"}
DOLLAR_CURRENCIES = frozenset({"USD", "CAD", "AUD", "NZD", "SGD", "HKD", "MXN"})
SCALES = {"k": 3, "thousand": 3, "m": 6, "mm": 6, "mn": 6, "million": 6, "b": 9, "bn": 9, "billion": 9}

_AMOUNT = re.compile(
    r"(?P<pre>US\$|[$€£¥₹]|[A-Z]{3}(?=[\s\d]))?\s*"
    r"(?P<num>\d[\d,.\s\u00a0\u202f]*)\s*"
    r"(?P<scale>thousand|million|billion|mm|mn|bn|k|m|b)?\s*"
    r"(?P<post>[A-Z]{3}|US\$|[$€£¥₹])?", re.IGNORECASE)
_CODE = re.compile(r"[A-Za-z]{3}")


@dataclass(frozen=True)
class Money:
    """An amount and its currency (an ISO code such as `USD`)."""

    amount: Decimal
    currency: str


def parse_money(value: object, currency: str = "USD") -> Money | None:
    """The amount `value` names (a YAML number, or text as above), in `currency` unless it names
    its own; None when it is no amount."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        return Money(Decimal(str(value)), currency) if value >= 0 else None
    if not isinstance(value, str):
        return None
    m = _AMOUNT.fullmatch(value.strip())
    if m is None:
        return None
    number = _number(m["num"])
    scale = (m["scale"] or "").lower()
    if number is None or (scale and scale not in SCALES):
        return None
    named = _currency(m["pre"], m["post"], currency)
    if named is None:
        return None
    return Money(_plain(number.scaleb(SCALES.get(scale, 0))), named)


def read_amount(text: object, currency: str) -> tuple[Money | None, str | None]:
    """The amount `text` names, and why it cannot count in a total in `currency` (None when it can,
    or when there is no text): `is not an amount`, `is in EUR, not USD (the vault's currency)`."""
    money = parse_money(text, currency) if text not in (None, "") else None
    if money is None:
        return None, None if text in (None, "") else "is not an amount"
    if money.currency != currency:
        return money, f"is in {money.currency}, not {currency} (the vault's currency)"
    return money, None


def _currency(pre: str | None, post: str | None, default: str) -> str | None:
    """The currency the symbol or code names (None when it names two different ones)."""
    named = {_symbol(t, default) for t in (pre, post) if t}
    if len(named) > 1:
        return None
    return named.pop() if named else default


def _symbol(text: str, default: str) -> str:
    if text == "$":
        return default if default in DOLLAR_CURRENCIES else "USD"
    return SYMBOLS.get(text.upper(), text.upper())


def _number(text: str) -> Decimal | None:
    """`1,200,000`, `1.200.000,5`, `1 200 000`, `1.5`, `1,5` as a Decimal (None: not a number)."""
    s = re.sub(r"[\s\u00a0\u202f]", "", text)
    thousands, mark = _separators(s)
    whole, _, frac = s.partition(mark) if mark else (s, "", "")
    if thousands:
        parts = whole.split(thousands)
        if not (1 <= len(parts[0]) <= 3 and all(len(p) == 3 for p in parts[1:])):
            return None
        whole = "".join(parts)
    if not whole.isdigit() or (frac and not frac.isdigit()) or (mark and mark in frac):
        return None
    try:
        return Decimal(f"{whole}.{frac}" if frac else whole)
    except InvalidOperation:
        return None


def _separators(s: str) -> tuple[str, str]:
    """(thousands separator, decimal mark) of a number as written; "" for none."""
    dot, comma = s.rfind("."), s.rfind(",")
    if dot >= 0 and comma >= 0:  # the later one is the decimal mark
        return (",", ".") if dot > comma else (".", ",")
    if dot < 0 and comma < 0:
        return "", "."
    sep = "," if comma >= 0 else "."
    groups = s.split(sep)
    grouped = len(groups) > 1 and all(len(g) == 3 for g in groups[1:]) and 1 <= len(groups[0]) <= 3
    # `1,200` and `1.200.000` group thousands; `1.5`, `1,5` and `1.200` (one dot) have a decimal mark
    return (sep, "") if grouped and (sep == "," or len(groups) > 2) else ("", sep)


def parse_percent(value: object) -> Decimal | None:
    """A probability as a percentage from 0 to 100: `40%`, `40` and `0.4` are all 40 (a number
    from 0 to 1 is a fraction, one above 1 a percentage); None for anything else."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        number, percent = Decimal(str(value)), False
    elif isinstance(value, str):
        m = re.fullmatch(r"(\d+(?:[.,]\d+)?|[.,]\d+)\s*(%?)", value.strip())
        if m is None:
            return None
        number, percent = Decimal(m[1].replace(",", ".")), bool(m[2])
    else:
        return None
    if not percent and number <= 1:
        number *= 100
    if not 0 <= number <= 100:
        return None
    return _plain(number)


def _plain(number: Decimal) -> Decimal:
    """`1.2E+6` as `1200000`, `40.0` as `40`: whole numbers without exponent or decimals."""
    return Decimal(int(number)) if number == number.to_integral_value() else number.normalize()


def is_currency_code(text: object) -> bool:
    """Whether `text` looks like an ISO 4217 code (three letters, `USD`, in any case)."""
    return isinstance(text, str) and _CODE.fullmatch(text) is not None
