"""`clip`: a source (a text, Markdown or HTML file, or stdin) filed as a note in the sources folder,
in Obsidian Web Clipper's default shape, and linked from accounts, as one journaled edit.

Nothing is fetched: a URL is recorded as given. What the text states plainly (a by-line author, a
publisher signing its trailer, an HTML page's own metadata) fills an empty property and is said
(`messages`); nothing else is guessed. A text already in the vault is not filed twice (its note
is linked instead: `duplicate_of`), and one that tells the same story as a source there is filed
with a warning (`similar`). The account links never date a contact: a source is no meeting.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from vaultcrm import query
from vaultcrm.dates import iso_date
from vaultcrm.errors import InvalidNote, UnsafeEdit, UsageError, VaultCRMError
from vaultcrm.model import clipping
from vaultcrm.model.clipping import Inferred, Meta
from vaultcrm.model.note import Note
from vaultcrm.model.records import FOLDER_NOTE_NAMES, NoteRecord, fold
from vaultcrm.ops import layout
from vaultcrm.ops.context import Context
from vaultcrm.ops.writes import Change, EditResult, apply_changes
from vaultcrm.store.vault import MAX_NOTE_BYTES, check_relative

MAX_SOURCE_BYTES = MAX_NOTE_BYTES  # a source larger than a note vaultcrm reads could not be read back
DEFAULT_FOLDER = "Sources"
SOURCE_TAGS = ("clippings", "clipping")
SIMILAR_SAID, SIMILAR_LISTED = 3, 20  # similar sources named on stderr, and listed in --json (most alike first)


@dataclass(frozen=True)
class Source:
    """One SOURCE as read: its name as given (`-` for stdin) and its bytes."""

    name: str
    data: bytes


@dataclass
class ClipOptions:
    """What the command line says about the sources; None/empty: read from the source, or left empty."""

    title: str | None = None
    url: str | None = None
    site: str | None = None
    authors: list[str] = field(default_factory=list)
    published: date | None = None
    description: str | None = None
    tags: list[str] = field(default_factory=list)
    folder: str | None = None
    to: str = "context"


@dataclass
class Clipped:
    """A source read and understood: the note's properties and body, and what was inferred."""

    source: str
    meta: Meta
    body: str
    whole: str  # the text before its title was split off: a duplicate may hold it with its headline
    inferred: list[Inferred] = field(default_factory=list)


# ---- reading a source ----------------------------------------------------------------------------
def read_source(src: Source, opts: ClipOptions, today: date) -> Clipped:
    """The source's title, body and properties: the options first, then what the source itself
    says (an HTML page's metadata, a Markdown file's frontmatter), then what its text states."""
    if len(src.data) > MAX_SOURCE_BYTES:
        raise UsageError(f"{src.name}: {len(src.data):,} bytes is over the {MAX_SOURCE_BYTES:,} byte limit of a note")
    text = clipping.decode_source(src.data, src.name)
    kind = clipping.kind_of(src.name, text)
    own: dict[str, Any] = {}
    if kind == "html":
        text, own = html_to_markdown(text)
    elif kind == "markdown":
        text, own = _split_frontmatter(text, src.name)
    title = opts.title if opts.title is not None else own.get("title") or None
    title, body = clipping.split_title(text, title)
    if not body.strip():
        raise UsageError(f"{src.name}: no text after the title {title!r}; nothing written")
    name = clipping.safe_name(title)  # a title that is only punctuation is refused here, before any write
    meta = Meta(title=title or name, created=today.isoformat(), source=clipping.clean(opts.url or ""),
                tags=_tags(opts.tags), description=clipping.clean(opts.description or ""),
                published=opts.published.isoformat() if opts.published else "")
    meta.authors = _names(opts.authors)
    meta.site = clipping.clean(opts.site or "")
    where = "the page's metadata" if kind == "html" else "the file's frontmatter"
    return Clipped(src.name, meta, body, text, clipping.fill(meta, _stated(own), body, where))


def _names(authors: Sequence[Any]) -> list[str]:
    return [a for a in (clipping.link_safe(str(x)) for x in authors) if a]


def _stated(own: dict[str, Any]) -> dict[str, Any]:
    """What a page's metadata or a file's frontmatter says, as properties (a date only when it is one)."""
    out: dict[str, Any] = {k: clipping.clean(str(own.get(k) or "")) for k in ("source", "description", "site")}
    day = iso_date(clipping.clean(str(own.get("published") or ""))[:10])
    out["published"] = day.isoformat() if day else ""
    out["authors"] = _names(own.get("author") or [])
    return out


