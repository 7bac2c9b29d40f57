"""Shared fixtures: a fresh copy of the example vault per test, and a CLI runner.

`run(...)` drives `vaultcrm.cli.main` (the real exit point, with its error mapping) inside
typer's CliRunner isolation, so stdout and stderr are captured separately and no TTY is seen.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import settings
from typer.testing import CliRunner

from vaultcrm.cli.app import main

# On CI (CI=true) property tests run a fixed sequence of examples, so a submission's CI result
# does not depend on luck; locally they explore new examples on every run.
settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "examples" / "vault"
SHARED = REPO.parent / "shared"
CORPUS = SHARED / "corpus"
SEEDS = SHARED / "seeds"
TODAY = "2026-11-22"


@dataclass
class Run:
    exit_code: int
    stdout: str
    stderr: str


@pytest.fixture(autouse=True)
def _fixed_today(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    monkeypatch.setenv("VAULTCRM_TODAY", TODAY)
    monkeypatch.delenv("VAULTCRM_VAULT", raising=False)
    monkeypatch.delenv("NO_COLOR", raising=False)
    # the developer's own ~/.config/vaultcrm (a `me`, a default cadence) and editor must not leak in
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    for name in ("VISUAL", "EDITOR", "PAGER"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def vault(tmp_path: Path) -> Path:
    """A private copy of examples/vault (tests may edit it freely)."""
    dest = tmp_path / "vault"
    shutil.copytree(EXAMPLES, dest, ignore=shutil.ignore_patterns(".vaultcrm"))
    return dest


def invoke(args: list[str], *, input: str | None = None, env: dict[str, str] | None = None) -> Run:
    runner = CliRunner()
    code = 0
    with runner.isolation(input=input, env=env) as (out, err, _):
        try:
            main(args)
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        sys.stdout.flush()
        sys.stderr.flush()
        stdout = out.getvalue().decode("utf-8")
        stderr = err.getvalue().decode("utf-8")
    return Run(code, stdout, stderr)


@pytest.fixture
def run(vault: Path) -> Callable[..., Run]:
    """Run `vaultcrm --vault <copy> ARGS…`; returns exit code, stdout and stderr."""

    def _run(*args: str, input: str | None = None, env: dict[str, str] | None = None) -> Run:
        return invoke(["--vault", str(vault), *args], input=input, env=env)

    return _run


def make_vault(root: Path, files: dict[str, str | bytes]) -> Path:
    """A vault written from {vault path: text or bytes}, text stored as UTF-8 exactly as given,
    with a `.obsidian/` folder marking its root."""
    root.mkdir(parents=True, exist_ok=True)
    (root / ".obsidian").mkdir(exist_ok=True)
    for rel, text in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return root


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file of a vault (vault path -> bytes), vaultcrm's own state folder left out: what a
    test compares before and after a command to prove which bytes changed."""
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and ".vaultcrm" not in p.relative_to(root).parts}


def corpus_notes() -> list[Path]:
    """Every Markdown/text note in ../shared/corpus, sorted (skipped when shared/ is absent)."""
    if not CORPUS.is_dir():
        return []
    return sorted(p for p in CORPUS.rglob("*") if p.is_file() and p.suffix in (".md", ".txt"))
