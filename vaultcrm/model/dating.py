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
    """A Recent Context entry as records hold it: ISO date (or None) and 1-based line."""

    date: str | None
    line: int


def facts(props: dict[str, Any], entries: Sequence[Dated],
          field_lines: Sequence[tuple[int, str]]) -> dict[str, Any]:
    """A JSON-able summary: the `last_contact` and `cadence` properties as written, the (ISO date,
    1-based line) of each dated Recent Context entry, and of each `last_contact:: DATE` Dataview
    inline field in the body. `field_lines` are the body lines that may hold inline fields
    (`key:: value`), as (0-based index, text)."""
    facts: dict[str, Any] = {
        "last_contact": props.get("last_contact"),
        "cadence": props.get("cadence"),
        "entries": [[e.date, e.line] for e in entries if e.date],
    }
    inline = [[d.isoformat(), i + 1] for i, text in field_lines for key, value in grammar.inline_fields(text)
              if key == "last_contact" and (d := iso_date(value[:10])) is not None]
    if inline:
        facts["inline"] = inline
    return facts
