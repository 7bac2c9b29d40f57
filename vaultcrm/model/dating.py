"""What in one note can date a contact: the facts the index keeps per note, so that `stale` over a
big vault never decodes whole notes. Which facts count, and how they combine into the effective
last contact, is the rule of `ops.contact`; this module only finds them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from vaultcrm.dates import iso_date
from vaultcrm.model import grammar


class Dated(Protocol):
    """A Recent Context entry as records hold it: ISO date (or None), 1-based line, link, text."""

    date: str | None
    line: int
    link: str | None
    text: str


#: Properties that file a note under an account (`account: "[[Acme]]"`): a dated note carrying one
#: is an interaction of that account, whatever its `type` says.
ACCOUNT_PROPERTIES = ("account", "accounts")


def facts(props: dict[str, Any], entries: Sequence[Dated], field_lines: Sequence[tuple[int, str]],
          not_contact: Sequence[str] = ()) -> dict[str, Any]:
    """A JSON-able summary: the `last_contact` and `cadence` properties as written, the (ISO date,
    1-based line, link) of each dated Recent Context entry (an entry whose text starts with a
    `not_contact` pattern, such as `Mentioned in:`, records no contact), each `last_contact:: DATE`
    Dataview inline field in the body, and the accounts the note is filed under (`account:`).
    `field_lines` are the body lines that may hold inline fields (`key:: value`), as (0-based index, text)."""
    facts: dict[str, Any] = {
        "last_contact": props.get("last_contact"),
        "cadence": props.get("cadence"),
        "entries": [[e.date, e.line, e.link] for e in entries if e.date and not is_not_contact(e.text, not_contact)],
    }
    inline = [[d.isoformat(), i + 1] for i, text in field_lines for key, value in grammar.inline_fields(text)
              if key == "last_contact" and (d := iso_date(value[:10])) is not None]
    if inline:
        facts["inline"] = inline
    accounts = filed_under(props)
    if accounts:
        facts["accounts"] = accounts
    return facts


def is_not_contact(text: str, patterns: Sequence[str]) -> bool:
    """Whether an entry's text marks it as no contact (`Mentioned in: …`), case-insensitively."""
    lowered = text.strip().lower()
    return any(lowered.startswith(p.strip().lower()) for p in patterns if p.strip())


def filed_under(props: dict[str, Any]) -> list[str]:
    """The names an `account:`/`accounts:` property gives: [[link]] targets, else plain names."""
    out: list[str] = []
    for key in ACCOUNT_PROPERTIES:
        value = props.get(key)
        items = value if isinstance(value, list) else [value]
        for item in items:
            if not isinstance(item, str) or not item.strip():
                continue
            out.extend(grammar.wikilinks(item) if "[[" in item else [item.strip()])
    return out
