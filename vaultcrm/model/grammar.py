"""Line grammars of the seed notes: Recent Context entries, inline fields, the status table, links.

Task lines have their own module, `taskline`.

Each parser takes one line of text (without its ending) and returns a small record or None;
each formatter builds the line an edit inserts. Pure functions, no I/O.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from vaultcrm.dates import ISO_DATE, iso_date

# ---- Recent Context ------------------------------------------------------------------------
_ENTRY = re.compile(
    r"(?P<indent>\s*)[-*+]\s+(?!\[.\]\s)(?P<date>[^:\s][^:]*?):\s*"
    r"(?:\[\[(?P<link>[^\]]*)\]\]\s*(?:[-–—]\s*)?)?(?P<text>(?:.*\S)?)\s*$"
)
# End-anchored patterns used with .search() start with (?<!\s): a match may only begin where a run of
# spaces begins, so a line with a long run of spaces is scanned once, not once per space (quadratic).
_VIA = re.compile(r"(?<!\s)\s*\(via ([^()]*)\)\s*$")


@dataclass(frozen=True)
class Entry:
    """One Recent Context line: `- DATE: [[link]] - text (via Person)`; date may be unknown."""

    raw_date: str
    date: date | None
    link: str | None
    text: str
    via: str | None
    line: int  # 0-based line in the note


def parse_entry(text: str, line: int = 0) -> Entry | None:
    m = _ENTRY.match(text)
    if not m:
        return None
    raw_date = m["date"].strip()
    d = iso_date(raw_date) if ISO_DATE.fullmatch(raw_date) else None
    if d is None and " " in raw_date and not raw_date.lower().startswith("unknown"):
        return None  # "- Some sentence: with a colon" is a bullet, not a dated entry
    body = m["text"]
    via = None
    v = _VIA.search(body)
    if v:
        via = v[1].strip()
        body = body[: v.start()]
    return Entry(raw_date, d, m["link"], body.strip(), via, line)


def format_entry(day: date, text: str, *, link: str | None = None, via: str | None = None) -> str:
    """The seed notes' entry shape; the link defaults to the day's daily note `[[YYYY-MM-DD]]`."""
    out = f"- {day.isoformat()}: "
    if link is None:
        link = day.isoformat()
    if link:
        out += f"[[{link.strip('[]')}]] - "
    out += text.strip()
    if via:
        out += f" (via {via.strip()})"
    return out


# ---- Dataview inline fields ------------------------------------------------------------------
# `key:: value` as a whole line (in a list item or quote too), or `[key:: value]` / `(key:: value)`
# inside a line, as Dataview reads them. Keys are compared as Dataview's sanitised form does:
# case-insensitive, spaces and dashes alike (`Last Contact::` is `last_contact`).
_FIELD_LINE = re.compile(r"\s*(?:>\s*)*(?:(?:[-*+]|\d+[.)])\s+)?(?:\[.\]\s+)?\*{0,2}([^\s:*\[\]()`][^:*\[\]()`]*?)\*{0,2}::(.*)$")
_FIELD_INLINE = re.compile(r"\[([^\[\]():`]+?)::([^\]]*)\]|\(([^\[\]():`]+?)::([^)]*)\)")


def field_key(key: str) -> str:
    """A field name as compared: `Last Contact`, `last-contact` and `last_contact` are one key."""
    return re.sub(r"[\s-]+", "_", key.strip().casefold())


def inline_fields(line: str) -> list[tuple[str, str]]:
    """The Dataview inline fields of one line, as (key as compared, value as written, trimmed)."""
    if "::" not in line:
        return []
    out = [(field_key(m[1] or m[3]), (m[2] if m[1] else m[4]).strip()) for m in _FIELD_INLINE.finditer(line)]
    if not out:
        m = _FIELD_LINE.match(line)
        if m:
            out.append((field_key(m[1]), m[2].strip()))
    return out


# ---- status table and marked bullets ----------------------------------------------------------
_ROW = re.compile(r"\s*\|(?P<cells>.*)\|\s*$")


def table_row(text: str) -> list[str] | None:
    """The cells of a Markdown table row, or None (separator rows give None too)."""
    m = _ROW.match(text)
    if not m:
        return None
    cells = [c.strip() for c in m["cells"].split("|")]
    if all(re.fullmatch(r":?-{2,}:?", c) for c in cells if c):
        return None
    return cells


def plain_cell(cell: str) -> str:
    """A table cell without bold/italic markers: `**Status**` → `Status`."""
    return cell.strip().strip("*_").strip()


def replace_cell(text: str, index: int, value: str) -> str:
    """The row with cell `index` set to `value`, keeping the other cells' bytes and padding."""
    m = _ROW.match(text)
    assert m is not None
    cells = m["cells"].split("|")
    old = cells[index]
    lead = old[: len(old) - len(old.lstrip())] or " "
    trail = old[len(old.rstrip()):] or " "
    cells[index] = f"{lead}{value}{trail}"
    return text[: m.start("cells")] + "|".join(cells) + text[m.end("cells"):]


