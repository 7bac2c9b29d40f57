"""Committing vaultcrm's own edits to git, and nothing else the user had staged or modified.

The commit is built with plumbing on a private index that starts from HEAD, so the user's index
(what they staged) never takes part. For each file vaultcrm touched, the committed content is
HEAD's content with vaultcrm's change applied: when the file already differed from HEAD before
the edit (the user's own uncommitted work in the same note), only vaultcrm's change is merged
onto HEAD's version (`git merge-file`), so the user's work stays uncommitted. Afterwards the
user's index entry for such a file moves to the new commit only if it was unstaged (equal to
the old HEAD), so `git status` shows exactly what it showed before, minus vaultcrm's edit.

The repository is untrusted input like the rest of the vault (a synced `.git/` can name programs
and point elsewhere): `open_repository` refuses one that reaches outside the vault, and every git
command runs with the options and environment `gitguard` gives, so no program it names runs.
"""

from __future__ import annotations

import contextlib
import functools
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from vaultcrm.errors import OutsideVault, UsageError, VaultCRMError
from vaultcrm.store import gitguard
from vaultcrm.store.vault import Vault


class ChangeLike(Protocol):
    path: str
    before: str | None
    after: str | None
    moved_to: str | None


class GitError(VaultCRMError):
    """git failed after the edit was written: the edit stands (and is journaled), the commit does not."""


@dataclass(frozen=True)
class Repo:
    """A repository vaultcrm may commit in, and the options and environment every git command in it
    runs with (see `gitguard`: no program the repository names runs)."""

    top: str  # the work tree
    git_dir: str
    prefix: str  # the vault's folder inside the work tree, `` or `notes/`
    options: tuple[str, ...]
    env: Mapping[str, str]


