"""Light records of notes: what listing, resolving and dating need, derived from a parsed note.

A record is plain data (JSON-serialisable through `to_dict`) so the index can cache it; building
one is a pure function of a note's path and text and the vault config.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

from vaultcrm.model import dating, grammar
from vaultcrm.config import OPEN_TYPES, Config, TaskSettings
from vaultcrm.dates import iso_date
from vaultcrm.errors import InvalidNote
from vaultcrm.model.note import Note
from vaultcrm.model.sections import is_recent_context
from vaultcrm.model.names import fold  # noqa: F401 - re-exported: callers say records.fold

DEFAULT_SETTINGS = TaskSettings()
FOLDER_NOTE_NAMES = ("readme", "index", "_index")
PEOPLE_KEYS = ("attendees", "people", "participants", "with", "contacts")
ACCOUNT_KEYS = ("account", "accounts", "company", "customer", "client", *PEOPLE_KEYS)
# A tag is `#` then tag characters, at a line start or after white space. The `#` comes first in
# the pattern so the regex engine can skip to each `#` quickly; the position check is done after.
_BODY_TAG = re.compile(r"#([^\s#!\"$%&'()*+,.:;<=>?@\[\]^`{|}~\\]+)")
_INLINE_CODE = re.compile(r"`[^`\n]*`")
_HTML_COMMENT = re.compile(r"<!--.*?(?:-->|\Z)", re.S)  # Obsidian sees no tags in comments, even multi-line
_DATE_PREFIX = re.compile(r"(\d{4}-\d{2}-\d{2})")


@dataclass(slots=True)  # a 50k vault holds 120,000 tasks and 230,000 entries: 200 -> 90 bytes each
class TaskRecord:
    """A task as listings show it; `id` is stable while path and text stay the same.

    Dates are ISO text, or None when absent or not a real date (`📅 2026-02-30`: `doctor` reports it)."""

    id: str
    line: int  # 1-based
    text: str
    status: str  # the checkbox symbol
    status_name: str
    status_type: str
    due: str | None
    done_date: str | None
    raw: str
    scheduled: str | None = None
    start: str | None = None
    created: str | None = None
    cancelled_date: str | None = None
    priority: str = "none"
    recurrence: str | None = None
    tags: list[str] = field(default_factory=list)

    @property
    def done(self) -> bool:
        return self.status_type == "DONE"

    @property
    def cancelled(self) -> bool:
        return self.status_type == "CANCELLED"

    @property
    def open(self) -> bool:
        return self.status_type in OPEN_TYPES


@dataclass(slots=True)
class EntryRecord:
    """A Recent Context entry; `date` is ISO or None for `unknown` and other undated lines."""

    date: str | None
    raw_date: str
    link: str | None
    text: str
    via: str | None
    line: int  # 1-based


_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass
class NoteRecord:
    """What vaultcrm knows about one note without re-reading it."""

    path: str
    title: str
    aliases: list[str] = field(default_factory=list)
    kind: str | None = None
    tags: list[str] = field(default_factory=list)
    properties: dict[str, Any] = field(default_factory=dict)
    entries: list[EntryRecord] = field(default_factory=list)
    tasks: list[TaskRecord] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    md_links: list[str] = field(default_factory=list)  # Markdown link targets (grammar.md_target)
    note_date: str | None = None
    folder_note: bool = False
    dating: dict[str, Any] = field(default_factory=dict)  # what can date a contact (model.dating)
    error: str | None = None
    error_line: int | None = None
    size: int = 0
    mtime_ns: int = 0

    @property
    def stem(self) -> str:
        return self.path.rsplit("/", 1)[-1].removesuffix(".md")

    @property
    def folder(self) -> str:
        return self.path.rsplit("/", 1)[0] if "/" in self.path else ""

    @property
    def property_keys(self) -> list[str]:
        """The note's property names as they compare (lower-cased, as `keys.key_fold`): kept with the
        light columns, so a search for `birthday` decodes only the notes that have one."""
        return sorted({str(k).lower() for k in self.properties})

    @property
    def filed_accounts(self) -> list[str]:
        """The accounts its `account:`/`accounts:` property files it under, as written (`model.dating`)."""
        return self.dating.get("accounts", [])

    @property
    def open_due(self) -> str | None:
        """The earliest due date (ISO) of the note's open tasks, if any has one: the index keeps it
        beside the light columns, so `agenda` and `task list --overdue` decode only notes that can
        answer them."""
        dues = [t.due for t in self.tasks if t.open and t.due and _ISO_DAY.fullmatch(t.due)]
        return min(dues) if dues else None

    @property
    def named_accounts(self) -> list[str]:
        """Names given without a [[link]] in properties such as `account: Acme` or `attendees`."""
        return [v for key in ACCOUNT_KEYS for v in string_list(self.properties.get(key)) if "[[" not in v]

    def names(self) -> list[str]:
        """Every name a user may type for this note, before case folding."""
        out = [self.title, self.stem, self.path, self.path.removesuffix(".md"), *self.aliases]
        if self.folder_note:
            out.append(self.folder.rsplit("/", 1)[-1])
        return out

    def name_keys(self) -> set[str]:
        """Folded keys under which NAME lookup finds this note (names, path, folder-note folder)."""
        keys = {fold(n) for n in self.names()}
        if self.folder_note:
            keys.add(fold(self.folder))
        return keys

    def linked_as(self) -> set[str]:
        """Folded names by which other notes link to this one (a README's stem names no account)."""
        stem = [] if self.stem.lower() in FOLDER_NOTE_NAMES else [self.stem]
        names = {fold(n) for n in (self.title, *stem, self.path.removesuffix(".md"), *self.aliases)}
        if self.folder_note:
            names.add(fold(self.folder.rsplit("/", 1)[-1]))
            names.add(fold(self.folder))  # [[Customers/Acme]] reaches Customers/Acme/README.md
        return names

    def link_keys(self) -> set[str]:
        """Folded targets this note points at: [[links]] as written (a path reaches that file only,
        as in Obsidian), and plain account names in properties such as `account: Acme`."""
        keys = {fold(target.removesuffix(".md")) for target in self.links}
        keys.update(fold(v) for v in self.named_accounts)
        return keys

    def ref_keys(self) -> set[str]:
        """Folded names this note links to, [[wikilinks]] and Markdown links alike (a relative
        Markdown link read both from the vault root and from the note's folder, as `links` reads
        it): what the index keeps so backlinks are found without reading every note."""
        keys = {fold(target.removesuffix(".md")) for target in self.links}
        for stem in self.md_links:
            keys.update({grammar.ANY_TARGET} if stem == grammar.ANY_TARGET else md_link_keys(stem, self.folder))
        return keys

    def release(self) -> None:
        """Let go of parts that can be had again (a cached record's decoded tasks, entries and
        properties); a record parsed this run holds its only copy and keeps it."""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def md_link_keys(stem: str, folder: str) -> set[str]:
    """The folded names a Markdown link target (`grammar.md_target`) in a note of `folder` may
    reach: from the vault root, or relative to the note's folder."""
    return {fold(stem.lstrip("/")), fold(posixpath.normpath(posixpath.join(folder, stem)))}


def string_list(value: object) -> list[str]:
    """A property that may be a list or a single string, as a list of non-empty strings."""
    if value is None:
        return []
    if isinstance(value, list):
        return [str(v).strip() for v in value if v is not None and str(v).strip()]
    s = str(value).strip()
    return [s] if s else []


def frontmatter_tags(props: dict[str, Any]) -> list[str]:
    """Tags from the `tags` property as Obsidian reads them: a list, or one string without spaces."""
    raw = props.get("tags")
    if isinstance(raw, str):
        values = [raw] if raw.strip() and not re.search(r"[\s,]", raw.strip()) else []
    else:
        values = string_list(raw)
    return [v.strip().lstrip("#") for v in values if v.strip().lstrip("#")]


def body_tags(note: Note) -> list[str]:
    text = "\n".join(t for _, t in note.body_lines(note.body_start, len(note.lines)))
    return line_tags(text) if "#" in text else []


def line_tags(text: str) -> list[str]:
    """`#tags` in body text, one line or many (inline code excluded; all-digit tags are not tags)."""
    text = _INLINE_CODE.sub("", text)
    if "<!--" in text:
        text = _HTML_COMMENT.sub(" ", text)
    # `#` must start a line or follow white space (checked here so the regex can skip to each `#`)
    return [m[1] for m in _BODY_TAG.finditer(text)
            if (m.start() == 0 or text[m.start() - 1].isspace()) and not m[1].replace("/", "").isdigit()]


def kind_of(props: dict[str, Any], tags: list[str], config: Config) -> str | None:
    """`type` property (first of a list), else a `type/<kind>` tag, as a canonical kind."""
    for value in string_list(props.get("type")):
        kind = config.canonical_kind(value)
        if kind:
            return kind
    for tag in tags:
        if tag.lower().startswith("type/"):
            kind = config.canonical_kind(tag.split("/", 1)[1])
            if kind:
                return kind
    return None


def json_safe(value: Any) -> Any:
    """Property values as JSON can carry them (YAML may hold sets, bytes or odd keys)."""
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [json_safe(v) for v in value]
    return str(value)


def assemble(path: str, props: dict[str, Any] | InvalidNote, *, body_tags: list[str], entries: list[EntryRecord],
             tasks: list[TaskRecord], body_links: list[str], body_md_links: list[str], field_lines: list[tuple[int, str]], config: Config,
             size: int = 0, mtime_ns: int = 0) -> NoteRecord:
    """Put a record together from what a parser found in the note."""
    stem = path.rsplit("/", 1)[-1].removesuffix(".md")
    folder = path.rsplit("/", 1)[0] if "/" in path else ""
    folder_name = folder.rsplit("/", 1)[-1]
    folder_note = bool(folder) and (stem.lower() in FOLDER_NOTE_NAMES or fold(stem) == fold(folder_name))
    rec = NoteRecord(path=path, title=stem, folder_note=folder_note, size=size, mtime_ns=mtime_ns)
    if folder_note and stem.lower() in FOLDER_NOTE_NAMES:
        rec.title = folder_name
    if isinstance(props, InvalidNote):
        rec.error, rec.error_line = props.message, props.line
        return rec
    props = json_safe(props)
    rec.properties = props
    title = props.get("title")
    if isinstance(title, (str, int, float)) and str(title).strip():
        rec.title = str(title).strip()
    rec.aliases = string_list(props.get("aliases")) or string_list(props.get("alias"))
    fm_tags = frontmatter_tags(props)
    tags = fm_tags + [t for t in body_tags if t not in fm_tags]
    rec.tags = list(dict.fromkeys(tags))
    rec.kind = kind_of(props, rec.tags, config)
    rec.note_date = _note_date(props, stem)
    rec.entries = entries
    rec.tasks = tasks
    rec.dating = dating.facts(props, entries, field_lines, config.not_contact)
    links: list[str] = []
    md_links: list[str] = []
    for value in props.values():
        for item in string_list(value) if isinstance(value, (str, list)) else []:
            links.extend(grammar.wikilinks(item))
            md_links.extend(grammar.markdown_targets(item))
    links.extend(body_links)
    rec.links = list(dict.fromkeys(links))
    rec.md_links = list(dict.fromkeys(md_links + body_md_links))
    return rec


def _note_date(props: dict[str, Any], stem: str) -> str | None:
    for key in ("date", "Date"):
        d = iso_date(props.get(key))
        if d is not None:
            return d.isoformat()
    m = _DATE_PREFIX.match(stem)
    if m:
        d = iso_date(m[1])
        if d is not None:
            return d.isoformat()
    return None


def entries_of(note: Note) -> list[EntryRecord]:
    """The Recent Context entries of a note, in file order."""
    out: list[EntryRecord] = []
    for section in note.sections:
        if not is_recent_context(section.heading):
            continue
        for i, text in note.body_lines(section.body_start, section.end):
            e = entry_record(text, i)
            if e is not None:
                out.append(e)
    return out


def entry_record(text: str, index: int) -> EntryRecord | None:
    e = grammar.parse_entry(text, index)
    if e is None:
        return None
    return EntryRecord(e.date.isoformat() if e.date else None, e.raw_date, e.link, e.text, e.via, index + 1)


def tasks_of(note: Note, settings: TaskSettings = DEFAULT_SETTINGS) -> list[TaskRecord]:
    """Every task line outside code fences, with ids unique within the note."""
    lines = ((i, text) for i, text in note.body_lines(note.body_start, len(note.lines)) if "[" in text)
    return task_records(note.path or "", lines, settings)


def task_records(path: str, lines: Iterable[tuple[int, str]],
                 settings: TaskSettings = DEFAULT_SETTINGS) -> list[TaskRecord]:
    """Task records from (0-based index, line text) pairs; ids count repeats of the same task.

    A task is its text and its planning dates (due, scheduled, start, created) but not its
    status or completion date: ticking keeps the id, and the next instance of a recurring task
    (same text, dates moved on, inserted above) gets its own instead of taking the old one's.
    """
    from vaultcrm.model import taskline  # its 28 patterns cost 5 ms a run: only runs that parse tasks pay

    out: list[TaskRecord] = []
    seen: dict[str, int] = {}
    for i, text in lines:
        t = taskline.parse_task(text, i, settings)
        if t is None:
            continue
        key = t.description + "".join(f"\0{k}={v}" for k, v in sorted(t.dates.items())
                                      if k not in ("done", "cancelled"))
        n = seen.get(key, 0)
        seen[key] = n + 1
        d = {k: v for k, v in t.dates.items() if iso_date(v) is not None}  # `📅 2026-02-30` is no date
        out.append(TaskRecord(
            id=taskline.task_id(path, key, n), line=i + 1, text=t.description, status=t.status,
            status_name=t.status_name, status_type=t.status_type, due=d.get("due"), done_date=d.get("done"),
            raw=text, scheduled=d.get("scheduled"), start=d.get("start"), created=d.get("created"),
            cancelled_date=d.get("cancelled"), priority=t.priority, recurrence=t.recurrence, tags=t.tags,
        ))
    return out
