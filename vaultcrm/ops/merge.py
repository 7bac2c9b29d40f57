"""`merge`: a duplicate note FROM united into INTO, as one journaled change over several files.

The merge itself is pure (`model.merging` decides what INTO takes; here, the properties are
written into INTO's frontmatter and INTO's kind is kept against FROM's); this command reads both
notes, moves FROM into the vault's `.trash/` (Obsidian's own convention; nothing is ever
deleted), rewrites links to FROM elsewhere in the vault, and writes it all through
`writes.apply_changes`, so one `undo` restores every file.
"""

from __future__ import annotations

import re
from typing import Any

from vaultcrm.config import Config
from vaultcrm.errors import UnsafeEdit, UsageError
from vaultcrm.model import edits
from vaultcrm.model.merging import merge_bodies, merged_properties
from vaultcrm.model.note import Note, strip_eol
from vaultcrm.model.records import NoteRecord, fold
from vaultcrm.ops.contact import links_index
from vaultcrm.ops.context import Context
from vaultcrm.ops.writes import Change, EditResult, apply_changes
from vaultcrm.query import link_name

_LINK = re.compile(r"(\[\[)([^\]|#^]+)((?:[#^][^\]|]*)?(?:\|[^\]]*)?\]\])")


# ---- links ----------------------------------------------------------------------------------------
def _names(rec: NoteRecord) -> set[str]:
    return {fold(n.removesuffix(".md")) for n in rec.names()}


def link_target(ctx: Context, into: NoteRecord, from_: NoteRecord) -> str:
    """How a link should name INTO: its file name when no other note shares it, else its path."""
    if fold(into.stem) == fold(from_.stem):  # [[stem]] is the very link being replaced
        return into.path.removesuffix(".md")
    return link_name(ctx.scan.records, into, ignore=[from_.path])


def rewrite_links(text: str, path: str, old: set[str], new_target: str) -> str:
    """`[[old…]]` links (by any name in `old`) pointed at `new_target`, heading and alias kept;
    lines inside code fences are left alone."""
    note = Note.parse(text, path)
    changed = False
    lines = list(note.lines)
    fenced = note.fenced

    def repl(m: re.Match[str]) -> str:
        nonlocal changed
        if fold(m[2].strip().removesuffix(".md")) in old:
            changed = True
            return m[1] + new_target + m[3]
        return m[0]

    for i, line in enumerate(lines):
        if "[[" in line and i not in fenced:
            lines[i] = _LINK.sub(repl, line)
    return note.bom + "".join(lines) if changed else text


# ---- properties -----------------------------------------------------------------------------------
def conflicting_kinds(fprops: dict[str, Any], iprops: dict[str, Any],
                      config: Config | None = None) -> list[tuple[str, Any]]:
    """(key, value) of FROM's `type` values and `type/…` tags that name another kind than INTO's
    (in the vault's words: `people` is `person`): the merged note is still what INTO says it is,
    a customer is not also a prospect."""
    kind = (config or Config()).canonical_kind

    def claims(props: dict[str, Any]) -> list[tuple[str, Any, str | None]]:
        types = props.get("type") if isinstance(props.get("type"), list) else [props.get("type")]
        tags = props.get("tags") if isinstance(props.get("tags"), list) else [props.get("tags")]
        tags = [t for t in tags if isinstance(t, str) and t.lower().startswith("type/")]
        return [("type", v, kind(v)) for v in types if v is not None] + [("tags", t, kind(t[5:])) for t in tags]

    mine = {k for _, _, k in claims(iprops)} - {None}
    return [(key, v) for key, v, k in claims(fprops) if mine and k and k not in mine]


def kind_report(dropped: list[tuple[str, Any]], src: NoteRecord, dst: NoteRecord) -> str:
    """The part of the message saying what of FROM's kind the merge left out, and why: the user
    should hear that `type/prospect` is gone from the merged note (FROM keeps it, in `.trash/`)."""
    said = ", ".join(f"{key}: {value}" for key, value in dropped)
    return f"; left out {src.path}'s {said} ({dst.path}'s kind, {dst.kind}, wins)"


def _copy_raw_property(note: Note, fnote: Note, key: str) -> Note:
    """Append FROM's own lines for `key` (a mapping or other value we do not re-serialise)."""
    spans = [s for s in edits.key_spans(fnote) if s[0] == key]
    if not spans or note.frontmatter is None:
        raise UnsafeEdit(f"cannot copy property {key!r}", path=note.path)
    _, start, end = spans[0]
    lines = [strip_eol(line) for line in fnote.lines[start:end]]
    ispans = edits.key_spans(note)
    at = ispans[-1][2] if ispans else note.frontmatter.end - 1
    new = note.replace_lines(at, at, lines)
    if new.properties.get(key) != fnote.properties.get(key):
        raise UnsafeEdit(f"cannot copy property {key!r} safely; merge it by hand", path=note.path)
    return new


def merge_frontmatter(inote: Note, fnote: Note, *, from_title: str, into_title: str,
                      leave_out: list[tuple[str, Any]] | None = None) -> Note:
    """INTO's frontmatter with the properties `merged_properties` gives it, each edited by its lines."""
    changes = merged_properties(fnote.properties, inote.properties, from_title=from_title, into_title=into_title,
                                leave_out=leave_out or ())
    note = inote
    for key, value in changes.items():
        if isinstance(value, dict) or (isinstance(value, list) and any(isinstance(v, (dict, list)) for v in value)):
            if key in note.properties:
                continue  # INTO has its own nested value: it wins
            note = _copy_raw_property(note, fnote, key)
        else:
            note = edits.set_property(note, key, value)
    return note


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
    fnote.check_editable()
    inote.check_editable()
    dropped = conflicting_kinds(fnote.properties, inote.properties, ctx.config)
    note = merge_frontmatter(inote, fnote, from_title=src.title, into_title=dst.title, leave_out=dropped)
    merged = merge_bodies(note, fnote).render()

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
    if dropped:
        message += kind_report(dropped, src, dst)
    return apply_changes(ctx, changes, f"merge {src.path} into {dst.path}", dry_run=dry_run, message=message,
                         data={"into": dst.path, "from": src.path, "trash": trash, "rewritten": rewritten,
                               "dropped": [{"property": k, "value": v} for k, v in dropped]})
