"""Line grammars of the seed notes: Recent Context entries, tasks, the status table, ❌/✅ bullets.

Each parser takes one line of text (without its ending) and returns a small record or None;
each formatter builds the line an edit inserts. Pure functions, no I/O.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date

from vaultcrm.dates import ISO_DATE, add_period, iso_date

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


# ---- Tasks (Obsidian Tasks format) -----------------------------------------------------------
_TASK = re.compile(r"(?P<indent>\s*(?:>\s*)*)(?P<marker>[-*+]|\d+[.)])\s+\[(?P<status>[^\]])\](?P<rest>(?:\s.*)?)$")
_BLOCK_ID = re.compile(r"(?<!\s)\s+\^[A-Za-z0-9-]+\s*$")
_FIELD_DATE = {"📅": "due", "✅": "done", "❌": "cancelled", "⏳": "scheduled", "🛫": "start", "➕": "created"}
_DATE_FIELD = re.compile(r"(?<!\s)\s*(📅|📆|🗓|🗓️|✅|❌|⏳|⌛|🛫|➕)\ufe0f?\s*(\d{4}-\d{2}-\d{2})\s*$")
_RECUR = re.compile(r"(?<!\s)\s*🔁\ufe0f?(?:\s*+(?=\S)|[^\S ]*+(?= ))([a-zA-Z0-9, !]*?[a-zA-Z0-9,!]| )\s*$")
_PRIORITY = re.compile(r"(?<!\s)\s*(🔺|⏫|🔼|🔽|⏬)\ufe0f?\s*$")
_ID_FIELD = re.compile(r"(?<!\s)\s*(🆔|⛔|🏁)\ufe0f?(?:\s*+(?=\S)|[^\S ]*+(?= ))([a-zA-Z0-9,_ -]*?[a-zA-Z0-9,_-]| )\s*$")
_ALIASES = {"📆": "📅", "🗓": "📅", "🗓️": "📅", "⌛": "⏳"}
DONE_STATUSES = frozenset("xX")
CANCELLED_STATUSES = frozenset("-")


@dataclass(frozen=True)
class Task:
    """A task line parsed the way Obsidian Tasks reads it: fields are taken from the line's end."""

    line: int  # 0-based line in the note
    indent: str
    marker: str
    status: str
    description: str
    due: date | None
    done_date: date | None
    dates: dict[str, str]
    recurrence: str | None
    block_id: str
    raw: str

    @property
    def done(self) -> bool:
        return self.status in DONE_STATUSES

    @property
    def cancelled(self) -> bool:
        return self.status in CANCELLED_STATUSES

    @property
    def open(self) -> bool:
        return not (self.done or self.cancelled)


def parse_task(text: str, line: int = 0) -> Task | None:
    m = _TASK.match(text)
    if not m:
        return None
    rest = m["rest"]
    block = ""
    b = _BLOCK_ID.search(rest)
    if b:
        block, rest = rest[b.start():], rest[: b.start()]
    dates: dict[str, str] = {}
    recurrence = None
    while True:  # Tasks reads fields from the right until none matches
        d = _DATE_FIELD.search(rest)
        if d:
            emoji = _ALIASES.get(d[1], d[1])
            dates.setdefault(_FIELD_DATE.get(emoji, emoji), d[2])
            rest = rest[: d.start()]
            continue
        r = _RECUR.search(rest)
        if r and r[1].lower().startswith("every"):
            recurrence = r[1]
            rest = rest[: r.start()]
            continue
        p = _PRIORITY.search(rest) or _ID_FIELD.search(rest)
        if p:
            rest = rest[: p.start()]
            continue
        break
    return Task(
        line=line, indent=m["indent"], marker=m["marker"], status=m["status"],
        description=rest.strip(), due=iso_date(dates.get("due")), done_date=iso_date(dates.get("done")),
        dates=dates, recurrence=recurrence, block_id=block.strip(), raw=text,
    )


