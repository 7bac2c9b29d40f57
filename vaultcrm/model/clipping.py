"""Clipping a source into the vault, the pure part: the text read, its title and body, a file name
safe on every OS, the frontmatter in Obsidian Web Clipper's shape, and how alike two sources are.

No disk and no terminal: bytes and text in, text and small records out. `ops.clip` reads the
vault, converts HTML and plans the edit.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from vaultcrm.errors import UsageError
from vaultcrm.model import edits, grammar
from vaultcrm.model.note import Note, split_lines, strip_eol
from vaultcrm.model.records import fold

NAME_MAX_BYTES = 120  # a clipping's file name (without `.md`): short enough for every OS and sync service
# characters no file name may hold somewhere (Windows, macOS, Linux) or that break an Obsidian [[link]]
_UNSAFE = re.compile(r'[/\\:*?"<>|#^\[\]]+')
_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))}
_HEADING = re.compile(r"\s{0,3}#{1,6}(?:\s+|$)")
_SPACE = re.compile(r"\s+")
# C0/C1 controls and non-characters: never part of a title or property (YAML would refuse some)
_JUNK = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufeff\ufffe\uffff]")
KINDS = {".txt": "text", ".text": "text", ".md": "markdown", ".markdown": "markdown", ".html": "html", ".htm": "html"}


# ---- reading a source ----------------------------------------------------------------------------
def decode_source(data: bytes, name: str) -> str:
    """The text of a source file: UTF-8 (a byte-order mark dropped); binary, UTF-16 and other
    encodings are refused (exit 2), as is a file with no text at all."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise UsageError(f"{name}: the file is UTF-16; clip UTF-8 text", hint="convert it: iconv -f UTF-16 -t UTF-8")
    if b"\x00" in data:
        raise UsageError(f"{name}: the file is binary (it has NUL bytes), not text; nothing written")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise UsageError(f"{name}:{line}: the file is not UTF-8 text (byte {exc.start}); nothing written",
                         hint="convert it to UTF-8 first, e.g. iconv -f WINDOWS-1252 -t UTF-8") from None
    text = text.removeprefix("\ufeff")
    if not text.strip():
        raise UsageError(f"{name}: the file has no text; nothing written")
    return text


def kind_of(name: str, text: str) -> str:
    """text, markdown or html: by extension; stdin by a look at the text."""
    if name == "-":
        head = text.lstrip()[:512].lower()
        html = head.startswith("<") and re.search(r"<(?:!doctype html|html|body|head)\b", head)
        return "html" if html else "markdown"
    suffix = "." + name.rsplit(".", 1)[-1].lower() if "." in name.rsplit("/", 1)[-1] else ""
    if suffix not in KINDS:
        raise UsageError(f"{name}: clip reads .txt, .md and .html files (or - for standard input); nothing written")
    return KINDS[suffix]


def clean(value: str) -> str:
    """A one-line property value: NFC, control characters dropped, white space runs one space."""
    value = _JUNK.sub("", unicodedata.normalize("NFC", value))
    return _SPACE.sub(" ", value).strip()


# ---- title and body ------------------------------------------------------------------------------
def heading_text(line: str) -> str:
    """A line without its ATX heading marks (`## Title ##` → `Title`)."""
    m = _HEADING.match(line)
    if not m:
        return line.strip()
    return line[m.end():].strip().rstrip("#").strip()


def _norm(text: str) -> str:
    return _SPACE.sub(" ", unicodedata.normalize("NFC", text)).strip().casefold()


def repeats_title(line: str, title: str) -> bool:
    """Whether a line is only the title, once or several times over (`TitleTitle`), as a page's
    headline, its `<h1>` and a share box may each repeat it."""
    want = _norm(title)
    text = _norm(heading_text(line))
    return bool(want) and text.count(want) > 0 and not text.replace(want, "").strip()


def split_title(text: str, title: str | None = None) -> tuple[str, str]:
    """(title, body): the title given, else the first non-empty line (heading marks dropped); the
    body is the text after it, byte for byte, from its first line that is neither blank nor a
    repeat of the title."""
    lines = split_lines(text)
    i = 0
    while i < len(lines) and not strip_eol(lines[i]).strip():
        i += 1
    if title is None:
        title = heading_text(strip_eol(lines[i])) if i < len(lines) else ""
        i += 1
    while i < len(lines) and (not strip_eol(lines[i]).strip() or repeats_title(strip_eol(lines[i]), title)):
        i += 1
    return clean(title), "".join(lines[i:])


