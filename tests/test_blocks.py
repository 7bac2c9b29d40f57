"""Line grammars: Recent Context entries, Obsidian Tasks lines, the status table, ❌/✅ bullets."""

from __future__ import annotations

from datetime import date

import pytest
from conftest import SEEDS
from hypothesis import given, settings
from hypothesis import strategies as st

from vaultcrm.model import grammar, sections, taskline
from vaultcrm.model.note import Note
from vaultcrm.model.records import tasks_of

TODAY = date(2026, 11, 22)


# ---- Recent Context entries ------------------------------------------------------------------
@pytest.mark.parametrize(
    ("line", "raw_date", "day", "link", "text", "via"),
    [
        ("- 2025-12-19: [[2025-12-19]] - Jason and Jeff discuss strategy (via Jeff Denworth)",
         "2025-12-19", date(2025, 12, 19), "2025-12-19", "Jason and Jeff discuss strategy", "Jeff Denworth"),
        ("- unknown: [[2025-10 - OpenAI Tasks]] - Task list for coordinating with OpenAI",
         "unknown", None, "2025-10 - OpenAI Tasks", "Task list for coordinating with OpenAI", None),
        ("- unknown: [[Oct 22nd, 2025]] - Updated stakeholder map (via Sam Hopewell)",
         "unknown", None, "Oct 22nd, 2025", "Updated stakeholder map", "Sam Hopewell"),
        ("- 2026-10-12: [[2026-10-12 - Storage requirements]] - Global KV store needs, <=64 KB IO (via Sam Hopewell)",
         "2026-10-12", date(2026, 10, 12), "2026-10-12 - Storage requirements", "Global KV store needs, <=64 KB IO",
         "Sam Hopewell"),
        ("- 2025-12-18: [[2025-12-18 1303 - New Recording]] - Brainstorming (in depth) (via VAST on Azure Integration)",
         "2025-12-18", date(2025, 12, 18), "2025-12-18 1303 - New Recording", "Brainstorming (in depth)",
         "VAST on Azure Integration"),
        ("- 2026-11-21: Called without a link", "2026-11-21", date(2026, 11, 21), None, "Called without a link", None),
        ("* 2026-11-21: [[2026-11-21]] – en dash separator", "2026-11-21", date(2026, 11, 21), "2026-11-21",
         "en dash separator", None),
    ],
)
def test_entries_in_the_seed_shapes_parse_into_date_link_text_and_via(line, raw_date, day, link, text, via):
    e = grammar.parse_entry(line, 7)
    assert e is not None
    assert (e.raw_date, e.date, e.link, e.text, e.via, e.line) == (raw_date, day, link, text, via, 7)


@pytest.mark.parametrize("line", [
    "- Discussion claim: Microsoft's deal with OpenAI gives Microsoft rights",
    "- [ ] Task: not an entry",
    "- [x] 2026-01-01: done task, not an entry",
    "Plain text 2026-01-01: not a list item",
    "- no colon at all",
])
def test_bullets_that_are_not_dated_entries_are_not_entries(line):
    assert grammar.parse_entry(line) is None


def test_a_date_that_is_not_a_real_day_is_kept_as_an_undated_entry():
    e = grammar.parse_entry("- 2026-02-30: [[x]] - typo in the date")
    assert e is not None and e.raw_date == "2026-02-30" and e.date is None


def _seed_entry_lines() -> list[str]:
    lines = []
    for seed in sorted(SEEDS.glob("00[01]_*.txt")):
        note = Note.parse(seed.read_text(encoding="utf-8"))
        section = note.find_sections("Recent Context")[0]
        lines += [text for _, text in note.body_lines(section.body_start, section.end) if text.startswith("- ")]
    return lines


@pytest.mark.skipif(not SEEDS.is_dir(), reason="shared seeds absent")
def test_every_dated_seed_entry_formats_back_to_its_own_line():
    lines = _seed_entry_lines()
    assert len(lines) >= 15
    for line in lines:
        e = grammar.parse_entry(line)
        assert e is not None, line
        if e.date is not None:
            assert grammar.format_entry(e.date, e.text, link=e.link, via=e.via) == line