def _tags(given: Sequence[str]) -> list[str]:
    tags = ["clippings"]
    for t in given:
        tag = t.strip().lstrip("#")
        if not tag or re.search(r"[\s,#]", tag):
            raise UsageError(f"--tag {t!r} is not a tag (one word: letters, digits, - _ /)")
        if fold(tag) not in {fold(x) for x in tags}:
            tags.append(tag)
    return tags


def _split_frontmatter(text: str, name: str) -> tuple[str, dict[str, Any]]:
    """A Markdown source's own frontmatter (taken as its metadata) and the text after it."""
    note = Note.parse(text, name)
    if note.frontmatter is None:
        return text, {}
    try:
        props = note.properties
    except InvalidNote as exc:
        raise UsageError(f"{name}:{exc.line}: {exc.message}; nothing written") from None
    own = {"title": clipping.clean(str(props.get("title") or "")) or None,
           "source": props.get("source") or props.get("url"), "description": props.get("description"),
           "site": props.get("site"), "published": props.get("published") or props.get("date")}
    authors = props.get("author") or props.get("authors") or []
    own["author"] = [str(a) for a in (authors if isinstance(authors, list) else str(authors).split(","))]
    return "".join(note.lines[note.body_start:]), {k: v for k, v in own.items() if v}


def html_to_markdown(html: str) -> tuple[str, dict[str, Any]]:
    """An HTML page as Markdown (markdownify: ATX headings, `-` bullets, fenced code, GFM tables)
    and the metadata the page states: title, canonical URL, author, description, site name,
    publication date. Only the one `<article>` (or `<main>`, else `<body>`) is converted; scripts,
    styles, navigation, asides and footers are left out."""
    from bs4 import BeautifulSoup
    from markdownify import MarkdownConverter

    soup = BeautifulSoup(html, "html.parser")
    own = _page_meta(soup)
    for tag in soup(["script", "style", "noscript", "template", "head", "nav", "aside", "footer", "form", "iframe"]):
        tag.decompose()
    root = next((found[0] for found in (soup.find_all("article"), soup.find_all("main")) if len(found) == 1),
                soup.body or soup)
    h1 = root.find("h1")
    headline = clipping.clean(h1.get_text()) if h1 is not None else ""
    if headline and headline in clipping.clean(own["title"]):
        own["title"] = headline  # `<title>` adds " | Site" to the headline the page shows
    try:
        text = MarkdownConverter(heading_style="ATX", bullets="-").convert_soup(root)
    except RecursionError:
        raise UsageError("the HTML is nested too deeply to convert; nothing written") from None
    text = re.sub(r"[ \t]+\n(?=[ \t]*\n)", "\n", text)  # blank lines hold no spaces
    text = re.sub(r"\n{3,}", "\n\n", text).strip("\n") + "\n"
    return text, {k: v for k, v in own.items() if v}


def _page_meta(soup: Any) -> dict[str, Any]:
    """What a page says about itself in its <head>: title, canonical URL, authors, description,
    site name and publication time (an absolute http(s) URL only: a relative one says nothing)."""

    def meta(*names: str) -> str:
        for n in names:
            for attr in ("property", "name"):
                tag = soup.find("meta", attrs={attr: n})
                if tag is not None and str(tag.get("content") or "").strip():
                    return str(tag.get("content")).strip()
        return ""

    canonical = soup.find("link", rel="canonical")
    url = str(canonical.get("href") or "") if canonical is not None else ""
    return {
        "title": (soup.title.get_text() if soup.title else "") or meta("og:title"),
        "source": next((u for u in (url, meta("og:url")) if re.match(r"https?://\S+$", u)), ""),
        "author": [a for a in re.split(r"\s*,\s*|\s+and\s+", meta("author", "article:author")) if a],
        "description": meta("description", "og:description"), "site": meta("og:site_name"),
        "published": meta("article:published_time", "datePublished", "date", "DC.date"),
    }


# ---- the sources already in the vault ------------------------------------------------------------
@dataclass
class Known:
    """A source note of the vault: its fingerprints and its words (read once per run)."""

    record: NoteRecord
    prints: set[str]
    words: Counter[str]


