"""Crash safety: however a write dies, the note holds either its old bytes or its new bytes, and
no temp file is left where a user (or a listing) would see it.

Two ways to die: (a) the write path is patched to fail at each of its steps in turn (creating the
temp file, writing it, flushing, fsync, chmod, rename), with an OSError or a KeyboardInterrupt;
(b) a real `vaultcrm log` child is SIGKILLed at random points of its run, again and again.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from conftest import REPO, TODAY, invoke

from vaultcrm.store import vault as vault_module
from vaultcrm.model.note import Note
from vaultcrm.model.records import entries_of
from vaultcrm.store.vault import TEMP_SUFFIX, Vault

ACME = "Customers/Acme Corp.md"


def temp_files(root: Path) -> list[Path]:
    """Every vaultcrm temp file under root, hidden folders included."""
    return sorted(p for p in root.rglob("*") if p.name.endswith(TEMP_SUFFIX))


def journal_files(root: Path) -> list[Path]:
    folder = root / ".vaultcrm" / "journal"
    return sorted(folder.glob("*.json")) if folder.is_dir() else []


def entry_count(data: bytes) -> int:
    return len(entries_of(Note.parse(data.decode("utf-8"))))


def expected_after_log(vault: Path, tmp: Path, text: str) -> bytes:
    """The bytes `log Acme Corp TEXT` produces from the note as it is now (run on a scratch copy)."""
    scratch = tmp / f"scratch-{random.randrange(10**9)}"
    shutil.copytree(vault, scratch, ignore=shutil.ignore_patterns(".vaultcrm", "*" + TEMP_SUFFIX))
    r = invoke(["--vault", str(scratch), "log", "Acme Corp", text])
    assert r.exit_code == 0, r.stderr
    data = (scratch / ACME).read_bytes()
    shutil.rmtree(scratch)
    return data


# ---- (a) a failure at every step of the write path --------------------------------------------------
class Boom(OSError):
    """The injected failure (an OSError, as a full disk or a yanked USB stick gives)."""


def _fail_on(call: int, exc: BaseException):  # noqa: ANN202
    """A function that raises `exc` on its `call`-th invocation and otherwise calls through."""

    def make(real):  # noqa: ANN001, ANN202
        count = {"n": 0}

        def wrapper(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
            count["n"] += 1
            if count["n"] == call:
                raise exc
            return real(*args, **kwargs)

        return wrapper

    return make


class _HalfWriter:
    """A file object whose write lands half the bytes and then fails (a disk filling up mid-write)."""

    def __init__(self, fh, exc: BaseException) -> None:  # noqa: ANN001
        self._fh, self._exc = fh, exc

    def write(self, data: bytes) -> int:
        self._fh.write(data[: len(data) // 2])
        self._fh.flush()
        raise self._exc

    def __getattr__(self, name: str):  # noqa: ANN204
        return getattr(self._fh, name)

    def __enter__(self):  # noqa: ANN204
        return self

    def __exit__(self, *exc: object) -> None:
        self._fh.close()


STEPS = ["mkstemp", "write", "fsync", "chmod", "replace"]
FAILURES = [Boom(28, "No space left on device"), KeyboardInterrupt()]


def _inject(monkeypatch: pytest.MonkeyPatch, step: str, call: int, exc: BaseException) -> None:
    if step == "mkstemp":
        monkeypatch.setattr(tempfile, "mkstemp", _fail_on(call, exc)(tempfile.mkstemp))  # as store/atomic.py calls it
    elif step == "write":
        real_fdopen = os.fdopen
        count = {"n": 0}

        def fdopen(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
            fh = real_fdopen(*args, **kwargs)
            count["n"] += 1
            return _HalfWriter(fh, exc) if count["n"] == call else fh

        monkeypatch.setattr(vault_module.os, "fdopen", fdopen)
    elif step == "fsync":
        monkeypatch.setattr(vault_module.os, "fsync", _fail_on(2 * call - 1, exc)(os.fsync))  # file, then folder
    elif step == "chmod":
        monkeypatch.setattr(vault_module.os, "chmod", _fail_on(call, exc)(os.chmod))
    elif step == "replace":
        monkeypatch.setattr(vault_module.os, "replace", _fail_on(call, exc)(os.replace))


@pytest.mark.parametrize("exc", FAILURES, ids=["oserror", "interrupt"])
@pytest.mark.parametrize("step", STEPS)
def test_a_write_that_dies_at_any_step_leaves_the_old_bytes_and_no_temp_file(vault, monkeypatch, step, exc):
    old = (vault / ACME).read_bytes()
    _inject(monkeypatch, step, 1, exc)  # the first atomic write of the run: the note itself
    r = invoke(["--vault", str(vault), "log", "Acme Corp", "Called"])
    monkeypatch.undo()
    assert r.exit_code == (130 if isinstance(exc, KeyboardInterrupt) else 1), r.stderr
    assert "Traceback" not in r.stderr
    assert (vault / ACME).read_bytes() == old
    assert temp_files(vault) == []
    assert journal_files(vault) == []  # only edits that landed are journaled
    assert [f.path for f in Vault(vault).list_notes()] == sorted(f.path for f in Vault(vault).list_notes())


@pytest.mark.parametrize("exc", FAILURES, ids=["oserror", "interrupt"])
@pytest.mark.parametrize("step", STEPS)
def test_a_write_that_dies_while_journaling_leaves_the_new_bytes_and_no_temp_file(vault, tmp_path, monkeypatch,
                                                                                  step, exc):
    new = expected_after_log(vault, tmp_path, "Called")
    old = (vault / ACME).read_bytes()
    _inject(monkeypatch, step, 2, exc)  # the second atomic write: finishing the journal entry, after the note
    r = invoke(["--vault", str(vault), "log", "Acme Corp", "Called"])
    monkeypatch.undo()
    # The edit landed and its pending entry was on disk before the rename, so it stays undoable: a
    # failure now is a warning (exit 0; a retrying script must not log twice), an interrupt is 130.
    assert r.exit_code == (130 if isinstance(exc, KeyboardInterrupt) else 0), r.stderr
    assert "Traceback" not in r.stderr
    assert (vault / ACME).read_bytes() == new
    assert temp_files(vault) == []
    if not isinstance(exc, KeyboardInterrupt):
        assert "`vaultcrm undo` still takes it back" in r.stderr
    assert invoke(["--vault", str(vault), "undo"]).exit_code == 0
    assert (vault / ACME).read_bytes() == old


def test_a_failed_folder_fsync_after_the_rename_still_counts_as_written(vault, tmp_path, monkeypatch):
    new = expected_after_log(vault, tmp_path, "Called")
    calls = {"n": 0}
    real = os.fsync

    def fsync(fd: int) -> None:
        calls["n"] += 1
        if calls["n"] == 2:  # the folder's fsync, after os.replace
            raise OSError(5, "Input/output error")
        real(fd)

    monkeypatch.setattr(vault_module.os, "fsync", fsync)
    r = invoke(["--vault", str(vault), "log", "Acme Corp", "Called"])
    monkeypatch.undo()
    assert r.exit_code == 0, r.stderr
    assert (vault / ACME).read_bytes() == new
    assert temp_files(vault) == []


# ---- leftovers from a killed run ----------------------------------------------------------------------
def _plant_leftover(vault: Path) -> Path:
    leftover = vault / "Customers" / f".Acme Corp.md.k3j9x{TEMP_SUFFIX}"
    leftover.write_bytes(b"---\ntype: customer\n---\n# half a no")
    return leftover


def test_a_leftover_temp_file_is_never_listed_as_a_note(vault, run):
    leftover = _plant_leftover(vault)
    assert leftover.name not in {Path(f.path).name for f in Vault(vault).list_notes()}
    r = run("list", "--json")
    assert r.exit_code == 0 and TEMP_SUFFIX not in r.stdout + r.stderr


def test_cleanup_removes_every_leftover_temp_file_and_nothing_else(vault):
    leftovers = [_plant_leftover(vault), vault / ".vaultcrm" / "journal" / f".00000001.json.abc{TEMP_SUFFIX}"]
    leftovers[1].parent.mkdir(parents=True)
    leftovers[1].write_bytes(b"{")
    keep = vault / "Customers" / "notes.vaultcrm-tmp.md"  # a note whose name merely looks similar
    keep.write_text("# kept\n", encoding="utf-8")
    before = {p: p.read_bytes() for p in vault.rglob("*") if p.is_file() and p not in leftovers}
    assert Vault(vault).cleanup_temp_files() == 2
    assert temp_files(vault) == []
    assert {p: p.read_bytes() for p in vault.rglob("*") if p.is_file()} == before


def test_the_next_edit_sweeps_up_what_a_killed_run_left_behind(vault, run):
    _plant_leftover(vault)
    r = run("log", "Globex", "Called")
    assert r.exit_code == 0, r.stderr
    assert temp_files(vault) == []


# ---- (b) SIGKILL at random points of a real run ---------------------------------------------------------
def _spawn(vault: Path, text: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "VAULTCRM_TODAY": TODAY, "PYTHONPATH": str(REPO), "NO_COLOR": "1"}
    env.pop("VAULTCRM_VAULT", None)
    return subprocess.Popen([sys.executable, "-m", "vaultcrm", "--vault", str(vault), "log", "Acme Corp", text],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)


@pytest.mark.slow
def test_a_log_killed_at_random_points_leaves_old_or_new_bytes_every_time(vault, tmp_path):
    rng = random.Random(7)
    note = vault / ACME
    start = time.monotonic()
    assert _spawn(vault, "warm-up").wait(timeout=60) == 0  # also how long one whole run takes here
    whole_run = time.monotonic() - start
    outcomes = {"old": 0, "new": 0}
    for i in range(15):
        old = note.read_bytes()
        new = expected_after_log(vault, tmp_path, f"entry {i}")
        child = _spawn(vault, f"entry {i}")
        # 0-150 ms, plus points spread over a whole run (start-up is slow on a busy machine)
        time.sleep(rng.choice([rng.uniform(0, 0.15), rng.uniform(0, whole_run * 1.2)]))
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=60)
        now = note.read_bytes()
        assert now in (old, new), f"iteration {i}: the note is neither the old nor the new bytes"
        assert entry_count(now) in (entry_count(old), entry_count(old) + 1)
        outcomes["old" if now == old else "new"] += 1
        for leftover in temp_files(vault):  # a kill between mkstemp and rename: hidden, never a note
            assert leftover.name.startswith(".")
        assert not [f for f in Vault(vault).list_notes() if f.path.endswith(TEMP_SUFFIX)]
    # the next run takes the lock (a killed holder released it), sweeps leftovers and edits
    done = _spawn(vault, "after the kills")
    assert done.wait(timeout=60) == 0
    assert temp_files(vault) == []
    assert b"after the kills" in note.read_bytes()
    assert Vault(vault).cleanup_temp_files() == 0
