"""The team vault on git: `git setup` registers vaultcrm's merge driver for the vault's repository,
`git sync` commits the notes, merges the remote's and pushes, and `merge-driver` is what git runs
for each note both sides changed.

Nothing here touches the disk or runs a program itself: git runs through `store.git`, guarded as
every git command vaultcrm runs (no hook, filter, pager, editor, credential helper or askpass the
repository names ever runs; a transport only for the sync's fetch and push), and the merge of a
note is `model.threeway`, pure.
"""

from __future__ import annotations

import shlex
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vaultcrm.errors import OutsideVault, UsageError, VaultCRMError
from vaultcrm.model.threeway import Merged, merge_note
from vaultcrm.store import git
from vaultcrm.store.guard import MAX_NOTE_BYTES
from vaultcrm.store.vault import Vault

ATTRIBUTES = ".gitattributes"
ATTRIBUTE_LINE = "*.md merge=vaultcrm"
DRIVER = "vaultcrm merge-driver %O %A %B %P"
DRIVER_NAME = "vaultcrm: three-way merge of notes"
RESOLVE_HINT = ("edit the lines between `<<<<<<< ours` and `>>>>>>> theirs`, `git add` the notes and "
                "`git commit` (or `git merge --abort`), then run `vaultcrm git sync` again")


def _out(r: Any) -> str:
    """A git command's output (`r`: its CompletedProcess), stripped."""
    return r.stdout.decode("utf-8", "surrogateescape").strip()


def _err(r: Any) -> str:
    """What a failed git command said, on one line."""
    return " ".join((r.stderr.decode("utf-8", "replace").strip() or _out(r)).split())


def _repository(vault: Vault) -> git.Repo:
    """The vault's repository; refused (exit 2) when it reaches outside the vault, as for `--commit`."""
    try:
        repo = git.open_repository(vault)
    except UsageError as exc:  # OutsideVault too: the same refusal, said for this command
        raise type(exc)(exc.message.replace("--commit: ", "", 1), path=exc.path, hint=exc.hint) from None
    if repo is None:
        raise UsageError(f"the vault {vault.root} is not in a git work tree",
                         hint="clone the team's repository (or `git init`) and run this inside it")
    return repo


# ---- git setup -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Setting:
    """One thing `git setup` writes: where, what, and whether it is still missing."""

    where: str
    what: str
    missing: bool


def with_attribute_line(text: str | None) -> str | None:
    """`.gitattributes` with vaultcrm's line appended once, in the file's own line endings; None
    when the line is already there."""
    if text is None:
        return ATTRIBUTE_LINE + "\n"
    if any(line.split() == ATTRIBUTE_LINE.split() for line in text.splitlines()):
        return None
    nl = "\r\n" if "\r\n" in text else "\n"
    return text + ("" if not text or text.endswith(("\n", "\r")) else nl) + ATTRIBUTE_LINE + nl


def setup(vault: Vault, *, dry_run: bool = False) -> list[Setting]:
    """Register the merge driver: `*.md merge=vaultcrm` in the vault's `.gitattributes` (created or
    appended once) and `merge.vaultcrm.driver`/`.name` in the repository's local config; only
    what is missing is written, nothing with `dry_run`."""
    repo = _repository(vault)
    path = vault.root / ATTRIBUTES
    current = git.read_file(path)
    new = with_attribute_line(None if current is None else current.decode("utf-8", "surrogateescape"))
    settings = [Setting(repo.prefix + ATTRIBUTES, ATTRIBUTE_LINE, new is not None)]
    for key, value in (("merge.vaultcrm.name", DRIVER_NAME), ("merge.vaultcrm.driver", DRIVER)):
        now = git.run(repo, "config", "--local", "--get", key)
        settings.append(Setting(".git/config", f"{key} = {value}", now.returncode != 0 or _out(now) != value))
    if dry_run:
        return settings
    if new is not None:
        git.replace_file(path, new.encode("utf-8", "surrogateescape"))
    for s in settings[1:]:
        key, _, value = s.what.partition(" = ")
        if s.missing:
            r = git.run(repo, "config", "--local", "--replace-all", key, value)
            if r.returncode != 0:
                raise VaultCRMError(f"git setup: cannot set {key}: {_err(r)}")
    return settings


