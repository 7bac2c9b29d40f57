"""Sources filed next to their accounts: `clip`, and `links` (backlinks and unlinked mentions)."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Nothing yet: the commands land with the modules that implement them."""
