"""Task lines as Obsidian Tasks reads and writes them: the checkbox, its status, and the fields.

Tasks takes the fields (📅 due, ⏳ scheduled, 🛫 start, ➕ created, ✅ done, ❌ cancelled, 🔁 recurrence,
priority, 🆔 id, ⛔ depends on, 🏁 on completion) from the END of the line, in any order, setting
aside trailing `#tags` (which stay part of the description) until no field is left; a field in the
middle of the text is text. The Dataview format (`[due:: 2026-01-02]`) is read the same way when
the vault's Tasks settings say so. Writing keeps the line's own order and bytes: ticking appends
the done date, reopening removes exactly that field. Pure functions, no I/O.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date, timedelta

from vaultcrm.config import OPEN_TYPES, TaskSettings
from vaultcrm.dates import add_period, iso_date

DEFAULT_SETTINGS = TaskSettings()
_TASK = re.compile(r"(?P<indent>\s*(?:>\s*)*)(?P<marker>[-*+]|\d+[.)])\s+\[(?P<status>[^\]])\](?P<rest>(?:\s.*)?)$")
BLOCK_LINK = re.compile(r" \^[a-zA-Z0-9-]+$")
_TAG_AT_END = re.compile(r"(?:^|\s)#[^ !@#$%^&*(),.?\":{}|<>]+$")
_TAG = re.compile(r"(?:^|\s)(#[^ !@#$%^&*(),.?\":{}|<>]+)")
_DATE = r"([0-9]{4}-[0-9]{2}-[0-9]{2})"
_ID = r"[a-zA-Z0-9_-]+"
PRIORITY_NAMES = {"🔺": "highest", "⏫": "high", "🔼": "medium", "🔽": "low", "⏬": "lowest"}
DATE_FIELDS = ("due", "scheduled", "start", "created", "done", "cancelled")
ON_COMPLETION = {"delete": "delete", "keep": "keep"}  # any other 🏁 value is read, but is no action
_MAX_RUNS = 20  # Tasks' own failsafe: it stops after 21 passes over the line


def _emoji(symbols: str, value: str) -> re.Pattern[str]:
    return re.compile(f"(?:{symbols})\ufe0f? *{value}$")


def _inline(inner: str) -> re.Pattern[str]:
    """Tasks' Dataview field: `[key:: value]` or `(key:: value)`, a trailing comma allowed."""
    return re.compile(r"(?:(?=[^\]]+\])\[|(?=[^)]+\))\() *" + inner + r" *[)\]](?: *,)?$")


# (field, pattern, signs) in the order Tasks tries them on each pass; a date field's group 1 is its date.
# A field's value never holds its signs, so a match can only start at the sign's LAST occurrence:
# `find` starts there, which keeps a long hostile line linear instead of quadratic.
Field = tuple[str, re.Pattern[str], str]
EMOJI_FIELDS: tuple[Field, ...] = (
    ("priority", re.compile("(🔺|⏫|🔼|🔽|⏬)\ufe0f?$"), "🔺⏫🔼🔽⏬"),
    ("done", _emoji("✅", _DATE), "✅"), ("cancelled", _emoji("❌", _DATE), "❌"),
    ("due", _emoji("📅|📆|🗓", _DATE), "📅📆🗓"), ("scheduled", _emoji("⏳|⌛", _DATE), "⏳⌛"),
    ("start", _emoji("🛫", _DATE), "🛫"), ("created", _emoji("➕", _DATE), "➕"),
    ("recurrence", _emoji("🔁", "([a-zA-Z0-9, !]+)"), "🔁"), ("on_completion", _emoji("🏁", "([a-zA-Z]+)"), "🏁"),
    ("tag", _TAG_AT_END, "#"), ("id", _emoji("🆔", f"({_ID})"), "🆔"),
    ("depends_on", _emoji("⛔", f"({_ID}(?: *, *{_ID} *)*)"), "⛔"),
)
DATAVIEW_FIELDS: tuple[Field, ...] = tuple((name, pattern, "#" if name == "tag" else "[(") for name, pattern in (
    ("priority", _inline("priority:: *(highest|high|medium|low|lowest)")),
    ("done", _inline(f"completion:: *{_DATE}")), ("cancelled", _inline(f"cancelled:: *{_DATE}")),
    ("due", _inline(f"due:: *{_DATE}")), ("scheduled", _inline(f"scheduled:: *{_DATE}")),
    ("start", _inline(f"start:: *{_DATE}")), ("created", _inline(f"created:: *{_DATE}")),
    ("recurrence", _inline("repeat:: *([a-zA-Z0-9, !]+)")), ("on_completion", _inline("onCompletion:: *([a-zA-Z]+)")),
    ("tag", _TAG_AT_END), ("id", _inline(f"id:: *({_ID})")),
    ("depends_on", _inline(f"dependsOn:: *({_ID}(?: *, *{_ID} *)*)")),
))


