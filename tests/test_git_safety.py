"""`--commit` treats the vault's git repository as untrusted input, like every other byte of the vault.

A `.git/` that arrives through a sync service (or a shared folder) may name programs — filter
drivers, hooks, an fsmonitor, a pager, an editor, a signing program, a diff driver, a promisor
remote's upload-pack — and may point somewhere else (a `.git` file, `core.worktree`, a
`commondir`, an include, a symlink, an alternate). Committing must run none of those programs
and must write nothing outside the repository that holds the vault; a repository it cannot use
safely is refused (exit 2) before the note is touched.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import Run, invoke, snapshot

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")

NOTE = "Customers/Acme Corp.md"
HOOKS = ("pre-commit", "prepare-commit-msg", "commit-msg", "post-commit", "reference-transaction",
         "post-index-change", "pre-auto-gc", "post-rewrite", "post-checkout", "fsmonitor-watchman")


def git(root: Path, *args: str, data: bytes | None = None) -> str:
    """git in a test repository, with nothing of its config able to run a program."""
    safe = ["-c", "core.hooksPath=/dev/null", "-c", "core.fsmonitor=false", "--no-pager"]
    return subprocess.run(["git", *safe, "-C", str(root), *args], check=True, capture_output=True,
                          input=data).stdout.decode()


@pytest.fixture
def gitenv(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    for k, v in {"GIT_AUTHOR_NAME": "Tester", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "Tester",
                 "GIT_COMMITTER_EMAIL": "t@example.com", "GIT_CONFIG_NOSYSTEM": "1",
                 "GIT_CONFIG_GLOBAL": str(home / "gitconfig"), "HOME": str(home)}.items():
        monkeypatch.setenv(k, v)


def init_repo(root: Path) -> Path:
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "--no-verify", "-m", "start")
    return root


@pytest.fixture
def repo(vault: Path, gitenv: None) -> Path:
    return init_repo(vault)


@pytest.fixture
def marks(tmp_path: Path) -> Path:
    """Where a canary program leaves a file named after itself when it runs."""
    d = tmp_path / "marks"
    d.mkdir()
    return d


def canary(marks: Path, name: str, then: str = "") -> str:
    """A shell command that leaves `marks/name` behind (then runs `then`, e.g. `cat` for a filter)."""
    return f"touch {shlex.quote(str(marks / name))}; {then or 'true'}"


def make_every_entry_racy(root: Path) -> None:
    """Date the index before its entries, so writing the index re-reads every file (git's racy-clean
    check), which is when a clean filter or process filter would run on today's files."""
    index = root / ".git" / "index"
    oldest = min(p.stat().st_mtime for p in root.rglob("*.md") if ".git" not in p.parts)
    os.utime(index, (oldest - 100, oldest - 100))


def arm_canaries(root: Path, marks: Path) -> None:
    """Every program a repository's config, attributes and hooks can name, each a canary."""
    gitdir = root / ".git"
    (root / ".gitattributes").write_text("Customers/** filter=canary diff=canary merge=canary\n"
                                         "People/*.md filter=proc diff=canary\n", encoding="utf-8")
    (gitdir / "info").mkdir(exist_ok=True)
    (gitdir / "info" / "attributes").write_text("Inbox/*.md filter=info\n", encoding="utf-8")
    (gitdir / "global-attributes").write_text("Daily/*.md filter=global\n", encoding="utf-8")
    config = {
        "filter.canary.clean": canary(marks, "filter-clean", "cat"),
        "filter.canary.smudge": canary(marks, "filter-smudge", "cat"),
        "filter.canary.required": "true",
        "filter.proc.process": canary(marks, "filter-process"),
        "filter.info.clean": canary(marks, "filter-info-attributes", "cat"),
        "filter.global.clean": canary(marks, "filter-core-attributesfile", "cat"),
        "core.attributesFile": str(gitdir / "global-attributes"),
        "core.fsmonitor": canary(marks, "fsmonitor"),
        "core.pager": canary(marks, "pager", "cat"),
        "core.editor": canary(marks, "editor"),
        "sequence.editor": canary(marks, "sequence-editor"),
        "core.hooksPath": str(gitdir / "other-hooks"),
        "commit.gpgSign": "true",
        "tag.gpgSign": "true",
        "gpg.program": canary(marks, "gpg"),
        "diff.external": canary(marks, "diff-external"),
        "diff.canary.textconv": canary(marks, "textconv", "cat"),
        "diff.canary.command": canary(marks, "diff-command"),
        "merge.canary.driver": canary(marks, "merge-driver"),
        "core.sshCommand": canary(marks, "ssh"),
        "credential.helper": canary(marks, "credential"),
        "gc.auto": "1",
    }
    for key, value in config.items():
        git(root, "config", key, value)
    for folder in (gitdir / "hooks", gitdir / "other-hooks"):
        folder.mkdir(exist_ok=True)
        for hook in HOOKS:
            h = folder / hook
            h.write_text(f"#!/bin/sh\n{canary(marks, 'hook-' + hook)}\n", encoding="utf-8")
            h.chmod(0o755)
    make_every_entry_racy(root)


