"""From a note's text to its record, in one pass: the only place records are built.

Scanning 10,000 notes line by line in Python costs seconds; the same facts found by a handful
of C-level regex scans over the whole text cost a small fraction. Notes with code fences (where
a heading or task may not be one) go through the full `Note` model instead (`record_from_note`,
the reference), so both paths give the same record; `tests/test_scanner.py` holds them equal on
the corpus.
"""

from __future__ import annotations

import re
from typing import Any

from vaultcrm.config import Config
from vaultcrm.errors import InvalidNote
from vaultcrm.model import grammar
from vaultcrm.model.note import BOM, HEADING, Note, find_frontmatter, is_cr_only, split_lines
from vaultcrm.model.records import NoteRecord, assemble, body_tags, entries_of, entry_record, line_tags, task_records, tasks_of
from vaultcrm.model.sections import is_recent_context

_FIRST_LINE = re.compile(r"[^\n]*\n?")
_HEADING_LINE = re.compile(r"^ {0,3}#[^\n]*", re.M)  # every line HEADING could match
_CONTEXT = re.compile("context", re.I)
_TASKISH = re.compile(r"^[^\n]*\[[^\]\n]\][^\n]*", re.M)
_FIELDISH = re.compile(r"^[^\n]*::[^\n]*", re.M)  # lines that may hold a Dataview inline field


def build_record(path: str, text: str, config: Config, *, size: int = 0, mtime_ns: int = 0) -> NoteRecord:
    """Parse a note into a record; a note with malformed frontmatter gets `error` set instead."""
    return record_from_text(path, text, config, size=size, mtime_ns=mtime_ns)


def record_from_note(note: Note, config: Config, *, size: int = 0, mtime_ns: int = 0) -> NoteRecord:
    """The record of a parsed note (the reference implementation the fast path must equal)."""
    path = note.path or ""
    try:
        props: dict[str, Any] | InvalidNote = note.properties
    except InvalidNote as exc:
        props = exc
    body = list(note.body_lines(note.body_start, len(note.lines)))
    return assemble(path, props, body_tags=body_tags(note), entries=entries_of(note), tasks=tasks_of(note, config.tasks),
                    body_links=[x for _, line in body if "[[" in line for x in grammar.wikilinks(line)],
                    body_md_links=grammar.markdown_targets("\n".join(line for _, line in body if "](" in line)),
                    field_lines=[(i, line) for i, line in body if "::" in line],
                    config=config, size=size, mtime_ns=mtime_ns)


def record_from_text(path: str, text: str, config: Config, *, size: int = 0, mtime_ns: int = 0) -> NoteRecord:
    """The fast path (no code fences): the same record as `record_from_note`."""
    if "```" in text or "~~~" in text or is_cr_only(text):  # the line-by-line path handles these
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
            if m.end() < len(body) and line.endswith("\r"):  # CRLF: the \r belongs to the ending
                line = line[:-1]
            out.append((line_of(m.start()), line))
        return out

    entries = []
    if not isinstance(props, InvalidNote) and _CONTEXT.search(body):  # no "context" anywhere: no entries
        entries = _entries(body, line_of)
    # tags and links never span lines, so one pass over the whole body finds what a per-line pass would
    return assemble(path, props, body_tags=line_tags(body) if "#" in body else [], entries=entries,
                    tasks=task_records(path, lines(_TASKISH), config.tasks) if "[" in body else [],
                    body_links=grammar.wikilinks(body) if "[[" in body else [],
                    body_md_links=grammar.markdown_targets(body),
                    field_lines=lines(_FIELDISH) if "::" in body else [],
                    config=config, size=size, mtime_ns=mtime_ns)


def _entries(body: str, line_of: _LineCounter) -> list[Any]:
    """The entries of every Recent Context section of a fence-free body."""
    entries = []
    heads = [m for m in _HEADING_LINE.finditer(body) if HEADING.match(_strip_cr(m, body))]
    for n, m in enumerate(heads):
        h = HEADING.match(_strip_cr(m, body))
        assert h is not None
        title = h[2] or ""
        if "context" not in title.lower() or not is_recent_context(title):
            continue
        first = line_of(m.start()) + 1
        chunk = body[m.end() + 1: heads[n + 1].start() if n + 1 < len(heads) else len(body)]
        for k, raw in enumerate(split_lines(chunk)):
            if raw.endswith("\n"):
                raw = raw[:-1]
                if raw.endswith("\r"):
                    raw = raw[:-1]
            e = entry_record(raw, first + k)
            if e is not None:
                entries.append(e)
    return entries


def _strip_cr(m: re.Match[str], body: str) -> str:
    """A matched line without the \\r of a CRLF ending (a lone \\r at the very end is kept)."""
    line = m.group()
    return line[:-1] if line.endswith("\r") and m.end() < len(body) else line


def _frontmatter(path: str, text: str) -> tuple[dict[str, Any] | InvalidNote, int, int]:
    """(properties or the error, offset where the body starts, 0-based line where it starts)."""
    if not text.startswith(("---", "+++")):
        return {}, 0, 0
    lines = split_lines(text[: _fm_window(text)])
    fm, err = find_frontmatter(lines, path)
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
        self.line = self.first_line = first_line

    def __call__(self, body_offset: int) -> int:
        target = self.body_at + body_offset
        if target < self.pos:
            self.pos, self.line = self.body_at, self.first_line
        self.line += self.text.count("\n", self.pos, target)
        self.pos = target
        return self.line
