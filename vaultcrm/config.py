"""A vault's settings: the defaults that fit the seed notes, and how `.vaultcrm.toml` overrides them.

Pure: `store.settings` reads the file; this module only interprets its data."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


CONFIG_FILE = ".vaultcrm.toml"

DEFAULT_KINDS: dict[str, list[str]] = {
    "customer": ["customer", "customers", "client", "clients", "account", "accounts", "company", "companies"],
    "prospect": ["prospect", "prospects", "lead", "leads"],
    "partner": ["partner", "partners"],
    "person": ["person", "people", "contact", "contacts", "stakeholder", "stakeholders"],
    "meeting": ["meeting", "meetings", "call", "calls", "1:1", "1-1", "1on1", "one-on-one", "one-to-one",
                "group-meeting", "meeting-notes", "meeting-note", "sync"],
    "article": ["article", "articles", "source", "clipping", "clippings"],
}
DEFAULT_ACCOUNT_KINDS = ["customer", "prospect", "partner"]
DEFAULT_MEETING_KINDS = ["meeting"]
DEFAULT_FOLDERS = {"customer": "Customers", "prospect": "Customers", "partner": "Partners",
                   "person": "People", "meeting": "Meetings", "article": "Sources"}


@dataclass(frozen=True)
class TaskStatus:
    """One checkbox status as Obsidian Tasks defines it: `[?]` may be a TODO named Proposed."""

    symbol: str
    name: str
    next_symbol: str
    type: str  # TODO, IN_PROGRESS, DONE, CANCELLED, ON_HOLD or NON_TASK


STATUS_TYPES = ("TODO", "IN_PROGRESS", "ON_HOLD", "DONE", "CANCELLED", "NON_TASK")
OPEN_TYPES = frozenset({"TODO", "IN_PROGRESS"})
DEFAULT_STATUSES: tuple[TaskStatus, ...] = (
    TaskStatus(" ", "Todo", "x", "TODO"), TaskStatus("x", "Done", " ", "DONE"), TaskStatus("X", "Done", " ", "DONE"),
    TaskStatus("/", "In Progress", "x", "IN_PROGRESS"), TaskStatus("-", "Cancelled", " ", "CANCELLED"),
)


@dataclass(frozen=True)
class TaskSettings:
    """How the vault's Obsidian Tasks plugin reads task lines (its `data.json`), or Tasks' defaults."""

    statuses: tuple[TaskStatus, ...] = DEFAULT_STATUSES
    global_filter: str = ""
    remove_global_filter: bool = False
    dataview: bool = False  # `taskFormat: dataview`: fields are `[due:: 2026-01-02]`, not emoji
    set_done_date: bool = True
    set_cancelled_date: bool = True

    def status(self, symbol: str) -> TaskStatus:
        """The status of a checkbox symbol; one Tasks does not know is a TODO, as in Tasks."""
        for s in self.statuses:
            if s.symbol == symbol:
                return s
        return TaskStatus(symbol, "Unknown", "x", "TODO")

    def done_symbol(self, symbol: str) -> str:
        """The symbol Tasks' toggle writes to complete a task: its next status when that is DONE,
        else the first DONE status."""
        nxt = self.status(self.status(symbol).next_symbol)
        if nxt.type == "DONE":
            return nxt.symbol
        return next((s.symbol for s in self.statuses if s.type == "DONE"), "x")

    def todo_symbol(self) -> str:
        return next((s.symbol for s in self.statuses if s.type == "TODO"), " ")

    def key(self) -> list[Any]:
        return [[list(vars(s).values()) for s in self.statuses], self.global_filter, self.remove_global_filter,
                self.dataview]


def tasks_from_plugin_data(data: object) -> TaskSettings:
    """The task settings an Obsidian Tasks `data.json` describes; what it lacks keeps Tasks' default."""
    if not isinstance(data, dict):
        return TaskSettings()
    statuses: list[TaskStatus] = []
    block = data.get("statusSettings")
    if isinstance(block, dict):
        for group in ("coreStatuses", "customStatuses"):
            for item in block.get(group) or []:
                status = _status_of(item)
                if status is not None and all(s.symbol != status.symbol for s in statuses):
                    statuses.append(status)
    gf = data.get("globalFilter")
    return TaskSettings(
        statuses=tuple(statuses) or DEFAULT_STATUSES,
        global_filter=gf.strip() if isinstance(gf, str) else "",
        remove_global_filter=data.get("removeGlobalFilter") is True,
        dataview=data.get("taskFormat") == "dataview",
        set_done_date=data.get("setDoneDate") is not False,
        set_cancelled_date=data.get("setCancelledDate") is not False,
    )