def _run(cwd: str, options: Sequence[str], env: Mapping[str, str], args: Sequence[str],
         data: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    """The one place vaultcrm runs a program: git, with an argument list, never a shell."""
    return subprocess.run(["git", "--no-pager", *options, "-C", cwd, *args], input=data, capture_output=True,
                          check=False, env=dict(env))


def _git(repo: Repo, *args: str, env: dict[str, str] | None = None, data: bytes | None = None,
         check: bool = True) -> subprocess.CompletedProcess[bytes]:
    r = _run(repo.top, repo.options, {**repo.env, **(env or {})}, args, data)
    if check and r.returncode != 0:
        err = r.stderr.decode("utf-8", "replace").strip() or r.stdout.decode("utf-8", "replace").strip()
        raise GitError(f"the edit was written but not committed: git {args[0]} failed: {err}")
    return r


@functools.lru_cache(maxsize=1)
def _version() -> tuple[int, int]:
    r = _run(".", [], gitguard.environment(os.environ), ["version"])
    return gitguard.version(r.stdout.decode("utf-8", "replace"))


def open_repository(vault: Vault) -> Repo | None:
    """The repository whose work tree holds the vault, ready to commit in; None when git is missing
    or the vault is not in a work tree. Raises `OutsideVault` (exit 2) when the repository reaches
    outside the vault (see `gitguard`), before anything is written."""
    if shutil.which("git") is None:
        return None
    root = str(vault.root)
    env = gitguard.environment(os.environ)
    base = gitguard.options()
    r = _run(root, base, env, ["rev-parse", "--absolute-git-dir", "--git-common-dir", "--show-toplevel",
                               "--show-prefix", "--is-inside-work-tree"])
    lines = r.stdout.decode("utf-8", "surrogateescape").split("\n")
    if r.returncode != 0 or len(lines) < 5 or not lines[2]:
        return None
    git_dir, common_dir, top, prefix, inside = lines[:5]
    layout = gitguard.Layout.real(root, top, git_dir, common_dir)
    gitguard.check_layout(layout)
    listing = _run(layout.top, base, env, ["config", "-z", "--list", "--show-origin", "--show-scope"])
    if listing.returncode != 0:
        raise UsageError(f"--commit: cannot read the config of the git repository at {layout.git_dir}: "
                         + listing.stderr.decode("utf-8", "replace").strip(), hint=gitguard.HINT)
    entries = gitguard.parse_config(listing.stdout)
    gitguard.check_config(layout, entries)
    gitguard.check_git_dir(layout)
    if inside != "true":
        return None
    repo = Repo(layout.top, layout.git_dir, prefix, tuple(gitguard.options(entries)), env)
    if _version() >= gitguard.ATTR_SOURCE_SINCE:  # attributes from the empty tree, not the vault
        empty = _git(repo, "hash-object", "-w", "-t", "tree", "--stdin", data=b"", check=False)
        if empty.returncode == 0:  # else the drivers stay switched off by name, which is what counts
            options = gitguard.options(entries, empty.stdout.decode().strip())
            repo = Repo(repo.top, repo.git_dir, prefix, tuple(options), env)
    return repo


def is_work_tree(vault: Vault) -> bool:
    """Whether `--commit` can commit in the vault's repository; raises `OutsideVault` (exit 2) for
    a repository reaching outside the vault."""
    return open_repository(vault) is not None


def _blob(repo: Repo, rev: str | None, path: str) -> tuple[bytes | None, str | None, str | None]:
    """(content, blob id, mode) of `path` at `rev`, or Nones when it is not there."""
    if rev is None:
        return None, None, None
    r = _git(repo, "ls-tree", "-z", rev, "--", path, check=False)
    out = r.stdout.decode("utf-8", "surrogateescape").rstrip("\0")
    if r.returncode != 0 or not out:
        return None, None, None
    meta, _ = out.split("\t", 1)
    mode, kind, sha = meta.split()
    if kind != "blob":
        return None, None, None
    return _git(repo, "cat-file", "blob", sha).stdout, sha, mode


def _index_entry(repo: Repo, path: str, env: dict[str, str] | None = None) -> tuple[str, str] | None:
    """(mode, blob id) of `path` in an index (stage 0), or None."""
    r = _git(repo, "ls-files", "-s", "-z", "--", path, env=env, check=False)
    for rec in r.stdout.decode("utf-8", "surrogateescape").split("\0"):
        if "\t" in rec:
            meta, p = rec.split("\t", 1)
            mode, sha, stage = meta.split()
            if p == path and stage == "0":
                return mode, sha
    return None


def _merge_onto_head(repo: Repo, head: bytes, before: bytes, after: bytes) -> bytes | None:
    """HEAD's content with the change before→after applied, or None if it does not apply cleanly."""
    with tempfile.TemporaryDirectory(prefix="vaultcrm-git-") as tmp:
        files = []
        for name, data in (("head", head), ("before", before), ("after", after)):
            p = Path(tmp) / name
            p.write_bytes(data)
            files.append(str(p))
        r = _git(repo, "merge-file", "-p", *files, check=False)
        return r.stdout if r.returncode == 0 else None


def _targets(changes: Sequence[ChangeLike]) -> list[tuple[str, bytes | None, bytes | None]]:
    """(vault path, content before the edit, content after it) for every path an edit touched."""
    out: list[tuple[str, bytes | None, bytes | None]] = []
    enc = (lambda t: None if t is None else t.encode("utf-8"))
    for c in changes:
        if c.moved_to:
            carried = c.after if c.after is not None else c.before
            out.append((c.path, enc(c.before), None))
            out.append((c.moved_to, None, enc(carried)))
        else:
            out.append((c.path, enc(c.before), enc(c.after)))
    return out


STATE_IGNORE = """# Written by vaultcrm: its cache, lock and undo journal stay out of git (templates/ may go in).
*
!templates/
!templates/**
"""


def _ignore_state(vault: Vault) -> None:
    """Keep `.vaultcrm/` (cache, lock, journal) out of `git status` unless the user decided otherwise."""
    ignore = vault.state_dir / ".gitignore"
    if vault.state_dir.is_dir() and not ignore.exists():
        try:
            ignore.write_text(STATE_IGNORE, encoding="utf-8")
        except OSError:
            pass


# (repo path, new blob or None when removed, mode, HEAD's blob before the commit or None)
Update = tuple[str, str | None, str, str | None]


def _out(repo: Repo, *args: str, env: dict[str, str] | None = None, data: bytes | None = None) -> str:
    """The stripped output of a git command that must succeed."""
    return _git(repo, *args, env=env, data=data).stdout.decode().strip()


def _head(repo: Repo) -> str | None:
    """The commit HEAD names, or None in a repository without commits yet."""
    r = _git(repo, "rev-parse", "--verify", "-q", "HEAD^{commit}", check=False)
    return r.stdout.decode().strip() if r.returncode == 0 else None


def _current_targets(vault: Vault, paths: Sequence[str | None]) -> list[tuple[str, bytes | None, bytes | None]]:
    """(vault path, None, current content or None when gone) for each path, without repeats."""
    targets: list[tuple[str, bytes | None, bytes | None]] = []
    for p in dict.fromkeys(p for p in paths if p):
        f = vault.root / p
        targets.append((p, None, f.read_bytes() if f.is_file() else None))
    return targets


@contextlib.contextmanager
def _private_index(repo: Repo, head: str | None) -> Iterator[dict[str, str]]:
    """The environment of a throwaway index inside the git dir, filled from HEAD; removed afterwards."""
    fd, index = tempfile.mkstemp(prefix="vaultcrm-index-", dir=repo.git_dir)
    os.close(fd)
    os.unlink(index)  # git wants to create it
    env = {"GIT_INDEX_FILE": index}
    try:
        if head:
            _git(repo, "read-tree", head, env=env)
        else:
            _git(repo, "read-tree", "--empty", env=env)
        yield env
    finally:
        for leftover in (index, index + ".lock"):
            try:
                os.unlink(leftover)
            except OSError:
                pass


def _committed_content(repo: Repo, vpath: str, before: bytes | None, after: bytes | None,
                       head_data: bytes | None, merge: bool) -> bytes | None:
    """What to commit for one file: the content after the edit, or (when the user had changed the
    file too) HEAD's content with only vaultcrm's change applied; None when the file goes."""
    if not merge or head_data == before or before is None or head_data is None:
        return after
    if after is None:
        return None
    new = _merge_onto_head(repo, head_data, before, after)
    if new is None:
        raise GitError(f"the edit was written but not committed: {vpath} has uncommitted changes "
                       "of yours that overlap it; commit them, then commit the note yourself",
                       path=vpath)
    return new


def _stage(repo: Repo, env: dict[str, str], prefix: str, head: str | None,
           target: tuple[str, bytes | None, bytes | None], merge: bool) -> Update | None:
    """Put one target's committed content into the private index; None when there is nothing to do."""
    vpath, before, after = target
    rpath = prefix + vpath
    head_data, head_sha, head_mode = _blob(repo, head, rpath)
    new = _committed_content(repo, vpath, before, after, head_data, merge)
    mode = head_mode or "100644"
    if new is None:
        if head_sha is None:
            return None
        _git(repo, "update-index", "--force-remove", "--", rpath, env=env)
        return rpath, None, mode, head_sha
    sha = _out(repo, "hash-object", "-w", "--no-filters", "--stdin", data=new)
    _git(repo, "update-index", "--add", "--cacheinfo", f"{mode},{sha},{rpath}", env=env)
    return rpath, sha, mode, head_sha


def _write_commit(repo: Repo, env: dict[str, str], head: str | None, message: str) -> bool:
    """Commit the private index on top of HEAD (unsigned) and move HEAD; False when the tree is HEAD's."""
    tree = _out(repo, "write-tree", env=env)
    if head and tree == _out(repo, "rev-parse", f"{head}^{{tree}}"):
        return False
    args = ["commit-tree", "--no-gpg-sign", tree, "-m", message] + (["-p", head] if head else [])
    new_commit = _out(repo, *args)
    _git(repo, "update-ref", "-m", f"vaultcrm: {message.splitlines()[0]}", "HEAD", new_commit,
         head or "0" * 40)
    return True


def _follow_in_user_index(repo: Repo, updates: list[Update]) -> None:
    """In the user's index, entries that were unstaged (equal to the old HEAD) follow the new commit."""
    for rpath, sha, mode, old_sha in updates:
        entry = _index_entry(repo, rpath)
        was_clean = (entry is None and old_sha is None) or (entry is not None and entry[1] == old_sha)
        if not was_clean:
            continue
        if sha is None:
            _git(repo, "update-index", "--force-remove", "--", rpath, check=False)
        else:
            _git(repo, "update-index", "--add", "--cacheinfo", f"{mode},{sha},{rpath}", check=False)


def commit(vault: Vault, paths: Sequence[str | None], message: str,
           changes: Sequence[ChangeLike] | None = None) -> bool:
    """Commit vaultcrm's edit of `paths` (vault-relative) with `message`; nothing else.

    With `changes` (before/after texts) only vaultcrm's own change to each file is committed;
    without them, each path's current content is. Returns False when there is nothing to do
    (not a git work tree, or no difference from HEAD).
    """
    try:
        repo = open_repository(vault)
    except UsageError as e:  # `[git] commit = true` reaches here only after the write
        raise GitError(f"the edit was written but not committed: {e.message}", hint=e.hint) from e
    if repo is None:
        return False
    _ignore_state(vault)
    head = _head(repo)
    targets = _targets(changes) if changes is not None else _current_targets(vault, paths)
    if not targets:
        return False
    with _private_index(repo, head) as env:
        updates: list[Update] = []
        for target in targets:
            staged = _stage(repo, env, repo.prefix, head, target, merge=changes is not None)
            if staged is not None:
                updates.append(staged)
        if not _write_commit(repo, env, head, message):
            return False
    _follow_in_user_index(repo, updates)
    return True


def log_notes(vault: Vault, since: str) -> str | None:
    """Read-only, for `pipeline --changes`: `git log -p` of the vault's notes (`*.md`, vault-relative
    paths) since `since` (ISO), each commit headed `\\x01<hash> <author unix time> <author ISO date>`,
    each note's one hunk its whole text before and after; None outside a git work tree, "" when
    git fails (no commits yet). Guarded as every git command is: no program the repo names runs."""
    repo = open_repository(vault)
    if repo is None:
        return None
    r = _run(str(vault.root), [*repo.options, "-c", "core.quotePath=false"], repo.env,
             ["log", f"--since={since} 00:00:00", "--format=%x01%H %at %aI", "-p", "-U1000000", "--no-renames",
              "--no-ext-diff", "--no-textconv", "--no-color", "--no-show-signature", "--relative",
              "--src-prefix=a/", "--dst-prefix=b/", "--", "*.md"])
    return r.stdout.decode("utf-8", "replace") if r.returncode == 0 else ""


# ---- team sync: what `vaultcrm git setup`, `git sync` and `merge-driver` need --------------------
def config_entries(repo: Repo) -> list[gitguard.ConfigEntry]:
    """The repository's config, every scope, as git reads it."""
    r = _git(repo, "config", "-z", "--list", "--show-origin", "--show-scope", check=False)
    return gitguard.parse_config(r.stdout) if r.returncode == 0 else []


def run(repo: Repo, *args: str, merging: tuple[str, str] | None = None,
        data: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    """A git command of `git setup` or `git sync`, guarded like every other, with no transport.

    `merging` (the notes' merge driver command, the current branch) is for the sync's `git merge`:
    its options come from `gitguard.merge_options`, without `--attr-source`, so that the work
    tree's `.gitattributes` picks vaultcrm's driver for notes; every other merge and filter
    driver the config names stays switched off by name, as on git before 2.41.
    """
    options: Sequence[str] = repo.options
    if merging is not None:
        entries = config_entries(repo)
        options = [*gitguard.options(entries), *gitguard.merge_options(entries, *merging)]
    return _run(repo.top, options, repo.env, args, data)


def transfer(repo: Repo, command: str, remote: str, *args: str) -> subprocess.CompletedProcess[bytes]:
    """`git fetch` or `git push` with `remote`: the only git commands vaultcrm runs with a transport,
    and only the one `gitguard.transport` allows for the remote's URLs (file, ssh, https)."""
    if command not in ("fetch", "push"):
        raise ValueError(command)
    which = ["--push"] if command == "push" else []
    urls = _git(repo, "remote", "get-url", *which, "--all", remote, check=False)
    if urls.returncode != 0:
        raise UsageError(f"git sync: the remote {remote!r} has no URL", hint="check `git remote -v`")
    found = urls.stdout.decode("utf-8", "surrogateescape").splitlines()
    options, pack, env = gitguard.transport(command, found, repo.env)
    return _run(repo.top, [*repo.options, *options], env, [command, *pack, *args])


def keep_state_out(vault: Vault) -> None:
    """`.vaultcrm/` stays out of `git status`, as after a commit (for a sync that commits nothing)."""
    _ignore_state(vault)


def _plain(path: Path) -> Path:
    if path.is_symlink():
        raise OutsideVault(f"{path.name} is a symlink; vaultcrm reads and writes only a plain file there",
                           path=str(path))
    return path


def read_file(path: Path) -> bytes | None:
    """A file's bytes (None when missing); refuses a symlink, which could lead anywhere."""
    return _plain(path).read_bytes() if path.exists() else None


def replace_file(path: Path, data: bytes) -> None:
    """Write a file atomically (temp file beside it, fsync, rename), keeping its mode; refuses a symlink."""
    from vaultcrm.store.atomic import atomic_write, current_umask

    mode = _plain(path).stat().st_mode & 0o7777 if path.exists() else 0o666 & ~current_umask()
    atomic_write(path, data, mode)
