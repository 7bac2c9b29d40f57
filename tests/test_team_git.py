"""A team vault on git, end to end with real git: a bare repository as the remote, two clones set up
with `vaultcrm git setup`, edits on both sides, `vaultcrm git sync` merging the notes with
vaultcrm's merge driver (clean, or stopping with markers only on the true conflict), and none of
the programs a synced `.git/` can name ever running."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import Run, invoke

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")

NOTE = "Customers/Acme Corp.md"
START = """---
type: customer
title: Acme Corp
last_contact: 2026-06-01
tags: [type/customer]
status: Customer
---

# Acme Corp

## Recent Context

- 2026-06-01: [[2026-06-01]] - Renewal discussion

## Open Tasks

- [ ] Send the contract 📅 2026-12-01
- [ ] Book the QBR room
"""


def git(root: Path, *args: str) -> str:
    """Plain git in a test repository (the test's own commands: hooks off)."""
    return subprocess.run(["git", "-c", "core.hooksPath=/dev/null", "-C", str(root), *args], check=True,
                          capture_output=True, text=True).stdout


def vc(root: Path, *args: str) -> Run:
    return invoke(["--vault", str(root), *args])


@pytest.fixture
def team(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path, Path]:
    """(remote, clone A set up and synced, clone B set up): hermetic git, vaultcrm on PATH."""
    home = tmp_path / "home"
    home.mkdir()
    (home / "gitconfig").write_text("[user]\n\tname = Tester\n\temail = t@example.com\n", encoding="utf-8")
    for k in [k for k in os.environ if k.startswith("GIT_")]:
        monkeypatch.delenv(k)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(home / "gitconfig"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("PATH", str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", ""))
    remote, seed = tmp_path / "remote.git", tmp_path / "seed"
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(remote)], check=True)
    (seed / "Customers").mkdir(parents=True)
    (seed / ".vaultcrm.toml").write_text("", encoding="utf-8")
    (seed / NOTE).write_text(START, encoding="utf-8")
    git(seed, "init", "-q", "-b", "main")
    git(seed, "add", "-A")
    git(seed, "commit", "-q", "-m", "start")
    git(seed, "push", "-q", str(remote), "main")
    a, b = tmp_path / "a", tmp_path / "b"
    git(tmp_path, "clone", "-q", str(remote), str(a))
    assert vc(a, "git", "setup").exit_code == 0
    r = vc(a, "git", "sync")
    assert r.exit_code == 0, r.stderr
    git(tmp_path, "clone", "-q", str(remote), str(b))
    assert vc(b, "git", "setup").exit_code == 0
    return remote, a, b


def test_git_setup_registers_the_driver_once_and_dry_run_writes_nothing(team: tuple[Path, Path, Path]) -> None:
    _, a, b = team
    assert (b / ".gitattributes").read_text(encoding="utf-8") == "*.md merge=vaultcrm\n"  # A's, from the remote
    assert git(b, "config", "--local", "--get-all", "merge.vaultcrm.driver") == "vaultcrm merge-driver %O %A %B %P\n"
    assert git(a, "log", "-1", "--format=%s") == "vaultcrm sync: 0 notes\n"
    r = vc(b, "git", "setup")
    assert r.exit_code == 0 and "already set up" in r.stderr
    (b / ".gitattributes").write_text("*.png binary", encoding="utf-8")
    git(b, "config", "--local", "--unset", "merge.vaultcrm.driver")
    dry = vc(b, "git", "setup", "--dry-run")
    assert dry.exit_code == 0
    assert dry.stdout == (".gitattributes: *.md merge=vaultcrm\n"
                          ".git/config: merge.vaultcrm.name = vaultcrm: three-way merge of notes  (already there)\n"
                          ".git/config: merge.vaultcrm.driver = vaultcrm merge-driver %O %A %B %P\n")
    assert (b / ".gitattributes").read_text(encoding="utf-8") == "*.png binary"
    assert vc(b, "git", "setup").exit_code == 0
    assert vc(b, "git", "setup").exit_code == 0
    assert (b / ".gitattributes").read_text(encoding="utf-8") == "*.png binary\n*.md merge=vaultcrm\n"
    assert git(b, "config", "--local", "--get-all", "merge.vaultcrm.driver") == "vaultcrm merge-driver %O %A %B %P\n"


def edit_both_sides(a: Path, b: Path) -> None:
    for args in (("log", "Acme Corp", "Pricing call", "--date", "2026-11-21"),
                 ("task", "done", "Acme Corp", "contract"), ("set", "Acme Corp", "region", "EMEA")):
        assert vc(a, *args).exit_code == 0
    for args in (("log", "Acme Corp", "Call with Dana", "--date", "2026-11-20"), ("set", "Acme Corp", "arr", "50000")):
        assert vc(b, *args).exit_code == 0


MERGED = """---
type: customer
title: Acme Corp
last_contact: 2026-11-21
tags: [type/customer]
status: Customer
arr: 50000
region: EMEA
---

# Acme Corp

## Recent Context

- 2026-11-21: [[2026-11-21]] - Pricing call
- 2026-11-20: [[2026-11-20]] - Call with Dana
- 2026-06-01: [[2026-06-01]] - Renewal discussion

## Open Tasks

- [x] Send the contract 📅 2026-12-01 ✅ 2026-11-22
- [ ] Book the QBR room
"""


def test_sync_merges_both_sides_edits_of_one_note_cleanly(team: tuple[Path, Path, Path]) -> None:
    remote, a, b = team
    edit_both_sides(a, b)
    r = vc(a, "git", "sync")
    assert r.exit_code == 0, r.stderr
    assert "committed 1 note" in r.stderr and "pushed to origin/main" in r.stderr
    r = vc(b, "git", "sync")
    assert r.exit_code == 0, r.stderr
    assert "origin/main: merged" in r.stderr and "pushed to origin/main" in r.stderr
    assert (b / NOTE).read_text(encoding="utf-8") == MERGED
    assert git(b, "status", "--porcelain") == ""
    assert git(b, "log", "-1", "--format=%s") == "Merge remote-tracking branch 'origin/main'\n"
    assert len(git(b, "log", "-1", "--format=%P").split()) == 2
    assert git(b, "log", "-1", "--format=%s", "HEAD^1") == "vaultcrm sync: 1 note\n"
    assert git(b, "rev-parse", "HEAD") == git(remote, "rev-parse", "main")
    r = vc(a, "git", "sync")
    assert r.exit_code == 0 and "fast-forward" in r.stderr
    assert (a / NOTE).read_text(encoding="utf-8") == MERGED


def test_plain_git_pull_runs_the_registered_driver_from_path(team: tuple[Path, Path, Path]) -> None:
    _, a, b = team
    edit_both_sides(a, b)
    assert vc(a, "git", "sync").exit_code == 0
    git(b, "commit", "-q", "-am", "mine")
    git(b, "pull", "-q", "--no-rebase", "--no-edit")
    assert (b / NOTE).read_text(encoding="utf-8") == MERGED


def test_a_true_conflict_stops_the_sync_with_markers_only_on_that_line(team: tuple[Path, Path, Path]) -> None:
    remote, a, b = team
    assert vc(a, "set", "Acme Corp", "Status", "Churned").exit_code == 0
    assert vc(a, "log", "Acme Corp", "Pricing call", "--date", "2026-11-21").exit_code == 0
    assert vc(a, "git", "sync").exit_code == 0
    assert vc(b, "set", "Acme Corp", "Status", "Prospect").exit_code == 0
    assert vc(b, "task", "done", "Acme Corp", "QBR").exit_code == 0
    pushed = git(remote, "rev-parse", "main")
    r = vc(b, "git", "sync")
    assert r.exit_code == 1
    assert f"conflicts in 1 file: {NOTE}" in r.stderr and "<<<<<<< ours" in r.stderr
    assert (b / NOTE).read_text(encoding="utf-8") == START.replace(
        "last_contact: 2026-06-01", "last_contact: 2026-11-21").replace(
        "status: Customer\n", "<<<<<<< ours\nstatus: Prospect\n=======\nstatus: Churned\n>>>>>>> theirs\n").replace(
        "## Recent Context\n\n", "## Recent Context\n\n- 2026-11-21: [[2026-11-21]] - Pricing call\n").replace(
        "- [ ] Book the QBR room", "- [x] Book the QBR room ✅ 2026-11-22")
    assert git(b, "status", "--porcelain", "-z") == f"UU {NOTE}\0"
    assert "Prospect" in git(b, "show", "HEAD:" + NOTE)  # b's own edit is committed, not lost
    assert git(remote, "rev-parse", "main") == pushed  # nothing pushed
    again = vc(b, "git", "sync")
    assert again.exit_code == 1 and "merge is still in progress" in again.stderr


def test_sync_without_an_upstream_commits_only_the_notes(tmp_path: Path, team: tuple[Path, Path, Path]) -> None:
    _, _, b = team
    git(b, "branch", "--unset-upstream")
    (b / "Customers" / "New.md").write_text("# New\n", encoding="utf-8")
    (b / "notes.txt").write_text("not a note\n", encoding="utf-8")
    r = vc(b, "git", "sync")
    assert r.exit_code == 0 and "no upstream branch" in r.stderr
    assert git(b, "show", "--name-only", "--format=%s", "HEAD") == "vaultcrm sync: 1 note\n\nCustomers/New.md\n"
    assert git(b, "status", "--porcelain") == "?? notes.txt\n"


# ---- nothing the synced repository names runs -----------------------------------------------------
def canary(marks: Path, name: str, then: str = "true") -> str:
    return f"touch {shlex.quote(str(marks / name))}; {then}"


def arm(b: Path, marks: Path, remote: Path) -> None:
    """Hooks, drivers and transport programs in B's `.git/` (and hooks in the file remote), each a
    canary leaving a mark when run."""
    marks.mkdir(exist_ok=True)
    for hooks, names in ((b / ".git" / "hooks", ("pre-commit", "commit-msg", "prepare-commit-msg", "pre-merge-commit",
                                                 "post-merge", "pre-push", "post-checkout", "reference-transaction",
                                                 "pre-auto-gc", "post-index-change")),
                         (remote / "hooks", ("pre-receive", "update", "post-receive", "post-update"))):
        for hook in names:
            (hooks / hook).write_text(f"#!/bin/sh\n{canary(marks, hook)}\n", encoding="utf-8")
            (hooks / hook).chmod(0o755)
    for key, value in {"merge.vaultcrm.driver": canary(marks, "repo-driver", "exit 0"),
                       "merge.other.driver": canary(marks, "other-driver", "exit 0"),
                       "remote.origin.uploadpack": canary(marks, "upload-pack", 'git-upload-pack "$@"'),
                       "remote.origin.receivepack": canary(marks, "receive-pack", 'git-receive-pack "$@"'),
                       "core.sshCommand": canary(marks, "ssh"), "credential.helper": canary(marks, "credential"),
                       "core.fsmonitor": canary(marks, "fsmonitor"), "core.pager": canary(marks, "pager", "cat"),
                       "filter.canary.clean": canary(marks, "filter", "cat")}.items():
        git(b, "config", key, value)
    (b / ".git" / "info" / "attributes").write_text("*.txt merge=other filter=canary\n", encoding="utf-8")


def test_the_canaries_are_live_so_the_test_below_proves_something(tmp_path: Path,
                                                                  team: tuple[Path, Path, Path]) -> None:
    remote, a, b = team
    marks = tmp_path / "marks"
    edit_both_sides(a, b)
    assert vc(a, "git", "sync").exit_code == 0
    arm(b, marks, remote)
    for args in (["commit", "-q", "-am", "mine"], ["pull", "--no-rebase", "--no-edit"], ["push"]):
        subprocess.run(["git", "-C", str(b), *args], capture_output=True, check=False)
    ran = {p.name for p in marks.iterdir()}
    assert {"upload-pack", "repo-driver", "pre-commit", "reference-transaction", "fsmonitor", "receive-pack",
            "post-merge", "pre-push", "pre-receive", "post-receive"} <= ran


def test_sync_runs_no_hook_driver_or_program_the_repository_names(tmp_path: Path,
                                                                  team: tuple[Path, Path, Path]) -> None:
    remote, a, b = team
    marks = tmp_path / "marks"
    edit_both_sides(a, b)
    assert vc(a, "git", "sync").exit_code == 0
    arm(b, marks, remote)
    r = vc(b, "git", "sync")
    assert r.exit_code == 0, r.stderr
    assert "pushed to origin/main" in r.stderr
    assert sorted(p.name for p in marks.iterdir()) == []
    assert (b / NOTE).read_text(encoding="utf-8") == MERGED  # vaultcrm's own driver, not the repository's


@pytest.mark.parametrize("url", ["ext::sh -c touch% /tmp/x", "git://example.com/x.git", "http://example.com/x.git"])
def test_sync_refuses_a_remote_outside_file_ssh_and_https(team: tuple[Path, Path, Path], url: str) -> None:
    _, a, _ = team
    git(a, "remote", "set-url", "origin", url)
    (a / "Customers" / "New.md").write_text("# New\n", encoding="utf-8")
    r = vc(a, "git", "sync")
    assert r.exit_code == 2 and "file, ssh and https only" in r.stderr
    assert git(a, "log", "-1", "--format=%s") == "vaultcrm sync: 1 note\n"  # committed before the refusal


def test_a_local_change_the_merge_would_overwrite_stops_the_sync_and_stays(team: tuple[Path, Path, Path]) -> None:
    _, a, b = team
    (a / ".vaultcrm.toml").write_text("[cadence]\ndefault_days = 14\n", encoding="utf-8")
    git(a, "commit", "-q", "-am", "cadence")
    git(a, "push", "-q")
    (b / ".vaultcrm.toml").write_text("# mine, not committed\n", encoding="utf-8")
    assert vc(b, "log", "Acme Corp", "Call", "--date", "2026-11-20").exit_code == 0
    r = vc(b, "git", "sync")
    assert r.exit_code == 1 and "git merge origin/main failed" in r.stderr
    assert (b / ".vaultcrm.toml").read_text(encoding="utf-8") == "# mine, not committed\n"
    assert "Call" in git(b, "show", "HEAD:" + NOTE)


def test_sync_refuses_a_repository_reaching_outside_the_vault(tmp_path: Path, team: tuple[Path, Path, Path]) -> None:
    _, _, b = team
    git(b, "config", "include.path", str(tmp_path / "elsewhere.cfg"))
    head = git(b, "rev-parse", "HEAD")
    (b / "Customers" / "New.md").write_text("# New\n", encoding="utf-8")
    r = vc(b, "git", "sync")
    assert r.exit_code == 2 and "error: refusing the git repository" in r.stderr
    assert git(b, "rev-parse", "HEAD") == head