_PLACEHOLDERS = frozenset({"unknown", "_unknown_", "*unknown*", "tbd", "tbc", "?", "??", "todo", "xxx"})


def is_placeholder(value: object) -> bool:
    """A value a template or a person left to fill in: empty text, `unknown`, `TBD`, `_Unknown_`…"""
    return isinstance(value, str) and (not value.strip() or value.strip().lower() in _PLACEHOLDERS)


_WIKILINK = re.compile(r"\[\[([^\]|#^\n]+)(?:[#^][^\]|\n]*)?(?:\|[^\]\n]*)?\]\]")  # never spans lines


def wikilinks(text: str) -> list[str]:
    """Targets of `[[target#heading|alias]]` links in text, as written (no resolution)."""
    n = text.count("[[")
    if not n:
        return []
    # The regex retries every `[[` and rescans up to the next `]` or newline: fast for real notes,
    # quadratic for a hostile line of many `[[`. Its work is at most n × the longest line; when
    # that could exceed a small multiple of the text's length, use the linear scan instead.
    if n <= 64 or n * max(map(len, text.split("\n"))) <= 64 * len(text):
        return [m.strip() for m in _WIKILINK.findall(text)]
    return _wikilinks_linear(text)


def _wikilinks_linear(text: str) -> list[str]:
    """Exactly what `_WIKILINK.findall` finds, in linear time: a link's body cannot hold `]` or a
    newline, so every `[[` in a segment shares that segment's end, found once."""
    out: list[str] = []
    seg_end = -1
    i = text.find("[[")
    while i != -1:
        if i + 2 > seg_end:
            m = _LINK_STOP.search(text, i + 2)
            seg_end = m.start() if m else len(text)
        if not text.startswith("]]", seg_end):
            i = text.find("[[", seg_end + 1)
            continue
        if i + 2 < seg_end and text[i + 2] not in "|#^":
            cut = _TARGET_STOP.search(text, i + 2, seg_end)
            out.append(text[i + 2:cut.start() if cut else seg_end].strip())
            i = text.find("[[", seg_end + 2)
            continue
        i = text.find("[[", i + 1)
    return out


_LINK_STOP = re.compile(r"[\]\n]")
_TARGET_STOP = re.compile(r"[|#^]")


# ---- Markdown links ------------------------------------------------------------------------
# `[text](target)` and `![alt](target)`: the target in <…> or bare (Obsidian takes spaces in it too)
MD_LINK = re.compile(r"!?\[(?:[^\]\\\n]|\\.)*\]\(\s*(<[^>\n]*>|[^)\n]*?)(?:\s+(?:\"[^\"\n]*\"|'[^'\n]*'))?\s*\)")
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")  # http:, mailto:, obsidian:… lead out of the vault
ANY_TARGET = "*"  # a line too hostile to scan: the note may link anywhere, so lookups read it


def md_target(raw: str) -> str | None:
    """The note a Markdown link's target names, as a path without `.md` (`%20` undone, `#heading`
    dropped, `<…>` unwrapped; a leading `/` kept: the link is from the vault root); None for web,
    mail and other URLs and for links to other files (a picture, a PDF)."""
    from urllib.parse import unquote

    target = raw[1:-1] if raw.startswith("<") else raw
    if _SCHEME.match(target):
        return None
    target = unquote(target.split("#", 1)[0]).strip()
    if not target or ("." in target.rsplit("/", 1)[-1] and not target.lower().endswith(".md")):
        return None
    return target[:-3] if target.lower().endswith(".md") else target


def markdown_targets(text: str) -> list[str]:
    """`md_target` of every Markdown link in text, in order, once each (links never span lines).

    The regex retries each `[` up to the next `]`: on a hostile line of thousands of `[` that is
    quadratic, so such a line is not scanned and `ANY_TARGET` says so instead."""
    out: list[str] = []
    for line in text.split("\n") if "](" in text else ():
        if "](" not in line:
            continue
        if line.count("[") * len(line) > 4_000_000:
            out.append(ANY_TARGET)
            continue
        out += [t for m in MD_LINK.finditer(line) if (t := md_target(m[1])) is not None]
    return list(dict.fromkeys(out))
