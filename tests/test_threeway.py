"""The three-way merge of one note (`vaultcrm merge-driver`): properties key by key, Recent Context
entries, tasks and bullets united, everything else as diff3 merges it, and conflict markers only
around what the two sides truly disagree on. Expected notes are written out by hand."""

from __future__ import annotations

from pathlib import Path

from conftest import invoke
from hypothesis import given
from hypothesis import strategies as st

from vaultcrm.model.threeway import merge_lines, merge_note

BASE = """---
type: customer
title: Acme Corp
last_contact: 2026-06-01
tags: [type/customer]
owner: "[[Jeff Denworth]]"
status: Customer
---

# Acme Corp

## Recent Context

- 2026-06-01: [[2026-06-01]] - Renewal discussion
- 2026-04-17: [[2026-04-17]] - Support escalation closed

## Open Tasks

- [ ] Send the contract 📅 2026-12-01
- [ ] Book the QBR room 🆔 qbr1

## Key Facts

- Renewal is due in Q1.
"""


def edit(text: str, *pairs: tuple[str, str]) -> str:
    for old, new in pairs:
        assert old in text, old
        text = text.replace(old, new, 1)
    return text


def test_both_sides_log_an_entry_and_both_stay_newest_first() -> None:
    ours = edit(BASE, ("last_contact: 2026-06-01", "last_contact: 2026-11-20"),
                ("## Recent Context\n\n", "## Recent Context\n\n- 2026-11-20: [[2026-11-20]] - Call with Dana\n"))
    theirs = edit(BASE, ("last_contact: 2026-06-01", "last_contact: 2026-11-21"),
                  ("## Recent Context\n\n", "## Recent Context\n\n- 2026-11-21: [[2026-11-21]] - Pricing email\n"))
    merged = merge_note(BASE, ours, theirs)
    assert merged.conflicts == 0
    assert merged.text == edit(BASE, ("last_contact: 2026-06-01", "last_contact: 2026-11-21"), (
        "## Recent Context\n\n",
        ("## Recent Context\n\n- 2026-11-21: [[2026-11-21]] - Pricing email\n"
        "- 2026-11-20: [[2026-11-20]] - Call with Dana\n")))


def test_an_older_entry_from_theirs_goes_to_its_date_place_among_ours() -> None:
    ours = edit(BASE, ("## Recent Context\n\n", "## Recent Context\n\n- 2026-11-20: [[2026-11-20]] - Call\n"))
    theirs = edit(BASE, ("## Recent Context\n\n", "## Recent Context\n\n- 2026-07-02: [[2026-07-02]] - Lunch\n"))
    merged = merge_note(BASE, ours, theirs)
    assert merged.conflicts == 0
    assert "- 2026-11-20: [[2026-11-20]] - Call\n- 2026-07-02: [[2026-07-02]] - Lunch\n- 2026-06-01:" in merged.text


def test_one_side_ticks_a_task_while_the_other_adds_one_next_to_it() -> None:
    ours = edit(BASE, ("- [ ] Send the contract 📅 2026-12-01", "- [x] Send the contract 📅 2026-12-01 ✅ 2026-11-22"))
    theirs = edit(BASE, ("2026-12-01\n", "2026-12-01\n- [ ] Call legal\n"))
    merged = merge_note(BASE, ours, theirs)
    assert merged.conflicts == 0
    assert merged.text == edit(BASE, ("- [ ] Send the contract 📅 2026-12-01\n- [ ] Book the QBR room 🆔 qbr1\n",
                                      ("- [x] Send the contract 📅 2026-12-01 ✅ 2026-11-22\n"
                                      "- [ ] Call legal\n- [ ] Book the QBR room 🆔 qbr1\n")))


def test_a_done_state_wins_over_the_other_sides_edit_of_the_same_task() -> None:
    ours = edit(BASE, ("- [ ] Book the QBR room 🆔 qbr1", "- [ ] Book the big QBR room 📅 2026-12-03 🆔 qbr1"))
    theirs = edit(BASE, ("- [ ] Send the contract 📅 2026-12-01\n- [ ] Book the QBR room 🆔 qbr1",
                         "- [ ] Send the contract 📅 2026-12-05\n- [x] Book the QBR room 🆔 qbr1 ✅ 2026-11-22"))
    merged = merge_note(BASE, ours, theirs)
    assert merged.conflicts == 0
    assert "- [ ] Send the contract 📅 2026-12-05\n- [x] Book the QBR room 🆔 qbr1 ✅ 2026-11-22\n" in merged.text


