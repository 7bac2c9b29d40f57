"""`doctor`: every finding code on fixture notes, exit codes, and `--fix` repairs that leave doctor clean."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from conftest import invoke, make_vault, snapshot
from hypothesis import given, settings
from hypothesis import strategies as st

from vaultcrm.model import units
from vaultcrm.ops import doctor
from vaultcrm.model.note import Note

SICK = {
    "Customers/Dup.md": """---
title: Dup
last_contact: '2026-01-01'
created: '2026-01-01'
tags: [type/customer]
status: _Unknown_
owner: ''
account: "[[Nowhere]]"
partner: "[[Clean]]"
---

# Dup

## Recent Context

- 2026-03-01: [[2026-03-01]] - Older call
- 2026-05-01: [[2026-05-01]] - Newer call
- someday: [[2026-01-01]] - Undated thing
- 2026-03-01: [[2026-03-01]] - Older call

## Key Facts

- The renewal is due in the first quarter of 2027.
- The renewal is due in the first quarter of 2027!
- Fact A
- Fact A

## Open Tasks

- [ ] Call them 📅 2026-02-30
- [ ] Send deck 📅 2026-12-01 before the meeting
- [ ] Plan offsite 📅 2026-12-05

## Account Status

| Field | Value |
|-------|-------|
| **Status** | _Unknown_ |
""",
    "Inbox/Dup.md": """---
title: Dup
last_contact: unknown
---

## Recent Context

