"""A vault's settings: the defaults that fit the seed notes, how `.vaultcrm.toml` overrides them, and
how the user's own settings (`me`, `editor`, `pager`, `days`) are chosen from flag, environment,
vault file, user file and default.

Pure: `store.settings` and `store.userconfig` read the files and the environment; this module only
interprets their data."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

from vaultcrm.errors import UsageError

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
DEFAULT_EDITOR = "notepad" if os.name == "nt" else "vi"  # as git falls back to vi
DEFAULT_PAGER = "more" if os.name == "nt" else "less"
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
    # the parsed `.vaultcrm.toml` as written: a feature reads its own section (`[pipeline]`, `[dates]`)
    # with its own checks, in its own module, instead of every section growing a field here
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)
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
    conflict_copies: tuple[str, ...] = ()  # `[conflicts] copies`: more copy names, `{name}` the note's
    ignore_filters: tuple[str, ...] = ()  # Obsidian's Excluded files (`userIgnoreFilters` in app.json)
    template_folders: tuple[str, ...] = ()  # the Templates core plugin's and Templater's folders
    not_contact: tuple[str, ...] = ()  # `[contact] not_contact`: entry texts that record no contact
    me: tuple[str, ...] = ()  # the user's own names and aliases (`who` leaves them out)
    editor: str = DEFAULT_EDITOR  # the command `open` runs, split as a shell would but never run through one
    pager: str = DEFAULT_PAGER
    origins: dict[str, str] = field(default_factory=dict)  # personal key -> where its value came from

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
    cfg = Config(raw=data)
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
    more = data.get("conflicts", {})
    if isinstance(more, dict):
        cfg.conflict_copies = tuple(p for p in _texts(more.get("copies")) if "{name}" in p)
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


# ---- the user's own settings: a layer per source, the first that sets a key wins ------------------
PERSONAL_KEYS = ("me", "editor", "pager", "days")  # what the vault's file and the user's file may set
USER_KEYS = ("vault", *PERSONAL_KEYS)  # the user's file also names the default vault
PERSONAL_DEFAULTS: dict[str, Any] = {"me": (), "editor": DEFAULT_EDITOR, "pager": DEFAULT_PAGER, "days": 30}
Layer = tuple[str, dict[str, Any]]  # (source, e.g. `env EDITOR` or `user ~/.config/vaultcrm/config.toml`; values)


def personal_values(data: dict[str, Any], text: str, where: str, keys: tuple[str, ...] = USER_KEYS) -> dict[str, Any]:
    """The personal keys a parsed settings file sets, checked; a value of the wrong type is a usage
    error naming the file and the key's line. `me` may be one name or a list of them."""
    out: dict[str, Any] = {}
    for key in keys:
        if key not in data:
            continue
        value = data[key]
        if key == "me" and isinstance(value, str):
            value = [value]
        if key == "me":
            ok = isinstance(value, list) and all(isinstance(v, str) for v in value)
            value = tuple(v.strip() for v in value if v.strip()) if ok else value
        elif key == "days":
            ok = isinstance(value, int) and not isinstance(value, bool) and value >= 0
        else:
            ok = isinstance(value, str) and bool(value.strip())
        if not ok:
            raise UsageError(f"`{key}` must be {_WANTED[key]}, not {value!r}", path=where, line=key_line(text, key))
        out[key] = value
    return out


_WANTED = {"vault": "a folder path", "me": "a name or a list of names", "editor": "a command",
           "pager": "a command", "days": "a whole number of days (0 or more)"}


def key_line(text: str, key: str) -> int | None:
    """The line (1-based) that sets a top-level `key = …` in TOML text, if one plainly does."""
    import re

    pattern = re.compile(rf"^\s*[\"']?{re.escape(key)}[\"']?\s*=")
    return next((n for n, line in enumerate(text.splitlines(), 1) if pattern.match(line)), None)


#: What a vault's own `.vaultcrm.toml` may set of them: never a program to run (`editor`, `pager`),
#: since that file travels with a shared or synced vault and anyone who can write it could name one.
VAULT_KEYS = ("me", "days")


def vault_personal(data: dict[str, Any], text: str) -> dict[str, Any]:
    """The personal keys a vault's `.vaultcrm.toml` sets; `[cadence] default_days` is its `days`
    unless a top-level `days` is given."""
    values = personal_values(data, text, CONFIG_FILE, VAULT_KEYS)
    cadence = data.get("cadence")
    if "days" not in values and isinstance(cadence, dict) and isinstance(cadence.get("default_days"), int):
        values["days"] = cadence["default_days"]
    return values


def choose(layers: list[Layer], key: str) -> tuple[Any, str]:
    """A key's value and its source: the first layer (highest precedence first) that sets it, else
    the default."""
    for source, values in layers:
        if values.get(key) is not None:
            return values[key], source
    return PERSONAL_DEFAULTS.get(key), "default"


def with_personal(cfg: Config, layers: list[Layer]) -> Config:
    """`cfg` with the user's own settings (`me`, `editor`, `pager`, the default cadence `days`)
    taken from `layers`, highest precedence first, and where each came from."""
    from dataclasses import replace

    chosen = {key: choose(layers, key) for key in PERSONAL_KEYS}
    return replace(cfg, me=tuple(chosen["me"][0]), editor=chosen["editor"][0], pager=chosen["pager"][0],
                   default_days=chosen["days"][0], origins={k: source for k, (_, source) in chosen.items()})
