"""The session every operation runs in: the vault, its settings, today, whether to commit, and the
notes read so far.

A `Context` is an immutable value: what a command asked for (vault, today, commit, the note it is
about) never changes while it runs. What it has *read* is a memo beside it, filled lazily and
dropped by the write pipeline after every write, so a second read sees the new bytes.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from vaultcrm import query
from vaultcrm.config import Config
from vaultcrm.errors import Ambiguous, InvalidNote, NotFound, OutsideVault, UsageError
from vaultcrm.model.exclusion import archive_folder, archived
from vaultcrm.model.records import NoteRecord
from vaultcrm.model.scan import record_from_text
from vaultcrm.store.index import Progress, Scan, keep_derived, load, load_focused, read_derived
from vaultcrm.store.settings import load_config
from vaultcrm.store.vault import Vault

_ESCAPING_PATH = re.compile(r"^(?:/|\\|[A-Za-z]:[\\/])|(?:^|[/\\])\.\.(?:[/\\]|$)")  # /x, \\x, C:\x, a/../x


class Memo:
    """What a context has read: the focused scan, the whole scan, values derived from them."""

    def __init__(self) -> None:
        self.clear()
        self.told_copies = False  # the one-line note about conflict copies, said once a command

    def clear(self) -> None:
        self.focused: Scan | None = None
        self.focus_tried = False
        self.full: Scan | None = None
        self.derived: dict[str, Any] = {}
        self.derived_of: Scan | None = None
        self.lasting: dict[str, tuple[Scan, int, dict[str, Any]]] = {}  # name -> (its scan, values loaded, values)


@dataclass(frozen=True)
class Context:
    """What every operation needs. `focus` names the one note a command is about: then only the
    notes around it are loaded (much faster on a big vault), until something asks for all."""

    vault: Vault
    today: date
    config: Config = field(default_factory=Config)
    commit: bool = False  # commit each edit to git: --commit, or `[git] commit = true`
    focus: str | None = None
    progress: Progress | None = None
    notify: Callable[[str], None] | None = None  # one-line warnings for the user (the CLI prints them)
    memo: Memo = field(default_factory=Memo, compare=False, repr=False)

    @classmethod
    def open(cls, vault: Vault, today: date, *, commit: bool = False, focus: str | None = None,
             progress: Progress | None = None, notify: Callable[[str], None] | None = None) -> Context:
        """The context for one command; `commit=True` on a vault outside git is a usage error,
        said before anything is written."""
        config = load_config(vault.root)
        if commit:
            from vaultcrm.store import git  # subprocess, tempfile…: only for a run that commits

            if not git.is_work_tree(vault):
                raise UsageError(f"--commit: the vault {vault.root} is not a git work tree")
        return cls(vault, today, config, commit=commit or config.git_commit, focus=focus, progress=progress,
                   notify=notify)

    @classmethod
    def discover(cls, vault_arg: str | None, today: date, **kw: Any) -> Context:
        """`open` on the vault `--vault` names, else `$VAULTCRM_VAULT`, else the nearest folder
        holding `.obsidian/` or `.vaultcrm.toml`, else the working directory."""
        return cls.open(Vault.discover(vault_arg), today, **kw)

    # ---- the notes -------------------------------------------------------------------------------
    @property
    def scan(self) -> Scan:
        """The notes this command needs: those around `focus` while that is enough, else all."""
        memo = self.memo
        if self.focus is not None and memo.full is None:
            if not memo.focus_tried:
                memo.focused = load_focused(self.vault, self.config, self.focus, progress=self.progress)
                memo.focus_tried = True
            if memo.focused is not None:
                self._tell_copies(memo.focused)
                return memo.focused
        return self.full_scan

    @property
    def full_scan(self) -> Scan:
        """Every note of the vault, even when this command started focused on one."""
        if self.memo.full is None:
            self.memo.full = load(self.vault, self.config, progress=self.progress)
            self._tell_copies(self.memo.full)
        return self.memo.full

    def _tell_copies(self, scan: Scan) -> None:
        """Say once that sync conflict copies were left out: their notes' other versions wait there."""
        copies = [p for p, why in scan.excluded if why == "conflict-copy"]
        if copies and self.notify is not None and not self.memo.told_copies:
            self.memo.told_copies = True
            more = f" and {len(copies) - 1} more" if len(copies) > 1 else ""
            self.notify(f"{copies[0]}{more}: sync conflict copies, not read as notes; `vaultcrm conflicts` "
                        "lists them and `vaultcrm conflicts resolve` merges each into its note")

    def everything(self) -> list[NoteRecord]:
        """Every readable note's record (loads the whole vault once; `scan` then serves it too)."""
        _ = self.full_scan
        return self.records

    @property
    def records(self) -> list[NoteRecord]:
        return self.derived("ok", lambda: self.scan.ok)

    @property
    def by_path(self) -> dict[str, NoteRecord]:
        """`records` by path, made once a scan (dating, scoping and reports all look notes up by path)."""
        return self.derived("by_path", lambda: {r.path: r for r in self.records})

    def derived(self, key: str, make: Callable[[], Any]) -> Any:
        """A value computed from the current scan (link index, folder notes…), recomputed after edits."""
        memo = self.memo  # (asked 300,000 times by `list` on 50k notes: the whole scan, once read, is the scan)
        current = memo.full if memo.full is not None else self.scan
        if memo.derived_of is not current:
            memo.derived, memo.derived_of = {}, current
        if key not in memo.derived:
            memo.derived[key] = make()
        return memo.derived[key]

    def lasting(self, name: str) -> dict[str, Any]:
        """`derived(name, dict)` for values per note worked out from the whole vault, which the index
        keeps between runs: a run that finds every note as the run that saved them did (the same
        generation of index rows), on the same day, starts with them.
        `persist` saves what a run added. Values must be JSON."""
        def make() -> dict[str, Any]:
            scan, values = self.memo.full, {}
            if scan is not None and scan.generation is not None:  # the whole vault, all of it from the index
                raw = read_derived(self.vault, self.config, self._lasting_key(name), scan.generation)
                values = json.loads(raw) if raw else {}
                self.memo.lasting[name] = (scan, len(values), values)
            return values
        return self.derived("lasting:" + name, make)

    def persist(self) -> None:
        """Save the `lasting` values this run added, for the runs after it (the CLI calls this once
        a command has succeeded); nothing when the notes changed since they were read."""
        scan = self.memo.full
        for name, (of, loaded, values) in self.memo.lasting.items():
            if of is scan and scan.generation is not None and len(values) > loaded:
                keep_derived(self.vault, self.config, self._lasting_key(name), scan.generation,
                             json.dumps(values, ensure_ascii=False, separators=(",", ":")))

    def _lasting_key(self, name: str) -> str:
        # (settings that change how notes are read or dated are in the index's stamp: other ones
        # make another index, `indexdb.connect`)
        return f"{name}:{self.today.isoformat()}"

    def forget(self) -> None:
        """Drop what was read: the write pipeline calls this after every write."""
        self.memo.clear()

    # ---- names -----------------------------------------------------------------------------------
    def resolve(self, name: str, *, reading: bool = False) -> NoteRecord:
        """The one note NAME names; a note whose frontmatter is broken is still found by path/stem,
        and an excluded note by its vault path. `reading`: a read-only command may take the one live
        note among archived copies (with a warning); an edit never guesses."""
        try:
            rec = query.resolve(self.scan.records, name)
        except NotFound:
            found = self._excluded_note(name)
            if found is not None:
                return found
            self._refuse_unreadable(name)
            raise
        except Ambiguous as exc:
            rec = self._live_one(name, query.matches(self.scan.records, name), exc, reading)
        if reading and rec.error:  # a read of this one note would show nothing: say why (exit 5)
            raise InvalidNote(f"{rec.error}; fix it to read this note", path=rec.path, line=rec.error_line)
        return rec

    def find_all(self, name: str) -> list[NoteRecord]:
        """Every note NAME names (a read: the live one alone when the others are archived copies)."""
        found = query.matches(self.scan.records, name)
        if not found:
            excluded = self._excluded_note(name)
            if excluded is not None:
                return [excluded]
            self._refuse_unreadable(name)
            raise NotFound(f"no note named {name!r}", suggestions=query.suggest(self.scan.records, name))
        live = [r for r in found if not archived(r.path)]
        if len(found) > 1 and len(live) == 1:
            return [self._live_one(name, found, Ambiguous(""), True)]
        return found

    def _live_one(self, name: str, found: list[NoteRecord], exc: Ambiguous, reading: bool) -> NoteRecord:
        """The live note among archived copies for a read (saying so), else an Ambiguous error that
        names the archive folders and the `exclude` line that leaves them out for good."""
        old = [r for r in found if archived(r.path)]
        live = [r for r in found if not archived(r.path)]
        folders = sorted({archive_folder(r.path) for r in old})
        line = "exclude = [" + ", ".join(f'"{f}"' for f in folders) + "]"
        if reading and len(live) == 1 and old:
            if self.notify:
                self.notify(f"{name!r} also names {len(old)} archived cop{'y' if len(old) == 1 else 'ies'} "
                            f"(in {', '.join(folders)}); using {live[0].path}. To leave archives out, add to "
                            f".vaultcrm.toml: {line}")
            return live[0]
        if not old:
            raise exc
        raise Ambiguous(f"{name!r} names {len(found)} notes, {len(old)} of them under an archive folder "
                        f"({', '.join(folders)}); give a path to choose one", candidates=[r.path for r in found],
                        hint=f"to leave archived notes out of vaultcrm, add to .vaultcrm.toml: {line}")

    def _excluded_note(self, name: str) -> NoteRecord | None:
        """An excluded note named by its exact vault path: explicit paths still reach it."""
        want = name.strip()
        paths = {p for p, _ in self.scan.excluded}
        for path in (want, want + ".md"):
            if path in paths:
                return record_from_text(path, self.vault.read(path).text, self.config)
        return None

    def editable(self, name: str) -> NoteRecord:
        """The one note NAME names, refused (exit 5) when its frontmatter cannot be read."""
        rec = self.resolve(name, reading=False)
        if rec.error:
            raise InvalidNote(f"{rec.error}; fix it before editing", path=rec.path, line=rec.error_line)
        return rec

    def _refuse_unreadable(self, name: str) -> None:
        """A name that only matches a file vaultcrm cannot read (binary, UTF-16, too large) is an
        invalid note (exit 5), and a path that would leave the vault a usage error (exit 2), not a
        missing note (exit 3)."""
        if _ESCAPING_PATH.search(name.strip()):
            raise OutsideVault(f"{name!r} is outside the vault; names and paths are relative to the vault")
        stubs = [NoteRecord(path=p, title=p.rsplit("/", 1)[-1].removesuffix(".md")) for p, _ in self.scan.unreadable]
        for rec in query.matches(stubs, name):
            raise InvalidNote(dict(self.scan.unreadable)[rec.path], path=rec.path)

    def skipped(self) -> list[Skipped]:
        """The notes a listing leaves out: malformed frontmatter first, then unreadable files."""
        out = [Skipped(r.path, r.error_line or 1, MALFORMED, r.error or "") for r in self.scan.broken]
        out += [Skipped(p, None, UNREADABLE, msg) for p, msg in self.scan.unreadable]
        return out


MALFORMED = "malformed frontmatter"
UNREADABLE = "unreadable"


@dataclass(frozen=True)
class Skipped:
    """A note a listing left out. `reason` is its kind (MALFORMED or UNREADABLE), shared by many
    notes so a summary can count them; `detail` is this note's own message."""

    path: str
    line: int | None
    reason: str
    detail: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line is not None else self.path
        return f"{where}: skipped: {self.detail}"
