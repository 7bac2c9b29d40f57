"""The team vault on git and sync services: `conflicts`, `git setup`, `git sync`, `merge-driver`."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Nothing yet: the commands land with the modules that implement them."""
