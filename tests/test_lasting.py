"""What a run works out from every note (each note's last contact, which notes are an account's
interactions) is kept in the index for the next run that finds the same notes, on the same day,
under the same settings; never for one that does not."""

from __future__ import annotations

import json
import os
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from conftest import invoke
from vaultcrm.config import Config
from vaultcrm.ops import contact, scope
from vaultcrm.store import index, indexdb
from vaultcrm.store.vault import Vault


def _write(vault: Path, rel: str, text: str) -> None:
    path = vault / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    t = time.time() - 10  # older than the index's "racily clean" window: trusted by its mtime
    os.utime(path, (t, t))


@pytest.fixture
def small(tmp_path: Path) -> Path:
    """Acme (frontmatter 2026-06-01) met on 2026-11-10; Initech, filed as a folder note, had a
    1-1 on 2026-10-01 in its folder; Jane Doe was at the Acme meeting."""
    _write(tmp_path, "Customers/Acme.md", "---\ntype: customer\nlast_contact: 2026-06-01\n---\n# Acme\n")
    _write(tmp_path, "Customers/Initech/README.md", "---\ntype: customer\n---\n# Initech\n")
    _write(tmp_path, "Customers/Initech/2026-10-01 Weekly.md", "---\ntype: 1-1\ndate: 2026-10-01\n---\nNotes.\n")
    _write(tmp_path, "People/Jane Doe.md", "---\ntype: person\n---\n# Jane\n")
    _write(tmp_path, "Meetings/2026-11-10 Acme sync.md",
           "---\ntype: meeting\ndate: 2026-11-10\n---\nWith [[Acme]] and [[Jane Doe]].\n")
    return tmp_path


class Counting:
    """A wrapper that counts the calls of the function it stands in for."""

    def __init__(self, fn: Callable[..., Any]) -> None:
        self.fn, self.calls = fn, 0

    def __call__(self, *args: Any, **kw: Any) -> Any:
        self.calls += 1
        return self.fn(*args, **kw)


def _contacts(vault: Path, env: dict[str, str] | None = None) -> dict[str, str | None]:
    r = invoke(["--vault", str(vault), "list", "--json"], env=env)
    assert r.exit_code == 0, r.stderr
    return {row["path"]: row["last_contact"] for row in json.loads(r.stdout)}


def _count(monkeypatch: pytest.MonkeyPatch) -> tuple[Counting, Counting]:
    dating, finding = Counting(contact._last_contact), Counting(scope._find_interactions)
    monkeypatch.setattr(contact, "_last_contact", dating)
    monkeypatch.setattr(scope, "_find_interactions", finding)
    return dating, finding


EXPECTED = {  # worked out by hand, today 2026-11-22
    "Customers/Acme.md": "2026-11-10",  # the meeting beats the frontmatter
    "Customers/Initech/README.md": "2026-10-01",  # its 1-1, filed in its folder
    "Customers/Initech/2026-10-01 Weekly.md": None,  # a meeting dates others, not itself
    "Meetings/2026-11-10 Acme sync.md": None,
    "People/Jane Doe.md": "2026-11-10",
}


def test_a_warm_run_starts_from_what_the_run_before_worked_out(small: Path, monkeypatch) -> None:
    dating, finding = _count(monkeypatch)
    assert _contacts(small) == EXPECTED
    assert dating.calls == len(EXPECTED) and finding.calls == 1
    dating.calls = finding.calls = 0
    assert _contacts(small) == EXPECTED  # the same notes, day and settings: nothing worked out again
    assert dating.calls == 0 and finding.calls == 0
    stale = invoke(["--vault", str(small), "stale", "--days", "30", "--json"])
    assert [a["path"] for a in json.loads(stale.stdout)] == ["Customers/Initech/README.md"]  # 52 days
    assert dating.calls == 0 and finding.calls == 0


def test_a_changed_note_another_day_or_other_settings_work_it_out_again(small: Path, monkeypatch) -> None:
    dating, finding = _count(monkeypatch)
    assert _contacts(small) == EXPECTED
    _write(small, "Meetings/2026-11-20 Acme call.md", "---\ntype: meeting\ndate: 2026-11-20\n---\n[[Acme]]\n")
    dating.calls = finding.calls = 0
    assert _contacts(small)["Customers/Acme.md"] == "2026-11-20"
    assert dating.calls > 0 and finding.calls == 1

    dating.calls = finding.calls = 0
    earlier = _contacts(small, env={"VAULTCRM_TODAY": "2026-11-15"})  # the 11-20 call is not yet a contact
    assert earlier["Customers/Acme.md"] == "2026-11-10"
    assert dating.calls > 0

    dating.calls = finding.calls = 0
    (small / ".vaultcrm.toml").write_text('[contact]\nnot_contact = ["ping"]\n', encoding="utf-8")
    assert _contacts(small)["Customers/Acme.md"] == "2026-11-20"
    assert dating.calls > 0 and finding.calls == 1


