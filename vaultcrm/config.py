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
    "person": ["person", "people", "contact", "contacts"],
    "meeting": ["meeting", "meetings", "call", "calls", "1:1", "one-on-one"],
    "article": ["article", "articles", "source", "clipping", "clippings"],
}
DEFAULT_ACCOUNT_KINDS = ["customer", "prospect", "partner"]
DEFAULT_MEETING_KINDS = ["meeting"]
DEFAULT_FOLDERS = {"customer": "Customers", "prospect": "Customers", "partner": "Partners",
                   "person": "People", "meeting": "Meetings", "article": "Sources"}


@dataclass
class Config:
    """What a vault may override: kind synonyms, which kinds are accounts, folders, cadences."""

    kinds: dict[str, list[str]] = field(default_factory=lambda: {k: list(v) for k, v in DEFAULT_KINDS.items()})
    account_kinds: list[str] = field(default_factory=lambda: list(DEFAULT_ACCOUNT_KINDS))
    meeting_kinds: list[str] = field(default_factory=lambda: list(DEFAULT_MEETING_KINDS))
    folders: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_FOLDERS))
    cadence_tags: dict[str, Any] = field(default_factory=dict)
    cadence_kinds: dict[str, Any] = field(default_factory=dict)
    default_days: int = 30
    git_commit: bool = False

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

        blob = json.dumps([self.kinds, self.account_kinds, self.meeting_kinds], sort_keys=True)
        return hashlib.sha1(blob.encode()).hexdigest()[:12]  # noqa: S324


def from_settings(data: dict[str, Any]) -> Config:
    """The config that a parsed `.vaultcrm.toml` describes, merged over the defaults."""
    cfg = Config()
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
    folders = data.get("folders", {})
    if isinstance(folders, dict):
        cfg.folders.update({str(k).lower(): str(v) for k, v in folders.items()})
    cadence = data.get("cadence", {})
    if isinstance(cadence, dict):
        cfg.cadence_tags = {str(k).lstrip("#").lower(): v for k, v in dict(cadence.get("tags", {})).items()}
        cfg.cadence_kinds = {str(k).lower(): v for k, v in dict(cadence.get("kinds", {})).items()}
        if isinstance(cadence.get("default_days"), int):
            cfg.default_days = cadence["default_days"]
    git = data.get("git", {})
    if isinstance(git, dict):
        cfg.git_commit = bool(git.get("commit", False))
    return cfg
