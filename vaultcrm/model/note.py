"""The lossless note model: a note is its lines, and every part of it is a span of those lines.

`Note.parse(text).render() == text` for every input, byte for byte: the model keeps the BOM,
each line with its own ending (CRLF, LF, or none on the last line), the frontmatter block as
written, and finds sections by their line spans. An edit replaces a span of lines and leaves
every other byte where it was; the frontmatter is only ever read, never re-serialised.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from vaultcrm.errors import InvalidNote
from vaultcrm.model import conflicts
from vaultcrm.model.sections import normalize_heading

BOM = "\ufeff"
# The heading text is written with possessive runs so a long line (say 10 MB of spaces) is matched in
# linear time; `(.*?)(?:[ \t]+#+)?[ \t]*$` gives the same groups but backtracks quadratically.
HEADING = re.compile(r" {0,3}(#{1,6})(?:[ \t]++((?:[^ \t\n]|[ \t]++(?!#*+[ \t]*+$))*+))?(?:[ \t]+#*+)?[ \t]*+$")
_FENCE = re.compile(r"\s*(`{3,}|~{3,})(.*)$")
_YAML_OPEN = re.compile(r"---[ \t]*$")
_YAML_CLOSE = re.compile(r"(?:---|\.\.\.)[ \t]*$")
_TOML_FENCE = re.compile(r"\+\+\+[ \t]*$")


def split_lines(text: str) -> list[str]:
    """Lines with their endings; only `\\n` ends a line (str.splitlines also splits on \\x0c, \\u2028…),
    except in a note written with classic Mac endings (`\\r` alone, no `\\n` anywhere), which
    Obsidian reads as lines too."""
    if not text:
        return []
    cut = "\r" if is_cr_only(text) else "\n"
    parts = text.split(cut)
    lines = [p + cut for p in parts[:-1]]
    if parts[-1]:
        lines.append(parts[-1])
    return lines


def is_cr_only(text: str) -> bool:
    """Classic Mac line endings: `\\r` ends lines and no `\\n` appears."""
    return "\r" in text and "\n" not in text


def strip_eol(line: str) -> str:
    """A line without its ending (LF, CRLF, or a lone CR)."""
    if line.endswith("\n"):
        return line[:-1].removesuffix("\r")
    return line.removesuffix("\r")


def eol(line: str) -> str:
    """The ending a line carries: '\\r\\n', '\\n', '\\r' or '' (last line without a final newline)."""
    if line.endswith("\r\n"):
        return "\r\n"
    return "\n" if line.endswith("\n") else "\r" if line.endswith("\r") else ""


@dataclass(frozen=True)
class Frontmatter:
    """The frontmatter block: lines [start, end) of the note, delimiters included."""

    fmt: str  # "yaml" or "toml"
    start: int
    end: int
    text: str  # what lies between the delimiters, as written

    @property
    def body_start(self) -> int:
        """0-based note line of the block's first content line."""
        return self.start + 1


@dataclass(frozen=True)
class Section:
    """A heading and the lines under it up to the next heading of any level: lines [start, end)."""

    level: int
    heading: str
    start: int
    end: int

    @property
    def body_start(self) -> int:
        return self.start + 1


@dataclass(frozen=True)
class Fence:
    """A fenced code block: lines [start, end) with both fence lines, and its info string."""

    start: int
    end: int
    info: str
    closed: bool = True  # False: no closing fence, the block runs to the end of the note


