"""`undo` restores the exact bytes after every editing command; git commits hold vaultcrm's edit only."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from test_doctor import snapshot

EDITS = [
    ("log", "Acme Corp", "Called about the renewal"),
    ("log", "Initech", "First call", "--date", "2026-11-01", "--via", "Dana Scully"),
    ("task", "add", "Acme Corp", "Send the contract", "--due", "2026-12-01"),
    ("task", "done", "Customers/OpenAI.md", "S3 vs Blob parity"),
    ("task", "undo", "Customers/OpenAI.md", "storage requirements template"),
    ("set", "Acme Corp", "status", "Churned"),
    ("unset", "Acme Corp", "owner"),
    ("add", "Globex", "Blockers", "Legal review pending"),
    ("new", "customer", "Umbrella"),
    ("merge", "Inbox/OpenAI", "Customers/OpenAI"),
    ("doctor", "--fix"),
]


@pytest.mark.parametrize("args", EDITS, ids=lambda a: " ".join(a[:2]))
def test_undo_after_each_editing_command_restores_the_exact_bytes(vault: Path, run, args: tuple[str, ...]) -> None:  # noqa: ANN001
    files = snapshot(vault)
    r = run(*args)
    assert r.exit_code in (0, 1), r.stderr  # doctor --fix exits 1: unfixable problems remain
    assert snapshot(vault) != files
    u = run("undo")
    assert u.exit_code == 0, u.stderr
    assert snapshot(vault) == files
    assert "undid edit 1" in u.stderr


def test_undo_refuses_when_the_file_changed_since_and_restores_nothing(vault: Path, run) -> None:  # noqa: ANN001
    run("log", "Acme Corp", "Called")
    note = vault / "Customers/Acme Corp.md"
    note.write_text(note.read_text(encoding="utf-8") + "my own line\n", encoding="utf-8")
    files = snapshot(vault)
    r = run("undo")
    assert r.exit_code == 1
    assert "changed since edit 1" in r.stderr and "nothing was restored" in r.stderr
    assert snapshot(vault) == files
    assert json.loads(run("undo", "--list", "--json").stdout)[0]["undone"] is False


def test_undo_of_a_new_note_refuses_once_the_note_was_edited_by_hand(vault: Path, run) -> None:  # noqa: ANN001
    run("new", "customer", "Umbrella")
    (vault / "Customers/Umbrella.md").write_text("mine now\n")
    assert run("undo").exit_code == 1
    assert (vault / "Customers/Umbrella.md").read_text() == "mine now\n"


def test_undo_list_numbers_each_edit_with_time_command_and_paths(vault: Path, run) -> None:  # noqa: ANN001
    run("log", "Acme Corp", "Called")
    run("merge", "Inbox/OpenAI", "Customers/OpenAI")
    rows = json.loads(run("undo", "--list", "--json").stdout)
    assert [(r["number"], r["undone"]) for r in rows] == [(1, False), (2, False)]
    assert rows[0]["command"] == "log Acme Corp" and rows[0]["paths"] == ["Customers/Acme Corp.md"]
    assert rows[1]["paths"] == ["Customers/OpenAI.md", ".trash/Inbox/OpenAI.md"]
    assert rows[0]["time"][:2] == "20"
    table = run("undo", "--list")
    assert "log Acme Corp" in table.stdout and table.exit_code == 0


def test_undo_n_takes_back_one_older_edit_and_leaves_later_ones(vault: Path, run) -> None:  # noqa: ANN001
    acme = (vault / "Customers/Acme Corp.md").read_bytes()
    run("log", "Acme Corp", "Called")
    run("log", "Globex", "Called")
    globex = (vault / "Customers/Globex.md").read_bytes()
    assert run("undo", "1").exit_code == 0
    assert (vault / "Customers/Acme Corp.md").read_bytes() == acme
    assert (vault / "Customers/Globex.md").read_bytes() == globex
    r = run("undo", "1")
    assert r.exit_code == 3 and "already undone" in r.stderr


def test_undo_with_nothing_to_undo_is_not_found(run) -> None:  # noqa: ANN001
    assert run("undo").exit_code == 3


def test_undo_dry_run_shows_the_diff_and_writes_nothing(vault: Path, run) -> None:  # noqa: ANN001
    run("log", "Acme Corp", "Called about it")
    files = snapshot(vault)
    r = run("undo", "--dry-run")
    assert r.exit_code == 0
    assert "-- 2026-11-22: [[2026-11-22]] - Called about it" in r.stdout
    assert snapshot(vault) == files


# ---- git ----------------------------------------------------------------------------------------
needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


@pytest.fixture
def repo(vault: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    for k, v in {"GIT_AUTHOR_NAME": "Tester", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "Tester",
                 "GIT_COMMITTER_EMAIL": "t@example.com", "GIT_CONFIG_NOSYSTEM": "1",
                 "GIT_CONFIG_GLOBAL": str(tmp_path / "gitconfig"), "HOME": str(tmp_path)}.items():
        monkeypatch.setenv(k, v)
    git(vault, "init", "-q", "-b", "main")
    git(vault, "add", "-A")
    git(vault, "commit", "-q", "-m", "start")
    return vault


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True, text=True).stdout


def committed_paths(root: Path, rev: str = "HEAD") -> list[str]:
    return git(root, "show", "--no-renames", "--name-only", "--format=", rev).split("\n")[:-1]


@needs_git
def test_commit_holds_only_the_edit_and_the_users_staged_work_stays_staged(repo: Path, run) -> None:  # noqa: ANN001
    dana = repo / "People/Dana Scully.md"
    dana.write_text(dana.read_text(encoding="utf-8") + "staged by me\n", encoding="utf-8")
    git(repo, "add", "People/Dana Scully.md")
    globex = repo / "Customers/Globex.md"
    globex.write_text(globex.read_text(encoding="utf-8") + "unstaged by me\n", encoding="utf-8")
    r = run("--commit", "log", "Acme Corp", "Called")
    assert r.exit_code == 0, r.stderr
    assert committed_paths(repo) == ["Customers/Acme Corp.md"]
    message = git(repo, "log", "-1", "--format=%B")
    assert message.startswith("vaultcrm log Acme Corp\n") and "Customers/Acme Corp.md" in message
    assert git(repo, "diff", "--cached", "--name-only") == "People/Dana Scully.md\n"
    assert git(repo, "diff", "--name-only") == "Customers/Globex.md\n"
    assert "staged by me" in git(repo, "diff", "--cached")
    assert git(repo, "status", "--porcelain", "--", "Customers/Acme Corp.md") == ""


@needs_git
def test_the_users_own_change_in_the_same_note_stays_uncommitted(repo: Path, run) -> None:  # noqa: ANN001
    acme = repo / "Customers/Acme Corp.md"
    acme.write_text(acme.read_text(encoding="utf-8") + "\nmy draft line\n", encoding="utf-8")
    assert run("--commit", "log", "Acme Corp", "Called").exit_code == 0
    head = git(repo, "show", "HEAD:Customers/Acme Corp.md")
    assert "Called" in head and "my draft line" not in head
    assert "my draft line" in acme.read_text(encoding="utf-8")
    diff = git(repo, "diff", "--", "Customers/Acme Corp.md")
    assert "+my draft line" in diff and "Called" not in diff


@needs_git
def test_vaultcrm_toml_turns_commits_on(repo: Path, run) -> None:  # noqa: ANN001
    cfg = repo / ".vaultcrm.toml"
    cfg.write_text(cfg.read_text(encoding="utf-8") + "\n[git]\ncommit = true\n", encoding="utf-8")
    git(repo, "commit", "-q", "-am", "config")
    assert run("task", "add", "Globex", "Book the QBR").exit_code == 0
    assert committed_paths(repo) == ["Customers/Globex.md"]
    assert git(repo, "log", "-1", "--format=%s") == "vaultcrm task add Globex\n"


@needs_git
def test_without_commit_nothing_is_committed(repo: Path, run) -> None:  # noqa: ANN001
    head = git(repo, "rev-parse", "HEAD")
    run("log", "Acme Corp", "Called")
    assert git(repo, "rev-parse", "HEAD") == head


@needs_git
def test_a_merge_commit_moves_the_note_into_trash_and_undo_commits_it_back(repo: Path, run) -> None:  # noqa: ANN001
    assert run("--commit", "merge", "Inbox/OpenAI", "Customers/OpenAI").exit_code == 0
    assert sorted(committed_paths(repo)) == [".trash/Inbox/OpenAI.md", "Customers/OpenAI.md", "Inbox/OpenAI.md"]
    assert git(repo, "status", "--porcelain") == ""
    assert run("--commit", "undo").exit_code == 0
    assert git(repo, "status", "--porcelain") == ""
    assert git(repo, "diff", "HEAD~2", "HEAD", "--stat") == ""
    assert git(repo, "log", "-1", "--format=%s").startswith("vaultcrm undo 1: merge")


@needs_git
def test_a_new_note_is_committed_in_a_vault_inside_a_larger_repo(repo: Path, run, tmp_path: Path) -> None:  # noqa: ANN001
    outer = tmp_path / "outer"
    outer.mkdir()
    shutil.copytree(repo, outer / "notes", ignore=shutil.ignore_patterns(".git"))
    git(outer, "init", "-q", "-b", "main")
    from conftest import invoke

    r = invoke(["--vault", str(outer / "notes"), "--commit", "new", "customer", "Umbrella"])
    assert r.exit_code == 0, r.stderr
    assert committed_paths(outer) == ["notes/Customers/Umbrella.md"]
    assert git(outer, "status", "--porcelain", "--", "notes/Customers/Umbrella.md") == ""


def test_commit_on_a_vault_that_is_not_a_git_work_tree_is_a_usage_error_and_writes_nothing(run, vault) -> None:
    before = (vault / "Customers" / "Acme Corp.md").read_bytes()
    r = run("--commit", "log", "Acme Corp", "call")
    assert r.exit_code == 2
    assert "not a git work tree" in r.stderr
    assert (vault / "Customers" / "Acme Corp.md").read_bytes() == before


def test_commits_never_run_the_vault_repositorys_hooks(tmp_path) -> None:
    """A synced .git/ may carry hooks; vaultcrm's commits must not execute them."""
    import os
    import shutil
    import subprocess

    from tests.conftest import EXAMPLES, invoke

    vault = tmp_path / "v"
    shutil.copytree(EXAMPLES, vault)
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@e", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@e"}
    subprocess.run(["git", "init", "-q", str(vault)], check=True, env=env)
    subprocess.run(["git", "-C", str(vault), "add", "-A"], check=True, env=env)
    subprocess.run(["git", "-C", str(vault), "commit", "-qm", "init"], check=True, env=env)
    canary = tmp_path / "hook-ran"
    for hook in ("reference-transaction", "pre-commit", "post-commit", "commit-msg"):
        h = vault / ".git" / "hooks" / hook
        h.write_text(f"#!/bin/sh\ntouch {canary}\n")
        h.chmod(0o755)
    r = invoke(["--vault", str(vault), "--commit", "log", "Acme Corp", "call"], env={
        k: v for k, v in env.items() if k.startswith("GIT_")})
    assert r.exit_code == 0, r.stderr
    log = subprocess.run(["git", "-C", str(vault), "log", "--format=%s", "-1"], capture_output=True, text=True,
                         check=True).stdout
    assert "vaultcrm log" in log
    assert not canary.exists()
