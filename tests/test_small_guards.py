"""Small guarantees found by an adversarial review, one test each: bytes restored by inverse edits,
classic Mac line endings, malformed notes named by a read, repeated keys, long ambiguity lists."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import invoke, make_vault, snapshot
from vaultcrm.model.note import Note


def test_set_then_unset_on_a_note_without_frontmatter_gives_back_its_bytes(tmp_path: Path) -> None:
    root = make_vault(tmp_path / "v", {"Plain.md": "# Plain\r\n\r\nbody\r\n"})
    before = snapshot(root)
    assert invoke(["--vault", str(root), "set", "Plain", "status", "x"]).exit_code == 0
    assert (root / "Plain.md").read_bytes() == b"---\r\nstatus: x\r\n---\r\n# Plain\r\n\r\nbody\r\n"
    assert invoke(["--vault", str(root), "unset", "Plain", "status"]).exit_code == 0
    assert snapshot(root) == before


def test_unset_keeps_a_block_that_still_holds_something(tmp_path: Path) -> None:
    root = make_vault(tmp_path / "v", {"A.md": "---\n# a comment\nstatus: x\n---\nbody\n"})
    assert invoke(["--vault", str(root), "unset", "A", "status"]).exit_code == 0
    assert (root / "A.md").read_text() == "---\n# a comment\n---\nbody\n"


CR_NOTE = "---\rtype: customer\rlast_contact: 2026-10-01\r---\r# Acme\r\r## Recent Context\r- 2026-10-01: [[2026-10-01]] - call\r"


def test_classic_mac_line_endings_are_lines() -> None:
    note = Note.parse(CR_NOTE, "Acme.md")
    assert note.properties == {"type": "customer", "last_contact": "2026-10-01"}
    assert len(note.lines) == 8 and note.newline == "\r"


def test_log_into_a_classic_mac_note_keeps_its_endings_and_its_section(tmp_path: Path) -> None:
    root = make_vault(tmp_path / "v", {"Customers/Acme.md": CR_NOTE})
    assert invoke(["--vault", str(root), "log", "Acme", "second call"]).exit_code == 0
    assert (root / "Customers/Acme.md").read_bytes().decode() == (
        "---\rtype: customer\rlast_contact: 2026-11-22\r---\r# Acme\r\r## Recent Context\r"
        "- 2026-11-22: [[2026-11-22]] - second call\r- 2026-10-01: [[2026-10-01]] - call\r")
    shown = json.loads(invoke(["--vault", str(root), "show", "Acme", "--json"]).stdout)
    assert [e["date"] for e in shown["recent_context"]] == ["2026-11-22", "2026-10-01"]


def test_a_read_of_one_malformed_note_exits_5_naming_it(tmp_path: Path) -> None:
    root = make_vault(tmp_path / "v", {"Broken.md": "---\ntags: [a, b\n---\n- [ ] task\n"})
    for command in (["task", "list", "Broken"], ["timeline", "Broken"], ["who", "Broken"]):
        r = invoke(["--vault", str(root), *command])
        assert r.exit_code == 5, command
        assert "Broken.md:" in r.stderr


def test_doctor_reports_a_key_written_twice(tmp_path: Path) -> None:
    root = make_vault(tmp_path / "v", {"X.md": "---\ntype: customer\nstatus: a\nstatus: b\n---\n# X\n"})
    r = invoke(["--vault", str(root), "doctor", "--json"])
    found = [(f["line"], f["code"]) for f in json.loads(r.stdout) if f["code"] == "duplicate-key"]
    assert found == [(4, "duplicate-key")]
    before = snapshot(root)
    assert invoke(["--vault", str(root), "set", "X", "status", "c"]).exit_code == 1  # no guessing which one
    assert snapshot(root) == before


def test_an_ambiguity_among_many_notes_names_twenty_and_counts_the_rest(tmp_path: Path) -> None:
    root = make_vault(tmp_path / "v", {f"F{i:02d}/Same.md": "# Same\n" for i in range(25)})
    r = invoke(["--vault", str(root), "get", "Same", "x"])
    assert r.exit_code == 4
    listed = [line for line in r.stderr.splitlines() if line.startswith("  F")]
    assert len(listed) == 20 and "  … and 5 more" in r.stderr
