"""The vault's git repository is untrusted input: the settings every git command runs with, so that
no program the repository names ever runs, and the checks that refuse a repository reaching
outside the vault.

A `.git/` that arrives through a sync service can name programs: filter drivers (run whenever git
re-reads a file, e.g. the racy-clean check on every index write), hooks, an fsmonitor, a pager,
an editor, signing programs, diff and merge drivers, a promisor remote's upload-pack or ssh
command. Config given on git's command line outranks every config file and include, so each of
those is switched off there; filter drivers are switched off by name, because the attributes
that pick them (`.gitattributes`, `.git/info/attributes`) are read whatever `--attr-source` says.

It can also point elsewhere: a `.git` file, `core.worktree`, a `commondir` file, an include, a
symlink inside `.git/`, an alternate object store. vaultcrm commits only in a repository whose
git dir is the `.git` folder of a work tree holding the vault, with everything it names inside
that work tree.
"""

from __future__ import annotations

import os
import re
from collections.abc import Container, Iterable, Iterator, Mapping
from dataclasses import dataclass

from vaultcrm.errors import OutsideVault, UsageError

# Switched off on every git command line (command-line config wins over config files and includes).
NEUTRAL_CONFIG: tuple[tuple[str, str], ...] = (
    ("core.attributesFile", "/dev/null"),  # global attributes pick no driver
    ("core.fsmonitor", "false"),  # an fsmonitor is a program run on every index read
    ("core.hooksPath", "/dev/null"),  # reference-transaction (update-ref), post-index-change…
    ("core.pager", "cat"),
    ("core.editor", "true"),
    ("sequence.editor", "true"),
    ("core.askPass", ""),
    ("credential.helper", ""),  # an empty helper resets the list
    ("commit.gpgSign", "false"),
    ("tag.gpgSign", "false"),
    ("gpg.program", "false"),
    ("gpg.openpgp.program", "false"),
    ("gpg.x509.program", "false"),
    ("gpg.ssh.program", "false"),
    ("gpg.ssh.defaultKeyCommand", "false"),
    ("diff.external", ""),
    # no transport at all: a partial clone would fetch a missing object through the remote's
    # upload-pack or ssh command, both named by the repository's config
    ("protocol.allow", "never"),
    *((f"protocol.{name}.allow", "never") for name in ("file", "git", "ssh", "http", "https", "ext")),
)

NEUTRAL_ENV = {
    "GIT_TERMINAL_PROMPT": "0",
    "GIT_EDITOR": "true",
    "GIT_SEQUENCE_EDITOR": "true",
    "GIT_PAGER": "cat",
    "GIT_NO_LAZY_FETCH": "1",  # git >= 2.44; older git is held back by the protocol settings
    "GIT_NO_REPLACE_OBJECTS": "1",  # commit on the objects themselves, not on replacements
}

# Variables that would make git use another repository, index or object store than the vault's
# (set, for instance, when vaultcrm runs inside a git hook): dropped, so the vault decides.
REDIRECTING_ENV = ("GIT_DIR", "GIT_WORK_TREE", "GIT_COMMON_DIR", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY",
                   "GIT_ALTERNATE_OBJECT_DIRECTORIES", "GIT_NAMESPACE", "GIT_ATTR_SOURCE")

ATTR_SOURCE_SINCE = (2, 41)  # `git --attr-source=<tree>`
HINT = "commit the note yourself, or keep the repository (and all it names) inside the vault"


def environment(base: Mapping[str, str]) -> dict[str, str]:
    """`base` (the process environment) without redirections, with prompts, editors and pagers off."""
    env = {k: v for k, v in base.items() if k not in REDIRECTING_ENV}
    env.update(NEUTRAL_ENV)
    return env


def version(text: str) -> tuple[int, int]:
    """(major, minor) from `git version 2.39.5` (or `2.45.1.windows.1`, `2.39.3 (Apple Git-146)`)."""
    m = re.search(r"(\d+)\.(\d+)", text)
    return (int(m[1]), int(m[2])) if m else (0, 0)