def test_a_bullet_one_side_removed_stays_removed_while_the_other_adds_one() -> None:
    base = BASE.replace("- Renewal is due in Q1.\n", "- Renewal is due in Q1.\n- Uses S3.\n")
    ours = edit(base, ("- Uses S3.\n", ""))
    theirs = edit(base, ("- Uses S3.\n", "- Uses S3.\n- Has 40 seats.\n"))
    merged = merge_note(base, ours, theirs)
    assert merged.conflicts == 0
    assert merged.text.endswith("## Key Facts\n\n- Renewal is due in Q1.\n- Has 40 seats.\n")


def test_both_sides_change_different_keys_on_neighbouring_lines() -> None:
    ours = edit(BASE, ('owner: "[[Jeff Denworth]]"', 'owner: "[[Dana Scully]]"'),
                ("status: Customer\n", "status: Customer\nregion: EMEA\n"))
    theirs = edit(BASE, ("tags: [type/customer]", "tags: [type/customer, tier/1]"),
                  ("status: Customer\n", "status: Customer\narr: 50000\n"))
    merged = merge_note(BASE, ours, theirs)
    assert merged.conflicts == 0
    assert merged.text.startswith("""---
type: customer
title: Acme Corp
last_contact: 2026-06-01
tags: [type/customer, tier/1]
owner: "[[Dana Scully]]"
status: Customer
region: EMEA
arr: 50000
---
""")
    assert merged.text.split("---\n", 2)[2] == BASE.split("---\n", 2)[2]


def test_lists_changed_on_both_sides_are_united_in_order() -> None:
    ours = edit(BASE, ("tags: [type/customer]", "tags: [type/customer, tier/1]"))
    theirs = edit(BASE, ("tags: [type/customer]", "tags: [type/customer, renewal]"))
    merged = merge_note(BASE, ours, theirs)
    assert merged.conflicts == 0
    assert "\ntags: [type/customer, tier/1, renewal]\n" in merged.text


def test_both_sides_set_the_same_key_differently_marks_only_that_key() -> None:
    ours = edit(BASE, ("status: Customer", "status: Churned"),
                ("## Recent Context\n\n", "## Recent Context\n\n- 2026-11-20: [[2026-11-20]] - Call\n"))
    theirs = edit(BASE, ("status: Customer", "status: Prospect"), ("title: Acme Corp", "title: Acme Corporation"))
    merged = merge_note(BASE, ours, theirs)
    assert merged.conflicts == 1
    assert merged.text == edit(BASE, ("title: Acme Corp", "title: Acme Corporation"), (
        "status: Customer\n",
        "<<<<<<< ours\nstatus: Churned\n=======\nstatus: Prospect\n>>>>>>> theirs\n"),
        ("## Recent Context\n\n", "## Recent Context\n\n- 2026-11-20: [[2026-11-20]] - Call\n"))


def test_prose_both_sides_rewrote_is_marked_without_the_lines_they_share() -> None:
    base = BASE + "\nSome notes.\nThey like us.\nEnd.\n"
    ours = edit(base, ("They like us.\nEnd.", "They love us.\nEnd!"))
    theirs = edit(base, ("They like us.\nEnd.", "They tolerate us.\nEnd!"))
    merged = merge_note(base, ours, theirs)
    assert merged.conflicts == 1
    assert merged.text.endswith("\nSome notes.\n<<<<<<< ours\nThey love us.\n=======\nThey tolerate us.\n"
                                ">>>>>>> theirs\nEnd!\n")


def test_a_crlf_note_with_a_bom_merges_byte_exactly() -> None:
    base = "\ufeff" + BASE.replace("\n", "\r\n").replace("last_contact: 2026-06-01",
                                                        "last_contact: '2026-06-01' # kept")
    ours = edit(base, ("## Recent Context\r\n\r\n", "## Recent Context\r\n\r\n- 2026-11-20: [[2026-11-20]] - Call\r\n"),
                ("last_contact: '2026-06-01' # kept", "last_contact: '2026-11-20' # kept"))
    theirs = edit(base, ("- [ ] Send the contract", "- [x] Send the contract"),
                  ("status: Customer\r\n", "status: Customer\r\nregion: EMEA\r\n"),
                  ("## Recent Context\r\n\r\n", "## Recent Context\r\n\r\n- 2026-11-19: [[2026-11-19]] - Mail\r\n"))
    merged = merge_note(base, ours, theirs)
    assert merged.conflicts == 0
    assert merged.text == edit(base, ("last_contact: '2026-06-01' # kept", "last_contact: '2026-11-20' # kept"),
                               ("status: Customer\r\n", "status: Customer\r\nregion: EMEA\r\n"),
                               ("## Recent Context\r\n\r\n",
                                ("## Recent Context\r\n\r\n- 2026-11-20: [[2026-11-20]] - Call\r\n"
                                 "- 2026-11-19: [[2026-11-19]] - Mail\r\n")),
                               ("- [ ] Send the contract", "- [x] Send the contract"))


