"""`conflicts`: what sync services and git left behind (conflict copies beside a note, conflict
markers inside one), listed, and settled by meaning as one journaled edit.

A copy is united into its note as `merge` unites a duplicate, less what only a duplicate needs (no
alias, no link rewrite): properties (the note wins, except the later `last_contact` and united
lists), sections by bullet, Recent Context newest first, tasks matched by 🆔 id or text with a done
state winning; the copy then moves to `.trash/`, or, when its note is gone, takes its name. A
marker block whose sides are list items is united item by item (`threeway.unite_items`), one in
the frontmatter key by key (`threeway.merge_frontmatter`); any other block stays, and is reported.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from vaultcrm.errors import NotFound, VaultCRMError
from vaultcrm.model import conflicts, taskline, threeway
from vaultcrm.model.merging import merge_bodies
from vaultcrm.model.note import BOM, Note, eol, strip_eol
from vaultcrm.model.sections import normalize_heading
from vaultcrm.model.units import recent_context_sections, reorder_entries, section_units, spans
from vaultcrm.ops.context import Context
from vaultcrm.ops.merge import conflicting_kinds, merge_frontmatter
from vaultcrm.ops.writes import Change, EditResult, apply_changes

COPY, MARKERS = "copy", "markers"


@dataclass(frozen=True)
class Conflict:
    """A conflict copy (`original`: the note it copies) or a note holding marker `blocks`
    (each block's 1-based marker lines)."""

    kind: str
    path: str
    original: str | None = None
    original_exists: bool | None = None
    service: str | None = None
    blocks: tuple[tuple[int, ...], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "path": self.path, "original": self.original,
                "original_exists": self.original_exists, "service": self.service,
                "blocks": [list(b) for b in self.blocks]}


@dataclass(frozen=True)
class Left:
    """What `resolve` could not settle: a copy (no lines) or a note's marker lines, and why."""

    path: str
    lines: tuple[int, ...]
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "lines": list(self.lines), "reason": self.reason}


@dataclass(frozen=True)
class Block:
    """One marker block: line indexes of `<<<<<<<`, `|||||||` (diff3, else None), `=======`, `>>>>>>>`."""

    start: int
    base: int | None
    split: int
    end: int

    def numbers(self) -> tuple[int, ...]:
        return tuple(n + 1 for n in (self.start, self.base, self.split, self.end) if n is not None)

    def side(self, lines: Sequence[str], which: str) -> list[str]:
        """The lines of one side: `ours`, `theirs`, or `base` (empty without a diff3 base)."""
        if which == "ours":
            return list(lines[self.start + 1:self.split if self.base is None else self.base])
        if which == "theirs":
            return list(lines[self.split + 1:self.end])
        return [] if self.base is None else list(lines[self.base + 1:self.split])


# ---- finding them --------------------------------------------------------------------------------
def marker_blocks(note: Note) -> list[Block]:
    """The note's whole marker blocks outside code, frontmatter included."""
    found = conflicts.marker_lines(note.lines, note.fenced)
    groups: list[list[int]] = []
    for n in found:
        if note.lines[n].startswith("<<<<<<<") or not groups:
            groups.append([])
        groups[-1].append(n)
    return [Block(g[0], g[1] if len(g) == 4 else None, g[-2], g[-1]) for g in groups]


def _patterns(ctx: Context) -> tuple[re.Pattern[str], ...]:
    return tuple(conflicts.copy_pattern(g) for g in ctx.config.conflict_copies)


def service_of(path: str, extra: Sequence[re.Pattern[str]] = ()) -> str:
    """The service whose copy pattern names `path` (`.vaultcrm.toml` for the vault's own)."""
    name = path.rpartition("/")[2]
    for service, pattern in conflicts.COPY_PATTERNS:
        if pattern.fullmatch(name):
            return service
    return ".vaultcrm.toml"


def find(ctx: Context) -> list[Conflict]:
    """Every conflict copy and every note holding conflict markers, by path."""
    ctx.memo.told_copies = True  # this listing names them itself: no note about them on stderr
    scan, extra = ctx.full_scan, _patterns(ctx)
    out: list[Conflict] = []
    for path, why in scan.excluded:
        original = conflicts.copy_of(path, extra) if why == "conflict-copy" else None
        if original is not None:
            out.append(Conflict(COPY, path, original, ctx.vault.exists(original), service_of(path, extra)))
    for rec in scan.records:
        try:
            text = ctx.vault.read(rec.path).text
        except VaultCRMError:
            continue
        if "<<<<<<<" not in text:  # most notes leave here, unparsed
            continue
        blocks = marker_blocks(Note.parse(text, rec.path))
        if blocks:
            out.append(Conflict(MARKERS, rec.path, blocks=tuple(b.numbers() for b in blocks)))
    return sorted(out, key=lambda c: (c.path, c.kind))


