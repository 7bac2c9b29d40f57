"""Committing vaultcrm's own edits to git, and nothing else the user had staged or modified.

The commit is built with plumbing on a private index that starts from HEAD, so the user's index
(what they staged) never takes part. For each file vaultcrm touched, the committed content is
HEAD's content with vaultcrm's change applied: when the file already differed from HEAD before
the edit (the user's own uncommitted work in the same note), only vaultcrm's change is merged
onto HEAD's version (`git merge-file`), so the user's work stays uncommitted. Afterwards the
user's index entry for such a file moves to the new commit only if it was unstaged (equal to
the old HEAD), so `git status` shows exactly what it showed before, minus vaultcrm's edit.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

from vaultcrm.errors import VaultCRMError
from vaultcrm.store.vault import Vault


class ChangeLike(Protocol):
    path: str
    before: str | None
    after: str | None
    moved_to: str | None


class GitError(VaultCRMError):
    """git failed after the edit was written: the edit stands (and is journaled), the commit does not."""


# A vault's .git/ may arrive through a sync service: its hooks (reference-transaction runs on
# update-ref) and an fsmonitor command are programs, so vaultcrm's plumbing never runs them.
SAFE = ("-c", "core.hooksPath=/dev/null", "-c", "core.fsmonitor=false")


def _git(root: str, *args: str, env: dict[str, str] | None = None, data: bytes | None = None,
         check: bool = True) -> subprocess.CompletedProcess[bytes]:
    r = subprocess.run(["git", *SAFE, "-C", root, *args], input=data, capture_output=True, check=False,
                       env={**os.environ, **(env or {})})
    if check and r.returncode != 0:
        err = r.stderr.decode("utf-8", "replace").strip() or r.stdout.decode("utf-8", "replace").strip()
        raise GitError(f"the edit was written but not committed: git {args[0]} failed: {err}")
    return r


def is_work_tree(vault: Vault) -> bool:
    if shutil.which("git") is None:
        return False
    r = subprocess.run(["git", *SAFE, "-C", str(vault.root), "rev-parse", "--is-inside-work-tree"],
                       capture_output=True, text=True, check=False)
    return r.returncode == 0 and r.stdout.strip() == "true"


def _blob(root: str, rev: str | None, path: str) -> tuple[bytes | None, str | None, str | None]:
    """(content, blob id, mode) of `path` at `rev`, or Nones when it is not there."""
    if rev is None:
        return None, None, None
    r = _git(root, "ls-tree", "-z", rev, "--", path, check=False)
    out = r.stdout.decode("utf-8", "surrogateescape").rstrip("\0")
    if r.returncode != 0 or not out:
        return None, None, None
    meta, _ = out.split("\t", 1)
    mode, kind, sha = meta.split()
    if kind != "blob":
        return None, None, None
    return _git(root, "cat-file", "blob", sha).stdout, sha, mode


def _index_entry(root: str, path: str, env: dict[str, str] | None = None) -> tuple[str, str] | None:
    """(mode, blob id) of `path` in an index (stage 0), or None."""
    r = _git(root, "ls-files", "-s", "-z", "--", path, env=env, check=False)
    for rec in r.stdout.decode("utf-8", "surrogateescape").split("\0"):
        if "\t" in rec:
            meta, p = rec.split("\t", 1)
            mode, sha, stage = meta.split()
            if p == path and stage == "0":
                return mode, sha
    return None


def _merge_onto_head(root: str, head: bytes, before: bytes, after: bytes) -> bytes | None:
    """HEAD's content with the change before→after applied, or None if it does not apply cleanly."""
    with tempfile.TemporaryDirectory(prefix="vaultcrm-git-") as tmp:
        files = []
        for name, data in (("head", head), ("before", before), ("after", after)):
            p = Path(tmp) / name
            p.write_bytes(data)
            files.append(str(p))
        r = _git(root, "merge-file", "-p", *files, check=False)
        return r.stdout if r.returncode == 0 else None


def _targets(changes: Sequence[ChangeLike]) -> list[tuple[str, bytes | None, bytes | None]]:
    """(vault path, content before the edit, content after it) for every path an edit touched."""
    out: list[tuple[str, bytes | None, bytes | None]] = []
    enc = (lambda t: None if t is None else t.encode("utf-8"))  # noqa: E731
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


