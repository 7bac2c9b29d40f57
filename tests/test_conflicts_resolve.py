"""`conflicts` lists what sync services and git left behind; `conflicts resolve` merges it by
meaning as one undoable edit. Expected bytes are written by hand; today is 2026-11-22."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import invoke, make_vault, snapshot

from vaultcrm.ops.conflicts import resolve_markers

GLOBEX = """---
type: customer
last_contact: 2026-11-01
tags: [acme, tier/1]
status: Active
---
# Globex

## Recent Context

- 2026-11-01: [[2026-11-01]] - Pricing call
- 2026-10-02: [[2026-10-02]] - Intro

## Open Tasks

- [ ] Send the parity matrix 📅 2026-11-30 🆔 abc123
- [ ] Book the QBR 📅 2026-12-01

## Key Facts

- HQ in Springfield

*Source: CRM export*
"""
# another device's version: a later contact, a task ticked, one renamed (same 🆔), new bullets, and a
# status the note disagrees with (the note wins)
GLOBEX_SYNCTHING = """---
type: customer
last_contact: 2026-11-05
tags: [acme, expansion]
status: Churned
---
# Globex

## Recent Context

- 2026-11-05: [[2026-11-05]] - Demo with Jane
- 2026-11-01: [[2026-11-01]] - Pricing call
- 2026-10-15: [[2026-10-15]] - Workshop

## Open Tasks

- [x] Send the matrix 🆔 abc123 ✅ 2026-11-04
- [x] Book the QBR 📅 2026-12-01 ✅ 2026-11-03
- [ ] Draft the renewal

## Key Facts

- HQ in Springfield
- 500 staff

*Source: CRM export*
"""
GLOBEX_MERGED = """---
type: customer
last_contact: 2026-11-05
tags: [acme, tier/1, expansion]
status: Active
---
# Globex

## Recent Context

- 2026-11-05: [[2026-11-05]] - Demo with Jane
- 2026-11-01: [[2026-11-01]] - Pricing call
- 2026-10-15: [[2026-10-15]] - Workshop
- 2026-10-02: [[2026-10-02]] - Intro

## Open Tasks

- [x] Send the matrix 🆔 abc123 ✅ 2026-11-04
- [x] Book the QBR 📅 2026-12-01 ✅ 2026-11-03
- [ ] Draft the renewal

## Key Facts

- HQ in Springfield
- 500 staff

*Source: CRM export*
"""
# a BOM, CRLF, a quoted date and no final newline: all kept; the copy (LF) adds one entry
ACME = ("\ufeff---\r\ntype: customer\r\nlast_contact: '2026-10-20'\r\n---\r\n# Acme\r\n\r\n## Recent Context\r\n\r\n"
        "- 2026-10-20: [[2026-10-20]] - Renewal call\r\n\r\n## Notes\r\n\r\nSome prose.")
ACME_DROPBOX = ("---\ntype: customer\nlast_contact: '2026-11-10'\n---\n# Acme\n\n## Recent Context\n\n"
                "- 2026-11-10: [[2026-11-10]] - Signed\n- 2026-10-20: [[2026-10-20]] - Renewal call\n\n"
                "## Notes\n\nSome prose.\n")
ACME_MERGED = ("\ufeff---\r\ntype: customer\r\nlast_contact: '2026-11-10'\r\n---\r\n# Acme\r\n\r\n## Recent Context\r\n\r\n"
               "- 2026-11-10: [[2026-11-10]] - Signed\r\n- 2026-10-20: [[2026-10-20]] - Renewal call\r\n\r\n"
               "## Notes\r\n\r\nSome prose.")
JANE = "---\ntype: person\n---\n# Jane Doe\n\n- Met at the summit\n"  # its note is gone: the copy takes its name
HOOLI = """---
type: customer
<<<<<<< HEAD
last_contact: 2026-11-02
tags: [a]
=======
last_contact: 2026-11-03
tags: [b]
>>>>>>> origin/main
---
# Hooli

## Recent Context

<<<<<<< HEAD
- 2026-11-02: [[2026-11-02]] - Mine
=======
- 2026-11-03: [[2026-11-03]] - Theirs
>>>>>>> origin/main
- 2026-10-01: [[2026-10-01]] - Kickoff

## Open Tasks

<<<<<<< HEAD
- [ ] Call back
=======
- [x] Call back ✅ 2026-11-03
- [ ] Send contract
>>>>>>> origin/main
"""
HOOLI_MERGED = """---
type: customer
last_contact: 2026-11-03
tags: [a, b]
---
# Hooli

## Recent Context

- 2026-11-03: [[2026-11-03]] - Theirs
- 2026-11-02: [[2026-11-02]] - Mine
- 2026-10-01: [[2026-10-01]] - Kickoff

## Open Tasks