@pytest.mark.parametrize(
    ("link", "via", "expected"),
    [
        (None, None, "- 2026-11-22: [[2026-11-22]] - Called Hank"),
        (None, "Sam Hopewell", "- 2026-11-22: [[2026-11-22]] - Called Hank (via Sam Hopewell)"),
        ("QBR notes", None, "- 2026-11-22: [[QBR notes]] - Called Hank"),
        ("[[QBR notes]]", None, "- 2026-11-22: [[QBR notes]] - Called Hank"),
        ("", "Sam", "- 2026-11-22: Called Hank (via Sam)"),
    ],
)
def test_format_entry_writes_the_seed_shape_with_the_daily_note_as_default_link(link, via, expected):
    assert grammar.format_entry(TODAY, "  Called Hank ", link=link, via=via) == expected


# ---- tasks: parsing -------------------------------------------------------------------------
def test_a_task_line_with_every_tasks_field_is_read_from_the_right():
    line = "- [ ] Ship it ⏫ 🔁 every week 🛫 2026-01-01 ⏳ 2026-01-02 📅 2026-01-03 ➕ 2025-12-01 ^ship-1"
    t = taskline.parse_task(line, 4)
    assert t is not None
    assert t.description == "Ship it"
    assert t.dates == {"created": "2025-12-01", "due": "2026-01-03", "scheduled": "2026-01-02",
                       "start": "2026-01-01"}
    assert t.due == date(2026, 1, 3) and t.done_date is None
    assert t.recurrence == "every week"
    assert t.block_id == "^ship-1"
    assert (t.line, t.raw, t.status, t.open) == (4, line, " ", True)


@pytest.mark.parametrize(
    ("line", "status", "done", "cancelled", "done_date"),
    [
        ("- [x] Sent ✅ 2026-10-18", "x", True, False, date(2026, 10, 18)),
        ("- [X] Sent", "X", True, False, None),
        ("- [x] Done without a date", "x", True, False, None),
        ("- [-] Dropped ❌ 2026-01-01", "-", False, True, None),
        ("- [/] In progress", "/", False, False, None),
        ("- [!] Important", "!", False, False, None),
        ("- [>] Forwarded", ">", False, False, None),
    ],
)
def test_status_characters_follow_obsidian_tasks_and_unknown_ones_are_kept(line, status, done, cancelled, done_date):
    t = taskline.parse_task(line)
    assert t is not None
    assert (t.status, t.done, t.cancelled, t.open, t.done_date) == (status, done, cancelled,
                                                                    not done and not cancelled, done_date)


@pytest.mark.parametrize(
    ("line", "indent", "marker"),
    [
        ("- [ ] dash", "", "-"),
        ("* [ ] star", "", "*"),
        ("+ [ ] plus", "", "+"),
        ("1. [ ] numbered", "", "1."),
        ("12) [ ] numbered with paren", "", "12)"),
        ("    - [ ] nested", "    ", "-"),
        ("\t- [ ] tab nested", "\t", "-"),
        ("> - [ ] in a blockquote", "> ", "-"),
        ("> > * [ ] in a nested callout", "> > ", "*"),
    ],
)
def test_tasks_are_found_in_every_list_form_including_blockquotes(line, indent, marker):
    t = taskline.parse_task(line)
    assert t is not None
    assert (t.indent, t.marker) == (indent, marker)


@pytest.mark.parametrize("line", ["-[ ] no space", "- [ ]no space after", "- [  ] two spaces", "[ ] no marker",
                                  "- (x) parens", "text - [ ] later"])
def test_lines_that_only_look_like_tasks_are_not_tasks(line):
    assert taskline.parse_task(line) is None


def test_emoji_aliases_and_variation_selectors_read_as_the_same_field():
    t = taskline.parse_task("- [ ] Call 📆 2026-12-01 ⌛ 2026-11-30")
    assert t is not None and t.due == date(2026, 12, 1) and t.dates["scheduled"] == "2026-11-30"
    t = taskline.parse_task("- [x] Call ✅\ufe0f 2026-12-01")
    assert t is not None and t.done_date == date(2026, 12, 1)


# ---- tasks: tick and untick -----------------------------------------------------------------
@pytest.mark.parametrize(
    ("line", "ticked"),
    [
        ("- [ ] Send deck", "- [x] Send deck ✅ 2026-11-22"),
        ("- [ ] Send deck 📅 2026-11-30", "- [x] Send deck 📅 2026-11-30 ✅ 2026-11-22"),
        ("- [ ] Send deck 📅 2026-11-30 ^deck", "- [x] Send deck 📅 2026-11-30 ✅ 2026-11-22 ^deck"),
        ("- [ ] Send deck ^a1-b2", "- [x] Send deck ✅ 2026-11-22 ^a1-b2"),
        ("1. [ ] Numbered", "1. [x] Numbered ✅ 2026-11-22"),
        ("> - [ ] Quoted", "> - [x] Quoted ✅ 2026-11-22"),
        ("    * [ ] Nested 🔼", "    * [x] Nested 🔼 ✅ 2026-11-22"),
        ("- [/] In progress", "- [x] In progress ✅ 2026-11-22"),
    ],
)
def test_tick_marks_x_and_puts_the_done_date_last_but_before_a_block_id(line, ticked):
    t = taskline.parse_task(line)
    assert t is not None
    assert taskline.tick(t, TODAY) == ticked
    again = taskline.parse_task(ticked)
    assert again is not None and again.done and again.done_date == TODAY
    assert again.block_id == t.block_id and again.description == t.description


