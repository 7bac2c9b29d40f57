"""Committing vaultcrm's own edits to git, and nothing else the user had staged or modified."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Sequence

from vaultcrm.errors import VaultCRMError
from vaultcrm.vault import Vault


def is_work_tree(vault: Vault) -> bool:
    if shutil.which("git") is None:
        return False
    r = subprocess.run(["git", "-C", str(vault.root), "rev-parse", "--is-inside-work-tree"],
                       capture_output=True, text=True, check=False)
    return r.returncode == 0 and r.stdout.strip() == "true"


def commit(vault: Vault, paths: Sequence[str | None], message: str) -> bool:
    """Commit exactly `paths` (vault-relative) with `message`; other staged changes stay staged.

    `git commit --only -- paths` commits those paths as they are in the work tree and leaves the
    rest of the index alone, which is what keeps a user's own staged work out of our commit.
    """
    if not is_work_tree(vault):
        return False
    files = [p for p in paths if p]
    if not files:
        return False
    root = str(vault.root)
    subprocess.run(["git", "-C", root, "add", "--intent-to-add", "--", *files],
                   capture_output=True, check=False)
    r = subprocess.run(["git", "-C", root, "commit", "--quiet", "--only", "-m", message, "--", *files],
                       capture_output=True, text=True, check=False)
    if r.returncode != 0:
        raise VaultCRMError(f"the edit was written but git commit failed: {r.stderr.strip() or r.stdout.strip()}")
    return True