def find(pattern: re.Pattern[str], signs: str, text: str, end: int | None = None) -> re.Match[str] | None:
    """`pattern.search(text, 0, end)` for a field pattern anchored at the end, in linear time."""
    end = len(text) if end is None else end
    start = max(text.rfind(sign, 0, end) for sign in signs)
    if start < 0:
        return None
    return pattern.search(text, max(start - 1, 0), end)  # - 1: a tag's match starts at the space before `#`


DATE_EMOJI = {"due": "📅", "scheduled": "⏳", "start": "🛫", "created": "➕", "done": "✅", "cancelled": "❌"}
DATAVIEW_KEY = {"due": "due", "scheduled": "scheduled", "start": "start", "created": "created",
                "done": "completion", "cancelled": "cancelled"}


@dataclass(frozen=True)
class Task:
    """A task line as Tasks reads it. `dates` holds each date field's text as written (it may not
    be a real date: `📅 2026-02-30` is read as a due field whose date is unreadable)."""

    line: int  # 0-based line in the note
    indent: str
    marker: str
    status: str  # the checkbox symbol
    status_name: str
    status_type: str  # TODO, IN_PROGRESS, ON_HOLD, DONE, CANCELLED
    description: str  # without the fields, with trailing tags, as Tasks shows it
    dates: dict[str, str]
    priority: str  # highest, high, medium, none, low, lowest
    recurrence: str | None
    tags: list[str]
    id: str = ""
    depends_on: list[str] = field(default_factory=list)
    on_completion: str = ""
    block_id: str = ""
    raw: str = ""

    @property
    def due(self) -> date | None:
        return iso_date(self.dates.get("due"))

    @property
    def done_date(self) -> date | None:
        return iso_date(self.dates.get("done"))

    @property
    def done(self) -> bool:
        return self.status_type == "DONE"

    @property
    def cancelled(self) -> bool:
        return self.status_type == "CANCELLED"

    @property
    def open(self) -> bool:
        return self.status_type in OPEN_TYPES


def is_task(text: str, settings: TaskSettings = DEFAULT_SETTINGS) -> bool:
    """Whether `parse_task` would find a task, without reading its fields (callers that only sort
    tasks from other bullets run this on every item of a vault)."""
    m = _TASK.match(text)
    return bool(m) and settings.status(m["status"]).type != "NON_TASK" and \
        (not settings.global_filter or settings.global_filter in m["rest"])


def parse_task(text: str, line: int = 0, settings: TaskSettings = DEFAULT_SETTINGS) -> Task | None:
    """The task on `text`, or None: not a checkbox item, a NON_TASK status, or (with a global
    filter) a line that does not hold the filter."""
    m = _TASK.match(text)
    if not m:
        return None
    status = settings.status(m["status"])
    body = m["rest"].strip()
    if status.type == "NON_TASK" or (settings.global_filter and settings.global_filter not in body):
        return None
    block = find(BLOCK_LINK, "^", body)
    if block:
        body = body[: block.start()].strip()
    found, body = read_fields(body, DATAVIEW_FIELDS if settings.dataview else EMOJI_FIELDS)
    description = _without_filter(body, settings) if settings.remove_global_filter else body
    recurrence = found.get("recurrence")
    return Task(
        line=line, indent=m["indent"], marker=m["marker"], status=status.symbol, status_name=status.name,
        status_type=status.type, description=description,
        dates={k: found[k] for k in DATE_FIELDS if k in found},
        priority=PRIORITY_NAMES.get(found.get("priority", ""), found.get("priority") or "none"),
        recurrence=recurrence if recurrence and recurrence.lower().startswith("every") else None,
        tags=_tags(body, settings), id=found.get("id", ""),
        depends_on=[d for d in re.sub(" ", "", found.get("depends_on", "")).split(",") if d],
        on_completion=ON_COMPLETION.get(found.get("on_completion", "").lower(), ""),
        block_id=block[0].strip() if block else "", raw=text,
    )


def read_fields(body: str, fields: tuple[Field, ...] = EMOJI_FIELDS) -> tuple[dict[str, str], str]:
    """(fields, description) as Tasks' serializer reads them: each pass tries every field at the
    line's end in Tasks' order; a later pass overwrites (so of two due dates the first one wins)."""
    # a field whose signs are not in the line cannot match in any pass (each pass only cuts the
    # line's end): most tasks hold one or two of the twelve, and the first run parses every task
    return read_passes(body, tuple(f for f in fields if any(sign in body for sign in f[2])))


