"""Obsidian Tasks query blocks (```tasks … ```): finding them in a note and evaluating them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from vaultcrm.note import Note, strip_eol


@dataclass(frozen=True)
class QueryBlock:
    line: int  # 1-based line of the opening fence
    text: str


def blocks_in(note: Note) -> list[QueryBlock]:
    """The ```tasks blocks of a note, in order."""
    out = []
    lines = note.lines
    i = note.body_start
    while i < len(lines):
        raw = strip_eol(lines[i]).strip()
        if raw.startswith(("```tasks", "~~~tasks")) and raw[3:].strip() == "tasks":
            fence = raw[:3]
            body = []
            j = i + 1
            while j < len(lines) and not strip_eol(lines[j]).strip().startswith(fence):
                body.append(strip_eol(lines[j]))
                j += 1
            out.append(QueryBlock(i + 1, "\n".join(body)))
            i = j + 1
            continue
        i += 1
    return out


def run(query: str, tasks: list[tuple[Any, Any]], today: date, here: Any = None) -> list[dict[str, Any]]:
    """Evaluate a query over (note record, task record) pairs; returns the matching tasks."""
    from vaultcrm import taskfilter

    return taskfilter.evaluate(query, tasks, today, here=here)
