"""What sync services and git leave behind when two people edit one note: conflict copies beside
the note, and conflict markers inside it.

A conflict copy (`Globex.sync-conflict-20261120-112233-ABCDEFG.md`) is another device's version of
`Globex.md`, not a second Globex: read as a note it would make `log Globex` ambiguous and `stale`
list the account three times. Its name says which note it copies; the patterns for the services
that write them live here, in one place.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

# (service, the name of a copy: `stem` is the original note's name without `.md`)
COPY_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("Syncthing", re.compile(r"(?P<stem>.+?)\.sync-conflict-\d{8}-\d{6}-[A-Z0-9]{7}\.md")),
    # Dropbox: `Globex (Jane's conflicted copy 2026-11-20).md`, `Globex (conflicted copy 2026-11-20 112233).md`
    ("Dropbox", re.compile(r"(?P<stem>.+?) \((?:[^()]*'s )?conflicted copy \d{4}-\d{2}-\d{2}(?: \d+)?\)\.md")),
    # Obsidian Sync, Nextcloud, iCloud: `Globex (Conflicted copy MacBook 202611201129).md`,
    # `Globex (conflict 2026-11-20 112233).md`
    # (a date or time in it: `Meeting (conflict of interest).md` is a note of its own)
    ("sync", re.compile(r"(?P<stem>.+?) \((?:[Cc]onflicted copy|[Cc]onflict)\b[^()]*\d{4}[^()]*\)\.md")),
)

_OPEN, _BASE, _SPLIT, _CLOSE = (re.compile(r"<{7}(?: |$)"), re.compile(r"\|{7}(?: |$)"), re.compile(r"={7}$"),
                                re.compile(r">{7}(?: |$)"))


def copy_pattern(glob: str) -> re.Pattern[str]:
    """A `.vaultcrm.toml` copy name (`{name} (copy *).md`: `{name}` the note's name without `.md`,
    `*` any text) as a pattern for `copy_of`."""
    head, _, tail = glob.partition("{name}")
    part = lambda text: re.escape(text).replace(r"\*", ".*")  # noqa: E731
    return re.compile(f"{part(head)}(?P<stem>.+?){part(tail)}")


def copy_of(path: str, extra: Sequence[re.Pattern[str]] = ()) -> str | None:
    """The vault path of the note that `path` is a conflict copy of, or None for an ordinary note.

    `extra`: patterns from `.vaultcrm.toml` (`[conflicts] copies`), each with a `stem` group."""
    folder, _, name = path.rpartition("/")
    if not extra and "onflict" not in name:  # every listed path comes through here: most leave now
        return None
    for pattern in (*(p for _, p in COPY_PATTERNS), *extra):
        m = pattern.fullmatch(name)
        if m:
            stem = m["stem"]
            return f"{folder}/{stem}.md" if folder else f"{stem}.md"
    return None


def marker_lines(lines: Sequence[str], fenced: Iterable[int] = ()) -> list[int]:
    """0-based indexes of git's conflict-marker lines outside fenced code blocks: each `<<<<<<<`
    that a `=======` and then a `>>>>>>>` follow (a lone `=======` is a Markdown heading's
    underline), with a diff3 `|||||||` between. A note holding them is two versions at once, and
    no edit may pick one."""
    if not any(line.startswith("<<<<<<<") for line in lines):
        return []
    skip = set(fenced)
    text = [line.rstrip("\r\n") if n not in skip else "" for n, line in enumerate(lines)]
    out: list[int] = []
    n = 0
    while n < len(text):
        block = _block(text, n) if _OPEN.match(text[n]) else None
        if block:
            out += block
            n = block[-1] + 1
        else:
            n += 1
    return out


def _block(text: list[str], start: int) -> list[int] | None:
    """The marker lines of the conflict opened at `start`, or None if it never closes."""
    found = [start]
    for n in range(start + 1, len(text)):
        line = text[n]
        if _OPEN.match(line):
            return None
        if _BASE.match(line) and len(found) == 1 or _SPLIT.match(line) and not any(_SPLIT.match(text[k]) for k in found):
            found.append(n)
        elif _CLOSE.match(line) and any(_SPLIT.match(text[k]) for k in found):
            return [*found, n]
    return None
