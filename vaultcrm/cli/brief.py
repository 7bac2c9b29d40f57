"""The manager's week: `brief` (filled in by the work that implements it)."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Nothing yet."""
