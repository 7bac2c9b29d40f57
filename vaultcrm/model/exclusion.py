"""Which files are not notes of the vault: Obsidian's Excluded files, `.vaultcrm.toml` exclude, and
template folders, and sync conflict copies. Excluded notes are not listed, counted, dated or resolved by name; an explicit
vault-relative path still reaches one. Pure: the store reads the settings, this module decides.
"""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass
from functools import cached_property

from vaultcrm.config import Config
from vaultcrm.model import conflicts

#: Template folders assumed when no templates plugin names one (`Templates/Customer.md` titled
#: `{{title}}` is no account).
DEFAULT_TEMPLATE_FOLDERS = ("Templates", "templates", "_templates", "Template", "_Templates")
#: Folder names that read as an archive, for hints when a name matches a live note and old copies.
ARCHIVE_NAMES = frozenset({"_archive", "archive", "archives", "_archived", "archived", "old", "_old", "attic"})


@dataclass(frozen=True)
class Exclusion:
    """Compiled exclusion rules; `reason(path)` says why a vault path is left out, or None."""

    obsidian_prefixes: tuple[str, ...]
    obsidian_regexes: tuple[re.Pattern[str], ...]
    own_prefixes: tuple[str, ...]
    own_globs: tuple[str, ...]
    template_folders: tuple[str, ...]
    copy_patterns: tuple[re.Pattern[str], ...] = ()  # conflict copies beyond the services `conflicts` knows

    @classmethod
    def of(cls, config: Config) -> Exclusion:
        prefixes, regexes = [], []
        for f in config.ignore_filters:
            if len(f) > 2 and f.startswith("/") and f.endswith("/"):
                try:  # Obsidian: `/regex/` is a regular expression tried against the path
                    regexes.append(re.compile(f[1:-1]))
                except re.error:
                    continue  # Obsidian ignores a filter it cannot compile; so do we
            elif f:
                prefixes.append(f)  # else a plain prefix of the path, as Obsidian applies it
        globs = tuple(g for g in config.exclude if any(c in g for c in "*?"))
        own = tuple(p.strip("/") for p in config.exclude if p not in globs and p.strip("/"))
        folders = tuple(f.strip("/") for f in config.template_folders if f.strip("/")) or DEFAULT_TEMPLATE_FOLDERS
        copies = tuple(conflicts.copy_pattern(g) for g in config.conflict_copies)
        return cls(tuple(prefixes), tuple(regexes), own, globs, folders, copies)

    def digest(self) -> str:
        """A digest of the rules: the index keeps it, so that a path it holds need not be tried again."""
        import hashlib

        parts = [self.obsidian_prefixes, [r.pattern for r in self.obsidian_regexes], self.own_prefixes,
                 self.own_globs, self.template_folders, [(p.pattern, p.flags) for p in self.copy_patterns]]
        return hashlib.sha1(repr(parts).encode()).hexdigest()[:16]  # a cache key, not a secret

    def reason(self, path: str) -> str | None:
        """Why `path` is not a note of the vault (`obsidian`, `config` or `templates`), or None."""
        prefixes, own, templates = self._matchers
        if (prefixes and prefixes.match(path)) or any(r.search(path) for r in self.obsidian_regexes):
            return "obsidian"
        if (own and own.match(path)) or any(_glob(path, g) for g in self.own_globs):
            return "config"
        if templates and templates.match(path):
            return "templates"
        if conflicts.copy_of(path, self.copy_patterns):
            return "conflict-copy"
        return None

    @cached_property
    def _matchers(self) -> tuple[re.Pattern[str] | None, ...]:
        """The prefix and folder rules as one regex each: every listed path is tried (50k a run)."""
        def folders(names: tuple[str, ...]) -> re.Pattern[str] | None:  # `_under` any of them
            return re.compile(f"(?:{'|'.join(map(re.escape, names))})(?:/|\\.md$|$)") if names else None

        prefixes = re.compile("|".join(map(re.escape, self.obsidian_prefixes))) if self.obsidian_prefixes else None
        return prefixes, folders(self.own_prefixes), folders(self.template_folders)


def under(path: str, folder: str) -> bool:
    """The folder rule `_matchers` compiles: the folder itself, anything below it, or `folder.md`."""
    return path == folder or path.startswith(folder + "/") or path == folder + ".md"


def _glob(path: str, pattern: str) -> bool:
    """`*` within a name, `**` across folders; a folder pattern (`Old/*`) covers what is below it."""
    pattern = pattern.strip("/")
    regex = re.escape(pattern).replace(r"\*\*/", "(?:.*/)?").replace(r"\*\*", ".*").replace(r"\*", "[^/]*")
    regex = regex.replace(r"\?", "[^/]")
    if re.fullmatch(regex + "(?:/.*)?", path):
        return True
    return fnmatch.fnmatchcase(path.rsplit("/", 1)[-1], pattern) if "/" not in pattern else False


def archived(path: str) -> bool:
    """Whether a note lies under a folder named like an archive (`_archive/`, `Archive/`, `Old/`)."""
    return any(part.lower() in ARCHIVE_NAMES for part in path.split("/")[:-1])


def archive_folder(path: str) -> str:
    """The archive folder a note lies in, as a vault path (`Clients/_archive`)."""
    parts = path.split("/")[:-1]
    for i, part in enumerate(parts):
        if part.lower() in ARCHIVE_NAMES:
            return "/".join(parts[: i + 1])
    return ""
