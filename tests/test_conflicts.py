"""Conflict copies (Syncthing, Dropbox, Obsidian Sync/Nextcloud/iCloud) and git conflict markers:
a copy is never a second note, and a note holding markers is never edited. Answers by hand; today
is 2026-11-22."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import invoke, make_vault, snapshot

from vaultcrm.model import conflicts

GLOBEX = ("---\ntype: customer\nlast_contact: 2026-11-01\n---\n# Globex\n\n## Recent Context\n\n"
          "- 2026-11-01: [[2026-11-01]] - Call\n")
COPY = GLOBEX.replace("2026-11-01", "2026-11-05")


@pytest.mark.parametrize(("name", "original"), [
    ("Customers/Globex.sync-conflict-20261120-112233-ABCDEFG.md", "Customers/Globex.md"),  # Syncthing
    ("Customers/Globex (Jane's conflicted copy 2026-11-20).md", "Customers/Globex.md"),  # Dropbox
    ("Customers/Globex (conflicted copy 2026-11-20 112233).md", "Customers/Globex.md"),  # Dropbox, Nextcloud
    ("Globex (Conflicted copy MacBook 202611201129).md", "Globex.md"),  # Obsidian Sync
    ("Globex (conflict 2026-11-20 112233).md", "Globex.md"),
    ("Globex.md", None), ("Meeting (conflict of interest).md", None), ("Conflicts.md", None),
    ("Globex.sync-conflict-2026.md", None),
])
def test_conflict_copies_are_known_by_name(name: str, original: str | None) -> None:
    assert conflicts.copy_of(name) == original


@pytest.mark.parametrize(("lines", "markers"), [
    (["a", "<<<<<<< HEAD", "x", "=======", "y", ">>>>>>> theirs", "b"], [1, 3, 5]),
    (["<<<<<<< ours", "x", "||||||| base", "w", "=======", "y", ">>>>>>> theirs"], [0, 2, 4, 6]),
    (["Title", "=======", "text"], []),  # a setext heading's underline
    (["<<<<<<< HEAD", "x", "no close"], []),
    (["```", "<<<<<<< HEAD", "=======", ">>>>>>> t", "```"], []),  # in a code block: an example
])
def test_conflict_markers_are_whole_blocks_outside_code(lines: list[str], markers: list[int]) -> None:
    fenced = range(len(lines)) if lines[0] == "```" else ()
    assert conflicts.marker_lines([line + "\n" for line in lines], fenced) == markers


def test_a_conflict_copy_is_not_a_second_account(tmp_path: Path) -> None:
    root = make_vault(tmp_path / "v", {
        "Customers/Globex.md": GLOBEX,
        "Customers/Globex.sync-conflict-20261120-112233-ABCDEFG.md": COPY,
        "Customers/Globex (Conflicted copy MacBook 202611201129).md": COPY,
    })
    r = invoke(["--vault", str(root), "stale", "--days", "7", "--json"])
    assert [row["path"] for row in json.loads(r.stdout)] == ["Customers/Globex.md"]
    assert r.stderr.count("sync conflict copies") == 1
    log = invoke(["--vault", str(root), "log", "Globex", "Called again"])
    assert log.exit_code == 0, log.stderr  # not ambiguous: the copies are not Globex
    assert "Called again" in (root / "Customers/Globex.md").read_text()
    assert (root / "Customers/Globex.sync-conflict-20261120-112233-ABCDEFG.md").read_text() == COPY


def test_a_note_with_conflict_markers_is_never_edited(tmp_path: Path) -> None:
    # GLOBEX is 9 lines: the markers are lines 10, 12 and 14
    marked = GLOBEX + "<<<<<<< HEAD\n- 2026-11-03: [[2026-11-03]] - Mine\n=======\n- 2026-11-04: [[2026-11-04]] - Theirs\n>>>>>>> origin/main\n"
    root = make_vault(tmp_path / "v", {"Customers/Globex.md": marked})
    before = snapshot(root)
    r = invoke(["--vault", str(root), "log", "Globex", "Called"])
    assert r.exit_code == 5
    assert "git conflict markers on lines 10, 12, 14" in r.stderr and "Customers/Globex.md" in r.stderr
    assert snapshot(root) == before
    assert json.loads(invoke(["--vault", str(root), "list", "--json"]).stdout)[0]["path"] == "Customers/Globex.md"


def test_markers_in_the_frontmatter_say_so(tmp_path: Path) -> None:
    marked = "---\ntype: customer\n<<<<<<< HEAD\nstatus: Active\n=======\nstatus: Churned\n>>>>>>> theirs\n---\n# G\n"
    root = make_vault(tmp_path / "v", {"Customers/Globex.md": marked})
    r = invoke(["--vault", str(root), "--verbose", "list", "--json"])
    assert "git conflict markers in the frontmatter" in r.stderr and "Customers/Globex.md" in r.stderr
    s = invoke(["--vault", str(root), "show", "Globex"])
    assert s.exit_code == 5 and "git conflict markers in the frontmatter" in s.stderr and ":3" in s.stderr


def test_doctor_reports_copies_and_markers(tmp_path: Path) -> None:
    marked = GLOBEX + "<<<<<<< HEAD\n- 2026-11-03: [[2026-11-03]] - Mine\n=======\n- 2026-11-04: [[2026-11-04]] - Theirs\n>>>>>>> origin/main\n"
    root = make_vault(tmp_path / "v", {
        "Customers/Globex.md": marked,
        "Customers/Globex.sync-conflict-20261120-112233-ABCDEFG.md": COPY,
        "Notes/Setext.md": "Title\n=======\n\ntext\n",  # a heading underline, not a marker
    })
    for _ in range(2):  # the second run answers from doctor's cache: the same findings
        r = invoke(["--vault", str(root), "doctor", "--json"])
        got = sorted((f["path"], f["line"], f["code"]) for f in json.loads(r.stdout) if f["code"].startswith("conflict"))
        assert got == [("Customers/Globex.md", 10, "conflict-markers"),
                       ("Customers/Globex.sync-conflict-20261120-112233-ABCDEFG.md", 1, "conflict-copy")]
    messages = {f["code"]: f["message"] for f in json.loads(r.stdout)}
    assert "lines 10, 12, 14" in messages["conflict-markers"] and "Customers/Globex.md" in messages["conflict-copy"]


def test_a_vault_can_name_more_kinds_of_copies(tmp_path: Path) -> None:
    root = make_vault(tmp_path / "v", {
        ".vaultcrm.toml": '[conflicts]\ncopies = ["{name} (copy *).md", "no placeholder *.md"]\n',
        "Customers/Globex.md": GLOBEX, "Customers/Globex (copy from laptop).md": COPY,
        "Customers/no placeholder 1.md": "# x\n",
    })
    paths = [row["path"] for row in json.loads(invoke(["--vault", str(root), "list", "--json"]).stdout)]
    assert paths == ["Customers/Globex.md", "Customers/no placeholder 1.md"]  # a pattern without {name}: ignored
    assert conflicts.copy_of("A/Globex (copy from laptop).md", [conflicts.copy_pattern("{name} (copy *).md")]) \
        == "A/Globex.md"