def test_a_crlf_conflict_is_marked_in_crlf() -> None:
    base = BASE.replace("\n", "\r\n")
    ours, theirs = edit(base, ("status: Customer", "status: A")), edit(base, ("status: Customer", "status: B"))
    merged = merge_note(base, ours, theirs)
    assert "\r\n<<<<<<< ours\r\nstatus: A\r\n=======\r\nstatus: B\r\n>>>>>>> theirs\r\n---\r\n" in merged.text
    assert "\n" not in merged.text.replace("\r\n", "")


def test_a_note_without_a_final_newline_keeps_it_that_way() -> None:
    base = BASE.rstrip("\n")
    ours = edit(base, ("status: Customer", "status: Churned"))
    theirs = edit(base, ("- Renewal is due in Q1.", "- Renewal is due in Q2."))
    assert merge_note(base, ours, theirs).text == edit(ours, ("- Renewal is due in Q1.", "- Renewal is due in Q2."))


def test_changes_apart_from_each_other_merge_as_diff3_does() -> None:
    chunks = merge_lines(["a\n", "b\n", "c\n", "d\n"], ["A\n", "b\n", "c\n", "d\n"], ["a\n", "b\n", "c\n", "D\n"])
    assert [line for c in chunks for line in c.lines] == ["A\n", "b\n", "c\n", "D\n"]
    assert not any(c.conflict for c in chunks)


# ---- properties ----------------------------------------------------------------------------------
LINES = st.sampled_from(["---", "type: customer", "last_contact: 2026-06-01", "tags: [a, b]", "# kept", "",
                         "## Recent Context", "- 2026-11-20: [[2026-11-20]] - Call", "- [ ] Task 🆔 abc",
                         "- [x] Done ✅ 2026-01-01", "Some prose.", "  continued", "| **Status** | Customer |"])
NOTES = st.builds(lambda bom, lines, nl, final: bom + nl.join(lines) + (nl if final and lines else ""),
                  st.sampled_from(["", "\ufeff"]), st.lists(LINES, max_size=14), st.sampled_from(["\n", "\r\n"]),
                  st.booleans())


@given(NOTES, NOTES)
def test_merging_with_base_equal_to_one_side_gives_the_other_byte_exactly(base: str, other: str) -> None:
    assert merge_note(base, other, base).text == other
    assert merge_note(base, base, other).text == other
    assert merge_note(base, other, base).conflicts == merge_note(base, base, other).conflicts == 0


@given(st.lists(LINES, max_size=14), st.lists(LINES, max_size=14))
def test_the_line_merge_itself_takes_the_only_changed_side(base: list[str], other: list[str]) -> None:
    for ours, theirs in ((other, base), (base, other)):
        chunks = merge_lines(base, ours, theirs)
        assert not any(c.conflict for c in chunks)
        assert [line for c in chunks for line in c.lines] == other


# ---- the command git runs ---------------------------------------------------------------------------
def test_merge_driver_writes_ours_in_place_and_exits_1_on_a_conflict(tmp_path: Path) -> None:
    files = {}
    for name, text in (("base", BASE), ("ours", edit(BASE, ("status: Customer", "status: A"))),
                       ("theirs", edit(BASE, ("status: Customer", "status: B"), ("title: Acme Corp", "title: Acme")))):
        files[name] = tmp_path / f".merge_file_{name}"
        files[name].write_bytes(text.encode("utf-8"))
    r = invoke(["merge-driver", str(files["base"]), str(files["ours"]), str(files["theirs"]), "Customers/Acme.md"])
    assert r.exit_code == 1 and r.stdout == ""
    assert "Customers/Acme.md: 1 conflict left" in r.stderr
    assert files["ours"].read_bytes().decode() == edit(BASE, ("title: Acme Corp", "title: Acme"), (
        "status: Customer\n", "<<<<<<< ours\nstatus: A\n=======\nstatus: B\n>>>>>>> theirs\n"))
    files["ours"].write_bytes(edit(BASE, ("status: Customer", "status: B")).encode())
    assert invoke(["merge-driver", str(files["base"]), str(files["ours"]), str(files["theirs"]), "x.md"]).exit_code == 0
    assert files["ours"].read_bytes().decode() == edit(BASE, ("status: Customer", "status: B"),
                                                       ("title: Acme Corp", "title: Acme"))