# ---- what the text states plainly ---------------------------------------------------------------
_BY = re.compile(r"(?i)\s*(?:by|written by|authors?:)\s+(?P<names>.+?)\s*$")
_CATEGORIES = re.compile(r"(?i)\s*categor(?:y|ies)\s*:")
_BRAND = r"(?P<name>[A-Z][\w&'-]*(?:\.[\w&'-]+)*(?: [A-Z][\w&'-]*(?:\.[\w&'-]+)*){0,3})"
_TRAILER_SITE = [  # a publisher naming itself at the end of its article
    re.compile(_BRAND + r" (?:offers|sends|publishes|has) (?:a|an|our|its) [\w -]*newsletter"),
    re.compile(r"(?:\u00a9|\(c\)|[Cc]opyright)\s*(?:\u00a9\s*)?(?:\d{4}(?:\s*[-\u2013]\s*\d{4})?,?\s*)?" + _BRAND),
    re.compile(r"(?i:(?:originally )?(?:published|appeared) (?:on|in|at|by)) " + _BRAND),
]
TRAILER_LINES = 12  # the last lines of a source where a publisher signs it


@dataclass(frozen=True)
class Inferred:
    """A property read from the text itself, and where: said on stderr, never silent."""

    key: str
    values: tuple[str, ...]
    evidence: str

    def __str__(self) -> str:
        shown = ", ".join(json.dumps(v, ensure_ascii=False) for v in self.values)
        return f"inferred {self.key} {shown} from {self.evidence}"


def is_person_name(text: str) -> bool:
    """Two to four capitalised words of letters (`Archana Suryawanshi`, `Mary-Jane O'Neil`)."""
    parts = text.split()
    return 2 <= len(parts) <= 4 and len(text) <= 60 and all(
        p[0].isupper() and p.replace("-", "").replace("'", "").replace(".", "").isalpha() for p in parts)


def _byline_names(text: str) -> list[str] | None:
    names = re.split(r"\s*(?:,|&|\band\b)\s*", re.split(r"\s+(?:[|\u2022\u00b7]|-|\u2014|on)\s+", text)[0])
    names = [n.strip().rstrip(":.") for n in names if n.strip()]
    return names if names and all(is_person_name(n) for n in names) else None


def infer_authors(body: str) -> tuple[list[str], str] | None:
    """The authors the text names plainly, with where: a `By …` line among the first lines, or the
    name standing alone on the line after a `Categories:` line (a blog's by-line). None when it
    names none, or several different ones (ambiguous: nothing is guessed)."""
    lines = [strip_eol(x).strip() for x in split_lines(body)]
    found: list[tuple[tuple[str, ...], str]] = []
    for line in [x for x in lines if x][:5]:
        m = _BY.fullmatch(line)
        names = _byline_names(m["names"]) if m else None
        if names:
            found.append((tuple(names), f"the by-line {json.dumps(line, ensure_ascii=False)}"))
    for i, line in enumerate(lines):
        if _CATEGORIES.match(line):
            nxt = next((x for x in lines[i + 1:i + 3] if x), "")
            if is_person_name(nxt.rstrip(":").strip()):
                found.append(((nxt.rstrip(":").strip(),), f"the by-line after {json.dumps(line, ensure_ascii=False)}"))
    if not found or len({names for names, _ in found}) > 1:
        return None
    return list(found[0][0]), found[0][1]


def infer_site(body: str) -> tuple[str, str] | None:
    """The publisher a trailer names (`TechCrunch offers a newsletter…`, `© 2025 Example Media`),
    with the line; None when none does, or the trailer names several."""
    lines = [strip_eol(x).strip() for x in split_lines(body) if strip_eol(x).strip()][-TRAILER_LINES:]
    found: dict[str, str] = {}
    for line in lines:
        for pattern in _TRAILER_SITE:
            m = pattern.search(line)
            if m:
                found.setdefault(m["name"].rstrip(".").strip(), line)
    if len(found) != 1:
        return None
    name, line = next(iter(found.items()))
    shown = line if len(line) <= 70 else line[:67] + "\u2026"
    return name, f"the trailer line {json.dumps(shown, ensure_ascii=False)}"