@pytest.mark.parametrize("line", [
    "- [ ] Send deck",
    "- [ ] Send deck 📅 2026-11-30 ^deck",
    "1. [ ] Numbered ⏫",
    "> > - [ ] Deep quote 🔁 every week 📅 2026-11-30",
    "\t- [ ] tabbed  ",
    "- [ ] Review 2026-11-22 notes 📅 2026-11-22",
])
def test_tick_then_untick_gives_back_the_exact_line(line):
    t = taskline.parse_task(line)
    assert t is not None
    ticked = taskline.parse_task(taskline.tick(t, TODAY))
    assert ticked is not None
    assert taskline.untick(ticked) == line


@pytest.mark.parametrize(
    ("line", "reopened"),
    [
        ("- [x] Sent 📅 2026-10-20 ✅ 2026-10-18", "- [ ] Sent 📅 2026-10-20"),
        ("- [x] Sent ✅ 2026-10-18 ^id", "- [ ] Sent ^id"),
        ("- [x] Sent ✅2026-10-18", "- [ ] Sent"),
        ("- [X] Done without a date", "- [ ] Done without a date"),
        ("* [x] Completed ✅ 2021-08-06 📅 2021-08-07", "* [ ] Completed 📅 2021-08-07"),
    ],
)
def test_untick_reopens_and_removes_only_the_done_date(line, reopened):
    t = taskline.parse_task(line)
    assert t is not None
    assert taskline.untick(t) == reopened


# ---- tasks: recurrence --------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("- [ ] Pay 🔁 every week 📅 2026-11-20", "- [ ] Pay 🔁 every week 📅 2026-11-27"),
        ("- [ ] Water 🔁 every 2 days ⏳ 2026-11-20", "- [ ] Water 🔁 every 2 days ⏳ 2026-11-22"),
        ("- [ ] Invoice 🔁 every month 📅 2026-01-31", "- [ ] Invoice 🔁 every month 📅 2026-02-28"),
        ("- [ ] Invoice 🔁 every month 📅 2026-03-15", "- [ ] Invoice 🔁 every month 📅 2026-04-15"),
        ("- [ ] Renew 🔁 every year 📅 2024-02-29", "- [ ] Renew 🔁 every year 📅 2025-02-28"),
        ("- [ ] Review 🔁 every week when done 📅 2026-11-01", "- [ ] Review 🔁 every week when done 📅 2026-11-29"),
        ("- [ ] Pay 🔁 every week 📅 2026-11-20 ^pay", "- [ ] Pay 🔁 every week 📅 2026-11-27"),
        ("- [ ] Plan 🔁 every week 🛫 2026-11-16 ⏳ 2026-11-18 📅 2026-11-20",
         "- [ ] Plan 🔁 every week 🛫 2026-11-23 ⏳ 2026-11-25 📅 2026-11-27"),
        ("- [ ] Same day 🔁 every week ⏳ 2026-11-20 📅 2026-11-20",
         "- [ ] Same day 🔁 every week ⏳ 2026-11-27 📅 2026-11-27"),
        ("- [ ] Prep 2026-11-20 review 📅 2026-11-20 🔁 every week",
         "- [ ] Prep 2026-11-20 review 📅 2026-11-27 🔁 every week"),
    ],
)
def test_next_occurrence_moves_every_date_by_the_rule_and_drops_the_block_id(line, expected):
    t = taskline.parse_task(line)
    assert t is not None
    assert taskline.next_occurrence(t, TODAY) == expected


@pytest.mark.parametrize("line", ["- [ ] Plain 📅 2026-11-20", "- [ ] No dates 🔁 every day",
                                  "- [ ] Odd rule 🔁 every week on Monday 📅 2026-11-20"])