- [x] Call back ✅ 2026-11-03
- [ ] Send contract
"""
SETEXT = "Title\n=======\n\ntext\n"  # a heading's underline, not a marker

SYNCTHING = "Customers/Globex.sync-conflict-20261120-112233-ABCDEFG.md"
DROPBOX = "Customers/Acme (Jane's conflicted copy 2026-11-20).md"
OBSIDIAN = "People/Jane Doe (Conflicted copy MacBook 202611201129).md"


def team_vault(tmp_path: Path) -> Path:
    return make_vault(tmp_path / "v", {
        "Customers/Globex.md": GLOBEX, SYNCTHING: GLOBEX_SYNCTHING,
        "Customers/Acme.md": ACME.encode("utf-8"), DROPBOX: ACME_DROPBOX,
        OBSIDIAN: JANE, "Customers/Hooli.md": HOOLI, "Notes/Setext.md": SETEXT,
    })


def vaultcrm(root: Path, *args: str) -> object:
    return invoke(["--vault", str(root), *args], env={"COLUMNS": "200"})


def test_conflicts_lists_every_copy_and_every_note_with_markers(tmp_path: Path) -> None:
    root = team_vault(tmp_path)
    r = vaultcrm(root, "conflicts", "--json")
    assert r.exit_code == 0, r.stderr
    assert json.loads(r.stdout) == [
        {"kind": "copy", "path": DROPBOX, "original": "Customers/Acme.md", "original_exists": True,
         "service": "Dropbox", "blocks": []},
        {"kind": "copy", "path": SYNCTHING, "original": "Customers/Globex.md", "original_exists": True,
         "service": "Syncthing", "blocks": []},
        {"kind": "markers", "path": "Customers/Hooli.md", "original": None, "original_exists": None,
         "service": None, "blocks": [[3, 6, 9], [15, 17, 19], [24, 26, 29]]},  # the frontmatter's first
        {"kind": "copy", "path": OBSIDIAN, "original": "People/Jane Doe.md", "original_exists": False,
         "service": "sync", "blocks": []},
    ]
    assert "sync conflict copies" not in r.stderr  # the listing names them itself


def test_conflicts_shows_a_table_on_a_terminal_and_says_when_there_is_nothing(tmp_path: Path) -> None:
    table = vaultcrm(team_vault(tmp_path), "conflicts")
    assert table.exit_code == 0
    assert "Syncthing copy" in table.stdout and "git markers" in table.stdout
    assert "People/Jane Doe.md (missing)" in table.stdout and "3, 6, 9; 15, 17, 19; 24, 26, 29" in table.stdout
    clean = vaultcrm(make_vault(tmp_path / "clean", {"Customers/Globex.md": GLOBEX, "Notes/Setext.md": SETEXT}),
                     "conflicts")
    assert (clean.exit_code, clean.stdout, clean.stderr) == (0, "", "vaultcrm: nothing to show\n")


def test_resolve_merges_copies_by_meaning_and_undo_restores_every_byte(tmp_path: Path) -> None:
    root = team_vault(tmp_path)
    before = snapshot(root)
    r = vaultcrm(root, "conflicts", "resolve")
    assert (r.exit_code, r.stdout) == (0, ""), r.stderr
    after = snapshot(root)
    assert after == {
        ".trash/" + DROPBOX: ACME_DROPBOX.encode(), ".trash/" + SYNCTHING: GLOBEX_SYNCTHING.encode(),
        "Customers/Acme.md": ACME_MERGED.encode(), "Customers/Globex.md": GLOBEX_MERGED.encode(),
        "Customers/Hooli.md": HOOLI_MERGED.encode(), "Notes/Setext.md": SETEXT.encode(),
        "People/Jane Doe.md": JANE.encode(),
    }
    assert "merged 2 conflict copies into their notes (moved to .trash/)" in r.stderr
    assert f"{OBSIDIAN} renamed People/Jane Doe.md" in r.stderr
    assert json.loads(vaultcrm(root, "conflicts", "--json").stdout) == []
    u = vaultcrm(root, "undo")
    assert u.exit_code == 0, u.stderr
    assert snapshot(root) == before  # one edit: one undo takes back every file, moves included


def test_a_prose_hunk_stays_marked_and_is_reported_with_exit_1(tmp_path: Path) -> None:
    note = ("# Soylent\n\n## Recent Context\n\n<<<<<<< HEAD\n- 2026-11-02: Mine\n=======\n- 2026-11-03: Theirs\n"
            ">>>>>>> origin/main\n\n## Notes\n\n<<<<<<< HEAD\nThe people like it.\n=======\nIt is people.\n"
            ">>>>>>> origin/main\n")
    copy = "# Soylent\n\n## Key Facts\n\n- Green\n"
    root = make_vault(tmp_path / "v", {"Customers/Soylent.md": note,
                                       "Customers/Soylent (conflict 2026-11-20 112233).md": copy})
    before = snapshot(root)
    r = vaultcrm(root, "conflicts", "resolve", "--json")
    assert r.exit_code == 1
    assert (root / "Customers/Soylent.md").read_text() == (
        "# Soylent\n\n## Recent Context\n\n- 2026-11-03: Theirs\n- 2026-11-02: Mine\n\n## Notes\n\n"
        "<<<<<<< HEAD\nThe people like it.\n=======\nIt is people.\n>>>>>>> origin/main\n")
    assert (root / "Customers/Soylent (conflict 2026-11-20 112233).md").read_text() == copy  # not merged over markers
    left = json.loads(r.stdout)["left"]
    assert [(x["path"], x["lines"]) for x in left] == [("Customers/Soylent.md", [10, 12, 14]),
                                                       ("Customers/Soylent (conflict 2026-11-20 112233).md", [])]
    assert "Customers/Soylent.md:10: conflict left (lines 10, 12, 14)" in r.stderr
    assert "still holds conflict markers" in r.stderr
    assert vaultcrm(root, "undo").exit_code == 0
    assert snapshot(root) == before


def test_dry_run_prints_the_diff_and_writes_nothing(tmp_path: Path) -> None:
    root = team_vault(tmp_path)
    before = snapshot(root)
    r = vaultcrm(root, "conflicts", "resolve", "--dry-run")
    assert r.exit_code == 0, r.stderr
    assert snapshot(root) == before and not (root / ".vaultcrm/journal").exists()
    assert "--- a/Customers/Globex.md\n+++ b/Customers/Globex.md\n" in r.stdout
    assert "+- 2026-10-15: [[2026-10-15]] - Workshop\n" in r.stdout
    assert f"--- a/{SYNCTHING}\n+++ /dev/null\n" in r.stdout
    assert "-<<<<<<< HEAD\n" in r.stdout and "(nothing written)" in r.stderr


def test_paths_pick_what_to_resolve(tmp_path: Path) -> None:
    root = team_vault(tmp_path)
    r = vaultcrm(root, "conflicts", "resolve", SYNCTHING)
    assert r.exit_code == 0, r.stderr
    assert (root / "Customers/Globex.md").read_text() == GLOBEX_MERGED
    assert (root / DROPBOX).exists() and (root / "Customers/Hooli.md").read_text() == HOOLI
    by_note = vaultcrm(root, "conflicts", "resolve", "Customers/Acme")  # a note: its copies
    assert by_note.exit_code == 0 and (root / "Customers/Acme.md").read_bytes() == ACME_MERGED.encode()
    missing = vaultcrm(root, "conflicts", "resolve", "Notes/Setext.md")
    assert missing.exit_code == 3 and "no conflict copy or note with conflict markers" in missing.stderr


@pytest.mark.parametrize(("block", "united"), [
    # diff3: an item their side removed stays removed, the one ours added stays
    ("<<<<<<< ours\n- a\n- b\n- c\n||||||| base\n- a\n- b\n=======\n- a\n>>>>>>> theirs\n", "- a\n- c\n"),
    # tasks matched by text without fields; the done one wins; a new one is kept
    ("<<<<<<< HEAD\n- [ ] Call 📅 2026-11-30\n=======\n- [x] Call 📅 2026-11-30 ✅ 2026-11-20\n- [ ] Mail\n>>>>>>> b\n",
     "- [x] Call 📅 2026-11-30 ✅ 2026-11-20\n- [ ] Mail\n"),
])
def test_a_block_of_list_items_is_united_item_by_item(block: str, united: str) -> None:
    text, left = resolve_markers("# N\n\n## Topics\n\n" + block + "\nEnd\n", "N.md")
    assert (text, left) == ("# N\n\n## Topics\n\n" + united + "\nEnd\n", [])


def test_a_frontmatter_block_that_truly_disagrees_is_left_as_written() -> None:
    note = "---\n<<<<<<< HEAD\nstatus: Active\n=======\nstatus: Churned\n>>>>>>> theirs\n---\n# G\n"
    text, left = resolve_markers(note, "G.md")
    assert text == note and [b.numbers() for b in left] == [(2, 4, 6)]


def test_a_crlf_note_with_a_bom_keeps_its_bytes_outside_the_block() -> None:
    note = ("\ufeff---\r\nlast_contact: '2026-10-01'\r\n---\r\n## Recent Context\r\n\r\n<<<<<<< HEAD\r\n"
            "- 2026-11-02: Mine\r\n=======\r\n- 2026-11-03: Theirs\r\n>>>>>>> origin/main")  # no final newline
    text, left = resolve_markers(note, "N.md")
    assert left == []
    assert text == ("\ufeff---\r\nlast_contact: '2026-10-01'\r\n---\r\n## Recent Context\r\n\r\n"
                    "- 2026-11-03: Theirs\r\n- 2026-11-02: Mine")