def read_passes(body: str, fields: tuple[Field, ...]) -> tuple[dict[str, str], str]:
    """`read_fields` trying each of `fields` on every pass."""
    found: dict[str, str] = {}
    tags: list[str] = []
    for _ in range(_MAX_RUNS + 1):
        matched = False
        for name, pattern, signs in fields:
            hit = find(pattern, signs, body)
            if hit is None:
                continue
            body, matched = body[: hit.start()].strip(), True
            if name == "tag":
                tags.insert(0, hit[0].strip())
            else:
                found[name] = hit[1].strip()
        if not matched:
            break
    return found, " ".join([body, *tags]) if tags else body


def _tags(description: str, settings: TaskSettings) -> list[str]:
    """The description's tags (without `#`) as Tasks reads them: the global filter is not one of them."""
    return [t[1:] for t in _TAG.findall(description) if t != settings.global_filter]


def _without_filter(text: str, settings: TaskSettings) -> str:
    """The description with the global filter removed as a word, as Tasks shows it when asked to."""
    pattern = r"(^|\s)" + re.escape(settings.global_filter) + r"($|\s)"
    return re.sub(" +", " ", re.sub(pattern, r"\1\2", text)).strip()


def task_id(path: str, identity: str, occurrence: int = 0) -> str:
    """A short id that stays the same while the note's path and the task's identity do not change."""
    key = f"{path}\0{identity}\0{occurrence}".encode()
    return hashlib.sha1(key).hexdigest()[:7]  # noqa: S324 - an identifier, not security


def format_task(text: str, *, due: date | None = None, settings: TaskSettings = DEFAULT_SETTINGS) -> str:
    """A new task line; with a global filter the line starts with it, or Tasks would not see it."""
    text = text.strip()
    gf = settings.global_filter
    if gf and gf not in text:
        text = f"{gf} {text}"
    out = f"- [{settings.todo_symbol()}] {text}"
    if due is not None:
        out += _field_text("due", due.isoformat(), settings)
    return out


def _field_text(name: str, value: str, settings: TaskSettings) -> str:
    """A date field as Tasks writes it: ` 📅 2026-01-02`, or `  [due:: 2026-01-02]` in Dataview format."""
    return f"  [{DATAVIEW_KEY[name]}:: {value}]" if settings.dataview else f" {DATE_EMOJI[name]} {value}"


def _split_block(rest: str) -> tuple[str, str]:
    """(text, ` ^block-id` with what follows it) of the part of a line after its checkbox."""
    stripped = rest.rstrip()
    block = find(BLOCK_LINK, "^", stripped)
    if block is None:
        return rest, ""
    return rest[: block.start()], rest[block.start():]


def tick(task: Task, today: date, settings: TaskSettings = DEFAULT_SETTINGS) -> str:
    """The line completed as Tasks' toggle does: its DONE symbol, and the done date appended after
    the line's own fields and tags (before a block id); every other byte kept."""
    m = _TASK.match(task.raw)
    assert m is not None
    head = task.raw[: m.start("status")] + settings.done_symbol(task.status) + "]"
    rest, block = _split_block(task.raw[m.end("status") + 1:])
    if not settings.set_done_date:
        return head + rest + block
    span = field_span(rest, "done", settings)
    if span is not None:  # an open task that still carries a done date: Tasks writes today's over it
        value = re.search(_DATE, rest[span[0]:span[1]])
        assert value is not None
        at = span[0] + value.start()
        return head + rest[:at] + today.isoformat() + rest[at + 10:] + block
    trail = rest[len(rest.rstrip()):] if not block else ""
    return f"{head}{rest.rstrip()}{_field_text('done', today.isoformat(), settings)}{block}{trail}"


def untick(task: Task, settings: TaskSettings = DEFAULT_SETTINGS) -> str:
    """The line reopened: the TODO symbol, and the done-date field Tasks read removed; every other byte kept."""
    m = _TASK.match(task.raw)
    assert m is not None
    head = task.raw[: m.start("status")] + settings.todo_symbol() + "]"
    rest = task.raw[m.end("status") + 1:]
    span = field_span(rest, "done", settings)
    if span is not None:
        start, end = span
        while start > 0 and rest[start - 1] == " ":
            start -= 1
        rest = rest[:start] + rest[end:]
    return head + rest


def field_span(rest: str, name: str, settings: TaskSettings = DEFAULT_SETTINGS) -> tuple[int, int] | None:
    """Where in `rest` (the text after a checkbox) the field `name` that Tasks reads is, or None.

    Re-reads the line the way `read_fields` does, tracking offsets, so the span is exactly the
    field Tasks took (not an equal text that happens to sit in the description)."""
    fields = DATAVIEW_FIELDS if settings.dataview else EMOJI_FIELDS
    body_end = len(rest.rstrip())
    block = find(BLOCK_LINK, "^", rest, body_end)
    if block:
        body_end = len(rest[: block.start()].rstrip())
    hits: dict[str, tuple[int, int]] = {}
    for _ in range(_MAX_RUNS + 1):
        matched = False
        for fname, pattern, signs in fields:
            hit = find(pattern, signs, rest, body_end)
            if hit is None:
                continue
            hits[fname] = (hit.start() + (len(hit[0]) - len(hit[0].lstrip())), hit.end())
            body_end, matched = len(rest[: hit.start()].rstrip()), True
        if not matched:
            break
    return hits.get(name)