def ran(marks: Path) -> list[str]:
    return sorted(p.name for p in marks.iterdir())


# ---- no program from the repository runs ----------------------------------------------------------
def test_the_canaries_are_live_so_the_tests_below_prove_something(repo: Path, marks: Path) -> None:
    """Plain git in the armed repository runs them (here: the racy-clean re-read on an index write)."""
    arm_canaries(repo, marks)
    subprocess.run(["git", "-C", str(repo), "update-index", "--add", "--cacheinfo",
                    f"100644,{git(repo, 'rev-parse', 'HEAD:' + NOTE).strip()},{NOTE}"], check=False,
                   capture_output=True)
    assert {"filter-clean", "filter-process", "filter-info-attributes", "filter-core-attributesfile",
            "fsmonitor"} <= set(ran(marks))


@pytest.mark.parametrize("args", [
    ("log", "Acme Corp", "Called about the renewal"),
    ("task", "add", "People/Dana Scully", "Send the deck"),
    ("merge", "Inbox/OpenAI", "Customers/OpenAI"),
], ids=lambda a: a[0])
def test_commit_runs_no_program_the_vault_repository_names(repo: Path, marks: Path, run: Callable[..., Run],
                                                           args: tuple[str, ...]) -> None:
    arm_canaries(repo, marks)
    head = git(repo, "rev-parse", "HEAD")
    r = run("--commit", *args)
    assert r.exit_code == 0, r.stderr
    assert ran(marks) == []
    assert git(repo, "rev-parse", "HEAD^") == head
    assert git(repo, "log", "-1", "--format=%s").startswith(f"vaultcrm {args[0]}")
    assert git(repo, "cat-file", "-p", "HEAD").count("gpgsig") == 0


def test_undo_commit_runs_no_program_the_vault_repository_names(repo: Path, marks: Path,
                                                                run: Callable[..., Run]) -> None:
    arm_canaries(repo, marks)
    assert run("--commit", "log", "Acme Corp", "Called").exit_code == 0
    make_every_entry_racy(repo)
    r = run("--commit", "undo")
    assert r.exit_code == 0, r.stderr
    assert ran(marks) == []
    assert git(repo, "log", "-1", "--format=%s").startswith("vaultcrm undo 1: log")
    assert git(repo, "diff", "HEAD~2", "HEAD", "--stat") == ""


def test_a_missing_object_is_never_fetched_from_a_promisor_remote(repo: Path, marks: Path,
                                                                  run: Callable[..., Run], tmp_path: Path) -> None:
    """A partial clone fetches missing objects lazily, running the remote's upload-pack program."""
    remote = tmp_path / "remote"
    shutil.copytree(repo / ".git", remote)
    for key, value in {"core.repositoryformatversion": "1", "extensions.partialClone": "origin",
                       "remote.origin.url": remote.as_uri(), "remote.origin.promisor": "true",
                       "remote.origin.uploadpack": canary(marks, "upload-pack", "git-upload-pack \"$@\""),
                       "protocol.file.allow": "always"}.items():
        git(repo, "config", key, value)
    blob = git(repo, "rev-parse", f"HEAD:{NOTE}").strip()
    (repo / ".git" / "objects" / blob[:2] / blob[2:]).unlink()
    before = (repo / NOTE).read_bytes()
    r = run("--commit", "log", "Acme Corp", "Called")
    assert ran(marks) == []
    assert r.exit_code == 1 and "not committed" in r.stderr  # the edit stands, the commit does not
    assert (repo / NOTE).read_bytes() != before


