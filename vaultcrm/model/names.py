"""How names are compared, in a module of its own: shell completion folds a typed prefix without
loading the note model."""

from __future__ import annotations

import unicodedata


def fold(name: str) -> str:
    """How names are compared: NFC, case-folded, inner whitespace collapsed."""
    return " ".join(unicodedata.normalize("NFC", name).casefold().split())