# ---- markers ---------------------------------------------------------------------------------------
def _with_sides(lines: Sequence[str], blocks: Sequence[Block], which: str) -> str:
    out: list[str] = []
    at = 0
    for b in blocks:
        out += [*lines[at:b.start], *b.side(lines, which)]
        at = b.end + 1
    return "".join([*out, *lines[at:]])


def _head(note: Note, blocks: list[Block]) -> list[str] | None:
    """The frontmatter with its marker blocks settled key by key, or None when a key stays in conflict."""
    lines = note.lines[:note.body_start]
    merged = threeway.merge_frontmatter([Note.parse(_with_sides(lines, blocks, w)) for w in ("base", "ours", "theirs")])
    return merged[0] if merged is not None and not merged[1] else None


def _item_blocks(note: Note, blocks: list[Block], lines: list[str]) -> set[int]:
    """Unite each body block whose sides are list items into `lines` (last first); the indexes of
    the Recent Context sections a block was settled in (any other block stays as written)."""
    recent: set[int] = set()
    rc = recent_context_sections(note)
    for b in reversed(blocks):
        in_rc = threeway.in_recent_context(note, b.start)
        united = threeway.unite_items(b.side(lines, "base"), b.side(lines, "ours"), b.side(lines, "theirs"),
                                      newest_first=in_rc)
        if united is None:
            continue
        if united and not eol(lines[b.end]):
            united[-1] = strip_eol(united[-1])  # the note ended without a newline: so it still does
        lines[b.start:b.end + 1] = united
        recent |= {n for n, s in enumerate(rc) if s.start <= b.start < s.end}
    return recent


def resolve_markers(text: str, path: str) -> tuple[str, list[Block]]:
    """The note with every marker block that can be settled by meaning settled; (text, blocks left,
    as line indexes of the text returned)."""
    note = Note.parse(text, path)
    blocks = marker_blocks(note)
    if not blocks:
        return text, []
    head = [b for b in blocks if b.end < note.body_start]
    lines = list(note.lines)
    recent = _item_blocks(note, [b for b in blocks if b.start >= note.body_start], lines)
    merged = _head(note, head) if head else None
    if merged is not None:
        lines[:note.body_start] = merged
    new = Note.parse(note.bom + "".join(lines), path)
    for n, section in enumerate(recent_context_sections(new)):
        inside = [m for m in conflicts.marker_lines(new.lines, new.fenced) if section.start <= m < section.end]
        if n in recent and not inside:
            new = reorder_entries(new, section)
    return new.render(), marker_blocks(new)


# ---- copies ----------------------------------------------------------------------------------------
def _tasks(note: Note) -> list[tuple[tuple[str, str], tuple[int, int], tuple[str, ...]]]:
    """(key, (start, end), lines) of each task item in the note, outside code."""
    out = []
    for _, start, end in spans(note):
        for u in section_units(note, start, end):
            if u.kind == "item" and taskline.parse_task(u.text) is not None:
                item = tuple(note.lines[u.start:u.end])
                out.append((threeway.item_key(item), (u.start, u.end), item))
    return out


def _drop_known(inote: Note, fnote: Note) -> Note:
    """The copy without the units the note already has anywhere (under headings the note has too):
    `merge_bodies` unites by heading, and a note that repeats a heading would get them twice."""
    have = {u.key(inote) for _, start, end in spans(inote) for u in section_units(inote, start, end)}
    heads = {normalize_heading(s.heading) for s in inote.sections}
    doomed = [u for section, start, end in spans(fnote)
              if section is None or normalize_heading(section.heading) in heads
              for u in section_units(fnote, start, end) if u.kind != "blank" and u.key(fnote) in have]
    for u in reversed(doomed):
        fnote = fnote.splice(u.start, u.end, [])
    return fnote


def _settle_tasks(inote: Note, fnote: Note) -> tuple[Note, Note]:
    """The copy's tasks the note has once (by 🆔 id, else text without fields) leave the copy; one
    done there and open in the note is ticked in the note with the copy's line. A task a note
    repeats (a recurring task's done instances) is matched only as written."""
    mine, theirs = _tasks(inote), _tasks(fnote)
    once = {k for k in {k for k, _, _ in mine} if [k for k, _, _ in mine].count(k) == 1
            and [k for k, _, _ in theirs].count(k) == 1}
    own = {k: (span, item) for k, span, item in mine if k in once}
    ticked: dict[tuple[int, int], tuple[str, ...]] = {}
    dropped: list[tuple[int, int]] = []
    for key, span, item in theirs:
        if key in own:
            dropped.append(span)
            at, have = own[key]
            if threeway.item_closed(item) and not threeway.item_closed(have):
                ticked[at] = item
    for (start, end), item in sorted(ticked.items(), reverse=True):
        inote = inote.replace_lines(start, end, [strip_eol(line) for line in item])
    for start, end in sorted(dropped, reverse=True):
        fnote = fnote.splice(start, end, [])
    return inote, fnote