def commit(vault: Vault, paths: Sequence[str | None], message: str,
           changes: Sequence[ChangeLike] | None = None) -> bool:
    """Commit vaultcrm's edit of `paths` (vault-relative) with `message`; nothing else.

    With `changes` (before/after texts) only vaultcrm's own change to each file is committed;
    without them, each path's current content is. Returns False when there is nothing to do
    (not a git work tree, or no difference from HEAD).
    """
    if not is_work_tree(vault):
        return False
    root = str(vault.root)
    _ignore_state(vault)
    top = _git(root, "rev-parse", "--show-toplevel").stdout.decode().strip()
    prefix = _git(root, "rev-parse", "--show-prefix").stdout.decode().strip()
    r = _git(top, "rev-parse", "--verify", "-q", "HEAD^{commit}", check=False)
    head = r.stdout.decode().strip() if r.returncode == 0 else None
    if changes is not None:
        targets = _targets(changes)
    else:
        targets = []
        for p in dict.fromkeys(p for p in paths if p):
            f = vault.root / p
            targets.append((p, None, f.read_bytes() if f.is_file() else None))
    if not targets:
        return False

    git_dir = _git(top, "rev-parse", "--absolute-git-dir").stdout.decode().strip()
    fd, index = tempfile.mkstemp(prefix="vaultcrm-index-", dir=git_dir)
    os.close(fd)
    os.unlink(index)  # git wants to create it
    env = {"GIT_INDEX_FILE": index}
    try:
        if head:
            _git(top, "read-tree", head, env=env)
        else:
            _git(top, "read-tree", "--empty", env=env)
        updates: list[tuple[str, str | None, str]] = []  # repo path, new blob (None: removed), mode
        old_blobs: dict[str, str | None] = {}
        for vpath, before, after in targets:
            rpath = prefix + vpath
            head_data, head_sha, head_mode = _blob(top, head, rpath)
            old_blobs[rpath] = head_sha
            if changes is None or head_data == before or before is None or head_data is None:
                new = after
            elif after is None:
                new = None
            else:
                new = _merge_onto_head(top, head_data, before, after)
                if new is None:
                    raise GitError(f"the edit was written but not committed: {vpath} has uncommitted changes "
                                   "of yours that overlap it; commit them, then commit the note yourself",
                                   path=vpath)
            if new is None:
                if head_sha is not None:
                    _git(top, "update-index", "--force-remove", "--", rpath, env=env)
                    updates.append((rpath, None, head_mode or "100644"))
                continue
            sha = _git(top, "hash-object", "-w", "--no-filters", "--stdin", data=new).stdout.decode().strip()
            mode = head_mode or "100644"
            _git(top, "update-index", "--add", "--cacheinfo", f"{mode},{sha},{rpath}", env=env)
            updates.append((rpath, sha, mode))
        tree = _git(top, "write-tree", env=env).stdout.decode().strip()
        if head:
            head_tree = _git(top, "rev-parse", f"{head}^{{tree}}").stdout.decode().strip()
            if tree == head_tree:
                return False
        args = ["commit-tree", "--no-gpg-sign", tree, "-m", message] + (["-p", head] if head else [])
        new_commit = _git(top, *args).stdout.decode().strip()
        _git(top, "update-ref", "-m", f"vaultcrm: {message.splitlines()[0]}", "HEAD", new_commit,
             head or "0" * 40)
    finally:
        for leftover in (index, index + ".lock"):
            try:
                os.unlink(leftover)
            except OSError:
                pass
    # the user's index: entries that were unstaged (equal to the old HEAD) follow the new commit
    for rpath, sha, mode in updates:
        entry = _index_entry(top, rpath)
        was_clean = (entry is None and old_blobs[rpath] is None) or \
                    (entry is not None and entry[1] == old_blobs[rpath])
        if not was_clean:
            continue
        if sha is None:
            _git(top, "update-index", "--force-remove", "--", rpath, check=False)
        else:
            _git(top, "update-index", "--add", "--cacheinfo", f"{mode},{sha},{rpath}", check=False)
    return True
