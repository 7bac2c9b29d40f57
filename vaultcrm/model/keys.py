"""Property names as Obsidian shows them: `Status` and `status` are one property.

Listings read a key in any case; edits write to the file's own spelling; two spellings of one
key are ambiguous for an edit and a `doctor` finding. Pure functions over a parsed note.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable
from typing import Any

from vaultcrm.errors import Ambiguous, InvalidNote
from vaultcrm.model import edits
from vaultcrm.model.note import Note, strip_eol


def key_fold(key: str) -> str:
    """How property names compare: lower-cased, as Obsidian's property panel shows `Status` and
    `status` as one property (JavaScript's toLowerCase, so `ß` stays apart from `SS`)."""
    return key.lower()


def same_keys(keys: Iterable[str], key: str) -> list[str]:
    """Every name in `keys` (file order kept) that is `key` up to case."""
    want = key_fold(key)
    return [k for k in keys if key_fold(k) == want]


def listed_key(props: dict[str, Any], key: str) -> str | None:
    """The property `key` names when reading many notes (`list --where/--sort`): the exact spelling
    first, else the first spelling in file order. A listing never refuses a note for keys that differ
    only in case; `doctor` reports those (ambiguous-key) and edits refuse them (`own_key`)."""
    if key in props:
        return key
    found = same_keys(props, key)
    return found[0] if found else None


def own_key(note: Note, key: str) -> str | None:
    """The note's own spelling of property `key` (`Status` finds `status:`), None when absent, so
    an edit rewrites the key the file already has instead of adding a second one.

    Raises Ambiguous (naming every spelling and its line) when keys differ only in case, even if
    one matches `key` exactly: which one the user means is a guess, and edits never guess.
    """
    found = same_keys(note.properties, key)
    if len(found) < 2:
        return found[0] if found else None
    lines = key_line_numbers(note)
    where = [f"{k!r} (line {lines.get(k, '?')})" for k in found]
    raise Ambiguous(f"property {key!r} is ambiguous: {', '.join(where[:-1])} and {where[-1]} differ only "
                    "in case; rename or remove one in the note, then try again",
                    path=note.path, hint="`vaultcrm doctor` lists every such pair (ambiguous-key)")


def case_twins(note: Note) -> list[tuple[tuple[str, int], tuple[str, int]]]:
    """Every pair of frontmatter keys that differ only in case, as ((key, line), (key, line)) with
    1-based lines, the earlier key first. Cheap when there are none: no key lines are located."""
    groups: dict[str, list[str]] = {}
    for k in note.properties:
        groups.setdefault(key_fold(k), []).append(k)
    twins = [ks for ks in groups.values() if len(ks) > 1]
    if not twins:
        return []
    lines = key_line_numbers(note)
    pairs = []
    for ks in twins:
        located = sorted((lines.get(k, 1), k) for k in ks)
        pairs += [((a, la), (b, lb)) for (la, a), (lb, b) in itertools.combinations(located, 2)]
    return pairs


_KEY_LINE = re.compile(r"""(?:"([^"]*)"|'([^']*)'|([^\s#"'\[{-][^:=]*?))\s*[:=]""")


def key_line_numbers(note: Note) -> dict[str, int]:
    """The 1-based file line of each top-level frontmatter key (its first, if written twice).

    YAML keys are located as edits locate them (ruamel, imported only here); TOML, or YAML that
    ruamel reads differently from Obsidian's parser, falls back to a scan of unindented `key:` and
    `key =` lines."""
    fm = note.frontmatter
    if fm is None:
        return {}
    if fm.fmt == "yaml":
        try:
            return {k: start + 1 for k, start, _ in reversed(edits.key_spans(note))}
        except InvalidNote:
            pass
    out: dict[str, int] = {}
    for i in range(fm.body_start, fm.end - 1):
        m = _KEY_LINE.match(strip_eol(note.lines[i]))
        if m:
            out.setdefault(next(g for g in m.groups() if g is not None), i + 1)
    return out


def written_keys(note: Note) -> list[tuple[str, int]]:
    """Every top-level key as written in a YAML block, in file order with its 1-based line, repeats
    included (a parser keeps one of two equal keys; the file holds both)."""
    fm = note.frontmatter
    if fm is None or fm.fmt != "yaml":
        return []
    out = []
    for i in range(fm.body_start, fm.end - 1):
        line = strip_eol(note.lines[i])
        m = _KEY_LINE.match(line) if line[:1] not in (" ", "\t", "") else None
        if m and line[m.end() - 1] == ":":
            out.append((next(g for g in m.groups() if g is not None), i + 1))
    return out


def repeated_keys(note: Note) -> list[tuple[str, list[int]]]:
    """Keys written more than once in one block, with their lines: Obsidian (js-yaml) refuses such
    a block, PyYAML silently keeps the last value."""
    lines: dict[str, list[int]] = {}
    for key, line in written_keys(note):
        lines.setdefault(key, []).append(line)
    return [(k, v) for k, v in lines.items() if len(v) > 1]
