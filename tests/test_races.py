"""Races with the other programs that write a vault: a save that lands while vaultcrm writes is
never overwritten, a note caught half-saved is never edited, undo restores the file an edit
through a symlink really wrote, an edit is either not made or made and undoable, and a read-only
note is left alone unless --force.

Every external action is injected deterministically at the exact step (the temp file's fsync,
the lock, the parse, the journal's open), never by timing.
"""

from __future__ import annotations

import errno
import json
import os
import stat
import time
from collections.abc import Callable
from pathlib import Path

import pytest
import typer
from conftest import snapshot

from vaultcrm.cli.app import app
from vaultcrm.errors import NoteBusy, WriteConflict
from vaultcrm.model.note import Note
from vaultcrm.ops import writes
from vaultcrm.store import guard, journal
from vaultcrm.store.vault import TEMP_SUFFIX, Vault

ACME = "Customers/Acme Corp.md"
GLOBEX = "Customers/Globex.md"
INITECH = "Customers/Initech.md"


def temp_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.name.endswith(TEMP_SUFFIX))


def journal_names(root: Path) -> list[str]:
    folder = root / ".vaultcrm" / "journal"
    return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []


def while_the_temp_file_is_fsynced(monkeypatch: pytest.MonkeyPatch, note: Path, action: Callable[[], None]) -> None:
    """Run `action` (another program's save) once, right after vaultcrm fsyncs the temp file it
    is about to rename over `note`: after every check made before the write began."""
    real = os.fsync
    fired: list[bool] = []

    def fsync(fd: int) -> None:
        real(fd)
        prefix = f".{note.name}."
        if not fired and any(p.name.startswith(prefix) and p.name.endswith(TEMP_SUFFIX) for p in note.parent.iterdir()):
            fired.append(True)
            action()

    monkeypatch.setattr(os, "fsync", fsync)