# ---- merge-driver --------------------------------------------------------------------------------
def merge_driver(base: str, ours: str, theirs: str) -> Merged:
    """Merge the three files git gives (BASE, OURS, THEIRS) into OURS, in place; the three files
    are all that is read, and no git command runs (no index, no repository needed)."""
    data = [git.read_file(Path(p)) for p in (base, ours, theirs)]
    if any(d is None for d in data):
        raise UsageError("merge-driver: give the three files git names (%O %A %B), which must exist")
    if any(len(d or b"") > MAX_NOTE_BYTES for d in data):
        return Merged((data[1] or b"").decode("utf-8", "surrogateescape"), 1)  # git keeps THEIRS as stage 3
    texts = [(d or b"").decode("utf-8", "surrogateescape") for d in data]
    merged = merge_note(*texts)
    out = merged.text.encode("utf-8", "surrogateescape")
    if out != data[1]:
        git.replace_file(Path(ours), out)
    return merged


# ---- git sync ------------------------------------------------------------------------------------
@dataclass
class SyncResult:
    """What a sync did: notes committed, the upstream (`origin/main`), how the merge went, a push."""

    committed: int = 0
    upstream: str | None = None
    merge: str = ""  # "", "up to date", "fast-forward", "merged", "no remote branch yet"
    pushed: bool = False
    skipped: list[str] = field(default_factory=list)  # notes left uncommitted (symlinks leading outside)


def driver_command() -> str:
    """The notes' merge driver a sync's `git merge` runs: this very vaultcrm (its interpreter), so
    neither $PATH nor the repository's own `merge.vaultcrm.driver` decides what runs. `-P`: git
    runs it in the work tree, whose own `vaultcrm/` folder must not be what `-m` imports."""
    if not sys.executable:
        return DRIVER
    return f"{shlex.quote(sys.executable)} -P -m vaultcrm merge-driver %O %A %B %P"


def _branch(repo: git.Repo) -> str:
    r = git.run(repo, "symbolic-ref", "-q", "--short", "HEAD")
    if r.returncode != 0:
        raise UsageError("git sync: HEAD is not on a branch", hint="check out the branch to sync first")
    return _out(r)


def _unmerged(repo: git.Repo) -> list[str]:
    r = git.run(repo, "ls-files", "-u", "-z")
    paths = [rec.split("\t", 1)[1] for rec in r.stdout.decode("utf-8", "surrogateescape").split("\0") if "\t" in rec]
    return [p.removeprefix(repo.prefix) for p in dict.fromkeys(paths)]


def _refuse_unfinished(repo: git.Repo) -> None:
    if git.run(repo, "rev-parse", "-q", "--verify", "MERGE_HEAD").returncode == 0 or _unmerged(repo):
        raise VaultCRMError("git sync: a merge is still in progress", hint=RESOLVE_HINT)


def _pending(vault: Vault, repo: git.Repo, result: SyncResult) -> list[str]:
    """The vault's changed notes and `.gitattributes` (vault paths), as `git status` lists them."""
    spec = f":(top,literal){repo.prefix}" if repo.prefix else ":(top)"
    r = git.run(repo, "status", "--porcelain=v1", "-z", "--untracked-files=all", "--no-renames",
                "--ignore-submodules=all", "--", spec)
    if r.returncode != 0:
        raise VaultCRMError(f"git sync: git status failed: {_err(r)}")
    paths = []
    for rec in r.stdout.decode("utf-8", "surrogateescape").split("\0"):
        path = rec[3:].removeprefix(repo.prefix) if rec[3:].startswith(repo.prefix) else ""
        if not (path.lower().endswith(".md") or path == ATTRIBUTES):
            continue
        try:
            vault.abspath(path, allow_hidden=True)
        except OutsideVault:
            result.skipped.append(path)
            continue
        paths.append(path)
    return paths


def _commit(vault: Vault, repo: git.Repo, result: SyncResult) -> None:
    paths = _pending(vault, repo, result)
    notes = sum(p != ATTRIBUTES for p in paths)
    try:
        if paths and git.commit(vault, paths, f"vaultcrm sync: {notes} note{'s' * (notes != 1)}"):
            result.committed = notes
    except git.GitError as exc:
        raise VaultCRMError(f"git sync: cannot commit the notes: {exc.message.split(': ', 1)[-1]}") from None


