"""What a `doctor` check looks at: one note under examination and what it has found (`Checking`),
and every name a [[link]] may use to reach something in the vault (`LinkTargets`). Shared by the
vault-wide checks (`ops/doctor.py`) and the checks of one note's text (`ops/notechecks.py`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from vaultcrm.model.note import Note
from vaultcrm.model.records import NoteRecord, fold
from vaultcrm.ops.context import Context
from vaultcrm.store.findings import Finding


class LinkTargets:
    """Every name a [[link]] may use to reach a note or an attachment in the vault."""

    def __init__(self, ctx: Context) -> None:
        self.names: set[str] = set()
        self.paths: list[str] = []
        for r in ctx.scan.records:
            # a title is most often its file's stem: each name folded once
            names = (r.title, r.stem, r.path.removesuffix(".md"), r.path, *r.aliases)
            self.names.update(map(fold, dict.fromkeys(names)))
            self.paths.append(fold(r.path.removesuffix(".md")))
        self._files: set[str] | None = None
        self._vault = ctx.vault
        self._seen: dict[str, bool] = {}  # target as written -> resolves: 60,000 links name ~10,000 targets

    def files(self) -> set[str]:
        if self._files is None:
            self._files = {fold(name) for name in self._vault.file_names()}
        return self._files

    def resolves(self, target: str) -> bool:
        known = self._seen.get(target)
        if known is None:
            known = self._seen[target] = self._resolves(target)
        return known

    def _resolves(self, target: str) -> bool:
        t = fold(target.strip())
        if not t:
            return True
        t_md = t.removesuffix(".md")
        if t in self.names or t_md in self.names:
            return True
        if "/" in t_md and any(p.endswith("/" + t_md) for p in self.paths):
            return True
        return t in self.files()


@dataclass
class Checking:
    """One readable note under examination (its text for local checks, its facts for vault checks), and its findings."""

    ctx: Context
    rec: NoteRecord
    note: Note | None = None
    facts: dict[str, Any] = field(default_factory=dict)  # see notechecks.facts
    others: dict[str, list[NoteRecord]] = field(default_factory=dict)  # fold(title or alias) -> notes with it
    targets: LinkTargets | None = None  # set for the vault checks
    body_links: bool = False
    found: list[Finding] = field(default_factory=list)

    def add(self, line: int, code: str, message: str, fixable: bool = False) -> None:
        self.found.append(Finding(self.rec.path, line, code, message, fixable))
