"""Where `new` files a note: the way the vault already files notes of that kind.

A kind's layout is the folder most of its notes live in and the form they take there: flat files
(`People/Jane Doe.md`) or folder notes (`Customers and Partners/Acme/README.md`, `Acme/index.md`,
`Acme/Acme.md`, the forms `scope` recognises). A folder named by `--folder` or `.vaultcrm.toml
[folders]` wins over the learned one; the form is still that of the kind's notes in that folder
(flat when it has none). A kind with no notes yet, or no clear majority, keeps its default folder;
meetings (filed by date, or in their account's folder) always do.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from vaultcrm.errors import UsageError
from vaultcrm.model.exclusion import archived
from vaultcrm.model.records import FOLDER_NOTE_NAMES, NoteRecord
from vaultcrm.ops import scope
from vaultcrm.ops.context import Context

NAME_MAX = 255  # bytes in one file or folder name (ext4, btrfs, APFS, NTFS: 255 units)
SAME_NAME = ""  # the folder-note form named after its folder: `Acme/Acme.md`


@dataclass(frozen=True)
class Layout:
    """Where a note goes: `folder` ("" is the vault's root) and `form`: None for a flat note, else the
    folder note's file name as the vault writes it (`README`, `index`), SAME_NAME for `Acme/Acme.md`."""

    folder: str
    form: str | None = None

    def path(self, stem: str) -> str:
        base = f"{self.folder.rstrip('/')}/" if self.folder.strip("/") else ""  # `/abs` stays, to be refused
        if self.form is None:
            return f"{base}{stem}.md"
        return f"{base}{stem}/{self.form or stem}.md"


def new_path(ctx: Context, kind: str, stem: str, *, folder: str | None = None) -> str:
    """The vault path `new` writes a note of `kind` named `stem` to, refused (exit 2) when a name in
    it is too long for the file system: checked here, before the disk is touched."""
    rel = layout_for(ctx, kind, folder=folder).path(stem)
    check_name_lengths(rel)
    return rel


def layout_for(ctx: Context, kind: str, *, folder: str | None = None) -> Layout:
    """The folder: `--folder`, else the `[folders]` setting, else the one most notes of the kind are
    filed in (a tie, or no such note: the default). The form: that of most of the kind's notes in
    that folder (a tie, or none: flat)."""
    if folder is None and kind in ctx.config.folders_set:
        folder = ctx.config.folder_for(kind)
    if ctx.config.is_meeting(kind):  # filed under their accounts, meetings would teach one account's folder
        return Layout(folder if folder is not None else ctx.config.folder_for(kind))
    places = [_place(r) for r in ctx.records if _counts(ctx, r, kind)]
    if folder is None:
        folder = _most([where for where, _ in places], prefer=ctx.config.folder_for(kind).strip("/")) or ""
    return Layout(folder, _most([form for where, form in places if where == folder.strip("/")], prefer=None))


def check_name_lengths(rel: str) -> None:
    """Refuse a path with a file or folder name longer than the file system allows (exit 2)."""
    parts = rel.split("/")
    for part in parts:
        size = len(part.encode("utf-8"))
        if size > NAME_MAX:
            shown = "/".join(_short(p) for p in parts)
            raise UsageError(f"cannot create {shown}: the name {_short(part)!r} is {size} bytes long, and a file "
                             f"or folder name may have at most {NAME_MAX}",
                             hint="use a shorter title, kind or --folder")


def _counts(ctx: Context, rec: NoteRecord, kind: str) -> bool:
    """A note that shows where notes of `kind` live: of that kind, not archived, and for an account
    kind an account (a meeting typed `customer` inside an account's folder is no account)."""
    if rec.kind != kind or archived(rec.path):
        return False
    return not ctx.config.is_account(kind) or scope.is_account(ctx, rec)


def _place(rec: NoteRecord) -> tuple[str, str | None]:
    """(the folder the note is filed in, its form): a folder note's folder is its parent's entry."""
    if not rec.folder_note:
        return rec.folder, None
    parent = rec.folder.rsplit("/", 1)[0] if "/" in rec.folder else ""
    return parent, rec.stem if rec.stem.lower() in FOLDER_NOTE_NAMES else SAME_NAME


def _most(values: list[str | None], *, prefer: str | None) -> str | None:
    """The most common value; `prefer` (today's default) when there is none, or several tie."""
    top = Counter(values).most_common(2)
    if not top or (len(top) == 2 and top[0][1] == top[1][1]):
        return prefer
    return top[0][0]


def _short(name: str, most: int = 60) -> str:
    return name if len(name) <= most else f"{name[:40]}…{name[-12:]}"