def test_next_occurrence_is_none_when_there_is_no_rule_it_understands(line):
    t = taskline.parse_task(line)
    assert t is not None
    assert taskline.next_occurrence(t, TODAY) is None


# ---- task ids -----------------------------------------------------------------------------------
NOTE = """---
title: X
---
# X

## Open Tasks

- [ ] Send deck 📅 2026-11-30
- [ ] Call Hank
- [x] Share template ✅ 2026-10-18
- [ ] Call Hank
  - [ ] Nested child ^kid
"""


def _ids(text: str) -> list[str]:
    return [t.id for t in tasks_of(Note.parse(text, "Customers/X.md"))]


def test_task_ids_are_short_hex_unique_within_a_note_and_depend_on_path_and_text():
    ids = _ids(NOTE)
    assert len(ids) == 5 and len(set(ids)) == 5
    assert all(len(i) == 7 and int(i, 16) >= 0 for i in ids)
    other = [t.id for t in tasks_of(Note.parse(NOTE, "Customers/Y.md"))]
    assert set(ids).isdisjoint(other)


def test_task_ids_survive_done_and_undo():
    note = Note.parse(NOTE, "Customers/X.md")
    before = _ids(NOTE)
    for rec in tasks_of(note):
        t = taskline.parse_task(rec.raw, rec.line - 1)
        assert t is not None
        changed = taskline.untick(t) if t.done else taskline.tick(t, TODAY)
        lines = NOTE.split("\n")
        lines[rec.line - 1] = changed
        assert _ids("\n".join(lines)) == before


_unrelated = st.text(st.sampled_from("abcXYZ 019#:*-_()[]|>!.,"), max_size=30).filter(
    lambda s: taskline.parse_task(s) is None and s.strip() not in ("---", "...", "+++") and not s.startswith("  ")
)


@settings(max_examples=150, deadline=None)
@given(inserts=st.lists(st.tuples(st.integers(min_value=3, max_value=20), _unrelated), max_size=6))
def test_task_ids_survive_inserting_unrelated_lines_anywhere_in_the_body(inserts):
    before = _ids(NOTE)
    lines = NOTE.split("\n")
    for at, text in inserts:
        lines.insert(min(at, len(lines)), text)
    assert _ids("\n".join(lines)) == before


def test_lines_in_code_fences_are_never_tasks():
    text = "# N\n\n```\n- [ ] fenced\n```\n~~~md\n- [ ] tilde fenced\n~~~\n- [ ] real\n"
    assert [t.text for t in tasks_of(Note.parse(text, "N.md"))] == ["real"]


# ---- status table and marked bullets ---------------------------------------------------------
@pytest.mark.parametrize(
    ("row", "cells"),
    [
        ("| **Status** | Customer |", ["**Status**", "Customer"]),
        ("| Status | Customer |", ["Status", "Customer"]),
        ("|Industry|AI / Technology|", ["Industry", "AI / Technology"]),
        ("|-------|-------|", None),
        ("| :--- | ---: |", None),
        ("not a row", None),
    ],
)
def test_table_rows_give_their_cells_and_separators_give_none(row, cells):
    assert grammar.table_row(row) == cells


@pytest.mark.parametrize(("cell", "plain"), [("**Status**", "Status"), ("Status", "Status"),
                                               ("__Renewal__", "Renewal"), ("*Owner*", "Owner")])
def test_plain_cell_strips_emphasis_from_a_field_name(cell, plain):
    assert grammar.plain_cell(cell) == plain


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ("| **Status** | Customer |", "| **Status** | Churned |"),
        ("| Status | Customer |", "| Status | Churned |"),
        ("| Status   |   Customer   |", "| Status   |   Churned   |"),
        ("  | Status | Customer | extra |", "  | Status | Churned | extra |"),
    ],
)
def test_replace_cell_changes_only_the_value_cell_bold_or_not(row, expected):
    assert grammar.replace_cell(row, 1, "Churned") == expected


@pytest.mark.parametrize(
    ("section", "text", "expected"),
    [
        ("Blockers", "Budget freeze", "- ❌ Budget freeze"),
        ("blockers", "❌ Already marked", "- ❌ Already marked"),
        ("Key Decisions", "Go with S3", "- ✅ Go with S3"),
        ("KEY DECISIONS", "✅ Already marked", "- ✅ Already marked"),
        ("Key Facts", "Renewal in Q1", "- Renewal in Q1"),
    ],
)
def test_bullets_in_blockers_and_key_decisions_get_their_seed_marks(section, text, expected):
    assert sections.bullet(section, text) == expected
