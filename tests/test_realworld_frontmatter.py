"""Frontmatter as real vaults write it: unexpanded template placeholders, a `---` never closed, and
many skipped notes summed up in one line.

A placeholder (`created: { { DATE } }`, `created: {{date}}`) is read as its text and reported by
`doctor`, never a reason to skip the note; a note opening with a `---` that nothing closes is all
body (Obsidian's horizontal rule); a listing that skips notes says so in one line on stderr.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import Run, invoke, make_vault, snapshot

from vaultcrm.cli.options import skipped_summary
from vaultcrm.config import Config
from vaultcrm.errors import InvalidNote
from vaultcrm.model import edits, yamlblock
from vaultcrm.model.note import Note
from vaultcrm.model.scan import build_record, record_from_note

JANE = (
    "---\n"
    "title: Jane Roe\n"
    "created: { { DATE } }\n"
    "type: person\n"
    "status: active\n"
    "---\n"
    "# Jane Roe\n"
    "\n"
    "## Open Tasks\n"
    "- [ ] Send Jane the deck 📅 2026-12-01\n"
)
LOOSE = (
    "---\n"
    "# Loose ends\n"
    "\n"
    "Met [[Jane Roe]] about #pricing.\n"
    "\n"
    "## Open Tasks\n"
    "- [ ] Write up the pricing notes\n"
)
BROKEN = "---\ntitle: Broken\ntags: [unclosed\n---\nbody\n"
SUMMARY = "vaultcrm: {n} skipped (malformed frontmatter); run 'vaultcrm doctor' for each\n"
PLACEHOLDERS = ["{ { DATE } }", "{ {DATE} }", "{{date}}", "{{date:YYYY-MM-DD}}", "{{title}}",
                "{{date:YYYY-MM-DDTHH:mm}}", "{{tp.file.creation_date()}}", "{ {\n  DATE } }"]


def vcrm(root: Path, *args: str) -> Run:
    return invoke(["--vault", str(root), *args])


@pytest.fixture
def jane(tmp_path: Path) -> Path:
    return make_vault(tmp_path / "v", {"People/Jane Roe.md": JANE, "Loose.md": LOOSE})


# ---- the model: a placeholder is text, and says where it is --------------------------------------
@pytest.mark.parametrize("raw", PLACEHOLDERS)
def test_an_unquoted_template_placeholder_reads_as_the_text_written_beside_the_other_properties(raw: str) -> None:
    text = f"title: Jane\ncreated: {raw}\ntype: person\n"
    assert yamlblock.load_yaml(text) == {"title": "Jane", "created": raw, "type": "person"}
    assert yamlblock.unexpanded_templates(text) == [("created", 1, raw)]


def test_placeholders_inside_lists_and_behind_anchors_are_found_once_each_at_their_own_line() -> None:
    text = "a: 1\ntags: [{{tag}}, b]\npeople:\n  - x\n  - &who { {NAME} }\nagain: *who\n"
    assert yamlblock.load_yaml(text) == {"a": 1, "tags": ["{{tag}}", "b"], "people": ["x", "{ {NAME} }"],
                                         "again": "{ {NAME} }"}
    assert yamlblock.unexpanded_templates(text) == [("tags", 1, "{{tag}}"), ("people", 4, "{ {NAME} }")]


def test_an_ordinary_flow_mapping_is_still_a_mapping_and_no_template() -> None:
    text = "address: {city: Oslo, zip: 150}\n"
    assert yamlblock.load_yaml(text) == {"address": {"city": "Oslo", "zip": 150}}
    assert yamlblock.unexpanded_templates(text) == []


@pytest.mark.parametrize("text", ["tags: [unclosed\n", "c: {{date}} extra\n", "c: {{date}}-{{time}}\n",
                                  "c: {[a]: 1}\n", "a: b: c\n"],
                         ids=["unclosed-list", "text-after", "two-placeholders", "list-key", "nested-colon"])
def test_a_block_that_fails_for_other_reasons_stays_malformed(text: str) -> None:
    # js-yaml refuses these too (the first four are parse errors; `{[a]: 1}` is no placeholder).
    with pytest.raises(InvalidNote, match="malformed frontmatter"):
        yamlblock.load_yaml(text)


def test_a_note_with_a_placeholder_gets_a_full_record_on_both_scan_paths() -> None:
    fast = build_record("People/Jane Roe.md", JANE, Config())
    assert fast.error is None
    assert fast.properties == {"title": "Jane Roe", "created": "{ { DATE } }", "type": "person", "status": "active"}
    assert (fast.title, fast.kind, [t.text for t in fast.tasks]) == ("Jane Roe", "person", ["Send Jane the deck"])
    assert record_from_note(Note.parse(JANE, "People/Jane Roe.md"), Config()) == fast
    assert Note.parse(JANE).unexpanded_templates() == [("created", 3, "{ { DATE } }")]


@pytest.mark.parametrize("nl", ["\n", "\r\n"])
def test_setting_a_property_beside_a_placeholder_changes_only_that_line(nl: str) -> None:
    note = Note.parse(JANE.replace("\n", nl), "People/Jane Roe.md")
    new = edits.set_property(note, "status", "churned").render()
    assert new == JANE.replace("status: active", "status: churned").replace("\n", nl)


def test_an_unclosed_dashes_line_opens_no_frontmatter_and_the_note_is_all_body() -> None:
    note = Note.parse(LOOSE, "Loose.md")
    assert (note.frontmatter, note.frontmatter_error, note.properties, note.body_start) == (None, None, {}, 0)
    assert [s.heading for s in note.sections] == ["Loose ends", "Open Tasks"]
    rec = build_record("Loose.md", LOOSE, Config())
    assert rec.error is None
    assert (rec.tags, rec.links, [t.text for t in rec.tasks]) == (["pricing"], ["Jane Roe"], ["Write up the pricing notes"])
    assert record_from_note(note, Config()) == rec


# ---- the CLI: the note with a placeholder is listed, read, reported and edited ------------------
def test_a_note_with_a_placeholder_is_listed_without_a_warning(jane: Path) -> None:
    r = vcrm(jane, "list", "--json")
    assert r.exit_code == 0
    assert r.stderr == ""
    row = next(x for x in json.loads(r.stdout) if x["path"] == "People/Jane Roe.md")
    assert (row["title"], row["kind"], row["properties"]["created"]) == ("Jane Roe", "person", "{ { DATE } }")


def test_get_reads_the_other_properties_and_the_placeholder_as_written(jane: Path) -> None:
    status = vcrm(jane, "get", "Jane Roe", "status")
    assert (status.exit_code, status.stdout, status.stderr) == (0, "active\n", "")
    created = vcrm(jane, "get", "Jane Roe", "created")
    assert (created.exit_code, created.stdout, created.stderr) == (0, "{ { DATE } }\n", "")


def test_doctor_reports_the_placeholder_at_its_line_naming_key_and_text(jane: Path) -> None:
    before = snapshot(jane)
    r = vcrm(jane, "doctor", "--json")
    assert r.exit_code == 1
    found = [f for f in json.loads(r.stdout) if f["code"] == "template-not-expanded"]
    assert found == [{"path": "People/Jane Roe.md", "line": 3, "code": "template-not-expanded",
                      "message": "property 'created' holds a template never expanded: { { DATE } }",
                      "fixable": False}]
    assert snapshot(jane) == before


def test_set_beside_a_placeholder_changes_only_the_one_line(jane: Path) -> None:
    r = vcrm(jane, "set", "Jane Roe", "status", "churned")
    assert r.exit_code == 0, r.stderr
    assert r.stdout == ""
    assert (jane / "People/Jane Roe.md").read_bytes() == JANE.replace("status: active", "status: churned").encode()


def test_log_on_a_note_with_a_placeholder_leaves_the_placeholder_line_as_written(jane: Path) -> None:
    r = vcrm(jane, "log", "Jane Roe", "Called about pricing", "--date", "2026-11-20")
    assert r.exit_code == 0, r.stderr
    text = (jane / "People/Jane Roe.md").read_text(encoding="utf-8")
    assert text.splitlines()[2] == "created: { { DATE } }"
    assert "- 2026-11-20: [[2026-11-20]] - Called about pricing\n" in text
    assert json.loads(vcrm(jane, "get", "Jane Roe", "last_contact", "--json").stdout)["value"] == "2026-11-20"


# ---- the CLI: a `---` never closed is a rule, and the note is all body ----------------------------
def test_a_note_opening_with_an_unclosed_rule_is_read_as_body_without_a_warning(jane: Path) -> None:
    listed = vcrm(jane, "list", "--json")
    assert (listed.exit_code, listed.stderr) == (0, "")
    assert any(x["path"] == "Loose.md" and x["tags"] == ["pricing"] for x in json.loads(listed.stdout))
    tasks = vcrm(jane, "task", "list", "--json")
    assert (tasks.exit_code, tasks.stderr) == (0, "")
    assert [t["text"] for t in json.loads(tasks.stdout) if t["path"] == "Loose.md"] == ["Write up the pricing notes"]
    shown = vcrm(jane, "show", "Loose", "--json")
    assert (shown.exit_code, shown.stderr) == (0, "")
    assert [s["heading"] for s in json.loads(shown.stdout)["sections"]] == ["Loose ends", "Open Tasks"]
    assert vcrm(jane, "doctor", "Loose").exit_code == 0


def test_set_on_a_note_opening_with_an_unclosed_rule_adds_a_block_on_top_and_nothing_else(jane: Path) -> None:
    r = vcrm(jane, "set", "Loose", "status", "open")
    assert r.exit_code == 0, r.stderr
    assert (jane / "Loose.md").read_bytes() == ("---\nstatus: open\n---\n" + LOOSE).encode()
    assert vcrm(jane, "get", "Loose", "status").stdout == "open\n"


# ---- skipped notes: one line, each named only with --verbose -------------------------------------
def test_skipped_notes_are_one_summary_line_and_stdout_stays_data(tmp_path: Path) -> None:
    root = make_vault(tmp_path / "v", {"People/Jane Roe.md": JANE, "A.md": BROKEN, "B.md": BROKEN,
                                       "Sub/C.md": BROKEN})
    r = vcrm(root, "list", "--json")
    assert r.exit_code == 0
    assert r.stderr == SUMMARY.format(n="3 notes")
    assert [x["path"] for x in json.loads(r.stdout)] == ["People/Jane Roe.md"]


def test_verbose_names_each_skipped_note_then_sums_them_up(tmp_path: Path) -> None:
    root = make_vault(tmp_path / "v", {"People/Jane Roe.md": JANE, "A.md": BROKEN, "B.md": BROKEN})
    quiet = vcrm(root, "list", "--json")
    for flag in ("--verbose", "-v"):
        r = vcrm(root, flag, "list", "--json")
        assert r.exit_code == 0
        assert r.stderr.splitlines() == [
            "vaultcrm: warning: A.md:3: skipped: malformed frontmatter: did not find expected ',' or ']'",
            "vaultcrm: warning: B.md:3: skipped: malformed frontmatter: did not find expected ',' or ']'",
            SUMMARY.format(n="2 notes").rstrip("\n"),
        ]
        assert r.stdout == quiet.stdout


@pytest.mark.parametrize("command", [["list"], ["stale"], ["task", "list"], ["agenda"], ["timeline"]])
def test_every_listing_command_sums_up_one_skipped_note_in_the_singular(tmp_path: Path, command: list[str]) -> None:
    root = make_vault(tmp_path / "v", {"People/Jane Roe.md": JANE, "A.md": BROKEN})
    r = vcrm(root, *command, "--json")
    assert r.exit_code == 0
    assert r.stderr == SUMMARY.format(n="1 note")
    json.loads(r.stdout)


def test_several_reasons_are_counted_apart(tmp_path: Path) -> None:
    root = make_vault(tmp_path / "v", {"A.md": BROKEN, "B.md": BROKEN, "Bin.md": b"\xff\xfe\x00\x00x"})
    r = vcrm(root, "list", "--json")
    assert r.exit_code == 0
    assert r.stderr == ("vaultcrm: 3 notes skipped (2 malformed frontmatter, 1 unreadable); "
                        "run 'vaultcrm doctor' for each\n")


def test_a_vault_with_nothing_skipped_says_nothing_even_with_verbose(jane: Path) -> None:
    r = vcrm(jane, "-v", "list", "--json")
    assert (r.exit_code, r.stderr) == (0, "")


@pytest.mark.parametrize(("reasons", "line"), [
    ([], None),
    (["malformed frontmatter"], "vaultcrm: 1 note skipped (malformed frontmatter); run 'vaultcrm doctor' for each"),
    (["unreadable", "unreadable"], "vaultcrm: 2 notes skipped (unreadable); run 'vaultcrm doctor' for each"),
    (["malformed frontmatter", "unreadable", "malformed frontmatter"],
     "vaultcrm: 3 notes skipped (2 malformed frontmatter, 1 unreadable); run 'vaultcrm doctor' for each"),
])
def test_the_summary_counts_notes_and_groups_reasons(reasons: list[str], line: str | None) -> None:
    assert skipped_summary(reasons) == line
