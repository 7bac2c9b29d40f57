"""The items a Tasks query looks at: one task with every field a filter or sort may ask about."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import Any

from vaultcrm.config import TaskSettings
from vaultcrm.model import taskline
from vaultcrm.dates import iso_date

# ---- the items a query looks at -------------------------------------------------------------
_TAG = re.compile(r"(?:(?<=\s)|^)(#[^\s#!\"$%&'()*+,.:;<=>?@\[\]^`{|}~\\]+)")
PRIORITY_RANK = {"highest": 0, "high": 1, "medium": 2, "none": 3, "low": 4, "lowest": 5}
_PRIORITY_URGENCY = {0: 9.0, 1: 6.0, 2: 3.9, 3: 1.95, 4: 0.0, 5: -1.8}
STATUS_ORDER = {"IN_PROGRESS": 1, "TODO": 2, "ON_HOLD": 3, "DONE": 4, "CANCELLED": 5, "NON_TASK": 6}
STATUS_NAMES = {"TODO": "Todo", "IN_PROGRESS": "In Progress", "DONE": "Done", "CANCELLED": "Cancelled",
                 "ON_HOLD": "On Hold", "NON_TASK": "Non-Task"}


class Item:
    """One task with everything a filter may ask about it, computed on demand."""

    def __init__(self, rec: Any, task: Any, order: int, headings: Callable[[Any, Any], str | None] | None,
                 settings: TaskSettings | None = None) -> None:
        self.rec, self.task, self.order = rec, task, order
        raw = getattr(task, "raw", None)
        self._parsed = taskline.parse_task(raw, 0, settings or TaskSettings()) if raw else None
        self._headings = headings

    @property
    def dates(self) -> dict[str, str]:
        return dict(self._parsed.dates) if self._parsed else ({"due": self.task.due} if self.task.due else {})

    def date(self, field: str) -> date | None:
        return iso_date(self.dates.get(field))

    def date_invalid(self, field: str) -> bool:
        raw = self.dates.get(field)
        return raw is not None and iso_date(raw) is None

    @property
    def status_type(self) -> str:
        return self._parsed.status_type if self._parsed else self.task.status_type

    @property
    def is_done(self) -> bool:
        return self.status_type in ("DONE", "CANCELLED", "NON_TASK")

    @property
    def tags(self) -> list[str]:
        return _TAG.findall(self.task.text)

    @property
    def priority(self) -> int:
        """0 highest … 3 none … 5 lowest, as Tasks read the line's priority field."""
        return PRIORITY_RANK[self._parsed.priority if self._parsed else "none"]

    @property
    def recurrence(self) -> str:
        return (self._parsed.recurrence or "") if self._parsed else ""

    @property
    def heading(self) -> str | None:
        return self._headings(self.rec, self.task) if self._headings else None

    def field_text(self, name: str) -> str | None:
        path = self.rec.path
        folder = path.rsplit("/", 1)[0] + "/" if "/" in path else "/"
        if name == "description":
            return self.task.text
        if name == "path":
            return path
        if name == "filename":
            return path.rsplit("/", 1)[-1]
        if name == "folder":
            return folder
        if name == "root":
            return path.split("/", 1)[0] + "/" if "/" in path else "/"
        if name == "heading":
            return self.heading
        if name == "status.name":
            return self._parsed.status_name if self._parsed else STATUS_NAMES[self.status_type]
        if name == "recurrence":
            return self.recurrence
        if name == "id":
            return self._parsed.id if self._parsed else ""
        raise AssertionError(name)

    def urgency(self, today: date) -> float:
        score = _PRIORITY_URGENCY[self.priority]
        due = self.date("due")
        if due is not None:
            days = (due - today).days
            score += 12.0 if days <= -7 else 2.4 if days >= 14 else 8.8 - days * (6.4 / 14)
        scheduled = self.date("scheduled")
        if scheduled is not None and scheduled <= today:
            score += 5.0
        start = self.date("start")
        if start is not None and start > today:
            score -= 3.0
        return round(score, 5)


Predicate = Callable[[Item], bool]


class QueryLineError(ValueError):
    """A query line Tasks would not understand; the message says which and why."""