@dataclass(frozen=True)
class ConfigEntry:
    scope: str  # system, global, local, worktree, command
    origin: str  # `file:PATH` (relative to the work tree), `command line:`, `blob:…`
    key: str  # section and name lower case, subsection as written
    value: str | None


def parse_config(raw: bytes) -> list[ConfigEntry]:
    """The entries of `git config -z --list --show-origin --show-scope`."""
    fields = raw.decode("utf-8", "surrogateescape").split("\0")
    entries = []
    for i in range(0, len(fields) - 2, 3):
        key, sep, value = fields[i + 2].partition("\n")
        entries.append(ConfigEntry(fields[i], fields[i + 1], key, value if sep else None))
    return entries


def _driver_names(entries: Iterable[ConfigEntry], section: str) -> set[str]:
    """The subsection names of `section.<name>.<key>` entries (`filter` → every filter driver)."""
    names = set()
    for e in entries:
        if e.key.startswith(section + ".") and e.key.count(".") >= 2:
            names.add(e.key[len(section) + 1:e.key.rindex(".")])
    return names


def _overrides(entries: Iterable[ConfigEntry]) -> list[tuple[str, str]]:
    """Command-line config switching off every filter driver and protocol the config names."""
    entries = list(entries)
    out: list[tuple[str, str]] = []
    for name in sorted(_driver_names(entries, "filter")):
        # an empty command means "no filter"; `required` would turn that into an error
        out += [(f"filter.{name}.{k}", "") for k in ("clean", "smudge", "process")]
        out.append((f"filter.{name}.required", "false"))
    for name in sorted(_driver_names(entries, "protocol")):
        out.append((f"protocol.{name}.allow", "never"))
    return out


def options(entries: Iterable[ConfigEntry] = (), attr_source: str | None = None) -> list[str]:
    """git's global options for every command: the neutral config, then the drivers `entries` name
    switched off, then (on git >= 2.41) attributes read from `attr_source`, the empty tree."""
    args: list[str] = []
    for key, value in (*NEUTRAL_CONFIG, *_overrides(entries)):
        if "=" in key or "\n" in key:  # `-c` cannot say it, so it could not be switched off
            raise UsageError(f"--commit: the vault repository's config names {key.rsplit('.', 1)[0]!r}, "
                             "which vaultcrm cannot switch off", hint=HINT)
        args += ["-c", f"{key}={value}"]
    if attr_source:
        args.append(f"--attr-source={attr_source}")
    return args


# ---- where the repository reaches --------------------------------------------------------------
def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


@dataclass(frozen=True)
class Layout:
    """Where a repository is, as git reports it from the vault; paths resolved (`real`)."""

    vault: str
    top: str  # the work tree
    git_dir: str
    common_dir: str

    @classmethod
    def real(cls, vault: str, top: str, git_dir: str, common_dir: str) -> Layout:
        r = os.path.realpath
        return cls(r(vault), r(top), r(git_dir), r(os.path.join(vault, common_dir)))

    @property
    def outside(self) -> str:
        """What "outside" means in a refusal: the vault, or the larger repository holding it."""
        return "outside the vault" if self.top == self.vault else f"outside the repository {self.top} holding the vault"

    def refuse(self, why: str) -> OutsideVault:
        return OutsideVault(f"--commit: refusing the git repository at {self.git_dir}: {why}", hint=HINT)


def check_layout(layout: Layout) -> None:
    """The work tree holds the vault, the git dir is its `.git` folder, and objects and refs live there."""
    if not _inside(layout.vault, layout.top):
        raise layout.refuse(f"its work tree {layout.top} (core.worktree) does not hold the vault")
    if not _inside(layout.git_dir, layout.top):
        raise layout.refuse(f"its git dir is {layout.outside} (a `.git` file or symlink points there)")
    if layout.git_dir != os.path.join(layout.top, ".git"):
        raise layout.refuse(f"its work tree {layout.top} (core.worktree or a `.git` file) is not the "
                            "folder holding its git dir")
    if layout.common_dir != layout.git_dir:
        raise layout.refuse(f"its objects and refs are in {layout.common_dir} (a `commondir` file), "
                            f"{layout.outside}")


