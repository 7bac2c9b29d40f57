"""`merge`: a duplicate note FROM united into INTO, as one journaled change over several files.

The merge itself is pure (`model.merging`); this command reads both notes, moves FROM into the
vault's `.trash/` (Obsidian's own convention; nothing is ever deleted), rewrites links to FROM
elsewhere in the vault, and writes it all through `writes.apply_changes`, so one `undo` restores
every file.
"""

from __future__ import annotations

from vaultcrm.errors import UsageError
from vaultcrm.model.merging import merge_notes, rewrite_links
from vaultcrm.model.note import Note
from vaultcrm.model.records import NoteRecord, fold
from vaultcrm.ops.contact import links_index
from vaultcrm.ops.context import Context
from vaultcrm.ops.writes import Change, EditResult, apply_changes
from vaultcrm.query import link_name


def _names(rec: NoteRecord) -> set[str]:
    return {fold(n.removesuffix(".md")) for n in rec.names()}


def link_target(ctx: Context, into: NoteRecord, from_: NoteRecord) -> str:
    """How a link should name INTO: its file name when no other note shares it, else its path."""
    if fold(into.stem) == fold(from_.stem):  # [[stem]] is the very link being replaced
        return into.path.removesuffix(".md")
    return link_name(ctx.scan.records, into, ignore=[from_.path])


# ---- the command -----------------------------------------------------------------------------------
def merge(ctx: Context, from_name: str, into_name: str, *, dry_run: bool = False) -> EditResult:
    """Merge the note FROM into INTO; FROM goes to `.trash/`, links to it are rewritten."""
    src = ctx.editable(from_name)
    dst = ctx.editable(into_name)
    if src.path == dst.path:
        raise UsageError(f"{from_name!r} and {into_name!r} are the same note ({src.path})")
    from_text = ctx.vault.read(src.path).text
    into_text = ctx.vault.read(dst.path).text
    fnote, inote = Note.parse(from_text, src.path), Note.parse(into_text, dst.path)
    fnote.check()
    inote.check()
    merged = merge_notes(inote, fnote, from_title=src.title, into_title=dst.title).render()

    # links naming FROM (and not INTO, which may share its title) now name INTO
    others: dict[str, set[str]] = {}
    for r in ctx.scan.records:
        if r.path not in (src.path, dst.path):
            for n in _names(r):
                others.setdefault(n, set()).add(r.path)
    old = {n for n in _names(src) if n not in _names(dst) and n not in others}
    target = link_target(ctx, dst, src)
    if old:
        merged = rewrite_links(merged, dst.path, old, target)
    trash = ctx.vault.free_trash_path(src.path)
    changes: list[Change] = []
    if merged != into_text:
        changes.append(Change(dst.path, into_text, merged))
    changes.append(Change(src.path, from_text, None, moved_to=trash))
    rewritten = []
    if old:
        for r in links_index(ctx.records).linking_to(src):
            if r.path in (src.path, dst.path):
                continue
            text = ctx.vault.read(r.path).text
            new = rewrite_links(text, r.path, old, target)
            if new != text:
                changes.append(Change(r.path, text, new))
                rewritten.append(r.path)
    message = f"merged {src.path} into {dst.path}; {src.path} moved to {trash}"
    if rewritten:
        message += f"; links rewritten in {len(rewritten)} note{'s' * (len(rewritten) != 1)}"
    return apply_changes(ctx, changes, f"merge {src.path} into {dst.path}", dry_run=dry_run, message=message,
                         data={"into": dst.path, "from": src.path, "trash": trash, "rewritten": rewritten})
