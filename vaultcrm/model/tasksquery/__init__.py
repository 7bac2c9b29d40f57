"""Obsidian Tasks query blocks (```tasks … ```): finding them in a note (`query_blocks`) and
evaluating them over the vault's tasks (`evaluate`, the query language in `query`/`filters`)."""

from __future__ import annotations

from dataclasses import dataclass

from vaultcrm.model.note import Note, strip_eol
from vaultcrm.model.tasksquery.query import Results, evaluate

__all__ = ["QueryBlock", "Results", "evaluate", "query_blocks"]


@dataclass(frozen=True)
class QueryBlock:
    line: int  # 1-based line of the opening fence
    text: str


def query_blocks(note: Note) -> list[QueryBlock]:
    """The ```tasks blocks of a note, in order, as the note model finds fences (a tasks block
    shown inside another fence is text)."""
    out = []
    for f in note.fences:
        if f.info.lower() == "tasks":
            body = note.lines[f.start + 1: f.end - 1 if f.closed else f.end]
            out.append(QueryBlock(f.start + 1, "\n".join(strip_eol(x) for x in body)))
    return out
