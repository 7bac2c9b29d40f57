"""`links`: the notes that link to a note (backlinks), and the notes that name it without linking it
(unlinked mentions), each with the line; and the sources filed under an account, for `show`.

A link is found as Obsidian finds one: `[[target]]`, `[[target|alias]]`, `![[embed]]` and
Markdown links `[text](path.md)` (relative to the note, or from the vault root, `%20` and `<…>`
spellings too), in the body (outside code) and in properties, naming the note by title, alias,
file name or path. The index answers which notes can hold such a link (`refs`) or the note's
names as words (its full-text table), so only those few notes are read for their lines; without
an index (`VAULTCRM_NO_CACHE`) the records say who links where, and a mention search reads every
note once, as a search must.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vaultcrm.errors import VaultCRMError
from vaultcrm.model import grammar
from vaultcrm.model.grammar import ANY_TARGET, MD_LINK as _MD_LINK
from vaultcrm.model.note import Note, strip_eol
from vaultcrm.model.records import FOLDER_NOTE_NAMES, NoteRecord, fold, md_link_keys
from vaultcrm.ops.context import Context
from vaultcrm.store import guard, lookups

_INLINE_CODE = re.compile(r"(`+)(?:(?!\1).)+?\1")
_WIKILINK = re.compile(r"!?\[\[[^\]\n]*\]\]")
_URL = re.compile(r"(?:[A-Za-z][A-Za-z0-9+.-]*://|www\.)[^\s<>()\[\]]+")
_TAG = re.compile(r"(?<!\S)#[^\s#]+")
_COMMENT = re.compile(r"<!--.*?(?:-->|$)|%%.*?(?:%%|$)")
MIN_NAME = 2  # a one-letter alias would match every other word


@dataclass(frozen=True)
class Mention:
    """One line of a note that links to (or names) the target."""

    path: str
    title: str
    line: int  # 1-based, in the file
    kind: str  # wikilink | markdown | mention
    text: str  # the line as written, without its ending

    def as_dict(self) -> dict[str, Any]:
        return {"path": self.path, "title": self.title, "line": self.line, "kind": self.kind, "text": self.text}


@dataclass(frozen=True)
class Found:
    """The note NAME names, and the lines that link to it (or name it), in path and line order."""

    target: NoteRecord
    mentions: list[Mention]


def links(ctx: Context, name: str, *, unlinked: bool = False) -> Found:
    """Backlinks of the note NAME names (exit 3/4 as every name), or its unlinked mentions."""
    target = ctx.resolve(name, reading=True)
    if unlinked:
        return Found(target, unlinked_mentions(ctx, target))
    return Found(target, backlinks(ctx, target))


# ---- backlinks -----------------------------------------------------------------------------------
def backlinks(ctx: Context, target: NoteRecord) -> list[Mention]:
    """Every line linking to `target`, read from the notes the index (or, without one, each
    record) says link to one of its names."""
    keys = target.linked_as()
    paths = lookups.referrers(ctx.vault, ctx.config, keys)
    if paths is None:
        records = [r for r in ctx.everything() if (refs := r.ref_keys()) & keys or ANY_TARGET in refs]
    else:
        records = lookups.records_at(ctx.vault, ctx.config, paths)
    out: list[Mention] = []
    for rec, text in _read(ctx, [r for r in records if r.path != target.path]):
        out += _links_in(rec, text, keys)
    return out


def _links_in(rec: NoteRecord, text: str, keys: set[str]) -> list[Mention]:
    note = Note.parse(text, rec.path)
    out = []
    for i, line in _lines(note):
        kinds = []
        if "[[" in line and any(fold(t.removesuffix(".md")) in keys for t in grammar.wikilinks(_unquoted(line))):
            kinds.append("wikilink")
        if "](" in line and any(_reaches(m[1], rec.folder, keys) for m in _MD_LINK.finditer(_unquoted(line))):
            kinds.append("markdown")
        out += [Mention(rec.path, rec.title, i + 1, k, line) for k in kinds]
    return out


def _reaches(raw: str, folder: str, keys: set[str]) -> bool:
    """Whether a Markdown link's target names the note: from the vault root or the linking note's
    folder, `%20`-escaped or in <…>, with or without `.md`; web and other URLs never do."""
    stem = grammar.md_target(raw)
    return stem is not None and not md_link_keys(stem, folder).isdisjoint(keys)


# ---- unlinked mentions ---------------------------------------------------------------------------
def unlinked_mentions(ctx: Context, target: NoteRecord) -> list[Mention]:
    """Lines that name the note (its title, file name or an alias, as whole words, in any case) in
    plain text: outside code, links, URLs, tags and comments, where a [[link]] could be made."""
    names = sorted({n for n in _plain_names(target) if len(n) >= MIN_NAME}, key=len, reverse=True)
    if not names:
        return []
    words = r"|".join(r"\s+".join(re.escape(part) for part in n.split()) for n in names)
    pattern = re.compile(rf"(?<!\w)(?:{words})(?!\w)", re.IGNORECASE)
    paths = lookups.mentioning(ctx.vault, ctx.config, names)
    if paths is None:  # no index: each note's bytes pass a quick test before the regex
        longest = [max(n.split(), key=len) for n in names]  # `Jeff  Denworth` over two spaces still passes
        records, test = ctx.everything(), Prefilter.of(longest)
    else:
        records, test = lookups.records_at(ctx.vault, ctx.config, paths), None
    # a line can match only if it holds a name's longest word (case-folded, as IGNORECASE compares):
    # a substring test per line spares the six substitutions of `_plain` on all the others
    longest_cf = [max(n.split(), key=len).casefold() for n in names]
    out: list[Mention] = []
    for rec, text in _read(ctx, [r for r in records if r.path != target.path], test):
        note = Note.parse(text, rec.path)
        for i, line in _lines(note, body_only=True):
            nfc = unicodedata.normalize("NFC", line)
            folded = nfc.casefold()
            if any(w in folded for w in longest_cf) and pattern.search(_plain(nfc)):
                out.append(Mention(rec.path, rec.title, i + 1, "mention", line))
    return out


def _plain_names(target: NoteRecord) -> list[str]:
    stem = [target.stem] if target.stem.lower() not in FOLDER_NOTE_NAMES else []
    return [" ".join(unicodedata.normalize("NFC", n).split()) for n in (target.title, *stem, *target.aliases)
            if n.strip()]


def _plain(line: str) -> str:
    """The line with what is not plain prose blanked out: code, links, URLs, tags, comments."""
    for pattern in (_INLINE_CODE, _COMMENT, _WIKILINK, _MD_LINK, _URL, _TAG):
        line = pattern.sub(" ", line)
    return line


# ---- reading -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Prefilter:
    """A test on a note's raw bytes, for a mention search without an index: do they hold one of the
    names (in any case, NFC or NFD)? Substring tests on the ASCII-lowered bytes: a regex with
    IGNORECASE over every note of a big vault costs seconds."""

    spellings: tuple[bytes, ...]

    @classmethod
    def of(cls, names: Sequence[str]) -> Prefilter:
        forms = {unicodedata.normalize(f, n) for n in names for f in ("NFC", "NFD")}
        found = {v.encode("utf-8").lower() for n in forms for v in (n, n.lower(), n.upper(), n.title()) if v}
        return cls(tuple(sorted(found)))

    def __call__(self, data: bytes) -> bool:
        low = data.lower()
        return any(s in low for s in self.spellings)


def _read(ctx: Context, records: Sequence[NoteRecord],
          test: Prefilter | None = None) -> Iterator[tuple[NoteRecord, str]]:
    """(record, text) of the notes whose bytes pass `test` (all, without one), in path order, each
    read once. The notes are those this run listed (the listing refused links leading outside the
    vault), so each is read straight by its path as the index reads them; one that cannot be read
    so (an NFD file name on macOS) goes through the vault's own door; one that vanished or cannot
    be read since is passed over. Two processes were tried and gained nothing: the reads, not the
    tests, take the time."""
    by_path = {r.path: r for r in records if r.size}
    root = str(ctx.vault.root)
    for path in sorted(by_path):
        data = _bytes(ctx, root, path)
        if data is None or (test is not None and not test(data)):
            continue
        try:
            yield by_path[path], data.decode("utf-8").removeprefix("\ufeff")
        except UnicodeDecodeError:
            continue


def _bytes(ctx: Context, root: str, path: str) -> bytes | None:
    try:
        return guard.read_stamped(Path(root) / path, path)[0]
    except VaultCRMError:  # not found by its NFC name: the full door
        try:
            return ctx.vault.read_bytes_info(path)[0]
        except (VaultCRMError, OSError):
            return None


def _lines(note: Note, *, body_only: bool = False) -> Iterator[tuple[int, str]]:
    """(0-based index, text) of the frontmatter's lines (unless `body_only`) and the body's lines
    outside code fences."""
    fm = note.frontmatter
    if fm is not None and not body_only:
        for i in range(fm.body_start, fm.end - 1):
            yield i, strip_eol(note.lines[i])
    yield from note.body_lines(note.body_start, len(note.lines))


def _unquoted(line: str) -> str:
    """A line without its inline code spans: a link in `code` is no link."""
    return _INLINE_CODE.sub(" ", line) if "`" in line else line


# ---- the sources filed under an account (for `show`) ---------------------------------------------
def sources_of(ctx: Context, account: NoteRecord,
               records: Sequence[NoteRecord] | None = None) -> list[dict[str, Any]]:
    """The source notes (kind article: `type: source`, `article`, `clipping`) filed under the
    account or linked from it: those linking to it (`accounts:`, or in their body) and those its own
    note links to (a Recent Context entry, a Related bullet). Newest published first: what `show`
    lists under "Sources". Never contacts: a clipping mentions the account, no one met it.
    `records`: the notes to look in (default: the whole vault)."""
    keys, mine = account.linked_as(), account.link_keys()
    found = [r for r in (ctx.everything() if records is None else records)
             if r.kind == "article" and r.path != account.path
             and (r.linked_as() & mine or any(fold(t.removesuffix(".md")) in keys for t in r.links))]
    rows = [{"title": r.title, "path": r.path, "published": _text(r.properties.get("published")),
             "site": _text(r.properties.get("site")), "source": _text(r.properties.get("source")),
             "description": _text(r.properties.get("description"))} for r in found]
    return sorted(rows, key=lambda x: (x["published"] or "", x["path"]), reverse=True)


def _text(value: object) -> str | None:
    return str(value) if value not in (None, "", []) else None
