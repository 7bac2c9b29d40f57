"""What in one note can date a contact: the facts the index keeps per note, so that `stale` over a
big vault never decodes whole notes. Which facts count, and how they combine into the effective
last contact, is the rule of `ops.contact`; this module only finds them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol


class Dated(Protocol):
    """A Recent Context entry as records hold it: ISO date (or None) and 1-based line."""

    date: str | None
    line: int


def facts(props: dict[str, Any], entries: Sequence[Dated],
          field_lines: Sequence[tuple[int, str]]) -> dict[str, Any]:
    """A JSON-able summary: the `last_contact` and `cadence` properties as written, and the (ISO
    date, 1-based line) of each dated Recent Context entry. `field_lines` are the body lines that
    may hold Dataview inline fields (`key:: value`), as (0-based index, text)."""
    return {
        "last_contact": props.get("last_contact"),
        "cadence": props.get("cadence"),
        "entries": [[e.date, e.line] for e in entries if e.date],
    }
