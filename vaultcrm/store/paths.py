"""The rules for vault-relative paths: what may name a note, and what would escape the vault."""

from __future__ import annotations

from pathlib import PurePosixPath

from vaultcrm.errors import OutsideVault


def check_relative(rel: str, *, allow_hidden: bool = False) -> None:
    """Refuse vault-relative paths that could escape the vault or name a hidden folder."""
    if not rel or "\x00" in rel:
        raise OutsideVault("empty or invalid path")
    if "\\" in rel or (len(rel) > 1 and rel[1] == ":"):
        raise OutsideVault(f"{rel!r} looks like a Windows path; use vault-relative paths with /")
    p = PurePosixPath(rel)
    if p.is_absolute():
        raise OutsideVault(f"{rel!r} is absolute; paths are relative to the vault")
    for part in p.parts:
        if part == "..":
            raise OutsideVault(f"{rel!r} leaves the vault")
        if part.startswith(".") and not allow_hidden:
            raise OutsideVault(f"{rel!r} names a hidden file or folder")