def _include_target(e: ConfigEntry, origin: str) -> str | None:
    """The file an `include.path` / `includeIf.<cond>.path` entry names, resolved like git does."""
    if not (e.key == "include.path" or (e.key.startswith("includeif.") and e.key.endswith(".path"))):
        return None
    value = os.path.expanduser(e.value or "")
    return os.path.realpath(os.path.join(os.path.dirname(origin), value))


def check_config(layout: Layout, entries: Iterable[ConfigEntry]) -> None:
    """Every config file of the repository, and every file its includes name (existing or not),
    is inside the work tree."""
    for e in entries:
        if e.scope not in ("local", "worktree") or not e.origin.startswith("file:"):
            continue
        origin = os.path.realpath(os.path.join(layout.top, e.origin[len("file:"):]))
        if not _inside(origin, layout.top):
            raise layout.refuse(f"its config includes {origin}, {layout.outside}")
        target = _include_target(e, origin)
        if target is not None and not _inside(target, layout.top):
            raise layout.refuse(f"its config includes {target}, {layout.outside}")


def _symlinks(folder: str, skip: Container[str] = ()) -> Iterator[str]:
    """Every symlink under `folder`, not following any, and not looking into the paths in `skip`."""
    stack = [folder]
    while stack:
        try:
            with os.scandir(stack.pop()) as it:
                for entry in it:
                    if entry.path in skip:
                        continue
                    if entry.is_symlink():
                        yield entry.path
                    elif entry.is_dir(follow_symlinks=False):
                        stack.append(entry.path)
        except OSError:
            continue


def _alternates(objects: str) -> list[str]:
    """The object stores `objects/info/alternates` names, resolved."""
    try:
        with open(os.path.join(objects, "info", "alternates"), encoding="utf-8", errors="surrogateescape") as f:
            lines = f.read().splitlines()
    except OSError:
        return []
    return [os.path.realpath(os.path.join(objects, line.strip().strip('"')))
            for line in lines if line.strip() and not line.startswith("#")]


def check_git_dir(layout: Layout) -> None:
    """No symlink in the git dir (its hooks aside), and no alternate object store (nor theirs), leads
    outside the work tree: git would write objects, refs and reflogs through them, or read there."""
    hooks = os.path.join(layout.git_dir, "hooks")  # never run, never written: a link there is harmless
    for link in _symlinks(layout.git_dir, skip={hooks}):
        target = os.path.realpath(link)
        if not _inside(target, layout.top):
            raise layout.refuse(f"{os.path.relpath(link, layout.git_dir)} is a symlink to {target}, "
                                f"{layout.outside}")
    stores, seen = [os.path.join(layout.git_dir, "objects")], set()
    while stores:
        for alt in _alternates(stores.pop()):
            if not _inside(alt, layout.top):
                raise layout.refuse(f"its alternate object store {alt} is {layout.outside}")
            if alt not in seen:
                seen.add(alt)
                stores.append(alt)