@pytest.fixture
def no_waiting(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The pause between two looks at a note costs nothing; returns the list of pauses taken."""
    pauses: list[int] = []
    monkeypatch.setattr(guard, "pause", lambda: pauses.append(1))
    return pauses


# ---- 1. a save that lands while vaultcrm writes ------------------------------------------------------
def _save(note: Path, data: bytes, *, keep_size_and_mtime: bool = False) -> Callable[[], None]:
    def action() -> None:
        st = note.stat()
        note.write_bytes(data)
        if keep_size_and_mtime:
            os.utime(note, ns=(st.st_atime_ns, st.st_mtime_ns))

    return action


def test_a_save_landing_while_the_temp_file_is_written_is_not_overwritten(run, vault, monkeypatch):
    note = vault / ACME
    theirs = note.read_bytes().replace(b"Renewal is due in Q1.", b"Renewal moved to Q2 (typed in Obsidian).")
    while_the_temp_file_is_fsynced(monkeypatch, note, _save(note, theirs))
    r = run("log", "Acme Corp", "Called")
    assert r.exit_code == 1, r.stderr
    assert r.stdout == ""
    assert "changed on disk since it was read" in r.stderr and ACME in r.stderr
    assert note.read_bytes() == theirs
    assert temp_files(vault) == []
    assert journal_names(vault) == []  # the edit was not made, so there is nothing to undo


@pytest.mark.parametrize("how", ["same size and mtime", "deleted"])
def test_the_last_check_before_the_rename_sees_every_kind_of_change(vault, monkeypatch, how):
    v = Vault(vault)
    got = v.read(ACME)
    note = vault / ACME
    theirs = note.read_bytes().replace(b"Renewal is due in Q1.", b"Renewal is due in Q3.")
    action = _save(note, theirs, keep_size_and_mtime=True) if how != "deleted" else note.unlink
    while_the_temp_file_is_fsynced(monkeypatch, note, action)
    with pytest.raises(WriteConflict):
        v.write(ACME, got.text + "more\n", expected=got.digest)
    monkeypatch.undo()
    assert (note.read_bytes() == theirs) if how != "deleted" else not note.exists()
    assert temp_files(vault) == []


def test_a_touch_while_vaultcrm_writes_is_not_a_conflict(vault, monkeypatch):
    v = Vault(vault)
    got = v.read(ACME)
    note = vault / ACME
    while_the_temp_file_is_fsynced(monkeypatch, note, lambda: os.utime(note))  # same bytes, new mtime
    v.write(ACME, got.text + "more\n", expected=got.digest)
    assert note.read_text(encoding="utf-8") == got.text + "more\n"


# ---- 2. a note caught half-saved -------------------------------------------------------------------
def just_now(note: Path) -> None:
    """The note was modified within the last second, however slowly this machine starts vaultcrm
    (an mtime a little ahead of the clock, as a synced file can have)."""
    ahead = time.time_ns() + 30 * 10**9
    os.utime(note, ns=(ahead, ahead))


def _truncate_when_locked(monkeypatch: pytest.MonkeyPatch, note: Path) -> None:
    """Another program truncates the note (the first step of a save in place) just after vaultcrm
    listed it, and before the edit reads it under the lock."""
    real_lock = Vault.lock

    def lock(self: Vault):
        note.write_bytes(b"")
        return real_lock(self)

    monkeypatch.setattr(Vault, "lock", lock)


def test_an_empty_note_that_had_content_when_listed_is_not_edited(run, vault, monkeypatch, no_waiting):
    note = vault / ACME
    _truncate_when_locked(monkeypatch, note)
    r = run("log", "Acme Corp", "Called")
    assert r.exit_code == 1
    assert r.stdout == ""
    assert "the note is being written by another program" in r.stderr and ACME in r.stderr
    assert note.read_bytes() == b""
    assert journal_names(vault) == []
    assert no_waiting  # it waited (briefly) for the other program before giving up


def test_a_note_that_was_empty_when_listed_is_edited(run, vault):
    (vault / "Customers" / "Empty.md").write_bytes(b"")
    r = run("log", "Customers/Empty.md", "Called")
    assert r.exit_code == 0, r.stderr
    assert b"Called" in (vault / "Customers" / "Empty.md").read_bytes()


@pytest.mark.parametrize("step", ["after parsing", "while the temp file is written"])
def test_a_note_truncated_mid_edit_is_refused(run, vault, monkeypatch, step):
    note = vault / ACME
    if step == "after parsing":
        real_parse = Note.parse

        def parse(text: str, path: str | None = None, *args, **kwargs):
            got = real_parse(text, path, *args, **kwargs)
            if path == ACME:
                note.write_bytes(b"")
            return got

        monkeypatch.setattr(writes.Note, "parse", parse)
    else:
        while_the_temp_file_is_fsynced(monkeypatch, note, lambda: note.write_bytes(b""))
    r = run("log", "Acme Corp", "Called")
    assert r.exit_code == 1
    assert "the note is being written by another program" in r.stderr
    assert note.read_bytes() == b""
    assert temp_files(vault) == []


def test_a_note_still_being_written_is_waited_for_then_refused(vault, monkeypatch):
    note = vault / ACME
    just_now(note)
    monkeypatch.setattr(guard, "pause", lambda: note.write_bytes(note.read_bytes() + b"x"))  # and still growing
    with pytest.raises(NoteBusy, match="being written by another program"):
        Vault(vault).read_for_edit(ACME, was_empty=False)


def test_a_note_that_settles_within_the_wait_is_edited_as_saved(run, vault, monkeypatch):
    note = vault / ACME
    just_now(note)
    growing = [b"- saved by the other program\n", b""]

    def pause() -> None:
        if growing:
            note.write_bytes(note.read_bytes() + growing.pop(0))

    monkeypatch.setattr(guard, "pause", pause)
    r = run("log", "Acme Corp", "Called")
    assert r.exit_code == 0, r.stderr
    data = note.read_bytes()
    assert b"- saved by the other program\n" in data and b"- 2026-11-22: [[2026-11-22]] - Called\n" in data


def test_a_note_left_alone_for_a_second_is_edited_without_a_pause(run, vault, no_waiting):
    note = vault / ACME
    st = note.stat()
    os.utime(note, ns=(st.st_atime_ns, st.st_mtime_ns - 5 * 10**9))
    r = run("log", "Acme Corp", "Called")
    assert r.exit_code == 0, r.stderr
    assert no_waiting == []


# ---- 3. undo through a symlinked note ----------------------------------------------------------------
@pytest.mark.parametrize("then", ["link unchanged", "link retargeted", "link replaced by a copy"])
def test_undo_of_an_edit_through_a_symlink_restores_the_file_the_edit_wrote(run, vault, then):
    (vault / "Shortcuts").mkdir()
    link = vault / "Shortcuts" / "G.md"
    link.symlink_to(Path("..") / "Customers" / "Globex.md")
    target, other = vault / GLOBEX, vault / INITECH
    old, other_old = target.read_bytes(), other.read_bytes()
    r = run("log", "Shortcuts/G.md", "Called")
    assert r.exit_code == 0, r.stderr
    edited = target.read_bytes()
    assert edited != old and link.is_symlink()
    if then == "link retargeted":
        link.unlink()
        link.symlink_to(Path("..") / "Customers" / "Initech.md")
    elif then == "link replaced by a copy":  # a sync tool that does not keep symlinks
        link.unlink()
        link.write_bytes(edited)
    u = run("undo")
    assert u.exit_code == 0, u.stderr
    assert target.read_bytes() == old
    assert other.read_bytes() == other_old
    if then == "link replaced by a copy":
        assert link.read_bytes() == edited and not link.is_symlink()
    else:
        assert link.is_symlink()
        assert os.readlink(link) == os.path.join("..", "Customers", "Initech.md" if "retarget" in then else "Globex.md")
    assert temp_files(vault) == []


# ---- 4. the journal before the rename --------------------------------------------------------------
def _journal_open_fails(monkeypatch: pytest.MonkeyPatch, vault: Path, when: Callable[[], bool] = lambda: True,
                        exc: BaseException | None = None) -> None:
    """Every file opened in .vaultcrm/journal/ fails with ENOSPC, or `exc` (while `when()`)."""
    real = os.open
    folder = str(vault / ".vaultcrm" / "journal")

    def open_(path, *args, **kwargs):
        if os.fspath(path).startswith(folder) and when():
            raise exc or OSError(errno.ENOSPC, "No space left on device", os.fspath(path))
        return real(path, *args, **kwargs)

    monkeypatch.setattr(os, "open", open_)


def _check_not_made(r, vault: Path, before: dict[str, bytes]) -> None:
    assert r.exit_code == 1
    assert r.stdout == ""
    assert "cannot write the undo journal" in r.stderr and "nothing was written" in r.stderr
    assert "Traceback" not in r.stderr
    assert snapshot(vault) == before
    assert temp_files(vault) == []


def test_an_edit_whose_journal_entry_cannot_be_written_is_not_made(run, vault, monkeypatch):
    before = snapshot(vault)
    _journal_open_fails(monkeypatch, vault)
    _check_not_made(run("log", "Acme Corp", "Called"), vault, before)


def test_an_edit_is_not_made_when_the_journal_folder_cannot_exist(run, vault):
    (vault / ".vaultcrm").mkdir()
    (vault / ".vaultcrm" / "journal").write_text("not a folder\n")
    before = snapshot(vault)
    _check_not_made(run("log", "Acme Corp", "Called"), vault, before)


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root writes into a 0555 folder anyway")
def test_an_edit_is_not_made_when_the_journal_folder_is_read_only(run, vault):
    folder = vault / ".vaultcrm" / "journal"
    folder.mkdir(parents=True)
    folder.chmod(0o555)
    before = snapshot(vault)
    try:
        _check_not_made(run("log", "Acme Corp", "Called"), vault, before)
    finally:
        folder.chmod(0o755)


def test_a_failure_after_the_rename_is_a_warning_and_the_edit_stays_undoable(run, vault, monkeypatch):
    note = vault / ACME
    old = note.read_bytes()
    _journal_open_fails(monkeypatch, vault, when=lambda: note.read_bytes() != old)  # once the note is replaced
    r = run("log", "Acme Corp", "Called")
    monkeypatch.undo()
    assert r.exit_code == 0, r.stderr
    assert r.stdout == ""
    assert "vaultcrm: warning: Customers/Acme Corp.md: the edit was made" in r.stderr
    assert "`vaultcrm undo` still takes it back" in r.stderr and "vaultcrm: logged to" in r.stderr
    assert b"- 2026-11-22: [[2026-11-22]] - Called\n" in note.read_bytes()
    assert temp_files(vault) == []
    u = run("undo")
    assert u.exit_code == 0, u.stderr
    assert "undid edit 1 (log Acme Corp)" in u.stderr
    assert note.read_bytes() == old


def test_a_run_killed_between_journal_and_rename_leaves_nothing_for_undo(run, vault, monkeypatch):
    acme, globex = vault / ACME, vault / GLOBEX
    acme_old = acme.read_bytes()
    assert run("log", "Acme Corp", "First").exit_code == 0  # edit 1: real
    globex_old = globex.read_bytes()

    def killed(*args: object) -> None:
        raise KeyboardInterrupt  # where a SIGKILL would stop it: entry written, note not renamed

    monkeypatch.setattr(journal, "abandon", lambda *args: None, raising=False)  # a killed run cleans up nothing
    monkeypatch.setattr(os, "replace", killed)
    assert run("log", "Globex", "Never landed").exit_code == 130
    monkeypatch.undo()
    assert globex.read_bytes() == globex_old
    assert "00000002.json.pending" in journal_names(vault)
    u = run("undo")  # the pending entry changed nothing (by hash): dropped; edit 1 is the last edit
    assert u.exit_code == 0, u.stderr
    assert "undid edit 1" in u.stderr
    assert acme.read_bytes() == acme_old and globex.read_bytes() == globex_old
    assert not [n for n in journal_names(vault) if n.endswith(journal.PENDING)]


def test_a_run_interrupted_after_the_rename_leaves_an_edit_undo_takes_back(run, vault, monkeypatch):
    note = vault / ACME
    old = note.read_bytes()
    _journal_open_fails(monkeypatch, vault, when=lambda: note.read_bytes() != old, exc=KeyboardInterrupt())
    assert run("log", "Acme Corp", "Called").exit_code == 130  # the note is renamed into place, then ^C
    monkeypatch.undo()
    assert note.read_bytes() != old
    u = run("undo")
    assert u.exit_code == 0, u.stderr
    assert note.read_bytes() == old
    assert json.loads(run("undo", "--list", "--json").stdout)[0]["undone"] is True


# ---- 5. read-only notes ------------------------------------------------------------------------------
EDITS = [
    ("log", "Acme Corp", "Called"),
    ("set", "Acme Corp", "status", "Churned"),
    ("unset", "Acme Corp", "owner"),
    ("add", "Acme Corp", "Key Facts", "Pays yearly"),
    ("task", "add", "Acme Corp", "Send the contract"),
]


@pytest.mark.parametrize("args", EDITS, ids=lambda a: " ".join(a[:2]))
def test_a_read_only_note_is_refused_unless_force_and_stays_read_only(run, vault, args):
    note = vault / ACME
    note.chmod(0o444)
    old = note.read_bytes()
    r = run(*args)
    assert r.exit_code == 1
    assert r.stdout == ""
    assert "note is read-only; use --force" in r.stderr and ACME in r.stderr
    assert note.read_bytes() == old
    assert journal_names(vault) == []
    f = run(*args, "--force")
    assert f.exit_code == 0, f.stderr
    assert note.read_bytes() != old
    assert stat.S_IMODE(note.stat().st_mode) == 0o444
    assert temp_files(vault) == []


def test_undo_of_a_note_made_read_only_since_needs_force(run, vault):
    note = vault / ACME
    old = note.read_bytes()
    assert run("log", "Acme Corp", "Called").exit_code == 0
    note.chmod(0o444)
    edited = note.read_bytes()
    r = run("undo")
    assert r.exit_code == 1 and "note is read-only; use --force" in r.stderr
    assert note.read_bytes() == edited
    f = run("undo", "--force")
    assert f.exit_code == 0, f.stderr
    assert note.read_bytes() == old and stat.S_IMODE(note.stat().st_mode) == 0o444


EDITING = ["log", "set", "unset", "add", "merge", "undo", "doctor", "task add", "task done", "task undo"]


@pytest.mark.parametrize("name", EDITING)
def test_every_editing_command_takes_force(name):
    cmd = typer.main.get_command(app)
    for part in name.split():
        cmd = cmd.commands[part]  # type: ignore[attr-defined]
    assert any("--force" in p.opts for p in cmd.params)
