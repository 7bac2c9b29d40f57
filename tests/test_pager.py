"""Output taller than the terminal goes through the user's pager, as git does: only on a terminal
(run here under a pseudo-terminal), never when piped, never with --no-pager."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import EXAMPLES

needs_script = pytest.mark.skipif(shutil.which("script") is None, reason="util-linux `script` runs a pty")
VAULTCRM = str(Path(sys.executable).with_name("vaultcrm"))


def pager(tmp_path: Path) -> tuple[str, Path]:
    """A pager that records what it was given."""
    out = tmp_path / "paged.txt"
    script = tmp_path / "pager.sh"
    script.write_text(f"#!/bin/sh\ncat > '{out}'\n", encoding="utf-8")
    script.chmod(0o755)
    return str(script), out


def run(tmp_path: Path, command: str, *, pty: bool, lines: int = 5) -> tuple[str, Path]:
    prog, out = pager(tmp_path)
    env = {**os.environ, "PAGER": prog, "LINES": str(lines), "COLUMNS": "100", "VAULTCRM_TODAY": "2026-11-22"}
    env.pop("NO_COLOR", None)
    vault = tmp_path / "vault"
    if not vault.exists():
        shutil.copytree(EXAMPLES, vault, ignore=shutil.ignore_patterns(".vaultcrm"))
    argv = f"{VAULTCRM} --vault {vault} {command}"  # a global option may lead `command`
    if pty:
        r = subprocess.run(["script", "-qec", argv, "/dev/null"], env=env, capture_output=True, text=True, timeout=60)
    else:
        r = subprocess.run(argv.split(), env=env, capture_output=True, text=True, timeout=60)
    return r.stdout, out


@needs_script
@pytest.mark.parametrize("command", ["task list", "show Globex"])
def test_a_listing_taller_than_the_terminal_is_paged(tmp_path: Path, command: str) -> None:
    stdout, out = run(tmp_path, command, pty=True)
    assert out.exists() and out.read_text(encoding="utf-8").count("\n") > 5
    assert "┏" not in stdout and "╭" not in stdout  # the table went to the pager, not the terminal


@needs_script
def test_output_that_fits_is_not_paged(tmp_path: Path) -> None:
    stdout, out = run(tmp_path, "task list", pty=True, lines=500)
    assert not out.exists() and "┏" in stdout


def test_piped_output_is_never_paged(tmp_path: Path) -> None:
    stdout, out = run(tmp_path, "task list", pty=False)
    assert not out.exists() and "┏" in stdout


@needs_script
def test_no_pager_prints_on_the_terminal(tmp_path: Path) -> None:
    stdout, out = run(tmp_path, "--no-pager task list", pty=True)
    assert not out.exists() and "┏" in stdout
