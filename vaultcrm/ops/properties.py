"""Properties: `get`, `set` (also `--add` to a list) and `unset`, each kept in step with the
Account Status row of the same name.

A key is found in any case, as Obsidian shows properties (`Status` finds `status:`), and edited
under the spelling the file already has; keys that differ only in case are refused (Ambiguous).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from vaultcrm.errors import NotFound, UsageError
from vaultcrm.model import edits, keys
from vaultcrm.model.note import Note
from vaultcrm.ops.context import Context

if TYPE_CHECKING:  # `get` imports this module too: the write path is imported by the edits
    from vaultcrm.ops.writes import EditResult


def get_property(ctx: Context, name: str, key: str) -> Any:
    """A property's value, its key named in any case; falls back to the Account Status row of that
    name. Keys that differ only in case raise Ambiguous rather than pick one."""
    rec = ctx.editable(name)
    found = keys.same_keys(rec.properties, key)
    if len(found) == 1:
        return rec.properties[found[0]]
    note = Note.parse(ctx.vault.read(rec.path).text, rec.path)
    own = keys.own_key(note, key)  # the note itself, for the lines an Ambiguous error names
    if own is not None:
        return note.properties[own]
    value = edits.status_value(note, key)
    if value is not None:
        return value
    raise NotFound(f"{rec.path} has no property {key!r}", suggestions=list(rec.properties)[:10])


def set_property(ctx: Context, name: str, key: str, value: Any, *, dry_run: bool = False) -> EditResult:
    from vaultcrm.ops.writes import edit_note

    if not key.strip() or "\n" in key:
        raise UsageError("property names cannot be empty or span lines")
    rec = ctx.editable(name)

    def fn(note: Note) -> Note:
        note = edits.set_property(note, keys.own_key(note, key) or key, value)
        return edits.set_status_cell(note, key, edits.as_cell(value))

    return edit_note(ctx, rec.path, fn, command=f"set {rec.title} {key}", message=f"set {key} in {rec.path}",
                     dry_run=dry_run)


def add_to_list(ctx: Context, name: str, key: str, items: Sequence[Any], *, dry_run: bool = False) -> EditResult:
    """Append items to a list property (a scalar becomes a list), each once.

    The current value is read inside the edit, under the lock, so a concurrent addition is
    never overwritten.
    """
    from vaultcrm.ops.writes import edit_note

    rec = ctx.editable(name)

    def fn(note: Note) -> Note:
        own = keys.own_key(note, key) or key
        current = note.properties.get(own)
        have = current if isinstance(current, list) else ([] if current in (None, "") else [current])
        new = have + [v for v in items if v not in have]
        note = edits.set_property(note, own, new)
        return edits.set_status_cell(note, key, edits.as_cell(new))

    return edit_note(ctx, rec.path, fn, command=f"set {rec.title} {key}", message=f"added to {key} in {rec.path}",
                     dry_run=dry_run)


def unset_property(ctx: Context, name: str, key: str, *, dry_run: bool = False) -> EditResult:
    """Remove a property, and empty the Account Status cell of the same field if there is one."""
    from vaultcrm.ops.writes import edit_note

    rec = ctx.editable(name)

    def fn(note: Note) -> Note:
        own = keys.own_key(note, key)
        if own is None and edits.status_value(note, key) is None:
            raise NotFound(f"{rec.path} has no property or Account Status row {key!r}",
                           suggestions=list(note.properties)[:10])
        note = edits.unset_property(note, own or key)
        return edits.set_status_cell(note, key, "")

    return edit_note(ctx, rec.path, fn, command=f"unset {rec.title} {key}",
                     message=f"removed {key} from {rec.path}", dry_run=dry_run)