class Library:
    """The vault's sources (notes of kind article — `type: source`, `article`, `clipping` — notes
    tagged `clippings`, and the notes in the clip folder), read once, to find a text already
    there and one telling the same story."""

    def __init__(self, ctx: Context, records: Sequence[NoteRecord], folder: str) -> None:
        self.known: list[Known] = []
        prefix = folder.strip("/") + "/" if folder.strip("/") else ""
        for r in records:
            if r.kind == "article" or any(fold(t) in SOURCE_TAGS for t in r.tags) or r.path.startswith(prefix or "\0"):
                try:
                    note = Note.parse(ctx.vault.read(r.path).text, r.path)
                except VaultCRMError:
                    continue
                body = "".join(note.lines[note.body_start:])
                rest = clipping.split_title(body, r.title)[1]
                prints = clipping.fingerprints(body, rest, clipping.split_title(body)[1])
                self.add(r, prints, clipping.story_vector(r.title, rest))
        self.names = [n for n in (tuple(clipping.words(x)) for r in records if ctx.config.is_account(r.kind)
                                  for x in (r.title, *r.aliases)) if n]

    def add(self, rec: NoteRecord, prints: set[str], words: Counter[str]) -> None:
        self.known.append(Known(rec, prints, words))

    def duplicate(self, prints: set[str]) -> NoteRecord | None:
        return next((k.record for k in self.known if k.prints & prints), None)

    def similar(self, words: Counter[str]) -> list[tuple[NoteRecord, float]]:
        """The sources telling the same story (cosine ≥ SIMILAR_AT), most alike first; the names of
        the accounts both mention left out."""
        mine = clipping.names_in(self.names, words)
        out = []
        for k in self.known:
            ignore = {w for n in clipping.names_in(mine, k.words) for w in n}
            score = clipping.cosine(words, k.words, ignore)
            if score >= clipping.SIMILAR_AT:
                out.append((k.record, round(score, 3)))
        return sorted(out, key=lambda x: (-x[1], x[0].path))


# ---- the edit ------------------------------------------------------------------------------------
def clip(ctx: Context, sources: Sequence[Source], accounts: Sequence[str], opts: ClipOptions, *,
         dry_run: bool = False) -> EditResult:
    """File each source as a note and link it from each account, as one journaled edit. Every
    refusal (a bad source, an unknown or ambiguous account) comes before anything is written."""
    if opts.to not in clipping.TARGETS:
        raise UsageError(f"--to {opts.to!r}: choose context, facts or related")
    folder = source_folder(ctx, opts.folder)
    clips = [read_source(s, opts, ctx.today) for s in sources]
    targets = list({r.path: r for r in (ctx.editable(a) for a in accounts)}.values())
    records = ctx.everything()
    plan = _Plan(ctx, records, folder, targets, opts.to)
    for c in clips:
        plan.file(c)
    changes = plan.changes()
    paths = ", ".join(r["path"] for r in plan.reports)
    linked = f"; linked from {', '.join(a.path for a in targets)}" if targets else ""
    dups = [r for r in plan.reports if r["duplicate_of"]]
    message = (f"clipped {paths}{linked}" if not dups else
               f"{', '.join(r['duplicate_of'] for r in dups)} already in the vault; "
               f"{'nothing new filed' if len(dups) == len(plan.reports) else 'the others clipped'}{linked}")
    data: dict[str, Any] = {"clips": plan.reports, "messages": plan.messages}
    if len(plan.reports) == 1:
        data.update({k: v for k, v in plan.reports[0].items() if k != "source"})
    names = ", ".join(c.meta.title for c in clips)
    return apply_changes(ctx, changes, f"clip {names}", dry_run=dry_run, message=message, data=data)


def source_folder(ctx: Context, given: str | None) -> str:
    """`--folder`, else `[folders] source` (or `article`) of `.vaultcrm.toml`, else `Sources`."""
    folder = given
    if folder is None:
        chosen = [k for k in ("source", "article") if k in ctx.config.folders_set]
        folder = ctx.config.folders[chosen[0]] if chosen else DEFAULT_FOLDER
    folder = folder.strip().strip("/")
    if folder:
        check_relative(folder)
        ctx.vault.abspath(folder)
    return folder