def fill(meta: Meta, own: dict[str, Any], body: str, where: str) -> list[Inferred]:
    """Empty properties filled from the source's own metadata (`own`, found in `where`), then the
    authors and site from what the text states; each property filled is returned, to be said."""
    found: list[tuple[str, Any, str]] = [(key, own.get(key), where)
                                         for key in ("source", "description", "site", "published", "authors")]
    found += [("authors", *hit) for hit in [infer_authors(body)] if hit]
    found += [("site", *hit) for hit in [infer_site(body)] if hit]
    out = []
    for key, value, why in found:
        if value and not getattr(meta, key):
            setattr(meta, key, value)
            values = tuple(value) if isinstance(value, list) else (value,)
            out.append(Inferred("author" if key == "authors" else key, values, why))
    return out


# ---- the file name -------------------------------------------------------------------------------
def safe_name(title: str, *, limit: int = NAME_MAX_BYTES) -> str:
    """The title as a file name every OS and Obsidian accept: NFC, no `/\\:*?"<>|#^[]` nor control
    characters, no leading or trailing dots and spaces, not a Windows device name, at most `limit`
    bytes (cut between characters, never inside an accented letter). A UsageError (exit 2) when
    nothing but punctuation is left."""
    name = _UNSAFE.sub(" ", clean(title))
    name = _SPACE.sub(" ", name).strip(" .")
    name = _fit(name, limit)
    if not any(unicodedata.category(c)[0] in "LNS" for c in name):
        raise UsageError(f"the title {title!r} has no letter, digit or symbol to name a file after; "
                         "nothing written", hint="give one with --title")
    if name.split(".")[0].strip().casefold() in _RESERVED:
        name = _fit("_" + name, limit)
    return name


def _fit(name: str, limit: int) -> str:
    """`name` cut to at most `limit` UTF-8 bytes between whole characters (a base letter keeps its
    combining marks or goes with them), trailing dots and spaces dropped."""
    if len(name.encode("utf-8")) <= limit:
        return name
    cut = name.encode("utf-8")[:limit].decode("utf-8", "ignore")
    while cut and len(cut) < len(name) and unicodedata.combining(name[len(cut)]):
        cut = cut[:-1]  # the next character is a mark of the last one kept: drop that letter too
    return cut.rstrip(" .")


def numbered(name: str, n: int, *, limit: int = NAME_MAX_BYTES) -> str:
    """The `n`th alternative file name for a taken one, as Obsidian numbers them: `Title 1`."""
    suffix = f" {n}"
    return _fit(name, limit - len(suffix.encode())) + suffix


# ---- the frontmatter -----------------------------------------------------------------------------
@dataclass
class Meta:
    """What the clipping's frontmatter says about the source; "" and [] when unknown."""

    title: str
    source: str = ""
    authors: list[str] = field(default_factory=list)
    published: str = ""  # ISO date
    created: str = ""  # ISO date
    description: str = ""
    tags: list[str] = field(default_factory=list)
    site: str = ""
    accounts: list[str] = field(default_factory=list)  # link texts, inside [[…]]


def _text(key: str, value: str) -> str:
    """A text property as Web Clipper writes one: double-quoted, or bare `key:` when empty."""
    return f"{key}: {json.dumps(value, ensure_ascii=False)}" if value else f"{key}:"


def _list(key: str, items: Sequence[str]) -> list[str]:
    return [f"{key}:", *(f"  - {json.dumps(i, ensure_ascii=False)}" for i in items)]


def frontmatter(meta: Meta, newline: str = "\n") -> str:
    """The block in Obsidian Web Clipper's default shape and order (title, source, author,
    published, created, description, tags), then vaultcrm's `type: source`, `site`, `accounts`."""
    lines = ["---", _text("title", meta.title), _text("source", meta.source),
             *_list("author", [f"[[{a}]]" for a in meta.authors]),
             f"published: {meta.published}" if meta.published else "published:",
             f"created: {meta.created}", _text("description", meta.description),
             *_list("tags", meta.tags), "type: source", _text("site", meta.site),
             *_list("accounts", [f"[[{a}]]" for a in meta.accounts]), "---"]
    return newline.join(lines) + newline


def expected_properties(meta: Meta) -> dict[str, object]:
    """The values the block of `frontmatter(meta)` reads back as (text as Obsidian reads it)."""
    return {"title": meta.title, "source": meta.source or None,
            "author": [f"[[{a}]]" for a in meta.authors] or None, "published": meta.published or None,
            "created": meta.created, "description": meta.description or None, "tags": list(meta.tags),
            "type": "source", "site": meta.site or None, "accounts": [f"[[{a}]]" for a in meta.accounts] or None}