- 2026-04-02: [[2026-04-02]] - Intro
""",
    "Broken.md": "---\ntitle: Broken\ntags: [unclosed\n---\n\nBody.\n",
    "Clean.md": "---\ntitle: Clean\nlast_contact: 2026-04-02\n---\n\n## Recent Context\n\n"
                "- 2026-04-02: Met them\n",
}

EXPECTED = {
    ("Broken.md", 3, "malformed-frontmatter"),  # the line is whatever the YAML reader reports (3 or 4)
    ("Customers/Dup.md", 2, "duplicate-title"),
    ("Customers/Dup.md", 3, "last-contact-behind"),
    ("Customers/Dup.md", 6, "placeholder-value"),
    ("Customers/Dup.md", 7, "placeholder-value"),
    ("Customers/Dup.md", 8, "broken-link"),
    ("Customers/Dup.md", 17, "entries-out-of-order"),
    ("Customers/Dup.md", 18, "undated-entry"),
    ("Customers/Dup.md", 19, "duplicate-bullet"),
    ("Customers/Dup.md", 24, "near-duplicate-bullet"),
    ("Customers/Dup.md", 26, "duplicate-bullet"),
    ("Customers/Dup.md", 30, "task-date-unreadable"),
    ("Customers/Dup.md", 31, "task-date-unreadable"),
    ("Customers/Dup.md", 38, "placeholder-value"),
    ("Inbox/Dup.md", 2, "duplicate-title"),
    ("Inbox/Dup.md", 3, "last-contact-not-date"),
}




@pytest.fixture
def sick(tmp_path: Path) -> Path:
    return make_vault(tmp_path / "sick", SICK)


def doctor_json(root: Path, *args: str) -> tuple[int, list[dict], str]:
    r = invoke(["--vault", str(root), "doctor", "--json", *args])
    return r.exit_code, json.loads(r.stdout), r.stderr


def test_doctor_reports_every_code_at_its_path_and_line_and_exits_1(sick: Path) -> None:
    code, rows, _ = doctor_json(sick)
    assert code == 1
    got = {(r["path"], r["line"] if r["path"] != "Broken.md" else 3, r["code"]) for r in rows}
    assert got == EXPECTED
    assert next(r["line"] for r in rows if r["path"] == "Broken.md") in (3, 4)
    assert set(rows[0]) == {"path", "line", "code", "message", "fixable"}


@pytest.mark.parametrize(("code", "words"), [
    ("malformed-frontmatter", "did not find expected"),
    ("duplicate-title", "also names Inbox/Dup.md"),
    ("last-contact-behind", "2026-05-01"),
    ("last-contact-not-date", "'unknown'"),
    ("task-date-unreadable", "the due date (📅) '2026-02-30' is not a real date"),
    ("task-date-unreadable", "the due field (📅 2026-12-01) is followed by more text"),
    ("broken-link", "[[Nowhere]]"),
    ("near-duplicate-bullet", "as line 23"),
])
def test_each_message_says_what_is_wrong(sick: Path, code: str, words: str) -> None:
    _, rows, _ = doctor_json(sick)
    assert any(words in r["message"] for r in rows if r["code"] == code), [r for r in rows if r["code"] == code]


def test_only_safe_codes_are_marked_fixable(sick: Path) -> None:
    _, rows, _ = doctor_json(sick)
    assert {r["code"] for r in rows if r["fixable"]} == set(doctor.FIXABLE_CODES)


def test_a_clean_vault_exits_0_with_an_empty_list(tmp_path: Path) -> None:
    root = make_vault(tmp_path / "v", {"Clean.md": SICK["Clean.md"]})
    r = invoke(["--vault", str(root), "doctor", "--json"])
    assert (r.exit_code, json.loads(r.stdout)) == (0, [])
    r = invoke(["--vault", str(root), "doctor"])
    assert (r.exit_code, r.stdout) == (0, "")
    assert "no problems" in r.stderr


def test_doctor_name_checks_only_that_note(sick: Path) -> None:
    code, rows, _ = doctor_json(sick, "Inbox/Dup")
    assert code == 1
    assert {r["path"] for r in rows} == {"Inbox/Dup.md"}
    assert invoke(["--vault", str(sick), "doctor", "Clean"]).exit_code == 0


def test_body_links_are_checked_only_with_links(tmp_path: Path) -> None:
    root = make_vault(tmp_path / "v", {"A.md": "See [[B]] and [[Missing]] and `[[InCode]]`.\n", "B.md": "x\n",
                                       "Daily/2026-01-01.md": "d\n", "C.md": "[[2026-01-01]] [[Daily/2026-01-01]]\n"})
    assert doctor_json(root)[0] == 0
    code, rows, _ = doctor_json(root, "--links")
    assert code == 1
    assert [(r["path"], r["line"], r["code"]) for r in rows] == [("A.md", 1, "broken-link")]
    assert "[[Missing]]" in rows[0]["message"]


def test_fix_then_doctor_is_clean_for_every_fixable_code(sick: Path) -> None:
    r = invoke(["--vault", str(sick), "doctor", "--fix"])
    assert r.exit_code == 1  # unfixable problems remain
    assert "fixed" in r.stderr
    code, rows, _ = doctor_json(sick)
    assert not [x for x in rows if x["code"] in doctor.FIXABLE_CODES]
    left = {(p, c) for p, _, c in EXPECTED if c not in doctor.FIXABLE_CODES}
    assert {(x["path"], x["code"]) for x in rows} == left


def test_fix_raises_last_contact_in_the_blocks_quoting_and_orders_entries_newest_first(sick: Path) -> None:
    invoke(["--vault", str(sick), "doctor", "--fix"])
    text = (sick / "Customers/Dup.md").read_text(encoding="utf-8")
    assert "last_contact: '2026-05-01'\n" in text
    assert ("- 2026-05-01: [[2026-05-01]] - Newer call\n"
            "- 2026-03-01: [[2026-03-01]] - Older call\n"
            "- someday: [[2026-01-01]] - Undated thing\n\n## Key Facts") in text
    assert text.count("- Fact A\n") == 1
    assert "last_contact: 2026-04-02\n" in (sick / "Inbox/Dup.md").read_text(encoding="utf-8")


def test_fix_changes_only_the_lines_it_repairs(tmp_path: Path) -> None:
    before = ("\ufeff---\r\nlast_contact: \"2026-01-01\"  \r\nkey:   value # comment\r\n---\r\n\r\n## Recent Context\r\n\r\n"
              "- unknown: first\r\n- 2026-01-02: b\r\n- 2026-03-04: a\r\n\r\n## Facts\r\n\r\n- x\r\n- x")
    root = make_vault(tmp_path / "v", {"N.md": before.encode("utf-8")})
    invoke(["--vault", str(root), "doctor", "--fix"])
    after = (root / "N.md").read_bytes().decode("utf-8")
    assert after == before.replace('"2026-01-01"  ', '"2026-03-04"').replace(
        "- 2026-01-02: b\r\n- 2026-03-04: a", "- 2026-03-04: a\r\n- 2026-01-02: b").removesuffix("\r\n- x")


def test_fix_dry_run_prints_the_diff_and_writes_nothing(sick: Path) -> None:
    files = snapshot(sick)
    r = invoke(["--vault", str(sick), "doctor", "--fix", "--dry-run"])
    assert snapshot(sick) == files
    assert "-last_contact: '2026-01-01'\n+last_contact: '2026-05-01'\n" in r.stdout
    assert "+++ b/Inbox/Dup.md" in r.stdout
    assert "nothing written" in r.stderr


def test_dry_run_without_fix_is_a_usage_error(sick: Path) -> None:
    assert invoke(["--vault", str(sick), "doctor", "--dry-run"]).exit_code == 2


def test_undo_takes_back_every_repair_of_one_fix(sick: Path) -> None:
    files = snapshot(sick)
    invoke(["--vault", str(sick), "doctor", "--fix"])
    assert snapshot(sick) != files
    assert invoke(["--vault", str(sick), "undo"]).exit_code == 0
    assert snapshot(sick) == files


def test_the_example_vault_reports_the_seeded_duplicate_and_stale_dates(run) -> None:  # noqa: ANN001
    r = run("doctor", "--json")
    rows = json.loads(r.stdout)
    assert r.exit_code == 1
    got = {(x["path"], x["code"]) for x in rows}
    assert {("Inbox/OpenAI.md", "duplicate-title"), ("Customers/OpenAI.md", "duplicate-title"),
            ("Broken.md", "malformed-frontmatter"), ("Customers/Globex.md", "last-contact-behind")} <= got


# ---- re-ordering Recent Context: a permutation that sorts dated entries and pins the rest ----------
_line = st.one_of(
    st.dates(date(2020, 1, 1), date(2030, 12, 31)).map(lambda d: f"- {d.isoformat()}: entry {d.day}"),
    st.sampled_from(["- unknown: something", "", "- a plain bullet", "  continued detail"]),
)


@settings(max_examples=150, deadline=None)
@given(st.lists(_line, max_size=12), st.sampled_from(["\n", "\r\n"]), st.booleans())
def test_reorder_sorts_dated_entries_and_keeps_every_other_line_in_place(lines: list[str], nl: str,
                                                                           final: bool) -> None:
    text = "## Recent Context" + nl + nl.join(lines) + (nl if final else "")
    note = Note.parse(text, "n.md")
    out = units.reorder_entries(note, note.sections[0])
    new = out.render()
    assert sorted(new.splitlines()) == sorted(text.splitlines())
    assert new.endswith(nl) == text.endswith(nl) or not lines
    sec = out.sections[0]
    assert units.is_newest_first(out, sec)[0]
    units_before = units.section_units(note, 1, len(note.lines))
    units_after = units.section_units(out, 1, len(out.lines))
    pinned = [(n, u.key(note)) for n, u in enumerate(units_before) if units.entry_date(u) is None]
    assert pinned == [(n, u.key(out)) for n, u in enumerate(units_after) if units.entry_date(u) is None]


def test_the_same_bullet_in_two_lists_under_one_heading_is_not_a_duplicate(tmp_path: Path) -> None:
    text = "## Output\n\n- League of Legends\n- Stardew Valley\n\nbut filtered:\n\n- League of Legends\n"
    root = make_vault(tmp_path / "v", {"Docs.md": text})
    assert doctor_json(root) == (0, [], "vaultcrm: no problems found\n")
    invoke(["--vault", str(root), "doctor", "--fix"])
    assert (root / "Docs.md").read_text() == text


def test_the_table_shows_links_as_written_not_as_rich_markup(tmp_path: Path) -> None:
    root = make_vault(tmp_path / "v", {"N.md": '---\nbanner: "![[banner.jpg]]"\n---\n'})
    r = invoke(["--vault", str(root), "doctor"], env={"COLUMNS": "400"})
    assert "links to [[banner.jpg]], no such note" in r.stdout


def test_doctor_fix_dry_run_prints_only_a_diff_or_one_json_document(run) -> None:
    import json as _json

    r = run("doctor", "--fix", "--dry-run")
    assert r.stdout.startswith("--- a/") and "┃" not in r.stdout  # no findings table mixed in
    data = _json.loads(run("doctor", "--fix", "--dry-run", "--json").stdout)
    assert data["dry_run"] is True and data["diff"] == r.stdout and isinstance(data["findings"], list)


def test_a_near_duplicate_is_reported_once_against_the_first_item_like_it() -> None:
    from vaultcrm.model.note import Note

    note = Note.parse("## Notes\n- Send the pricing deck to Jane Smith\n- Renewal call booked for March\n"
                      "- Send the pricing deck to Jane Smyth\n- Send the pricing deck to Jane Smithe\n"
                      "- [ ] Send the pricing deck to Jane Smith\n", "N.md")
    found = [(later.start, earlier.start, round(r, 4)) for later, earlier, r in units.near_duplicates(note, 1, 6)]
    # "send the pricing deck to jane smith" (35 chars) and "…smyth" share 34: 2·34/70; "…smithe" (36)
    # shares 35: 2·35/71. A task is never compared (a recurring task's instances look alike).
    assert found == [(3, 1, round(68 / 70, 4)), (4, 1, round(70 / 71, 4))]