@dataclass
class Note:
    """One Markdown note, held losslessly. `path` is vault-relative (for messages only)."""

    lines: list[str]
    bom: str = ""
    path: str | None = None
    frontmatter: Frontmatter | None = None
    frontmatter_error: InvalidNote | None = None

    # ---- parsing and rendering -------------------------------------------------------------
    @classmethod
    def parse(cls, text: str, path: str | None = None) -> Note:
        bom = ""
        if text.startswith(BOM):
            bom, text = BOM, text[1:]
        lines = split_lines(text)
        note = cls(lines=lines, bom=bom, path=path)
        note.frontmatter, note.frontmatter_error = find_frontmatter(lines, path)
        return note

    def render(self) -> str:
        return self.bom + "".join(self.lines)

    @property
    def text(self) -> str:
        return self.render()

    @cached_property
    def newline(self) -> str:
        """The note's dominant line ending, used for every line an edit adds."""
        crlf = sum(1 for line in self.lines if line.endswith("\r\n"))
        lf = sum(1 for line in self.lines if line.endswith("\n")) - crlf
        if not crlf and not lf and any(line.endswith("\r") for line in self.lines):
            return "\r"  # a classic Mac note keeps its endings
        return "\r\n" if crlf > lf else "\n"

    # ---- frontmatter -------------------------------------------------------------------------
    @cached_property
    def properties(self) -> dict[str, Any]:
        """The frontmatter values as Obsidian reads them; raises InvalidNote when malformed."""
        if self.frontmatter_error is not None:
            raise self.frontmatter_error
        fm = self.frontmatter
        if fm is None:
            return {}
        from vaultcrm.model import yamlblock

        markers = conflicts.marker_lines(self.lines[fm.start:fm.end])
        if markers:  # git merged two versions of the properties and left both: say so, not "malformed"
            raise InvalidNote("git conflict markers in the frontmatter: resolve the conflict (see `vaultcrm "
                              "conflicts`)", path=self.path, line=fm.start + markers[0] + 1)
        if fm.fmt == "toml":
            return yamlblock.load_toml(fm.text, path=self.path, first_line=fm.body_start + 1)
        return yamlblock.load_yaml(fm.text, path=self.path, first_line=fm.body_start + 1)

    def unexpanded_templates(self) -> list[tuple[str, int, str]]:
        """(key, 1-based file line, text as written) of each template placeholder never filled in
        (`created: {{date}}`): `properties` reads each as its text; this says where they are."""
        fm = self.frontmatter
        if fm is None or fm.fmt != "yaml" or "{" not in fm.text:
            return []
        from vaultcrm.model import yamlblock

        return [(key, fm.body_start + line + 1, raw) for key, line, raw in yamlblock.unexpanded_templates(fm.text)]

    def check(self) -> None:
        """Raise InvalidNote if the frontmatter cannot be read (edits refuse such notes)."""
        _ = self.properties

    def check_editable(self) -> None:
        """`check`, and refuse a note that holds git conflict markers: an edit would bless one of
        two versions, or write between them."""
        self.check()
        markers = conflicts.marker_lines(self.lines, self.fenced)
        if markers:
            shown = ", ".join(str(n + 1) for n in markers[:6]) + (", …" if len(markers) > 6 else "")
            raise InvalidNote(f"git conflict markers on lines {shown}: resolve the conflict first (see "
                              "`vaultcrm conflicts`)", path=self.path, line=markers[0] + 1)

    @property
    def body_start(self) -> int:
        """0-based line where the Markdown body starts (after the frontmatter)."""
        return self.frontmatter.end if self.frontmatter else 0

    # ---- structure ---------------------------------------------------------------------------
    @property
    def fenced(self) -> frozenset[int]:
        """Line indexes inside fenced code blocks (fence lines included): never headings or tasks."""
        return self._structure[1]

    @property
    def sections(self) -> list[Section]:
        return self._structure[0]

    @property
    def fences(self) -> list[Fence]:
        """The fenced code blocks, in order (an unclosed one runs to the end of the note)."""
        return self._structure[2]

    @cached_property
    def _structure(self) -> tuple[list[Section], frozenset[int], list[Fence]]:
        """Sections, fenced lines and fences, found in one pass over the body."""
        sections: list[Section] = []
        fenced: set[int] = set()
        fences: list[Fence] = []
        fence: tuple[str, int, int, str] | None = None  # char, length, opening line, info string
        heads: list[tuple[int, int, str]] = []
        for i in range(self.body_start, len(self.lines)):
            raw = strip_eol(self.lines[i])
            if fence is not None:
                fenced.add(i)
                m = _FENCE.match(raw)
                if m and m[1][0] == fence[0] and len(m[1]) >= fence[1] and not m[2].strip():
                    fences.append(Fence(fence[2], i + 1, fence[3].strip()))
                    fence = None
                continue
            m = _FENCE.match(raw)
            if m and not (m[1][0] == "`" and "`" in m[2]):
                fence = (m[1][0], len(m[1]), i, m[2])
                fenced.add(i)
                continue
            if raw.startswith(("#", " ")):
                h = HEADING.match(raw)
                if h:
                    heads.append((i, len(h[1]), (h[2] or "").strip()))
        if fence is not None:
            fences.append(Fence(fence[2], len(self.lines), fence[3].strip(), closed=False))
        for n, (i, level, title) in enumerate(heads):
            end = heads[n + 1][0] if n + 1 < len(heads) else len(self.lines)
            sections.append(Section(level, title, i, end))
        return sections, frozenset(fenced), fences

    @property
    def preamble(self) -> tuple[int, int]:
        """Lines [start, end) between the frontmatter and the first heading."""
        end = self.sections[0].start if self.sections else len(self.lines)
        return self.body_start, end

    def find_sections(self, heading: str) -> list[Section]:
        """Sections whose heading matches, ignoring case, surrounding emphasis and a trailing colon."""
        want = normalize_heading(heading)
        return [s for s in self.sections if normalize_heading(s.heading) == want]

    def body_lines(self, start: int, end: int) -> Iterator[tuple[int, str]]:
        """(index, text without ending) for lines in [start, end) outside code fences."""
        fenced = self.fenced
        for i in range(start, end):
            if i not in fenced:
                yield i, strip_eol(self.lines[i])

    # ---- editing -----------------------------------------------------------------------------
    def splice(self, start: int, end: int, lines: Sequence[str]) -> Note:
        """The one way an edit changes a note: a new note with lines [start, end) replaced by `lines`.

        A line given without an ending takes the note's newline style; every other line keeps its
        bytes; the note ends with a newline exactly when it did before.
        """
        old = list(self.lines)
        had_final = not old or eol(old[-1]) != ""
        if not had_final:
            old[-1] += self.newline  # for now; whichever line ends up last loses it again
        old[start:end] = [line if eol(line) else line + self.newline for line in lines]
        if old and not had_final:
            old[-1] = strip_eol(old[-1])
        return Note.parse(self.bom + "".join(old), self.path)

    def replace_lines(self, start: int, end: int, new: Sequence[str]) -> Note:
        """`splice` with texts given without their endings (each takes the note's newline style)."""
        return self.splice(start, end, [t + self.newline for t in new])


def find_frontmatter(lines: list[str], path: str | None) -> tuple[Frontmatter | None, InvalidNote | None]:
    """The frontmatter block the note opens with, if it is closed; (block or None, error or None).

    A `---` (or `+++`) first line that no later line closes opens no block: Obsidian reads it as
    a horizontal rule and the whole note as body, so do we (no error). Only a closed block can be
    malformed, and that is for `Note.properties` to say.
    """
    if not lines:
        return None, None
    first = strip_eol(lines[0])
    if _YAML_OPEN.fullmatch(first):
        fmt, close = "yaml", _YAML_CLOSE
    elif _TOML_FENCE.fullmatch(first):
        fmt, close = "toml", _TOML_FENCE
    else:
        return None, None
    for i in range(1, len(lines)):
        if close.fullmatch(strip_eol(lines[i])):
            return Frontmatter(fmt, 0, i + 1, "".join(lines[1:i])), None
    return None, None