def link_safe(name: str) -> str:
    """A name as the target of a [[link]]: without the characters that would end or split it."""
    return clean(re.sub(r"[\[\]|#^]+", " ", name.strip().removeprefix("[[").removesuffix("]]")))


# ---- the line that links a source from an account -----------------------------------------------
TARGETS = {"context": "Recent Context", "facts": "Key Facts", "related": "Related"}  # `--to` → section


def entry_text(site: str, description: str, title: str) -> str:
    """`Source (SITE): DESCRIPTION_OR_TITLE`, the text after the link."""
    return clean(f"Source{f' ({site})' if site else ''}: {description or title}")


def link_into(note: Note, to: str, link: str, text: str, day: date, keys: set[str]) -> Note:
    """`note` with a line linking the source in the `to` section (created in canonical order): a
    Recent Context entry at its date's place, a Key Facts bullet, or a Related bullet. Unchanged
    when that section already links the source."""
    heading = TARGETS[to]
    for section in note.find_sections(heading):
        for _, line in note.body_lines(section.body_start, section.end):
            if any(fold(t.removesuffix(".md")) in keys for t in grammar.wikilinks(line)):
                return note
    if to == "context":
        return edits.add_entry(note, day, text, link=link)
    if to == "facts":
        return edits.add_bullet(note, heading, f"[[{link}]] - {text}")
    return edits.add_bullet(note, heading, f"[[{link}]]")


# ---- duplicates and similar stories --------------------------------------------------------------
def fingerprints(*texts: str) -> set[str]:
    """Hashes of the texts with white space normalised (a blank one left out). `split_title` gives
    each source's text whole and without its headline: either way, the same text is found."""
    out = set()
    for text in texts:
        norm = " ".join(text.split())
        if norm:
            out.add(hashlib.sha256(norm.encode("utf-8")).hexdigest())
    return out


# Function words carry no story. A short list on purpose: a story is told in its nouns and verbs.
STOP_WORDS = frozenset("""a about after against all also an and any are as at be been before being but by can
could did do does during each for from had has have he her here him his how i if in into is it its just me
more most my new no not now of on or other our out over said says she should so some such than that the their
them then there these they this those through to under up was we were what when where which while who will
with would you your""".split())
_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)*")
_POSSESSIVE = re.compile(r"'s\b")
SIMILAR_AT = 0.45  # cosine at or above which two sources tell the same story (tuned on the seeds: see tests)
MIN_WORDS = 40  # fewer content words than this and word counts say nothing about a story


def words(text: str) -> list[str]:
    """Content words: NFKC, case-folded, possessive `'s` dropped, function words and single
    characters left out."""
    folded = _POSSESSIVE.sub("", unicodedata.normalize("NFKC", text).casefold().replace("\u2019", "'"))
    return [w for w in _WORD.findall(folded) if len(w) > 1 and w not in STOP_WORDS]


def story_vector(title: str, body: str) -> Counter[str]:
    """A source as counts of the content words of its title and body."""
    return Counter(words(title + "\n" + body))


def cosine(a: Counter[str], b: Counter[str], ignore: frozenset[str] | set[str] = frozenset()) -> float:
    """The cosine of two word-count vectors, the words in `ignore` left out (0.0 when either keeps
    fewer than MIN_WORDS words: too short to tell a story by)."""
    if len(a) > len(b):
        a, b = b, a
    na = sum(n * n for w, n in a.items() if w not in ignore)
    nb = sum(n * n for w, n in b.items() if w not in ignore)
    size_a = sum(n for w, n in a.items() if w not in ignore)
    size_b = sum(n for w, n in b.items() if w not in ignore)
    if size_a < MIN_WORDS or size_b < MIN_WORDS:
        return 0.0
    dot = sum(n * b[w] for w, n in a.items() if w in b and w not in ignore)
    return dot / math.sqrt(na * nb)


def names_in(names: Iterable[tuple[str, ...]], words: set[str] | Counter[str]) -> list[tuple[str, ...]]:
    """The names (word tuples) whose every word `words` holds: the accounts a source mentions. Those
    two sources both mention say whom they are about, not which story they tell: a cosine of the
    two ignores their words."""
    return [n for n in names if n and all(w in words for w in n)]
