"""The fast path from a note's text to its record: whole-text regexes instead of a line model.

Scanning 10,000 notes line by line in Python costs seconds; the same facts found by a handful
of C-level regex scans over the whole text cost a small fraction. Notes with code fences (where
a heading or task may not be one) go through the full `Note` model instead, so both paths give
the same record; `tests/test_scanner.py` holds them equal on the corpus.
"""

from __future__ import annotations

import re
from typing import Any

from vaultcrm import blocks
from vaultcrm.config import Config
from vaultcrm.errors import InvalidNote
from vaultcrm.note import BOM, Note, _find_frontmatter, _HEADING, normalize_heading, split_lines
from vaultcrm.records import (
    RECENT_CONTEXT,
    NoteRecord,
    assemble,
    entry_record,
    line_tags,
    record_from_note,
    task_records,
)

_FIRST_LINE = re.compile(r"[^\n]*\n?")
_HEADING_LINE = re.compile(r"^[ #][^\n]*", re.M)
_TASKISH = re.compile(r"^[^\n]*\[[^\]\n]\][^\n]*", re.M)


def record_from_text(path: str, text: str, config: Config, *, size: int = 0, mtime_ns: int = 0) -> NoteRecord:
    if "```" in text or "~~~" in text:
        return record_from_note(Note.parse(text, path), config, size=size, mtime_ns=mtime_ns)
    if text.startswith(BOM):
        text = text[1:]
    props, body_at, first_line = _frontmatter(path, text)
    body = text[body_at:]
    line_of = _LineCounter(text, body_at, first_line)

    def lines(pattern: re.Pattern[str]) -> list[tuple[int, str]]:
        out = []
        for m in pattern.finditer(body):
            line = m.group()
            end = m.end()
            if end < len(body) and line.endswith("\r"):  # CRLF: the \r belongs to the ending
                line = line[:-1]
            out.append((line_of(m.start()), line))
        return out

    entries = []
    if not isinstance(props, InvalidNote):
        heads = [(i, t) for i, t in lines(_HEADING_LINE) if _HEADING.match(t)]
        for n, (i, t) in enumerate(heads):
            h = _HEADING.match(t)
            assert h is not None
            if normalize_heading((h[2] or "").strip()) != RECENT_CONTEXT:
                continue
            end = heads[n + 1][0] if n + 1 < len(heads) else None
            start_pos = line_of.pos_of(i + 1)
            stop_pos = line_of.pos_of(end) if end is not None else len(text)
            chunk = text[start_pos:stop_pos]
            for k, raw in enumerate(split_lines(chunk)):
                if raw.endswith("\n"):
                    raw = raw[:-1]
                    if raw.endswith("\r"):
                        raw = raw[:-1]
                e = entry_record(raw, i + 1 + k)
                if e is not None:
                    entries.append(e)
    # tags and links never span lines, so one pass over the whole body finds what a per-line pass would
    tags = line_tags(body) if "#" in body else []
    tasks = task_records(path, lines(_TASKISH)) if "[" in body else []
    links = blocks.wikilinks(body) if "[[" in body else []
    return assemble(path, props, body_tags=tags, entries=entries, tasks=tasks, body_links=links, config=config,
                    size=size, mtime_ns=mtime_ns)


def _frontmatter(path: str, text: str) -> tuple[dict[str, Any] | InvalidNote, int, int]:
    """(properties or the error, offset where the body starts, 0-based line where it starts)."""
    if not text.startswith(("---", "+++")):
        return {}, 0, 0
    lines = split_lines(text[: _fm_window(text)])
    fm, err = _find_frontmatter(lines, path)
    if err is not None:
        return err, 0, 0
    if fm is None:
        return {}, 0, 0
    body_at = sum(len(x) for x in lines[: fm.end])
    note = Note(lines=lines[: fm.end], path=path, frontmatter=fm)
    try:
        return note.properties, body_at, fm.end
    except InvalidNote as exc:
        return exc, body_at, fm.end


_CLOSERS = {"-": re.compile(r"^(?:---|\.\.\.)[ \t]*\r?$", re.M), "+": re.compile(r"^\+\+\+[ \t]*\r?$", re.M)}


def _fm_window(text: str) -> int:
    """How much of the text can hold the frontmatter: up to its closing line (or all of it)."""
    first = _FIRST_LINE.match(text)
    assert first is not None
    close = _CLOSERS[text[0]].search(text, first.end())
    if close is None:
        return len(text)
    nl = text.find("\n", close.end())
    return len(text) if nl == -1 else nl + 1


class _LineCounter:
    """Line numbers (0-based, counted from the text's start) of offsets in the body, asked in order."""

    def __init__(self, text: str, body_at: int, first_line: int) -> None:
        self.text = text
        self.body_at = body_at
        self.pos = body_at
        self.line = first_line
        self._starts: list[int] | None = None

    def __call__(self, body_offset: int) -> int:
        target = self.body_at + body_offset
        if target < self.pos:
            self.pos, self.line = self.body_at, self.count_base()
        self.line += self.text.count("\n", self.pos, target)
        self.pos = target
        return self.line

    def count_base(self) -> int:
        return self.text.count("\n", 0, self.body_at)

    def pos_of(self, line: int) -> int:
        """Offset of the start of 0-based line `line` in the text."""
        if self._starts is None:
            starts = [0]
            find = self.text.find
            i = find("\n")
            while i != -1:
                starts.append(i + 1)
                i = find("\n", i + 1)
            self._starts = starts
        return self._starts[line] if line < len(self._starts) else len(self.text)