# ---- nothing outside the repository that holds the vault is used ----------------------------------
def outside_repo(tmp_path: Path) -> Path:
    other = tmp_path / "elsewhere"
    other.mkdir()
    (other / "keep.txt").write_text("theirs\n", encoding="utf-8")
    return init_repo(other)


def state(repo: Path) -> tuple[str, int, int]:
    """HEAD, the number of object files and of all files in the git dir of `repo`."""
    gitdir = repo / ".git"
    objects = sum(1 for p in (gitdir / "objects").rglob("*") if p.is_file())
    return git(repo, "rev-parse", "HEAD"), objects, sum(1 for p in gitdir.rglob("*"))


def assert_refused(r: Run, vault: Path, files: dict[str, bytes], why: str) -> None:
    assert r.exit_code == 2, r.stderr
    assert why in r.stderr, r.stderr
    assert snapshot(vault) == files


def test_a_git_file_pointing_at_another_repository_is_refused_before_the_note_is_edited(
        vault: Path, gitenv: None, run: Callable[..., Run], tmp_path: Path) -> None:
    other = outside_repo(tmp_path)
    (vault / ".git").write_text(f"gitdir: {other / '.git'}\n", encoding="utf-8")
    before, files = state(other), snapshot(vault)
    r = run("--commit", "log", "Acme Corp", "Called")
    assert_refused(r, vault, files, "outside the vault")
    assert state(other) == before
    assert run("undo", "--list", "--json").stdout.strip() == "[]"


def test_commit_true_in_the_config_refuses_an_outside_repository_before_the_note_is_edited(
        vault: Path, gitenv: None, run: Callable[..., Run], tmp_path: Path) -> None:
    other = outside_repo(tmp_path)
    (vault / ".git").write_text(f"gitdir: {other / '.git'}\n", encoding="utf-8")
    (vault / ".vaultcrm.toml").write_text("[git]\ncommit = true\n", encoding="utf-8")
    before, files = state(other), snapshot(vault)
    r = run("log", "Acme Corp", "Called")  # no --commit: the vault's own setting asks for it
    assert_refused(r, vault, files, "outside the vault")
    assert state(other) == before


def test_a_work_tree_elsewhere_is_refused(repo: Path, run: Callable[..., Run], tmp_path: Path) -> None:
    other = outside_repo(tmp_path)
    git(repo, "config", "core.worktree", str(other))
    before, files = state(repo), snapshot(repo)
    assert_refused(run("--commit", "log", "Acme Corp", "Called"), repo, files, "(core.worktree) does not hold the vault")
    assert state(repo) == before


def test_a_commondir_file_pointing_elsewhere_is_refused(repo: Path, run: Callable[..., Run], tmp_path: Path) -> None:
    other = outside_repo(tmp_path)
    (repo / ".git" / "commondir").write_text(f"{other / '.git'}\n", encoding="utf-8")
    before, files = state(other), snapshot(repo)
    assert_refused(run("--commit", "log", "Acme Corp", "Called"), repo, files, "outside the vault")
    assert state(other) == before


@pytest.mark.parametrize("section", ["include", 'includeIf "gitdir:/"'])
def test_an_included_config_outside_the_repository_is_refused(repo: Path, run: Callable[..., Run], tmp_path: Path,
                                                              section: str) -> None:
    outside = tmp_path / "outside.gitconfig"
    outside.write_text("[user]\n\tname = Someone Else\n", encoding="utf-8")
    with (repo / ".git" / "config").open("a", encoding="utf-8") as f:
        f.write(f"[{section}]\n\tpath = {os.path.relpath(outside, repo / '.git')}\n")
    files = snapshot(repo)
    assert_refused(run("--commit", "log", "Acme Corp", "Called"), repo, files, "outside.gitconfig")


def test_an_include_that_does_not_exist_yet_is_refused_too(repo: Path, run: Callable[..., Run],
                                                           tmp_path: Path) -> None:
    git(repo, "config", "include.path", str(tmp_path / "later.gitconfig"))
    files = snapshot(repo)
    assert_refused(run("--commit", "log", "Acme Corp", "Called"), repo, files, "later.gitconfig")