def merge_copy(text: str, path: str, copy_text: str, copy_path: str, ctx: Context) -> str:
    """The note at `path` with its conflict copy united into it (see the module's docstring)."""
    inote, fnote = Note.parse(text, path), Note.parse(copy_text, copy_path)
    inote.check_editable()
    fnote.check_editable()
    if copy_text.removeprefix(BOM) == text.removeprefix(BOM):
        return text
    iprops, fprops = inote.properties, fnote.properties
    keep = [("created", fprops["created"])] if "created" in iprops and "created" in fprops else []
    title = path.rpartition("/")[2].removesuffix(".md")  # the same on both sides: no alias
    note = merge_frontmatter(inote, fnote, from_title=title, into_title=title,
                             leave_out=conflicting_kinds(fprops, iprops, ctx.config) + keep)
    note, fnote = _settle_tasks(note, _drop_known(note, fnote))
    return merge_bodies(note, fnote).render()


def _message(changes: Sequence[Change], left: Sequence[Left]) -> str:
    merged = sum(1 for c in changes if c.moved_to and c.after is None)
    one = merged == 1
    said = [f"merged {merged} conflict cop{'y' if one else 'ies'} into {'its note' if one else 'their notes'} "
            + "(moved to .trash/)"] if merged else []
    said += [f"{c.path} renamed {c.moved_to} (its note was gone)" for c in changes
             if c.moved_to and c.after is not None]
    updated = [c.path for c in changes if not c.moved_to]
    said += [f"updated {', '.join(updated)}"] if updated else []
    said += [f"{len(left)} conflict{'s' * (len(left) != 1)} left to settle by hand"] if left else []
    return "; ".join(said) or "nothing to resolve"


# ---- the command -------------------------------------------------------------------------------------
@dataclass
class Plan:
    """What `resolve` does to one note and its copies."""

    path: str
    exists: bool
    markers: bool = False
    copies: list[str] = field(default_factory=list)


def _plans(found: Iterable[Conflict], wanted: Sequence[str]) -> list[Plan]:
    """Per note: its own markers and its copies; `wanted` paths pick copies, or notes (with their copies)."""
    want = {w.strip().replace("\\", "/") for w in wanted}
    want |= {w + ".md" for w in want if not w.endswith(".md")}
    plans: dict[str, Plan] = {}
    for c in found:
        note = c.original if c.kind == COPY else c.path
        if want and not want & {c.path, note}:
            continue
        plan = plans.setdefault(note or c.path, Plan(note or c.path, c.original_exists is not False))
        if c.kind == COPY:
            plan.copies.append(c.path)
        else:
            plan.markers = True
    return [plans[p] for p in sorted(plans)]


def _run(ctx: Context, plan: Plan, changes: list[Change], left: list[Left]) -> None:
    """Plan one note's changes: its markers settled, then each copy united into it."""
    vault = ctx.vault
    copies = list(plan.copies)
    if plan.exists:
        before = vault.read(plan.path).text
        first = None
    else:  # the note is gone: its first copy takes its name, the others unite into that
        first = copies.pop(0)
        before = vault.read(first).text
    text, blocks = resolve_markers(before, plan.path) if plan.markers else (before, [])
    left += [Left(plan.path, b.numbers(), "both sides changed these lines; settle them by hand") for b in blocks]
    for copy in copies:
        try:
            if blocks:
                raise VaultCRMError(f"{plan.path} still holds conflict markers; settle them, then run again")
            copy_text = vault.read(copy).text
            text = merge_copy(text, plan.path, copy_text, copy, ctx)
        except VaultCRMError as exc:
            left.append(Left(copy, (), exc.message))
            continue
        changes.append(Change(copy, copy_text, None, moved_to=vault.free_trash_path(copy)))
    if first is not None:
        changes.insert(0, Change(first, before, text, moved_to=plan.path))
    elif text != before:
        changes.insert(0, Change(plan.path, before, text))


def resolve(ctx: Context, paths: Sequence[str] = (), *, dry_run: bool = False) -> EditResult:
    """Settle every conflict copy and marker block (or those of `paths`) that can be settled by
    meaning, as one journaled edit; `data["left"]` holds what stays for a person to settle."""
    plans = _plans(find(ctx), paths)
    if paths and not plans:
        raise NotFound(f"no conflict copy or note with conflict markers at {', '.join(map(repr, paths))}",
                       hint="`vaultcrm conflicts` lists them")
    changes: list[Change] = []
    left: list[Left] = []
    for plan in plans:
        run: list[Change] = []
        _run(ctx, plan, run, left)
        changes += run
    moved = {c.path: c.moved_to for c in changes if c.moved_to}
    return apply_changes(ctx, changes, "conflicts resolve", dry_run=dry_run, message=_message(changes, left),
                         data={"moved": moved, "left": [x.to_dict() for x in left]})