def _status_of(item: object) -> TaskStatus | None:
    if not isinstance(item, dict):
        return None
    symbol, kind = item.get("symbol"), str(item.get("type", "TODO")).upper()
    if not isinstance(symbol, str) or len(symbol) != 1:
        return None
    nxt = item.get("nextStatusSymbol")
    return TaskStatus(symbol, str(item.get("name") or symbol), nxt if isinstance(nxt, str) and len(nxt) == 1 else "x",
                      kind if kind in STATUS_TYPES else "TODO")


@dataclass
class Config:
    """What a vault may override: kind synonyms, which kinds are accounts, folders, cadences."""

    kinds: dict[str, list[str]] = field(default_factory=lambda: {k: list(v) for k, v in DEFAULT_KINDS.items()})
    account_kinds: list[str] = field(default_factory=lambda: list(DEFAULT_ACCOUNT_KINDS))
    meeting_kinds: list[str] = field(default_factory=lambda: list(DEFAULT_MEETING_KINDS))
    folders: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_FOLDERS))
    folders_set: tuple[str, ...] = ()  # the kinds whose folder `.vaultcrm.toml` names (a default is no choice)
    cadence_tags: dict[str, Any] = field(default_factory=dict)
    cadence_kinds: dict[str, Any] = field(default_factory=dict)
    default_days: int = 30
    git_commit: bool = False
    tasks: TaskSettings = field(default_factory=TaskSettings)
    exclude: tuple[str, ...] = ()  # `.vaultcrm.toml` exclude: folder prefixes and globs
    ignore_filters: tuple[str, ...] = ()  # Obsidian's Excluded files (`userIgnoreFilters` in app.json)
    template_folders: tuple[str, ...] = ()  # the Templates core plugin's and Templater's folders
    not_contact: tuple[str, ...] = ()  # `[contact] not_contact`: entry texts that record no contact

    def canonical_kind(self, word: object) -> str | None:
        """The canonical kind a `type` value or `type/x` tag names (`people` → `person`)."""
        if not isinstance(word, str) or not word.strip():
            return None
        w = word.strip().strip("[]").lower()
        for kind, synonyms in self.kinds.items():
            if w == kind or w in synonyms:
                return kind
        return w

    def is_account(self, kind: str | None) -> bool:
        return kind is not None and kind in self.account_kinds

    def is_meeting(self, kind: str | None) -> bool:
        return kind is not None and kind in self.meeting_kinds

    def folder_for(self, kind: str) -> str:
        return self.folders.get(kind, kind.capitalize() + "s")

    def fingerprint(self) -> str:
        """A digest of what changes how notes are read, so a cache built under other settings is not reused."""
        import hashlib
        import json

        blob = json.dumps([self.kinds, self.account_kinds, self.meeting_kinds, self.tasks.key(), self.not_contact],
                          sort_keys=True)
        return hashlib.sha1(blob.encode()).hexdigest()[:12]  # noqa: S324


def from_settings(data: dict[str, Any]) -> Config:
    """The config that a parsed `.vaultcrm.toml` describes, merged over the defaults."""
    cfg = Config()
    _kinds(cfg, data)
    folders = data.get("folders", {})
    if isinstance(folders, dict):
        cfg.folders.update({str(k).lower(): str(v) for k, v in folders.items()})
        cfg.folders_set = tuple(map(str.lower, map(str, folders)))
    _cadence(cfg, data.get("cadence", {}))
    contact = data.get("contact", {})
    if isinstance(contact, dict):
        cfg.not_contact = _texts(contact.get("not_contact"))
    cfg.exclude = _texts(data.get("exclude"))
    git = data.get("git", {})
    if isinstance(git, dict):
        cfg.git_commit = bool(git.get("commit", False))
    return cfg


def _texts(value: object) -> tuple[str, ...]:
    """A list of non-empty texts from a settings value (anything else: none)."""
    return tuple(str(x) for x in value if str(x).strip()) if isinstance(value, list) else ()


def _kinds(cfg: Config, data: dict[str, Any]) -> None:
    kinds = data.get("kinds", {})
    if isinstance(kinds, dict):
        for kind, synonyms in kinds.items():
            if isinstance(synonyms, list):  # added to the defaults, never replacing them
                have = cfg.kinds.setdefault(str(kind).lower(), [])
                have.extend(s for s in (str(x).lower() for x in synonyms) if s not in have)
    for key in ("account_kinds", "meeting_kinds"):
        value = data.get(key)
        if isinstance(value, list):
            setattr(cfg, key, [str(v).lower() for v in value])


def _cadence(cfg: Config, cadence: object) -> None:
    if isinstance(cadence, dict):
        cfg.cadence_tags = {str(k).lstrip("#").lower(): v for k, v in dict(cadence.get("tags", {})).items()}
        cfg.cadence_kinds = {str(k).lower(): v for k, v in dict(cadence.get("kinds", {})).items()}
        if isinstance(cadence.get("default_days"), int):
            cfg.default_days = cadence["default_days"]
