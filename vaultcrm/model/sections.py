"""Every fact about the sections vaultcrm knows: their names, canonical order, the markers their
bullets carry, and how a written heading is compared with them.

`## **Blockers**`, `## Blockers:` and `### blockers` are all the Blockers section: every lookup
and every marker goes through `normalize_heading`, here and only here.
"""

from __future__ import annotations

import re

RECENT_CONTEXT = "Recent Context"
KEY_FACTS = "Key Facts"
OPEN_TASKS = "Open Tasks"
ACCOUNT_STATUS = "Account Status"
BLOCKERS = "Blockers"
KEY_DECISIONS = "Key Decisions"
CANONICAL_SECTIONS = [RECENT_CONTEXT, KEY_FACTS, "Topics", OPEN_TASKS, ACCOUNT_STATUS, "Key Contacts",
                      "Opportunities", BLOCKERS, KEY_DECISIONS, "Related"]


def normalize_heading(text: str) -> str:
    """A heading as compared: case, surrounding emphasis, a trailing colon and extra spaces ignored."""
    t = text.strip().strip("*_").strip().rstrip(":").strip().lower()
    return re.sub(r"\s+", " ", t)


_RANK = {normalize_heading(s): i for i, s in enumerate(CANONICAL_SECTIONS)}
_MARKERS = {normalize_heading(BLOCKERS): "❌ ", normalize_heading(KEY_DECISIONS): "✅ "}
# sections `show` presents as tables of their own rather than as text
SHOWN_AS_TABLES = frozenset(normalize_heading(s) for s in (RECENT_CONTEXT, OPEN_TASKS, ACCOUNT_STATUS))


def same(a: str, b: str) -> bool:
    """Whether two headings name the same section."""
    return normalize_heading(a) == normalize_heading(b)


def is_recent_context(heading: str) -> bool:
    return normalize_heading(heading) == _RECENT


_RECENT = normalize_heading(RECENT_CONTEXT)


def canonical_rank(heading: str) -> int | None:
    """The section's place in the canonical order, or None for a section of the user's own."""
    return _RANK.get(normalize_heading(heading))


def canonical_title(heading: str) -> str:
    """How vaultcrm writes a new section's heading: the canonical spelling, else as given."""
    rank = canonical_rank(heading)
    return CANONICAL_SECTIONS[rank] if rank is not None else heading.strip()


def bullet(heading: str, text: str) -> str:
    """A bullet for `add`: Blockers get ❌, Key Decisions ✅, as the seed notes write them."""
    mark = _MARKERS.get(normalize_heading(heading), "")
    body = text.strip()
    if mark and body.startswith(mark.strip()):
        mark = ""
    return f"- {mark}{body}"
