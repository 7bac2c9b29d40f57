"""`doctor`'s cache (`.vaultcrm/doctor.sqlite`): a warm run says exactly what a cold one says, reads
only the notes that changed, and a cache that is corrupt, planted or half-written is never an error.

Notes are aged (mtime a day back) before the first run: a note written in the last two seconds is
matched by its hash alone (racy mtimes), so a test on freshly written files would read them all.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from conftest import EXAMPLES, Run, invoke, make_vault, snapshot
from test_doctor import SICK

from vaultcrm.ops import doctor
from vaultcrm.store import findings

REALSHAPE = Path(__file__).resolve().parent / "fixtures" / "realshape"
CACHE = Path(".vaultcrm") / findings.CACHE_FILE


@pytest.fixture(autouse=True)
def _cache_on(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("VAULTCRM_NO_CACHE", raising=False)


def age(root: Path, seconds: float = 86400, *only: str) -> None:
    """The mtime of every note (or of `only` these) set `seconds` back: old enough for its cache
    rows to match by mtime."""
    past = time.time() - seconds
    for p in [root / rel for rel in only] or root.rglob("*.md"):
        os.utime(p, (past, past))


def vault_of(kind: str, tmp_path: Path) -> Path:
    root = tmp_path / kind
    if kind == "sick":
        make_vault(root, SICK)
    else:
        shutil.copytree(REALSHAPE if kind == "realshape" else EXAMPLES, root,
                        ignore=shutil.ignore_patterns(".vaultcrm"))
    age(root)
    return root


def run(root: Path, *args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    r: Run = invoke(["--vault", str(root), "doctor", "--json", *args], env=env)
    return r.exit_code, r.stdout, r.stderr


def uncached(root: Path, *args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    """What doctor says with its cache file deleted first, and with no cache at all: both the same."""
    (root / CACHE).unlink(missing_ok=True)
    first = run(root, *args, env=env)
    assert run(root, *args, env={**(env or {}), "VAULTCRM_NO_CACHE": "1"}) == first
    return first


# ---- counting the notes a run opens ------------------------------------------------------------
_opened: list[str] | None = None
_hooked = False


def _audit(event: str, args: tuple) -> None:
    if _opened is not None and event == "open" and isinstance(args[0], (str, bytes, os.PathLike)):
        _opened.append(os.fsdecode(args[0]))


@contextmanager
def opened_notes(root: Path) -> Iterator[set[str]]:
    """The vault paths of the notes opened (by anyone: index, doctor, …) inside the block."""
    global _opened, _hooked
    if not _hooked:  # an audit hook cannot be removed: it records only while a block is open
        sys.addaudithook(_audit)
        _hooked = True
    found: set[str] = set()
    _opened = []
    try:
        yield found
    finally:
        prefix = str(root.resolve()) + os.sep
        found.update(p[len(prefix):].replace(os.sep, "/") for p in _opened
                     if p.startswith(prefix) and p.endswith(".md"))
        _opened = None


# ---- a warm run is the cold run ----------------------------------------------------------------
@pytest.mark.parametrize("args", [[], ["--links"]], ids=["plain", "links"])
@pytest.mark.parametrize("kind", ["realshape", "sick", "examples"])
def test_a_warm_run_reports_exactly_what_a_run_without_the_cache_reports(tmp_path: Path, kind: str,
                                                                         args: list[str]) -> None:
    root = vault_of(kind, tmp_path)
    cold = run(root, *args)
    assert (root / CACHE).is_file()
    assert run(root, *args) == cold
    with opened_notes(root) as read:
        assert run(root, *args) == cold
    assert read == set()  # neither the index nor doctor read a single note
    assert uncached(root, *args) == cold
    assert cold[0] == 1 and json.loads(cold[1])


def test_doctor_name_warm_is_doctor_name_cold(tmp_path: Path) -> None:
    root = vault_of("sick", tmp_path)
    run(root)
    for name in ("Inbox/Dup", "Clean", "Customers/Dup.md"):
        warm = run(root, name)
        assert warm == uncached(root, name)
        assert run(root, name) == warm


def test_after_one_note_changes_only_it_is_read_and_its_findings_follow(tmp_path: Path) -> None:
    root = vault_of("sick", tmp_path)
    before = run(root)
    note = root / "Clean.md"
    note.write_text(note.read_text(encoding="utf-8") + "\n## Facts\n\n- same\n- same\n", encoding="utf-8")
    age(root, 3600, "Clean.md")  # a different mtime, old enough to be trusted
    with opened_notes(root) as read:
        after = run(root)
    assert read == {"Clean.md"}
    rows = json.loads(after[1])
    assert [r for r in rows if r["path"] == "Clean.md"] == [
        {"path": "Clean.md", "line": 13, "code": "duplicate-bullet", "message": "same bullet as line 12 in ## Facts",
         "fixable": True}]
    assert [r for r in rows if r["path"] != "Clean.md"] == json.loads(before[1])
    assert after == uncached(root)


def test_a_note_touched_but_unchanged_is_read_once_and_not_checked_again(tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    root = vault_of("sick", tmp_path)
    cold = run(root)
    age(root, 60, "Customers/Dup.md")
    checked: list[str] = []
    real = doctor._check
    monkeypatch.setattr(doctor, "_check", lambda ctx, rec, text: checked.append(rec.path) or real(ctx, rec, text))
    with opened_notes(root) as read:
        assert run(root) == cold
    assert read == {"Customers/Dup.md"} and checked == []  # its bytes hash to the row's
    with opened_notes(root) as read:
        assert run(root) == cold
    assert read == set()  # and the row now carries the new mtime


def clean_codes(result: tuple[int, str, str]) -> list[str]:
    return [r["code"] for r in json.loads(result[1]) if r["path"] == "Clean.md"]


def test_a_note_rewritten_within_its_mtime_granularity_is_not_mistaken_for_the_old_one(tmp_path: Path) -> None:
    root = vault_of("sick", tmp_path)
    note = root / "Clean.md"
    base = note.read_text(encoding="utf-8") + "\n## Facts\n\n- same\n"
    note.write_text(base + "- same\n", encoding="utf-8")
    st = note.stat()
    assert clean_codes(run(root)) == ["duplicate-bullet"]
    note.write_text(base + "- sane\n", encoding="utf-8")  # same size, and (coarse clock) the same mtime
    os.utime(note, ns=(st.st_atime_ns, st.st_mtime_ns))
    got = run(root)
    assert clean_codes(got) == []
    assert got == uncached(root)


def test_the_cache_survives_midnight_no_local_check_depends_on_today(tmp_path: Path) -> None:
    root = vault_of("realshape", tmp_path)
    run(root)
    tomorrow = {"VAULTCRM_TODAY": "2026-11-23"}
    with opened_notes(root) as read:
        warm = run(root, env=tomorrow)
    assert read == set()
    assert warm == uncached(root, env=tomorrow)


def test_a_config_change_makes_every_row_stale(tmp_path: Path) -> None:
    root = make_vault(tmp_path / "v", {"T.md": "## Tasks\n\n- [ ] Call [due:: 2026-02-30]\n"})
    age(root)
    emoji = run(root)
    plugin = root / ".obsidian/plugins/obsidian-tasks-plugin"
    plugin.mkdir(parents=True)
    (plugin / "data.json").write_text('{"taskFormat": "dataview"}', encoding="utf-8")
    dataview = run(root)
    assert dataview != emoji and "task-date-unreadable" in dataview[1]
    assert dataview == uncached(root)


# ---- a cache that cannot be trusted is never an error --------------------------------------------
def _bad_rows(db: sqlite3.Connection) -> None:
    db.execute("UPDATE findings SET data = '{\"found\": [[\"x\"]], \"facts\": null}'")


def _foreign_table(db: sqlite3.Connection) -> None:
    db.execute("DROP TABLE findings")
    db.execute("CREATE TABLE findings (path TEXT)")


def _wrong_facts(db: sqlite3.Connection) -> None:
    db.execute("""UPDATE findings SET data = '{"found": [], "facts": {"title": 1}}'""")


@pytest.mark.parametrize("damage", [b"not a database at all" * 100, b"", _bad_rows, _foreign_table, _wrong_facts],
                         ids=["garbage", "empty", "bad-rows", "foreign-table", "wrong-facts"])
def test_a_corrupt_cache_is_ignored_and_rebuilt_without_a_word(tmp_path: Path, damage: object) -> None:
    root = vault_of("sick", tmp_path)
    cold = run(root)
    if isinstance(damage, bytes):
        (root / CACHE).write_bytes(damage)
    else:
        db = sqlite3.connect(root / CACHE, isolation_level=None)
        damage(db)  # type: ignore[operator]
        db.close()
    assert run(root) == cold
    with opened_notes(root) as read:
        assert run(root) == cold
    assert read == set()  # rebuilt: the run after reads nothing again


def test_a_cache_file_planted_as_a_symlink_is_never_written_through(tmp_path: Path) -> None:
    root = vault_of("sick", tmp_path)
    outside = tmp_path / "outside.db"
    outside.write_bytes(b"someone else's file")
    (root / ".vaultcrm").mkdir()
    (root / CACHE).symlink_to(outside)
    cold = run(root)
    assert run(root) == cold
    assert outside.read_bytes() == b"someone else's file" and (root / CACHE).is_symlink()
    (root / CACHE).unlink()
    assert run(root) == cold


def test_a_state_folder_linked_outside_the_vault_is_refused(tmp_path: Path) -> None:
    root = vault_of("sick", tmp_path)
    state = tmp_path / "state"
    state.mkdir()
    (root / ".vaultcrm").symlink_to(state, target_is_directory=True)
    code, _, err = run(root)
    assert code == 2 and ".vaultcrm" in err
    assert list(state.iterdir()) == []


def test_a_cache_write_that_fails_half_way_leaves_the_old_rows(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = vault_of("sick", tmp_path)
    run(root)
    shas = dict(sqlite3.connect(root / CACHE).execute("SELECT path, sha FROM findings").fetchall())
    for rel in ("Clean.md", "Inbox/Dup.md"):
        (root / rel).write_text((root / rel).read_text(encoding="utf-8") + "\n- added\n", encoding="utf-8")
    age(root, 3600, "Clean.md", "Inbox/Dup.md")
    real = findings.FindingsCache.save

    def failing(self: findings.FindingsCache, keep_only: object = None) -> None:
        assert set(self.pending) == {"Clean.md", "Inbox/Dup.md"}
        self.pending["zz-unbindable.md"] = (object(), 0, None, "")  # type: ignore[assignment]
        real(self, keep_only)  # type: ignore[arg-type]

    monkeypatch.setattr(findings.FindingsCache, "save", failing)
    changed = run(root)
    after = dict(sqlite3.connect(root / CACHE).execute("SELECT path, sha FROM findings").fetchall())
    assert after == shas  # all or nothing: the rows inserted before the failure were rolled back
    monkeypatch.setattr(findings.FindingsCache, "save", real)
    assert run(root) == changed == uncached(root)


# ---- --fix -----------------------------------------------------------------------------------------
def test_fix_on_a_warm_cache_repairs_exactly_what_it_repairs_without_one(tmp_path: Path) -> None:
    warm, plain = vault_of("sick", tmp_path / "a"), vault_of("sick", tmp_path / "b")
    run(warm)
    fixed = invoke(["--vault", str(warm), "doctor", "--fix", "--json"])
    nocache = invoke(["--vault", str(plain), "doctor", "--fix", "--json"], env={"VAULTCRM_NO_CACHE": "1"})
    assert (fixed.exit_code, fixed.stderr) == (nocache.exit_code, nocache.stderr)
    assert fixed.stdout.replace(str(warm), "") == nocache.stdout.replace(str(plain), "")
    assert snapshot(warm) == snapshot(plain)
    after = run(warm)
    assert after == uncached(warm)
    assert not [r for r in json.loads(after[1]) if r["fixable"]]