def task_id(path: str, identity: str, occurrence: int = 0) -> str:
    """A short id that stays the same while the note's path and the task's identity do not change."""
    key = f"{path}\0{identity}\0{occurrence}".encode()
    return hashlib.sha1(key).hexdigest()[:7]  # noqa: S324 - an identifier, not security


def format_task(text: str, *, due: date | None = None) -> str:
    out = f"- [ ] {text.strip()}"
    if due is not None:
        out += f" 📅 {due.isoformat()}"
    return out


def tick(task: Task, today: date) -> str:
    """The task's line marked done as Obsidian Tasks does: `[x]` and ` ✅ DATE` before a block id."""
    m = _TASK.match(task.raw)
    assert m is not None
    head = task.raw[: m.start("status")] + "x" + "]"
    rest = task.raw[m.end("status") + 1:]
    block = ""
    b = _BLOCK_ID.search(rest)
    if b:
        block, rest = rest[b.start():], rest[: b.start()]
    trail = rest[len(rest.rstrip()):]
    return f"{head}{rest.rstrip()} ✅ {today.isoformat()}{block}{trail if not block else ''}"


def untick(task: Task) -> str:
    """The task's line reopened: `[ ]` and its ` ✅ DATE` removed, every other byte kept."""
    m = _TASK.match(task.raw)
    assert m is not None
    head = task.raw[: m.start("status")] + " ]"
    rest = task.raw[m.end("status") + 1:]
    if "done" in task.dates:
        rest = re.sub(r" ?✅\ufe0f? ?" + re.escape(task.dates["done"]), "", rest, count=1)
    return head + rest


def next_occurrence(task: Task, today: date) -> str | None:
    """The next instance of a recurring task (`🔁 every …`), its dates moved on; None if unsupported.

    Supports `every N day(s)/week(s)/month(s)/year(s)`, `every day/week/month/year` and
    `every weekday`; the due date (else scheduled/start) is the reference, as in Tasks.
    """
    if not task.recurrence:
        return None
    rule = task.recurrence.lower().removeprefix("every").strip()
    when_done = rule.endswith("when done")
    rule = rule.removesuffix("when done").strip()
    m = re.fullmatch(r"(\d+)?\s*(day|week|month|year)s?", rule)
    if not m:
        return None
    count, unit = int(m[1] or 1), m[2][0]
    ref_key = next((k for k in ("due", "scheduled", "start") if k in task.dates), None)
    if ref_key is None:
        return None
    ref = today if when_done else iso_date(task.dates[ref_key])
    if ref is None:
        return None
    base = iso_date(task.dates[ref_key])
    assert base is not None
    shift = (add_period(ref, count, unit) - base).days
    line = task.raw
    for key, value in task.dates.items():
        if key in ("done", "cancelled"):
            continue
        d = iso_date(value)
        if d is not None:
            line = _shift_field(line, key, value, (d + _days(shift)).isoformat())
    m2 = _TASK.match(line)
    assert m2 is not None
    line = line[: m2.start("status")] + " " + line[m2.end("status"):]
    line = re.sub(r" ?✅\ufe0f? ?\d{4}-\d{2}-\d{2}", "", line)
    if task.block_id:  # a block id must stay unique: the new instance does not inherit it
        line = line.replace(" " + task.block_id, "", 1)
    return line


def _shift_field(line: str, key: str, value: str, new: str) -> str:
    """`line` with the date of field `key` (its last `EMOJI DATE`) set to `new`; a date that
    merely appears in the description is left alone."""
    emojis = [e for e, k in _FIELD_DATE.items() if k == key]
    emojis += [a for a, e in _ALIASES.items() if e in emojis]
    alt = "|".join(re.escape(e) for e in sorted(emojis, key=len, reverse=True))
    hits = list(re.finditer(f"(?:{alt})\ufe0f?\\s*({re.escape(value)})", line))
    if not hits:
        return line
    m = hits[-1]
    return line[: m.start(1)] + new + line[m.end(1):]


def _days(n: int):  # noqa: ANN202 - tiny helper for timedelta
    from datetime import timedelta

    return timedelta(days=n)


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