def _upstream(repo: git.Repo, branch: str) -> tuple[str, str] | None:
    """(remote, its branch ref) the branch tracks, or None (no upstream, or a local one)."""
    remote = git.run(repo, "config", "--get", f"branch.{branch}.remote")
    ref = git.run(repo, "config", "--get", f"branch.{branch}.merge")
    if remote.returncode or ref.returncode or _out(remote) == "." or not _out(ref).startswith("refs/heads/"):
        return None
    return _out(remote), _out(ref)


def _fetch(repo: git.Repo, remote: str, ref: str, tracking: str) -> bool:
    """Fetch the upstream branch into its remote-tracking ref (only that: `--refmap=` ignores the
    configured refspecs); False when the remote has no such branch yet."""
    r = git.transfer(repo, "fetch", remote, "--no-recurse-submodules", "--no-tags", "--refmap=", remote,
                     f"+{ref}:{tracking}")
    if r.returncode == 0:
        return True
    if b"find remote ref" in r.stderr:
        return False
    raise VaultCRMError(f"git sync: fetching from {remote} failed: {_err(r)}",
                        hint="your notes are committed; nothing was merged or pushed")


def _merge(repo: git.Repo, branch: str, tracking: str, label: str, driver: str) -> str:
    if git.run(repo, "merge-base", "--is-ancestor", tracking, "HEAD").returncode == 0:
        return "up to date"
    before = _out(git.run(repo, "rev-parse", "HEAD"))
    r = git.run(repo, "merge", "--no-edit", "--ff", "--no-autostash", "--no-verify-signatures", "--no-gpg-sign",
                "--no-rerere-autoupdate", "-m", f"Merge remote-tracking branch '{label}'", tracking,
                merging=(driver, branch))
    if r.returncode == 0:
        return "fast-forward" if git.run(repo, "merge-base", "--is-ancestor", before, tracking).returncode == 0 \
            else "merged"
    conflicted = _unmerged(repo)
    if conflicted:
        raise VaultCRMError(f"git sync: merging {label} left conflicts in {len(conflicted)} "
                            f"file{'s' * (len(conflicted) != 1)}: {', '.join(conflicted)}", hint=RESOLVE_HINT)
    raise VaultCRMError(f"git sync: git merge {label} failed: {_err(r)}",
                        hint="your notes are committed; nothing was pushed")


def _push(repo: git.Repo, remote: str, ref: str, tracking: str) -> bool:
    head = _out(git.run(repo, "rev-parse", "HEAD"))
    if head == _out(git.run(repo, "rev-parse", "-q", "--verify", tracking)):
        return False
    r = git.transfer(repo, "push", remote, "--no-verify", remote, f"HEAD:{ref}")
    if r.returncode != 0:
        raise VaultCRMError(f"git sync: pushing to {remote} failed: {_err(r)}",
                            hint="your notes are committed and merged here; run `vaultcrm git sync` again")
    return True


def sync(vault: Vault, *, driver: str | None = None) -> SyncResult:
    """Commit the vault's changed notes, merge the upstream branch (vaultcrm's driver merging the
    notes), push; stops (exit 1) on a conflict, having lost nothing. Holds the vault lock, so no
    vaultcrm edit lands between the commit and the merge."""
    repo = _repository(vault)
    result = SyncResult()
    with vault.lock():
        branch = _branch(repo)
        _refuse_unfinished(repo)
        _commit(vault, repo, result)
        git.keep_state_out(vault)
        upstream = _upstream(repo, branch)
        if upstream is None:
            return result
        remote, ref = upstream
        name = ref.removeprefix("refs/heads/")
        tracking, result.upstream = f"refs/remotes/{remote}/{name}", f"{remote}/{name}"
        if _fetch(repo, remote, ref, tracking):
            result.merge = _merge(repo, branch, tracking, result.upstream, driver or driver_command())
        else:
            result.merge = "no remote branch yet"
        result.pushed = _push(repo, remote, ref, tracking)
    return result
