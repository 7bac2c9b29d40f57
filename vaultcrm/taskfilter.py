"""A subset of the Obsidian Tasks query language (placeholder; see tasksquery)."""

from __future__ import annotations

from datetime import date
from typing import Any


def evaluate(query: str, tasks: list[tuple[Any, Any]], today: date, here: Any = None) -> list[dict[str, Any]]:
    out = []
    for rec, t in tasks:
        if "not done" in query and (t.done or t.cancelled):
            continue
        out.append({"path": rec.path, "title": rec.title, "line": t.line, "text": t.text, "done": t.done,
                    "due": t.due, "id": t.id})
    return out