# ---- team sync: the narrow exceptions `vaultcrm git sync` needs ----------------------------------
SYNC_PROTOCOLS = ("file", "ssh", "https")
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*)(::|://)")
# variables naming programs (ssh commands, askpass) that a transport would run, or that prompt
TRANSPORT_DROPPED_ENV = ("GIT_SSH", "GIT_SSH_COMMAND", "GIT_SSH_VARIANT", "GIT_ASKPASS", "SSH_ASKPASS",
                         "GIT_PROXY_COMMAND")
SYNC_CONFIG: tuple[tuple[str, str], ...] = (
    ("submodule.recurse", "false"), ("fetch.recurseSubmodules", "false"), ("push.recurseSubmodules", "no"),
    ("gc.auto", "0"), ("maintenance.auto", "false"), ("rerere.enabled", "false"), ("merge.renormalize", "false"),
    ("http.saveCookies", "false"),
)


def url_protocol(url: str) -> str:
    """The transport git picks for a remote URL, as `protocol.<name>.allow` names it: its scheme
    (`git+ssh` is ssh), `ssh` for scp-like `host:path`, `file` for a local path, and `helper:NAME`
    for a remote helper (`ext::…`, `NAME::…`), which runs a program."""
    m = _SCHEME.match(url)
    if m and m[2] == "::":
        return f"helper:{m[1]}"
    if m:
        scheme = m[1].lower()
        return "ssh" if scheme in ("git+ssh", "ssh+git") else scheme
    colon, slash = url.find(":"), url.find("/")
    return "ssh" if colon > 0 and (slash < 0 or colon < slash) else "file"


def extra_options(pairs: Iterable[tuple[str, str]]) -> list[str]:
    """`-c key=value` for each pair, to follow `options()` (the last value given wins)."""
    args: list[str] = []
    for key, value in pairs:
        if "=" in key or "\n" in key:
            raise UsageError(f"git sync: cannot pass the setting {key!r} to git", hint=HINT)
        args += ["-c", f"{key}={value}"]
    return args


def transport(command: str, urls: Iterable[str], env: Mapping[str, str]) -> tuple[list[str], list[str], dict[str, str]]:
    """(global options, `command` options, environment) for the `git fetch` or `git push` of a sync:
    the one exception to "no transport", and as narrow as the sync allows.

    - Only the protocols of the remote's own URLs (as `git remote get-url` gives them, `insteadOf`
      applied) come back, and only file, ssh and https: every other stays `never` (`ext::` and
      other remote helpers run programs, `git://` runs `core.gitProxy`, http is in clear text).
    - ssh is the system's `ssh -o BatchMode=yes`, whatever `core.sshCommand` or `GIT_SSH_COMMAND`
      say: no program the repository names, and no password or passphrase prompt.
    - upload-pack and receive-pack are git's own, named on the command line, so the repository's
      `remote.<name>.uploadpack/receivepack` (run on this machine for a file remote) never run;
      for a file remote they run with the other repository's hooks off too.
    - Hooks, credential helpers and askpass stay off, GIT_TERMINAL_PROMPT=0: git fails rather
      than prompt. Submodules are neither fetched nor pushed, no cookie file is written.
    """
    protocols = {url_protocol(u) for u in urls}
    refused = sorted(protocols - set(SYNC_PROTOCOLS))
    if refused or not protocols:
        raise UsageError(f"git sync: the remote's URL uses {', '.join(refused) or 'nothing'}; vaultcrm syncs "
                         "over file, ssh and https only", hint="pull and push with git yourself")
    pairs = [*SYNC_CONFIG, *((f"protocol.{p}.allow", "always") for p in sorted(protocols)),
             ("core.sshCommand", "ssh -o BatchMode=yes"), ("ssh.variant", "ssh")]
    program = "upload-pack" if command == "fetch" else "receive-pack"
    pack = f"git -c core.hooksPath=/dev/null {program}" if protocols == {"file"} else f"git-{program}"
    flag = "--upload-pack" if command == "fetch" else "--receive-pack"
    clean = {k: v for k, v in env.items() if k not in TRANSPORT_DROPPED_ENV}
    return extra_options(pairs), [f"{flag}={pack}"], {**clean, **NEUTRAL_ENV, "LC_ALL": "C"}  # messages we read


def merge_options(entries: Iterable[ConfigEntry], driver: str, branch: str) -> list[str]:
    """Options for the `git merge` of a sync, to follow `options(entries)` given without
    `--attr-source` (the work tree's `.gitattributes` must pick `merge=vaultcrm` for the notes):
    the notes' driver is `driver`, vaultcrm itself, never the command the repository's config
    names under `merge.vaultcrm.driver`; every other merge driver the config names is `false` (a
    conflict, never a program); no rerere, no submodules, no renormalising, no gc; and
    `branch.<branch>.mergeOptions` is emptied (it could name another strategy)."""
    pairs = [*SYNC_CONFIG, ("merge.vaultcrm.driver", driver), ("merge.vaultcrm.name", "vaultcrm notes"),
             ("merge.default", "text"), (f"branch.{branch}.mergeOptions", "")]
    pairs += [(f"merge.{name}.driver", "false") for name in sorted(_driver_names(entries, "merge") - {"vaultcrm"})]
    return extra_options(pairs)