def next_occurrence(task: Task, today: date, settings: TaskSettings = DEFAULT_SETTINGS) -> str | None:
    """The next instance of a recurring task (`🔁 every …`), its dates moved on; None if unsupported.

    Supports `every N day(s)/week(s)/month(s)/year(s)`, `every day/week/month/year` and `… when
    done`; the due date (else scheduled, else start) is the reference, as in Tasks.
    """
    if not task.recurrence:
        return None
    rule = task.recurrence.lower().removeprefix("every").strip()
    when_done = rule.endswith("when done")
    rule = rule.removesuffix("when done").strip()
    m = re.fullmatch(r"(\d+)?\s*(day|week|month|year)s?", rule)
    ref_key = next((k for k in ("due", "scheduled", "start") if k in task.dates), None)
    base = iso_date(task.dates[ref_key]) if ref_key else None
    if not m or base is None:
        return None
    shift = (add_period(today if when_done else base, int(m[1] or 1), m[2][0]) - base).days
    line = task.raw
    for key in ("due", "scheduled", "start"):
        line = _moved(line, key, shift, settings)
    for key in ("done", "cancelled"):
        line = _dropped(line, key, settings)
    m2 = _TASK.match(line)
    assert m2 is not None
    line = line[: m2.start("status")] + settings.todo_symbol() + line[m2.end("status"):]
    if task.block_id:  # a block id must stay unique: the new instance does not inherit it
        line = line.replace(" " + task.block_id, "", 1)
    return line


def _rest_span(line: str, key: str, settings: TaskSettings) -> tuple[int, tuple[int, int]] | None:
    m = _TASK.match(line)
    if m is None:
        return None
    offset = m.end("status") + 1
    span = field_span(line[offset:], key, settings)
    return (offset, span) if span else None


def _moved(line: str, key: str, shift: int, settings: TaskSettings) -> str:
    found = _rest_span(line, key, settings)
    if found is None:
        return line
    offset, (start, end) = found
    text = line[offset + start: offset + end]
    date_match = re.search(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text)
    d = iso_date(date_match[0]) if date_match else None
    if date_match is None or d is None:
        return line
    new = text[: date_match.start()] + (d + timedelta(days=shift)).isoformat() + text[date_match.end():]
    return line[: offset + start] + new + line[offset + end:]


def _dropped(line: str, key: str, settings: TaskSettings) -> str:
    found = _rest_span(line, key, settings)
    if found is None:
        return line
    offset, (start, end) = found
    a = offset + start
    while a > offset and line[a - 1] == " ":
        a -= 1
    return line[:a] + line[offset + end:]


# ---- date fields Tasks did not read (doctor's task-date-unreadable) ------------------------------
def field_sign(name: str, settings: TaskSettings) -> str:
    """How a date field is written in the vault's task format: `📅`, or `due::` for Dataview."""
    return f"{DATAVIEW_KEY[name]}::" if settings.dataview else DATE_EMOJI[name]


_UNREAD_EMOJI = re.compile(r"(📅|📆|🗓|⏳|⌛|🛫|➕|✅|❌)\ufe0f? *(\S*)")
_UNREAD_INLINE = re.compile(r"[\[(] *(due|scheduled|start|created|completion|cancelled):: *([^\])]*)[\])]")
_EMOJI_NAME = {"📅": "due", "📆": "due", "🗓": "due", "⏳": "scheduled", "⌛": "scheduled", "🛫": "start",
               "➕": "created", "✅": "done", "❌": "cancelled"}


def unread_fields(description: str, settings: TaskSettings) -> list[tuple[str, str, str]]:
    """(sign, field, what follows it) for each date field sign left in a task's text: Tasks read no
    date from it, because no date follows or because more text does."""
    out = []
    if settings.dataview:
        for m in _UNREAD_INLINE.finditer(description):
            name = "done" if m[1] == "completion" else m[1]
            out.append((f"{m[1]}::", name, m[2].strip()))
        return out
    for m in _UNREAD_EMOJI.finditer(description):  # every sign left in the text is one Tasks did not read
        if m[1] not in "✅❌➕" or m[2][:1].isdigit():  # `✅ agreed` is text, `✅ 2026-1-2` a date
            out.append((m[1], _EMOJI_NAME[m[1]], m[2]))
    return out