def test_what_was_worked_out_is_not_kept_when_the_notes_changed_meanwhile(small: Path) -> None:
    """Another run may write rows between this run's reading them and its saving what it derived:
    then nothing is saved, even if the index was deleted and built again meanwhile."""
    v, config = Vault(small), Config()
    scan = index.load(v, config)
    assert scan.generation
    _write(small, "People/Jane Doe.md", "---\ntype: person\naliases: [JD]\n---\n# Jane\n")
    assert index.load(v, config).generation not in (None, scan.generation)  # another run's write
    index.keep_derived(v, config, "x", scan.generation, "{}")
    assert index.read_derived(v, config, "x", scan.generation) is None
    assert _saved(small) == []  # not even kept under the old generation
    indexdb.drop(v)
    index.load(v, config)  # built afresh: a new generation, not the old one again
    index.keep_derived(v, config, "x", scan.generation, "{}")
    assert index.read_derived(v, config, "x", scan.generation) is None
    assert _saved(small) == []

    fresh = index.load(v, config).generation
    assert fresh is not None
    index.keep_derived(v, config, "x", fresh, '{"a": 1}')
    assert index.read_derived(v, config, "x", fresh) == '{"a": 1}'


def _saved(vault: Path) -> list[tuple[str, str]]:
    db = sqlite3.connect(vault / ".vaultcrm" / index.CACHE_FILE)
    try:
        return db.execute("SELECT name, generation FROM derived").fetchall()
    finally:
        db.close()


def test_a_note_that_cannot_be_read_does_not_start_a_new_generation_every_run(small: Path) -> None:
    (small / "Broken.md").write_bytes(b"\xff\xfe not utf-8")
    v, config = Vault(small), Config()
    first = index.load(v, config)
    assert [p for p, _ in first.unreadable] == ["Broken.md"]
    again = index.load(v, config)
    assert again.generation == first.generation is not None
    db = sqlite3.connect(small / ".vaultcrm" / index.CACHE_FILE)
    try:
        assert indexdb.generation(db) == first.generation
    finally:
        db.close()


# Each edit an account manager makes between two runs, as another program (Obsidian, git) would make
# it: after each, every dating command answers as the index-free reading does, then again from what
# that run kept.
EDITS: list[tuple[str, str | None]] = [
    ("Meetings/2026-11-21 Acme call.md", "---\ntype: meeting\ndate: 2026-11-21\n---\nWith [[Acme Corp]].\n"),
    ("Meetings/2026-11-21 Acme call.md", "---\ntype: meeting\ndate: 2026-11-12\n---\nWith [[Acme Corp]].\n"),
    ("Meetings/2026-11-21 Acme call.md", "---\ntype: meeting\ndate: 2026-11-12\n---\nWith [[Big Acme]].\n"),
    ("Customers/Acme Corp.md", None),  # deleted: its meetings date nobody
    ("Customers/Acme Corp.md", "---\ntype: customer\naliases: [Big Acme]\n---\n# Acme Corp\n"),
    ("Meetings/2026-11-18 Globex QBR.md", "---\ntype: 1-1\ndate: 2026-11-19\naccount: \"[[Initech]]\"\n---\n"),
    ("Customers/Initech/README.md", "---\ntype: customer\n---\n# Initech, now a folder note\n"),
    ("Customers/Initech/2026-11-15 Sync.md", "---\ntype: meeting\ndate: 2026-11-15\n---\nNotes.\n"),
    ("Sources/Acme story.md", "---\ntype: article\n---\n# Acme story\n"),
    ("People/Dana Scully.md", "---\ntype: person\n---\n## Recent Context\n- 2026-11-19: [[Acme story]] read\n"),
]
DATING = [["list", "--json"], ["stale", "--days", "7", "--json"], ["agenda", "--json"], ["who", "Globex", "--json"]]


def test_after_every_outside_edit_the_kept_values_answer_as_reading_every_note_does(vault: Path) -> None:
    def answers(cache: bool) -> list[tuple[int, str]]:
        env = {} if cache else {"VAULTCRM_NO_CACHE": "1"}
        out = []
        for args in DATING:
            r = invoke(["--vault", str(vault), *args], env=env)
            out.append((r.exit_code, r.stdout))
        return out

    for rel, text in [(None, None), *EDITS]:
        if rel is not None:
            if text is None:
                (vault / rel).unlink()
            else:
                _write(vault, rel, text)
        if rel is None:
            for p in vault.rglob("*.md"):
                os.utime(p, (time.time() - 10, time.time() - 10))
        truth = answers(cache=False)
        assert answers(cache=True) == truth, rel  # worked out again after the edit
        assert answers(cache=True) == truth, rel  # from what that run kept
    assert _saved(vault)  # the runs did keep something
