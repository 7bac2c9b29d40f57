"""Obsidian Tasks query blocks (```tasks … ```): finding them in a note and evaluating them."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from vaultcrm.note import Note, strip_eol


@dataclass(frozen=True)
class QueryBlock:
    line: int  # 1-based line of the opening fence
    text: str


_FENCE = re.compile(r"\s{0,3}(`{3,}|~{3,})(.*)")


def _closes(line: str, fence: str) -> bool:
    m = _FENCE.fullmatch(line)
    return bool(m) and m[1][0] == fence[0] and len(m[1]) >= len(fence) and not m[2].strip()


def blocks_in(note: Note) -> list[QueryBlock]:
    """The ```tasks blocks of a note, in order; a tasks block shown inside another fence is text."""
    out = []
    lines = note.lines
    i = note.body_start
    while i < len(lines):
        m = _FENCE.fullmatch(strip_eol(lines[i]))
        if m and not (m[1][0] == "`" and "`" in m[2]):
            fence = m[1]
            body = []
            j = i + 1
            while j < len(lines) and not _closes(strip_eol(lines[j]), fence):
                body.append(strip_eol(lines[j]))
                j += 1
            if m[2].strip().lower() == "tasks":
                out.append(QueryBlock(i + 1, "\n".join(body)))
            i = j + 1
            continue
        i += 1
    return out


def run(query: str, tasks: list[tuple[Any, Any]], today: date, here: Any = None,
        read: Callable[[str], str] | None = None) -> list[dict[str, Any]]:
    """Evaluate a query over (note record, task record) pairs; returns the matching tasks.

    The result is a list with `.errors` (instructions Tasks would not understand; then it is
    empty) and `.total` (matches before `limit`); `read(path)` enables `heading` filters.
    """
    from vaultcrm import taskfilter

    return taskfilter.evaluate(query, tasks, today, here=here, read=read)
