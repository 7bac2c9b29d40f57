"""Which notes belong to an account, and which notes are accounts at all.

A note belongs to an account when it is filed in the account's folder (the account is a folder
note, `Customers/OpenAI/README.md` owns everything in `Customers/OpenAI/`) or names it in an
`account:`/`accounts:` property. A dated note that belongs to an account is an *interaction* of
that account (a meeting, a call, an email) whatever its `type` says: it dates the account and is
never an account itself. Real vaults type meeting notes `customer` by copying the account's template.
"""

from __future__ import annotations

import bisect

from vaultcrm.model.records import NoteRecord, fold
from vaultcrm.ops.context import Context


def belonging(ctx: Context, rec: NoteRecord) -> list[NoteRecord]:
    """The note, the notes filed under it (the folder of a folder note) in path order, then its
    interactions filed by an `account:` property elsewhere."""
    out = [rec]
    if rec.folder_note:
        records = ctx.records  # sorted by path: the folder's notes are one contiguous run
        paths = ctx.derived("paths", lambda: [r.path for r in records])
        prefix = rec.folder + "/"
        lo = bisect.bisect_left(paths, prefix)
        hi = bisect.bisect_left(paths, prefix + "\U0010ffff")
        out += [r for r in records[lo:hi] if r.path != rec.path]
    have = {r.path for r in out}
    out += [r for r in _interactions(ctx).get(rec.path, []) if r.path not in have]
    return out


def owner_of(ctx: Context, rec: NoteRecord) -> NoteRecord:
    """The account a note belongs to: the account of an interaction, the note itself when it is an
    account, else the nearest folder note above it."""
    account = interaction_of(ctx, rec)
    if account is not None:
        return account
    if ctx.config.is_account(rec.kind):
        return rec
    return _folder_owner(ctx, rec, accounts_only=False) or rec


def interaction_of(ctx: Context, rec: NoteRecord) -> NoteRecord | None:
    """The account whose interaction this note is (dated, and filed under the account's folder
    note or naming it in `account:`), or None."""
    return _interaction_accounts(ctx).get(rec.path)


def is_account(ctx: Context, rec: NoteRecord) -> bool:
    """An account: of an account kind and not an interaction of another account."""
    return ctx.config.is_account(rec.kind) and interaction_of(ctx, rec) is None


def interactions_of(ctx: Context, account: NoteRecord) -> list[NoteRecord]:
    """Every interaction of an account, in path order (folder-filed and `account:`-filed)."""
    return list(_interactions(ctx).get(account.path, []))


def _folder_owner(ctx: Context, rec: NoteRecord, *, accounts_only: bool) -> NoteRecord | None:
    """The nearest folder note above `rec` (an account's, with `accounts_only`), never `rec` itself."""
    folders = ctx.derived("folder_notes", lambda: {r.folder: r for r in ctx.records if r.folder_note})
    parts = rec.folder.split("/") if rec.folder else []
    while parts:
        owner = folders.get("/".join(parts))
        if owner is not None and owner.path != rec.path and (not accounts_only or ctx.config.is_account(owner.kind)):
            return owner
        parts.pop()
    return None


def _interaction_accounts(ctx: Context) -> dict[str, NoteRecord]:
    """interaction path -> its account, for the whole vault (computed once per scan, and kept
    between runs that find the same notes: `Context.lasting`)."""
    def make() -> dict[str, NoteRecord]:
        kept = ctx.lasting("interactions")  # interaction path -> account path; "" marks it complete
        if "" in kept:
            by_path = ctx.by_path
            found = {p: by_path.get(a) for p, a in kept.items() if p}
            if None not in found.values():
                return found  # type: ignore[return-value]
        found = _find_interactions(ctx)
        kept.clear()
        kept.update({p: a.path for p, a in found.items()})
        kept[""] = ""
        return found
    return ctx.derived("interaction_accounts", make)


def _interactions(ctx: Context) -> dict[str, list[NoteRecord]]:
    """account path -> its interactions in path order."""
    def make() -> dict[str, list[NoteRecord]]:
        by_path = ctx.by_path
        by: dict[str, list[NoteRecord]] = {}
        for path in sorted(_interaction_accounts(ctx)):
            by.setdefault(_interaction_accounts(ctx)[path].path, []).append(by_path[path])
        return by
    return ctx.derived("interactions_by_account", make)


def _find_interactions(ctx: Context) -> dict[str, NoteRecord]:
    names: dict[str, NoteRecord] = {}
    for r in ctx.records:  # accounts by every name a link may use; the first in path order wins
        if ctx.config.is_account(r.kind):
            for key in r.linked_as():
                names.setdefault(key, r)
    out: dict[str, NoteRecord] = {}
    for r in ctx.records:
        if not r.note_date or r.kind == "article":  # a clipped story about the account is no interaction
            continue
        account = _folder_owner(ctx, r, accounts_only=True)
        if account is None:
            named = (names.get(fold(n.removesuffix(".md"))) for n in r.filed_accounts)
            account = next((a for a in named if a is not None and a.path != r.path), None)
        if account is not None:
            out[r.path] = account
    return out
