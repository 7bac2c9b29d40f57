"""Which notes belong to an account: the note itself and the notes filed under it, when it is a
folder note (`Customers/OpenAI/README.md` owns everything in `Customers/OpenAI/`)."""

from __future__ import annotations

import bisect

from vaultcrm.model.records import NoteRecord
from vaultcrm.ops.context import Context


def belonging(ctx: Context, rec: NoteRecord) -> list[NoteRecord]:
    """The note and the notes filed under it (the folder of a folder note), in path order."""
    if not rec.folder_note:
        return [rec]
    records = ctx.records  # sorted by path: the folder's notes are one contiguous run
    paths = ctx.derived("paths", lambda: [r.path for r in records])
    prefix = rec.folder + "/"
    lo = bisect.bisect_left(paths, prefix)
    hi = bisect.bisect_left(paths, prefix + "\U0010ffff")
    return [rec] + [r for r in records[lo:hi] if r.path != rec.path]


def owner_of(ctx: Context, rec: NoteRecord) -> NoteRecord:
    """The account a note belongs to: itself when it is one, else the nearest folder note above it."""
    if ctx.config.is_account(rec.kind):
        return rec
    folders = ctx.derived("folder_notes", lambda: {r.folder: r for r in ctx.records if r.folder_note})
    parts = rec.folder.split("/") if rec.folder else []
    while parts:
        owner = folders.get("/".join(parts))
        if owner is not None and owner.path != rec.path:
            return owner
        parts.pop()
    return rec
