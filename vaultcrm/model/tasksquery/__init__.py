"""Obsidian Tasks query blocks (```tasks … ```): finding them in a note and evaluating them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from vaultcrm.model.note import Note, strip_eol


@dataclass(frozen=True)
class QueryBlock:
    line: int  # 1-based line of the opening fence
    text: str


def blocks_in(note: Note) -> list[QueryBlock]:
    """The ```tasks blocks of a note, in order, as the note model finds fences (a tasks block
    shown inside another fence is text)."""
    out = []
    for f in note.fences:
        if f.info.lower() == "tasks":
            body = note.lines[f.start + 1: f.end - 1 if f.closed else f.end]
            out.append(QueryBlock(f.start + 1, "\n".join(strip_eol(x) for x in body)))
    return out


def run(query: str, tasks: list[tuple[Any, Any]], today: date, here: Any = None,
        read: Callable[[str], str] | None = None) -> list[dict[str, Any]]:
    """Evaluate a query over (note record, task record) pairs; returns the matching tasks.

    The result is a list with `.errors` (instructions Tasks would not understand; then it is
    empty) and `.total` (matches before `limit`); `read(path)` enables `heading` filters.
    """
    from vaultcrm.model.tasksquery import filters as taskfilter

    return taskfilter.evaluate(query, tasks, today, here=here, read=read)