class _Plan:
    """The notes to create and the account notes to change, built up source by source."""

    def __init__(self, ctx: Context, records: list[NoteRecord], folder: str, targets: list[NoteRecord],
                 to: str) -> None:
        self.ctx, self.records, self.folder, self.targets, self.to = ctx, list(records), folder, targets, to
        self.library = Library(ctx, records, folder)
        scan = ctx.scan
        self.taken = {fold(p) for p in [*(r.path for r in scan.records), *(p for p, _ in scan.excluded),
                                        *(p for p, _ in scan.unreadable)]}
        self.created: list[Change] = []
        self.accounts: dict[str, tuple[str, Note]] = {}
        self.reports: list[dict[str, Any]] = []
        self.messages: list[str] = []

    def file(self, c: Clipped) -> None:
        c.meta.accounts = [link_text(self.records, a, a.title) for a in self.targets]
        prints = clipping.fingerprints(c.whole, c.body)
        dup = self.library.duplicate(prints)
        similar: list[tuple[NoteRecord, float]] = []
        if dup is None:
            words = clipping.story_vector(c.meta.title, c.body)
            similar = self.library.similar(words)
            rec = self._create(c)
            self.library.add(rec, prints, words)
        else:
            rec = dup  # the CLI fails (exit 1) naming it, once the accounts link it
        self.messages += [f"{c.source}: {i}" for i in c.inferred]
        self.messages += [f"warning: {c.source} tells the same story as {r.path} (similarity {s:.2f}); "
                          "clipped anyway" for r, s in similar[:SIMILAR_SAID]]
        if len(similar) > SIMILAR_SAID:
            self.messages.append(f"warning: … and {len(similar) - SIMILAR_SAID} more sources like it (--json lists "
                                 f"the {min(len(similar), SIMILAR_LISTED)} most alike)")
        linked = [a.path for a in self.targets if self._link(a, rec, c)]
        self.reports.append({
            "source": c.source, "path": rec.path, "title": rec.title, "duplicate_of": dup.path if dup else None,
            "similar": [{"path": r.path, "title": r.title, "score": s} for r, s in similar[:SIMILAR_LISTED]],
            "inferred": {i.key: list(i.values) if i.key == "author" else i.values[0] for i in c.inferred},
            "linked_from": linked})

    def _create(self, c: Clipped) -> NoteRecord:
        name = clipping.safe_name(c.meta.title)
        rel = self._unique(name)
        text = clipping.frontmatter(c.meta, Note.parse(c.body).newline) + c.body
        _verify(text, rel, c)
        self.created.append(Change(rel, None, text))
        self.taken.add(fold(rel))
        rec = NoteRecord(path=rel, title=c.meta.title, kind="article", properties=clipping.expected_properties(c.meta))
        self.records.append(rec)
        return rec

    def _unique(self, name: str) -> str:
        """A path in the folder no note (in any case, NFC or NFD) has: `Title.md`, else `Title 1.md`…"""
        base = f"{self.folder}/" if self.folder else ""
        for n in range(1000):
            rel = f"{base}{name if n == 0 else clipping.numbered(name, n)}.md"
            layout.check_name_lengths(rel)
            check_relative(rel)
            if fold(rel) not in self.taken and not self.ctx.vault.exists(rel):
                return rel
        raise VaultCRMError(f"{base}{name}.md and 999 numbered names are taken; give another --title")

    def _link(self, account: NoteRecord, rec: NoteRecord, c: Clipped) -> bool:
        """One line in the account's section pointing at the source; False when one is already there."""
        if account.path not in self.accounts:
            text = self.ctx.vault.read(account.path).text
            note = Note.parse(text, account.path)
            note.check()
            self.accounts[account.path] = (text, note)
        before, note = self.accounts[account.path]
        props = rec.properties  # a note already there may say more (or else) than this source did
        site, about = str(props.get("site") or c.meta.site), str(props.get("description") or c.meta.description)
        day = iso_date(props.get("published")) or iso_date(c.meta.published) or self.ctx.today
        line = clipping.entry_text(site, about, rec.title)
        after = clipping.link_into(note, self.to, link_text(self.records, rec), line, day, rec.linked_as())
        self.accounts[account.path] = (before, after)
        return after is not note

    def changes(self) -> list[Change]:
        edited = [Change(p, before, n.render()) for p, (before, n) in self.accounts.items() if n.render() != before]
        return [*self.created, *edited]


def _verify(text: str, rel: str, c: Clipped) -> None:
    """The new note reads back as planned: these properties, this body, byte for byte."""
    note = Note.parse(text, rel)
    try:
        ok = note.properties == clipping.expected_properties(c.meta) and "".join(note.lines[note.body_start:]) == c.body
    except InvalidNote:
        ok = False
    if not ok:
        raise UnsafeEdit(f"the clipping of {c.source} would not read back as written; nothing written", path=rel)
    if len(text.encode("utf-8")) > MAX_SOURCE_BYTES:
        raise UsageError(f"{c.source}: the note would be over the {MAX_SOURCE_BYTES:,} byte limit; nothing written")


# ---- links ---------------------------------------------------------------------------------------
def link_text(records: Sequence[NoteRecord], rec: NoteRecord, shown: str | None = None) -> str:
    """What goes inside [[…]] to reach `rec` alone, as Obsidian resolves links (its file name, else
    its path), shown as `shown` (default: the file name, a folder note's title) when the link text
    is not that: `Customers/OpenAI|OpenAI`, `acme|Acme Corp`."""
    link = query.link_name(records, rec)
    if shown is None:
        shown = rec.title if rec.stem.lower() in FOLDER_NOTE_NAMES else rec.stem
    if fold(link) == fold(shown) or re.search(r"[|\[\]\n#^]", shown):
        return link
    return f"{link}|{shown}"