def test_an_included_config_inside_the_repository_is_fine(repo: Path, run: Callable[..., Run]) -> None:
    (repo / ".git" / "extra.gitconfig").write_text("[core]\n\tquotePath = false\n", encoding="utf-8")
    git(repo, "config", "include.path", "extra.gitconfig")
    r = run("--commit", "log", "Acme Corp", "Called")
    assert r.exit_code == 0, r.stderr
    assert git(repo, "log", "-1", "--format=%s") == "vaultcrm log Acme Corp\n"


@pytest.mark.parametrize("link", ["objects", "logs", "refs/heads"])
def test_a_symlink_in_the_git_dir_leading_outside_is_refused(repo: Path, run: Callable[..., Run], tmp_path: Path,
                                                             link: str) -> None:
    target = tmp_path / "stolen" / link
    shutil.move(str(repo / ".git" / link), str(target.parent.mkdir(parents=True) or target))
    (repo / ".git" / link).symlink_to(target, target_is_directory=True)
    stolen = sorted(p.relative_to(target).as_posix() for p in target.rglob("*"))
    files = snapshot(repo)
    assert_refused(run("--commit", "log", "Acme Corp", "Called"), repo, files, "outside the vault")
    assert sorted(p.relative_to(target).as_posix() for p in target.rglob("*")) == stolen


def test_an_alternate_object_store_outside_is_refused(repo: Path, run: Callable[..., Run], tmp_path: Path) -> None:
    other = outside_repo(tmp_path)
    (repo / ".git" / "objects" / "info" / "alternates").write_text(f"{other / '.git' / 'objects'}\n")
    files = snapshot(repo)
    assert_refused(run("--commit", "log", "Acme Corp", "Called"), repo, files, "outside the vault")


def test_git_dir_and_index_from_the_environment_are_ignored(repo: Path, run: Callable[..., Run],
                                                            tmp_path: Path) -> None:
    """vaultcrm commits in the repository that holds the vault, whatever GIT_DIR says (e.g. from a hook)."""
    other = outside_repo(tmp_path)
    before = state(other)
    r = run("--commit", "log", "Acme Corp", "Called", env={
        "GIT_DIR": str(other / ".git"), "GIT_WORK_TREE": str(other), "GIT_INDEX_FILE": str(other / ".git" / "index"),
        "GIT_OBJECT_DIRECTORY": str(other / ".git" / "objects")})
    assert r.exit_code == 0, r.stderr
    assert state(other) == before
    assert git(repo, "log", "-1", "--format=%s") == "vaultcrm log Acme Corp\n"


def test_a_vault_inside_a_larger_repository_still_commits(gitenv: None, tmp_path: Path) -> None:
    outer = tmp_path / "outer"
    shutil.copytree(Path(__file__).resolve().parent.parent / "examples" / "vault", outer / "notes",
                    ignore=shutil.ignore_patterns(".vaultcrm"))
    init_repo(outer)
    r = invoke(["--vault", str(outer / "notes"), "--commit", "log", "Acme Corp", "Called"])
    assert r.exit_code == 0, r.stderr
    assert git(outer, "show", "--name-only", "--format=", "HEAD") == f"notes/{NOTE}\n"


def test_a_hook_linked_from_outside_is_allowed_and_still_never_runs(repo: Path, marks: Path, run: Callable[..., Run],
                                                                    tmp_path: Path) -> None:
    shared = tmp_path / "dotfiles-hook"
    shared.write_text(f"#!/bin/sh\n{canary(marks, 'linked-hook')}\n", encoding="utf-8")
    shared.chmod(0o755)
    (repo / ".git" / "hooks" / "reference-transaction").symlink_to(shared)
    r = run("--commit", "log", "Acme Corp", "Called")
    assert r.exit_code == 0, r.stderr
    assert ran(marks) == []
    assert git(repo, "log", "-1", "--format=%s") == "vaultcrm log Acme Corp\n"


def test_a_filter_driver_that_cannot_be_switched_off_is_refused_before_the_note_is_edited(
        repo: Path, marks: Path, run: Callable[..., Run]) -> None:
    """`-c filter.a=b.clean=` cannot say "no clean filter for driver a=b", so such a driver is refused."""
    (repo / ".gitattributes").write_text("*.md filter=a=b\n", encoding="utf-8")
    git(repo, "config", "filter.a=b.clean", canary(marks, "filter-with-equals", "cat"))
    make_every_entry_racy(repo)
    files = snapshot(repo)
    assert_refused(run("--commit", "log", "Acme Corp", "Called"), repo, files, "cannot switch off")
    assert ran(marks) == []
