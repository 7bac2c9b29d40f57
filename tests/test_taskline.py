"""The task-line grammar of Obsidian Tasks, field by field, and every task line of Tasks' own docs.

Every expected value is written by hand from Tasks itself, never from running vaultcrm:

- its serializer, `src/TaskSerializer/DefaultTaskSerializer.ts` (`deserialize`): each pass over the
  text after the checkbox tries, at the END of the text and in this order, priority, ✅ done,
  ❌ cancelled, 📅 due, ⏳ scheduled, 🛫 start, ➕ created, 🔁 recurrence, 🏁 on completion, one
  trailing `#tag` (set aside, put back at the end of the description), 🆔 id, ⛔ depends on; a value
  found on a later pass overwrites (so of two due dates the leftmost wins); it stops after a pass
  that found nothing, or after 21 passes. Each emoji may carry U+FE0F and be followed by any number
  of spaces (` *`, so no NBSP); dates are `\\d{4}-\\d{2}-\\d{2}` whether or not they exist;
- `src/TaskSerializer/DataviewTaskSerializer.ts`: the same loop over `[key:: value]` or
  `(key:: value)` fields (no mismatched pair, spaces allowed inside, a trailing comma allowed);
- `src/Task/TaskRegularExpressions.ts` and `Task.ts`: the checkbox line, the block link
  ` ^[a-zA-Z0-9-]+` cut from the end first, tags `(^|\\s)#[^ !@#$%^&*(),.?":{}|<>]+`, the global
  filter dropped from the tags (`GlobalFilter.equals`), 🏁 read as `delete`, `keep` or no action;
- Tasks' tests (`tests/Task/Task.test.ts`, `tests/TaskSerializer/DataviewTaskSerializer.test.ts`,
  `tests/Obsidian/Cache.test.ts`) and its docs, copied into ../shared/corpus.

vaultcrm's `Task` keeps tags without `#`, and the block link without its leading space.
"""

from __future__ import annotations

import re
from datetime import date
from functools import cache
from typing import Any

import pytest
from conftest import CORPUS, corpus_notes

from vaultcrm.config import TaskSettings
from vaultcrm.model.taskline import parse_task

TASKS_CORPUS = CORPUS / "obsidian-tasks-group__obsidian-tasks"
EMOJI = TaskSettings()
DATAVIEW = TaskSettings(dataview=True)
needs_corpus = pytest.mark.skipif(not TASKS_CORPUS.is_dir(), reason="../shared/corpus is absent")
NONE: dict[str, Any] = {"dates": {}, "priority": "none", "recurrence": None, "tags": [], "id": "",
                        "depends_on": [], "on_completion": "", "block_id": ""}


def read(line: str, settings: TaskSettings = EMOJI) -> dict[str, Any]:
    """The task's fields as a dict, to compare with a hand-written expectation."""
    t = parse_task(line, settings=settings)
    assert t is not None, line
    return {"description": t.description, "dates": t.dates, "priority": t.priority, "recurrence": t.recurrence,
            "tags": t.tags, "id": t.id, "depends_on": t.depends_on, "on_completion": t.on_completion,
            "block_id": t.block_id}


def expect(description: str, **fields: Any) -> dict[str, Any]:
    """What Tasks reads: `description` and the given fields, every other field empty."""
    return {**NONE, "description": description, **fields}


# ---- (a) the grammar, field by field -----------------------------------------------------------
@pytest.mark.parametrize(("sign", "name"), [
    ("📅", "due"), ("📆", "due"), ("🗓", "due"), ("⏳", "scheduled"), ("⌛", "scheduled"), ("🛫", "start"),
    ("➕", "created"), ("✅", "done"), ("❌", "cancelled"),
])
@pytest.mark.parametrize("vs16", ["", "\ufe0f"])
@pytest.mark.parametrize("gap", ["", " ", "   "])
def test_each_date_field_with_its_aliases_variation_selector_and_spacing(sign, name, vs16, gap):
    # dateFieldRegex(symbols): symbols + '\uFE0F?' + ' *' + '(\d{4}-\d{2}-\d{2})' + '$'
    assert read(f"- [ ] Call Bob {sign}{vs16}{gap}2026-01-02") == expect("Call Bob", dates={name: "2026-01-02"})


@pytest.mark.parametrize(("sign", "name"), [("🔺", "highest"), ("⏫", "high"), ("🔼", "medium"), ("🔽", "low"),
                                            ("⏬", "lowest")])
@pytest.mark.parametrize("vs16", ["", "\ufe0f"])
def test_each_priority_with_and_without_variation_selector(sign, name, vs16):
    assert read(f"- [ ] Call Bob {sign}{vs16}") == expect("Call Bob", priority=name)
    assert read(f"- [ ] Call Bob{sign}{vs16}") == expect("Call Bob", priority=name)  # no space needed before it


def test_no_priority_is_none():
    assert read("- [ ] #task Normal priority") == expect("#task Normal priority", tags=["task"])


@pytest.mark.parametrize(("text", "rule"), [
    ("🔁 every day when done", "every day when done"),
    ("🔁every week", "every week"),
    ("🔁   every week on Tuesday, Friday", "every week on Tuesday, Friday"),
    ("🔁\ufe0f every month on the 31st", "every month on the 31st"),
])
def test_recurrence_takes_letters_digits_commas_and_spaces(text, rule):
    assert read(f"- [ ] Pay rent {text}") == expect("Pay rent", recurrence=rule)


def test_recurrence_stops_at_any_other_character():
    # `;` is outside [a-zA-Z0-9, !]: the value does not reach the end, so nothing is read.
    assert read("- [ ] Pay rent 🔁 every day; really") == expect("Pay rent 🔁 every day; really")


def test_recurrence_is_read_before_the_dates_left_of_it():
    assert read("- [ ] Pay 📅 2026-01-02 🔁 every month") == expect("Pay", dates={"due": "2026-01-02"},
                                                                     recurrence="every month")


@pytest.mark.parametrize(("text", "ident"), [("🆔 abc", "abc"), ("🆔abc-1_2", "abc-1_2"), ("🆔\ufe0f  X9", "X9")])
def test_id(text, ident):
    assert read(f"- [ ] Draft {text}") == expect("Draft", id=ident)


def test_an_id_is_one_word():
    assert read("- [ ] Draft 🆔 abc def") == expect("Draft 🆔 abc def")
    assert read("- [ ] Draft 🆔 abc.def") == expect("Draft 🆔 abc.def")


@pytest.mark.parametrize(("text", "ids"), [
    ("⛔ abc", ["abc"]), ("⛔ abc,def", ["abc", "def"]), ("⛔abc , def ,ghi", ["abc", "def", "ghi"]),
    ("⛔\ufe0f a-1,b_2", ["a-1", "b_2"]),
])
def test_depends_on_is_a_comma_list_with_spaces_removed(text, ids):
    assert read(f"- [ ] Send {text}") == expect("Send", depends_on=ids)


def test_depends_on_cannot_end_with_a_comma():
    assert read("- [ ] Send ⛔ abc,") == expect("Send ⛔ abc,")


@pytest.mark.parametrize(("text", "action"), [
    ("🏁 delete", "delete"), ("🏁 keep", "keep"), ("🏁Delete", "delete"), ("🏁 KEEP", "keep"),
    ("🏁 archive", ""),  # read (and so taken out of the description), but no action Tasks knows
])
def test_on_completion(text, action):
    assert read(f"- [ ] Tidy {text}") == expect("Tidy", on_completion=action)


ALL = {"dates": {"due": "2026-01-09", "scheduled": "2026-01-08", "start": "2026-01-07", "created": "2026-01-01"},
       "priority": "high", "recurrence": "every week", "id": "a1", "depends_on": ["b2"], "on_completion": "keep"}


@pytest.mark.parametrize("fields", [
    "⏫ 🔁 every week 🏁 keep ➕ 2026-01-01 🛫 2026-01-07 ⏳ 2026-01-08 📅 2026-01-09 🆔 a1 ⛔ b2",
    "⛔ b2 🆔 a1 📅 2026-01-09 ⏳ 2026-01-08 🛫 2026-01-07 ➕ 2026-01-01 🏁 keep 🔁 every week ⏫",
    "📅 2026-01-09 🆔 a1 ⏫ ➕ 2026-01-01 ⛔ b2 🔁 every week ⏳ 2026-01-08 🏁 keep 🛫 2026-01-07",
])
def test_fields_in_any_order(fields):
    assert read(f"- [ ] Plan the QBR {fields}") == expect("Plan the QBR", **ALL)


def test_of_two_equal_fields_the_leftmost_wins():
    # The first pass takes 02-02, the second pass 01-01 and overwrites it.
    assert read("- [ ] Call 📅 2026-01-01 📅 2026-02-02") == expect("Call", dates={"due": "2026-01-01"})
    assert read("- [ ] Call ⏬ 🔺") == expect("Call", priority="lowest")


def test_trailing_tags_stay_in_the_description_at_its_end():
    assert read("- [ ] Call Bob 📅 2026-01-02 #crm #follow-up") == expect(
        "Call Bob #crm #follow-up", dates={"due": "2026-01-02"}, tags=["crm", "follow-up"])


def test_tags_between_fields_are_read_past_and_moved_to_the_end():
    assert read("- [ ] Call #a 📅 2026-01-02 #b ⏫ #c/d") == expect(
        "Call #a #b #c/d", dates={"due": "2026-01-02"}, priority="high", tags=["a", "b", "c/d"])


def test_text_between_fields_stops_the_reading():
    # Tasks reads back from the end and stops at the first text that is no field and no tag.
    assert read("- [ ] Call 📅 2026-01-02 for Bob ⏫") == expect("Call 📅 2026-01-02 for Bob", priority="high")
    assert read("- [ ] Call 📅 2026-01-02 Bob") == expect("Call 📅 2026-01-02 Bob")


def test_a_tag_ending_in_punctuation_is_no_trailing_tag():
    # `#crm.`: `.` may not be in a tag, so nothing at the end is a tag or a field; the tag is `#crm`.
    assert read("- [ ] Call 📅 2026-01-02 #crm.") == expect("Call 📅 2026-01-02 #crm.", tags=["crm"])


def test_tag_characters_follow_tasks_not_obsidian():
    # docs/Getting Started/Tags.md: `#1234` is a tag in Tasks; `#12.34` is the tag `#12`.
    assert read("- [ ] Room #1234") == expect("Room #1234", tags=["1234"])
    assert read("- [ ] Pi #12.34") == expect("Pi #12.34", tags=["12"])
    assert read("- [ ] a#b #c") == expect("a#b #c", tags=["c"])  # `#` after a letter starts no tag


def test_twenty_trailing_tags_are_read_past_but_not_twenty_one():
    # Pass k removes one tag; the due date is tried before the tag in each pass. With 20 tags, pass 21
    # reads the date; with 21, pass 21 removes the last tag and Tasks' failsafe stops the loop.
    tags20 = " ".join(f"#t{i}" for i in range(1, 21))
    assert read(f"- [ ] Call 📅 2026-01-02 {tags20}")["dates"] == {"due": "2026-01-02"}
    tags21 = tags20 + " #t21"
    assert read(f"- [ ] Call 📅 2026-01-02 {tags21}") == expect(
        f"Call 📅 2026-01-02 {tags21}", tags=[f"t{i}" for i in range(1, 22)])


def test_spaces_around_fields_are_trimmed():
    assert read("- [ ]   Call Bob   📅   2026-01-02    ⏫   ") == expect(
        "Call Bob", dates={"due": "2026-01-02"}, priority="high")


def test_a_no_break_space_after_the_emoji_is_no_space():
    # docs/Reference/Task Formats/Tasks Emoji Format.md, "Non-breaking spaces": not read.
    assert read("- [ ] Call 📅\u00a02026-01-02") == expect("Call 📅\u00a02026-01-02")
    # Before the emoji no space is needed at all, and trimming takes the NBSP.
    assert read("- [ ] Call\u00a0📅 2026-01-02") == expect("Call", dates={"due": "2026-01-02"})


def test_the_text_presentation_selector_is_not_accepted():
    # Only U+FE0F (emoji presentation) may follow the emoji; U+FE0E makes it another text.
    assert read("- [ ] Call 📅\ufe0e 2026-01-02") == expect("Call 📅\ufe0e 2026-01-02")


@pytest.mark.parametrize(("text", "block"), [
    ("Call 📅 2026-01-02 ^abc123", "^abc123"),
    ("Call 📅 2026-01-02 ^a-b-c  ", "^a-b-c"),
    ("Call #crm 📅 2026-01-02 ^Q1", "^Q1"),
])
def test_a_block_link_at_the_end_is_cut_before_the_fields(text, block):
    got = read(f"- [ ] {text}")
    assert (got["dates"], got["block_id"], got["description"].split(" ")[0]) == ({"due": "2026-01-02"}, block, "Call")


def test_what_is_no_block_link_ends_the_line_and_hides_the_fields():
    # `_` is not allowed in a block id; after a tag it is not at the end; without a space it is text.
    assert read("- [ ] Call 📅 2026-01-02 ^abc_1") == expect("Call 📅 2026-01-02 ^abc_1")
    assert read("- [ ] Call 📅 2026-01-02 ^abc #crm") == expect("Call 📅 2026-01-02 ^abc #crm", tags=["crm"])
    assert read("- [ ] Call 📅 2026-01-02^abc") == expect("Call 📅 2026-01-02^abc")


@pytest.mark.parametrize("value", ["2026-02-30", "2026-13-45", "0000-00-00"])
def test_an_impossible_date_is_still_the_field(value):
    # Tasks reads the field (an invalid moment: "due date is invalid"); the description loses it.
    t = parse_task(f"- [ ] Call 📅 {value}")
    assert t is not None
    assert (t.description, t.dates, t.due) == ("Call", {"due": value}, None)


@pytest.mark.parametrize("value", ["2026-1-02", "26-01-02", "2026/01/02", "2026-01-02T10:00", "tomorrow"])
def test_a_value_not_shaped_like_a_date_is_text(value):
    assert read(f"- [ ] Call 📅 {value}") == expect(f"Call 📅 {value}")


def test_a_date_with_a_time_after_it_is_text():
    assert read("- [ ] Call 📅 2026-01-02 10:00") == expect("Call 📅 2026-01-02 10:00")


# ---- the Dataview format -----------------------------------------------------------------------
@pytest.mark.parametrize(("key", "name"), [("due", "due"), ("scheduled", "scheduled"), ("start", "start"),
                                           ("created", "created"), ("completion", "done"),
                                           ("cancelled", "cancelled")])
@pytest.mark.parametrize("shape", ["[{k}:: {v}]", "({k}:: {v})", "[{k}::{v}]", "[  {k}::   {v}  ]", "({k}::{v} ),"])
def test_dataview_date_fields_in_either_bracket(key, name, shape):
    line = "- [ ] Call Bob  " + shape.format(k=key, v="2026-01-02")
    assert read(line, DATAVIEW) == expect("Call Bob", dates={name: "2026-01-02"})


@pytest.mark.parametrize("name", ["highest", "high", "medium", "low", "lowest"])
def test_dataview_priority(name):
    assert read(f"- [ ] Call  [priority:: {name}]", DATAVIEW) == expect("Call", priority=name)
    assert read(f"- [ ] Call (priority:: {name})", DATAVIEW) == expect("Call", priority=name)


def test_dataview_priority_is_lower_case():
    assert read("- [ ] Call [priority:: High]", DATAVIEW) == expect("Call [priority:: High]")


def test_dataview_other_fields():
    line = ("- [ ] Plan  [id:: a1]  [dependsOn:: b2, c3]  [priority:: high]  [repeat:: every week]"
            "  [onCompletion:: delete]  [due:: 2026-01-09]")
    assert read(line, DATAVIEW) == expect("Plan", dates={"due": "2026-01-09"}, priority="high",
                                          recurrence="every week", id="a1", depends_on=["b2", "c3"],
                                          on_completion="delete")


def test_dataview_fields_need_matching_brackets_at_the_end():
    for text in ("Call [due:: 2026-01-02)", "Call (due:: 2026-01-02]", "Call due:: 2026-01-02",
                 "Call [due:: 2026-01-02] today"):
        assert read(f"- [ ] {text}", DATAVIEW) == expect(text)


def test_dataview_trailing_tags_and_block_link():
    assert read("- [ ] Call [due:: 2026-01-02] #crm ^blk", DATAVIEW) == expect(
        "Call #crm", dates={"due": "2026-01-02"}, tags=["crm"], block_id="^blk")


def test_each_format_reads_only_its_own_fields():
    assert read("- [ ] Call 📅 2026-01-02", DATAVIEW) == expect("Call 📅 2026-01-02")
    assert read("- [ ] Call [due:: 2026-01-02]") == expect("Call [due:: 2026-01-02]")


# ---- the global filter -------------------------------------------------------------------------
def test_the_global_filter_is_no_tag():
    # docs/Scripting/Task Properties.md: "if there is a Global Filter enabled in settings, and the
    # filter is a tag, it will be removed from `task.tags`" (Task.parseTaskSignifiers, GlobalFilter.equals).
    gf = TaskSettings(global_filter="#task")
    assert read("- [ ] #task Call #crm 📅 2026-01-02 #task/sub", gf) == expect(
        "#task Call #crm #task/sub", dates={"due": "2026-01-02"}, tags=["crm", "task/sub"])


# ---- (b) lines whose parse Tasks' own tests state ----------------------------------------------
# Source: tests/Task/Task.test.ts in obsidian-tasks-group/obsidian-tasks.
TASK_TEST_TS = [
    # 'parses a task from a line starting with hyphen'
    ("- [x] this is a done task 🗓 2021-09-12 ✅ 2021-06-20 ➕ 2023-03-07",
     expect("this is a done task", dates={"due": "2021-09-12", "done": "2021-06-20", "created": "2023-03-07"})),
    # 'parses a task from a line (numbered)', '(big number)', asterisk, plus sign
    ("1. [x] this is a done task", expect("this is a done task")),
    ("909999. [ ] this is a todo task", expect("this is a todo task")),
    ("* [ ] this is a task in asterisk list", expect("this is a task in asterisk list")),
    ("+ [ ] this is a task in asterisk list", expect("this is a task in asterisk list")),
    # 'allows signifier emojis as part of the description'
    ("- [x] this is a ✅ done task 🗓 2021-09-12 ✅ 2021-06-20",
     expect("this is a ✅ done task", dates={"due": "2021-09-12", "done": "2021-06-20"})),
    # 'also works with block links and trailing spaces'
    ("- [x] this is a ✅ done task 🗓 2021-09-12 ✅ 2021-06-20 ^my-precious  ",
     expect("this is a ✅ done task", dates={"due": "2021-09-12", "done": "2021-06-20"}, block_id="^my-precious")),
    # 'supports tag anywhere in the description and separates them correctly from signifier emojis'
    ("- [ ] this is a task due 📅 2021-09-12 #inside_tag ⏫ #some/tags_with_underscore",
     expect("this is a task due #inside_tag #some/tags_with_underscore", dates={"due": "2021-09-12"},
            priority="high", tags=["inside_tag", "some/tags_with_underscore"])),
    # 'supports parsing large number of values'
    (("- [ ] Wobble ⏫  #tag1 ✅ 2022-07-02 #tag2  📅 2022-07-02 #tag3 ⏳ 2022-07-02 #tag4 🛫 2022-07-02 #tag5  "
     "🔁 every day  #tag6 #tag7 #tag8 #tag9 #tag10"),
     expect("Wobble #tag1 #tag2 #tag3 #tag4 #tag5 #tag6 #tag7 #tag8 #tag9 #tag10",
            dates={"done": "2022-07-02", "due": "2022-07-02", "scheduled": "2022-07-02", "start": "2022-07-02"},
            priority="high", recurrence="every day", tags=[f"tag{i}" for i in range(1, 11)])),
    # 'parsing tags' table (global filter empty)
    ("- [x] this is a done task #tagone 🗓 2021-09-12 #another-tag ✅ 2021-06-20 #and_another",
     expect("this is a done task #tagone #another-tag #and_another", dates={"due": "2021-09-12", "done": "2021-06-20"},
            tags=["tagone", "another-tag", "and_another"])),
    ("- [ ] this is a normal task #tagone #tag/with/depth #tagtwo 🗓 2021-09-12 ✅ 2021-06-20",
     expect("this is a normal task #tagone #tag/with/depth #tagtwo", dates={"due": "2021-09-12", "done": "2021-06-20"},
            tags=["tagone", "tag/with/depth", "tagtwo"])),
    (("* [ ] Export [Cloud Feedly feeds](https://cloud.feedly.com/#opml) #context/pc_clare 🔁 every 4 weeks on Sunday "
     "⏳ 2022-05-15 #context/more_context"),
     expect("Export [Cloud Feedly feeds](https://cloud.feedly.com/#opml) #context/pc_clare #context/more_context",
            dates={"scheduled": "2022-05-15"}, recurrence="every 4 weeks on Sunday",
            tags=["context/pc_clare", "context/more_context"])),
    (("- [ ] Review [savings accounts and interest rates](https://www.moneysavingexpert.com/tips/2022/04/20/#hiya) "
     "#context/pc_clare ⏳ 2022-05-06"),
     expect("Review [savings accounts and interest rates](https://www.moneysavingexpert.com/tips/2022/04/20/#hiya) "
            "#context/pc_clare", dates={"scheduled": "2022-05-06"}, tags=["context/pc_clare"])),
    (">>> * [ ] Task inside a nested blockquote or callout #tagone",
     expect("Task inside a nested blockquote or callout #tagone", tags=["tagone"])),
    ("- [ ] count the # of tomatoes #gardening", expect("count the # of tomatoes #gardening", tags=["gardening"])),
    # 'should provide access to recurring-related properties' (the invalid rule is the next test)
    ("- [ ] recurring 🔁 every day 📅 2022-06-17",
     expect("recurring", dates={"due": "2022-06-17"}, recurrence="every day")),
] + [
    # 'supports parsing of emojis with multiple spaces'
    (line, expect("Wobble", dates={"done": "2022-07-01", "due": "2022-07-02", "scheduled": "2022-07-03",
                                   "start": "2022-07-04", "created": "2022-07-05"}, recurrence="every day"))
    for line in (
        "- [ ] Wobble ✅2022-07-01 📅2022-07-02 ⏳2022-07-03 🛫2022-07-04 ➕2022-07-05 🔁every day",
        "- [ ] Wobble ✅ 2022-07-01 📅 2022-07-02 ⏳ 2022-07-03 🛫 2022-07-04 ➕ 2022-07-05 🔁 every day",
        "- [ ] Wobble ✅  2022-07-01 📅  2022-07-02 ⏳  2022-07-03 🛫  2022-07-04 ➕  2022-07-05 🔁  every day",
        "- [ ] Wobble ✅  2022-07-01 📅  2022-07-02 ⏳  2022-07-03 🛫  2022-07-04 ➕   2022-07-05 🔁  every day",
    )
] + [
    # 'supports parsing of tasks inside blockquotes or callouts'
    (line, expect("Task inside a blockquote or callout", dates={"due": "2022-07-29"}))
    for line in ("> - [ ] Task inside a blockquote or callout 📅2022-07-29",
                 ">>> - [ ] Task inside a blockquote or callout 📅2022-07-29",
                 "> > > * [ ] Task inside a blockquote or callout 📅2022-07-29")
]


@pytest.mark.parametrize(("line", "want"), TASK_TEST_TS)
def test_lines_from_tasks_task_tests(line, want):
    assert read(line) == want


def test_global_filter_cases_from_tasks_task_tests():
    # tests/Task/Task.test.ts, 'parsing tags' with globalFilter '#someglobaltasktag', and
    # 'task parsing VS global filter'.
    gf = TaskSettings(global_filter="#someglobaltasktag")
    assert read("- [ ] #someglobaltasktag this is a normal task #tagone #tagtwo 🗓 2021-09-12 #tagthree ✅ 2021-06-20 "
                "#tagfour", gf) == expect(
        "#someglobaltasktag this is a normal task #tagone #tagtwo #tagthree #tagfour",
        dates={"due": "2021-09-12", "done": "2021-06-20"}, tags=["tagone", "tagtwo", "tagthree", "tagfour"])
    task = TaskSettings(global_filter="#task")
    assert parse_task("- [x] this is a done task 🗓 2021-09-12 ✅ 2021-06-20", settings=task) is None
    for line in ("#task - [ ] this is a task 🗓 2021-09-12", "- #task [ ] this is a task 🗓 2021-09-12",
                 "- [#task] this is a task 🗓 2021-09-12", "- [ #task ] this is a task 🗓 2021-09-12"):
        assert parse_task(line, settings=task) is None, line
    assert parse_task("- [@] Hello", settings=TaskSettings(global_filter="@")) is None


def test_an_invalid_recurrence_rule_is_no_recurrence():
    # tests/Task/Task.test.ts: '🔁 invalid rule' is discarded (isRecurring false); the field is still read.
    assert read("- [ ] recurring 🔁 invalid rule 📅 2022-06-17") == expect("recurring", dates={"due": "2022-06-17"})


@pytest.mark.xfail(strict=True, reason="vaultcrm takes any rule starting 'every' as a recurrence; Tasks keeps "
                                       "only the rules rrule's text parser understands")
def test_a_rule_rrule_cannot_read_is_no_recurrence():
    # docs/Scripting/Task Properties.md: `task.isRecurring` is false when "the recurrence rule is invalid
    # (such as `🔁  every seven weeks`, for example)". The field is still read.
    assert read("- [ ] Water 🔁  every seven weeks") == expect("Water")


# Source: tests/TaskSerializer/DataviewTaskSerializer.test.ts in obsidian-tasks-group/obsidian-tasks.
DATAVIEW_TEST_TS = [
    # 'should parse a task with multiple fields and tags'
    (("- [ ] Wobble [priority::high] #tag1 [completion:: 2024-09-04] #tag2  [due::2025-10-05] #tag3 "
     "[scheduled::2022-07-02] #tag4 [start::2023-08-03] #tag5  [repeat::every day]  #tag6 #tag7 #tag8 #tag9 #tag10"),
     expect("Wobble #tag1 #tag2 #tag3 #tag4 #tag5 #tag6 #tag7 #tag8 #tag9 #tag10",
            dates={"due": "2025-10-05", "done": "2024-09-04", "start": "2023-08-03", "scheduled": "2022-07-02"},
            priority="high", recurrence="every day", tags=[f"tag{i}" for i in range(1, 11)])),
    # 'should recognize inline fields surrounded by square brackets' / 'by parens'
    ("- [ ] Some task that is [due::2021-08-22] [priority:: high]",
     expect("Some task that is", dates={"due": "2021-08-22"}, priority="high")),
    ("- [ ] Some task that is (due::2021-08-22) (priority:: high)",
     expect("Some task that is", dates={"due": "2021-08-22"}, priority="high")),
    # 'should not recognize inline fields with mismatched surrounding pair'
    ("- [ ] Some task that is [due::2021-08-22) (priority:: high]",
     expect("Some task that is [due::2021-08-22) (priority:: high]")),
    # 'should not recognize unbracketed fields'
    ("- [ ] Some task - due value not found by dataview - due:: 2021-08-22",
     expect("Some task - due value not found by dataview - due:: 2021-08-22")),
    # 'should recognize comma seperated inline fields'
    ("- [ ] Some task that is [due::2021-08-22], [priority::high]       , (start::2021-08-19)",
     expect("Some task that is", dates={"due": "2021-08-22", "start": "2021-08-19"}, priority="high")),
] + [
    # 'whitespace within an inline field', for every date field, recurrence and priority
    (f"- [ ] x {shape.format(k=key, v=value)}", expect("x", **want))
    for key, value, want in [
        *[(k, "2021-06-20", {"dates": {n: "2021-06-20"}}) for k, n in
          [("start", "start"), ("due", "due"), ("completion", "done"), ("created", "created"),
           ("scheduled", "scheduled"), ("cancelled", "cancelled")]],
        ("repeat", "every day", {"recurrence": "every day"}),
        ("priority", "high", {"priority": "high"}),
    ]
    for shape in ("[{k}::{v}]", "[{k}:: {v}]", "[{k}::               {v}]", "[ {k}::{v}]", "[      {k}::{v}]",
                  "[{k}::{v} ]", "[{k}::{v}     ]", "[ {k}::{v} ]", "[     {k}::{v}     ]",
                  "[     {k}::     {v}     ]")
]


@pytest.mark.parametrize(("line", "want"), DATAVIEW_TEST_TS)
def test_lines_from_tasks_dataview_serializer_tests(line, want):
    assert read(line, DATAVIEW) == want


# Source: tests/Obsidian/Cache.test.ts (on the Test Data notes copied into the corpus).
@pytest.mark.parametrize(("line", "want"), [
    # 'should read numbered list items with closing parenthesis' (issue #3401)
    ("1) [ ] #task Task 1 in 'numbered_list_items_with_paren'",
     expect("#task Task 1 in 'numbered_list_items_with_paren'", tags=["task"])),
    # 'visualise how Tasks handles sample tasks in issue #3481': the numbers are description
    ("- [ ] 3) #task Task 3 in 'numbered_tasks_issue_3481'",
     expect("3) #task Task 3 in 'numbered_tasks_issue_3481'", tags=["task"])),
    ("- [ ] (6) #task Task 6 in 'numbered_tasks_issue_3481'",
     expect("(6) #task Task 6 in 'numbered_tasks_issue_3481'", tags=["task"])),
    # 'should read non task check box when global filter is enabled': two spaces after the marker
    ("-  [ ] #task task parent", expect("#task task parent", tags=["task"])),
    # 'should read one task'
    ("- [ ] #task the only task here", expect("#task the only task here", tags=["task"])),
])
def test_lines_from_tasks_cache_tests(line, want):
    assert read(line) == want


def test_a_zero_width_space_before_the_indent_is_no_task():
    # tests/Obsidian/Cache.test.ts on zero_width.md: of its two lines Tasks reads only the first.
    assert parse_task("\t- [ ] #task Task line 1 in 'zero_width' - indented by tab character") is not None
    assert parse_task("\u200b\t- [ ] #task Task line 2 in 'zero_width' - indented by ZWSP + tab character") is None


# ---- (b) lines whose parse Tasks' docs state, read from the corpus -----------------------------
def corpus_lines(rel: str) -> list[str]:
    return (TASKS_CORPUS / rel).read_text(encoding="utf-8").splitlines()


FORMATS = "resources/sample_vaults/Tasks-Demo/Formats/"
EMOJI_DOC = "docs/Reference/Task Formats/Tasks Emoji Format.md"
DATAVIEW_DOC = "docs/Reference/Task Formats/Dataview Format.md"
DOCS_STATED: list[tuple[str, bool, str, dict[str, Any]]] = [
    # (corpus file, Dataview format?, line, what the docs say Tasks reads)
    # The DocsSamplesForTaskFormats snippets: each line says which field it has.
    *[(f, False, line, want) for f in (EMOJI_DOC, FORMATS + "Tasks Format.md") for line, want in [
        ("- [ ] #task Has a created date ➕ 2023-04-13", {"dates": {"created": "2023-04-13"}}),
        ("- [ ] #task Has a scheduled date ⏳ 2023-04-14", {"dates": {"scheduled": "2023-04-14"}}),
        ("- [ ] #task Has a start date 🛫 2023-04-15", {"dates": {"start": "2023-04-15"}}),
        ("- [ ] #task Has a due date 📅 2023-04-16", {"dates": {"due": "2023-04-16"}}),
        ("- [x] #task Has a done date ✅ 2023-04-17", {"dates": {"done": "2023-04-17"}}),
        ("- [-] #task Has a cancelled date ❌ 2023-04-18", {"dates": {"cancelled": "2023-04-18"}}),
        ("- [ ] #task Lowest priority ⏬", {"priority": "lowest"}),
        ("- [ ] #task Low priority 🔽", {"priority": "low"}),
        ("- [ ] #task Normal priority", {}),
        ("- [ ] #task Medium priority 🔼", {"priority": "medium"}),
        ("- [ ] #task High priority ⏫", {"priority": "high"}),
        ("- [ ] #task Highest priority 🔺", {"priority": "highest"}),
        ("- [ ] #task Keep this task when done", {}),
        ("- [ ] #task Keep this task when done too 🏁 keep", {"on_completion": "keep"}),
        ("- [ ] #task Remove this task when done 🏁 delete", {"on_completion": "delete"}),
        ("- [ ] #task Remove completed instance of this recurring task when done 🔁 every day 🏁 delete",
         {"recurrence": "every day", "on_completion": "delete"}),
        ("- [ ] #task do this first 🆔 dcf64c", {"id": "dcf64c"}),
        ("- [ ] #task do this after first and some other task ⛔ dcf64c,0h17ye", {"depends_on": ["dcf64c", "0h17ye"]}),
    ]],
    *[(f, True, line, want) for f in (DATAVIEW_DOC, FORMATS + "Dataview Format.md") for line, want in [
        ("- [ ] #task Has a created date  [created:: 2023-04-13]", {"dates": {"created": "2023-04-13"}}),
        ("- [ ] #task Has a scheduled date  [scheduled:: 2023-04-14]", {"dates": {"scheduled": "2023-04-14"}}),
        ("- [ ] #task Has a start date  [start:: 2023-04-15]", {"dates": {"start": "2023-04-15"}}),
        ("- [ ] #task Has a due date  [due:: 2023-04-16]", {"dates": {"due": "2023-04-16"}}),
        ("- [x] #task Has a done date  [completion:: 2023-04-17]", {"dates": {"done": "2023-04-17"}}),
        ("- [-] #task Has a cancelled date  [cancelled:: 2023-04-18]", {"dates": {"cancelled": "2023-04-18"}}),
        ("- [ ] #task Lowest priority  [priority:: lowest]", {"priority": "lowest"}),
        ("- [ ] #task Low priority  [priority:: low]", {"priority": "low"}),
        ("- [ ] #task Normal priority", {}),
        ("- [ ] #task Medium priority  [priority:: medium]", {"priority": "medium"}),
        ("- [ ] #task High priority  [priority:: high]", {"priority": "high"}),
        ("- [ ] #task Highest priority  [priority:: highest]", {"priority": "highest"}),
        ("- [ ] #task Keep this task when done too  [onCompletion:: keep]", {"on_completion": "keep"}),
        ("- [ ] #task Remove this task when done  [onCompletion:: delete]", {"on_completion": "delete"}),
        (("- [ ] #task Remove completed instance of this recurring task when done  [repeat:: every day]  "
         "[onCompletion:: delete]"), {"recurrence": "every day", "on_completion": "delete"}),
        ("- [ ] #task do this first  [id:: dcf64c]", {"id": "dcf64c"}),
        ("- [ ] #task do this after first and some other task  [dependsOn:: dcf64c,0h17ye]",
         {"depends_on": ["dcf64c", "0h17ye"]}),
    ]],
    (FORMATS + "Tasks Format.md", False, "- [ ] #task Is a recurring task 🔁 every day when done",
     {"recurrence": "every day when done"}),
    (FORMATS + "Dataview Format.md", True, "- [ ] #task Is a recurring task  [repeat:: every day when done]",
     {"recurrence": "every day when done"}),
    (FORMATS + "Dataview Format.md", True, ("- [ ] #task Has one of every field except done  [priority:: high]  "
     "[repeat:: every day]  [start:: 2023-04-24]  [scheduled:: 2023-04-26]  [due:: 2023-04-27]"),
     {"priority": "high", "recurrence": "every day",
      "dates": {"start": "2023-04-24", "scheduled": "2023-04-26", "due": "2023-04-27"}}),
    (FORMATS + "Dataview Format.md", True, ("- [x] #task Has one of every except recurring  [priority:: high]  "
     "[created:: 2023-04-26]  [start:: 2023-04-23]  [scheduled:: 2023-04-25]  [due:: 2023-04-26]  "
     "[completion:: 2023-04-26]"),
     {"priority": "high", "dates": {"created": "2023-04-26", "start": "2023-04-23", "scheduled": "2023-04-25",
                                    "due": "2023-04-26", "done": "2023-04-26"}}),
    # docs/Getting Started: each page shows one field on "take out the trash".
    ("docs/Getting Started/Dates.md", False, "- [ ] take out the trash 📅 2021-04-09", {"dates": {"due": "2021-04-09"}}),
    ("docs/Getting Started/Dates.md", False, "- [ ] take out the trash ⏳ 2021-04-09",
     {"dates": {"scheduled": "2021-04-09"}}),
    ("docs/Getting Started/Dates.md", False, "- [ ] take out the trash 🛫 2021-04-09",
     {"dates": {"start": "2021-04-09"}}),
    ("docs/Getting Started/Dates.md", False, "- [ ] take out the trash ➕ 2021-04-09",
     {"dates": {"created": "2021-04-09"}}),
    ("docs/Getting Started/Dates.md", False, "- [x] take out the trash ✅ 2021-04-09", {"dates": {"done": "2021-04-09"}}),
    ("docs/Getting Started/Dates.md", False, "- [-] take out the trash ❌ 2021-04-09",
     {"dates": {"cancelled": "2021-04-09"}}),
    ("docs/Getting Started/Priority.md", False, "- [ ] take out the trash 🔼", {"priority": "medium"}),
    ("docs/Getting Started/Recurring Tasks.md", False, "- [ ] take out the trash 🔁 every Sunday 📅 2021-04-25",
     {"recurrence": "every Sunday", "dates": {"due": "2021-04-25"}}),
    ("docs/Getting Started/Recurring Tasks.md", False, "-   [ ] Mow the lawn 🔁 every 2 weeks ⏳ 2021-10-28 📅 2021-10-30",
     {"recurrence": "every 2 weeks", "dates": {"scheduled": "2021-10-28", "due": "2021-10-30"}}),
    ("docs/Getting Started/On Completion.md", False,
     "> - [ ] Delete my completed instance, leave my next instance 📅 2021-05-20 🔁 every day when done 🏁 delete",
     {"recurrence": "every day when done", "on_completion": "delete", "dates": {"due": "2021-05-20"}}),
    ("docs/Getting Started/On Completion.md", False, "> - [x] Leave me alone too! 🏁 keep", {"on_completion": "keep"}),
    # "Recurrence rule lost if highest priority date is invalid": 📅 2024-02-30 is read, as an invalid date.
    ("docs/Getting Started/Recurring Tasks.md", False,
     "- [ ] Do stuff 🔁 every year 🛫 2024-02-27 ⏳ 2024-02-28 📅 2024-02-30",
     {"recurrence": "every year", "dates": {"start": "2024-02-27", "scheduled": "2024-02-28", "due": "2024-02-30"}}),
    # ... and `📅 Invalid date` is no date at all, so the reading stops at it.
    ("docs/Getting Started/Recurring Tasks.md", False,
     "- [x] #task Do stuff 🛫 2024-02-27 ⏳ 2024-02-28 📅 Invalid date ✅ 2023-10-21",
     {"description": "#task Do stuff 🛫 2024-02-27 ⏳ 2024-02-28 📅 Invalid date", "dates": {"done": "2023-10-21"}}),
    # docs/How To/Find tasks with invalid data.md: "This task has an illegal due date".
    ("docs/How To/Find tasks with invalid data.md", False, "- [ ] Do stuff 📅  2023-12-32",
     {"description": "Do stuff", "dates": {"due": "2023-12-32"}}),
    # docs/Editing/Auto-Suggest.md, "How can I check that a particular Task is formatted correctly?":
    # in the first the due date is read; in the second, "for" after it hides it ("no due date").
    ("docs/Editing/Auto-Suggest.md", False,
     "- [ ] Do stuff at the #office by 📅 2022-07-18 #project-x 🔁 every week #testing",
     {"description": "Do stuff at the #office by #project-x #testing", "dates": {"due": "2022-07-18"},
      "recurrence": "every week"}),
    ("docs/Editing/Auto-Suggest.md", False,
     "- [ ] Do stuff at the #office by 📅 2022-07-18 for #project-x 🔁 every week #testing",
     {"description": "Do stuff at the #office by 📅 2022-07-18 for #project-x #testing", "recurrence": "every week"}),
    # Manual Testing/Dataview Format - Tasks to Parse.md: A 2 "dataview finds the date, Tasks does not".
    ("resources/sample_vaults/Tasks-Demo/Manual Testing/Testing File Formats/Dataview Format - Tasks to Parse.md",
     False, "- [ ] #task A 1 Some task - with Tasks emoji at end of line 📅2021-08-22", {"dates": {"due": "2021-08-22"}}),
    ("resources/sample_vaults/Tasks-Demo/Manual Testing/Testing File Formats/Dataview Format - Tasks to Parse.md",
     False, ("- [ ] #task A 2 Some task - with Tasks emoji in 📅2021-08-22 middle of line - dataview finds the date, "
     "Tasks does not"), {"description": "#task A 2 Some task - with Tasks emoji in 📅2021-08-22 middle of line - "
                                       "dataview finds the date, Tasks does not"}),
]


@needs_corpus
@pytest.mark.parametrize(("rel", "dataview", "line", "want"), DOCS_STATED)
def test_lines_whose_reading_tasks_docs_state(rel, dataview, line, want):
    assert line in corpus_lines(rel), f"{line!r} is not in {rel}"
    got = read(line, DATAVIEW if dataview else TaskSettings())
    assert {k: got[k] for k in want} == want
    rest = [k for k in NONE if k not in want and k != "tags"]
    assert {k: got[k] for k in rest} == {k: NONE[k] for k in rest}  # and no other field
    if "description" not in want:  # the description is the text before the fields
        assert not re.search("[🔺⏫🔼🔽⏬📅⏳🛫➕✅❌🔁🏁🆔⛔]|::", got["description"]), got["description"]


@needs_corpus
def test_the_dataview_parse_file_reads_every_bracketed_due_and_no_other():
    # Manual Testing/Testing File Formats/Dataview Format - Tasks to Parse.md, in the Dataview format:
    # B 1-8 are bracketed (spaces as DataviewTaskSerializer.test.ts allows); C 1-3 and D 1 are not.
    rel = "resources/sample_vaults/Tasks-Demo/Manual Testing/Testing File Formats/Dataview Format - Tasks to Parse.md"
    dues = {}
    for line in corpus_lines(rel):
        t = parse_task(line, settings=DATAVIEW)
        if t is not None:
            dues["".join(t.description.split(" ")[1:3])] = t.dates.get("due")
    assert dues == {"A1": None, "A2": None, **{f"B{i}": "2021-08-22" for i in range(1, 9)},
                    "C1": None, "C2": None, "C3": None, "D1": None}


@needs_corpus
def test_invalid_dates_manual_test_note():
    # Manual Testing/Invalid Dates.md: six valid 2022-02-28 fields, six invalid 2022-02-29 ones ("expect 6
    # matches" for "date is invalid"); every one is read as its field.
    rel = "resources/sample_vaults/Tasks-Demo/Manual Testing/Invalid Dates.md"
    seen = []
    for line in corpus_lines(rel):
        t = parse_task(line)
        if t is not None:
            [(name, value)] = t.dates.items()
            valid = value == "2022-02-28"
            seen.append((name, value, valid))
            assert t.description == f"#task {'Valid' if valid else 'Invalid'} {name} date"
            if name == "due":
                assert (t.due is not None) == valid
    assert sorted(seen) == sorted((n, d, d.endswith("28")) for n in ("cancelled", "created", "done", "due",
                                                                        "scheduled", "start")
                                  for d in ("2022-02-28", "2022-02-29"))


@needs_corpus
def test_the_fully_populated_task_of_the_task_properties_reference():
    # docs/Scripting/Task Properties.md: `task.originalMarkdown` of Tasks' fully populated sample task, and
    # its values in the same tables (description, tags, priority Medium, recurrenceRule, onCompletion,
    # id, dependsOn, and the six dates 2023-07-01 to 2023-07-06).
    text = (TASKS_CORPUS / "docs/Scripting/Task Properties.md").read_text(encoding="utf-8")
    [line] = re.findall(r"\| `task\.originalMarkdown` \| `string` \| `'(.*?)'` \|", text)
    assert read(line) == expect(
        "Do exercises #todo #health", tags=["todo", "health"], priority="medium", recurrence="every day when done",
        on_completion="delete", id="abcdef", depends_on=["123456", "abc123"], block_id="^dcf64c",
        dates={"created": "2023-07-01", "start": "2023-07-02", "scheduled": "2023-07-03", "due": "2023-07-04",
               "cancelled": "2023-07-06", "done": "2023-07-05"})
    assert "| `task.due` | `TasksDate` | `2023-07-04 00:00` |" in text
    assert read("- [/] minimal task") == expect("minimal task")


# ---- (b) the broad sweep: every checkbox line of the corpus --------------------------------------
_CHECKBOX = re.compile(r"[\s>]*(?:[-*+]|[0-9]+[.)]) +\[[^\]]\](?:\s|$)")
_BLOCK = re.compile(r" \^[a-zA-Z0-9-]+$")
_TRAILING_TAG = re.compile(r"(?:^|\s)#[^ !@#$%^&*(),.?\":{}|<>]+$")
_DUE_AT_END = re.compile("📅\ufe0f? *([0-9]{4}-[0-9]{2}-[0-9]{2})$")


@cache
def corpus_checkbox_lines() -> tuple[tuple[str, str], ...]:
    found = []
    for path in corpus_notes():
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        rel = str(path.relative_to(CORPUS))
        found += [(rel, line) for line in text.splitlines() if _CHECKBOX.match(line)]
    return tuple(found)


def due_at_the_end(line: str) -> str | None:
    """The date of a `📅 date` that is the last field of the line (only trailing tags and a block link
    after it), worked out from Tasks' documented grammar, for a line with no other due-date emoji."""
    body = line.split("]", 1)[1].strip()
    if sum(body.count(sign) for sign in "📅📆🗓") != 1:
        return None
    body = _BLOCK.sub("", body).strip()
    while (tag := _TRAILING_TAG.search(body)) is not None:
        body = body[: tag.start()].strip()
    m = _DUE_AT_END.search(body)
    return m[1] if m else None


@needs_corpus
def test_every_checkbox_line_of_the_corpus_is_a_task_and_its_last_due_date_is_read():
    lines = corpus_checkbox_lines()
    tasks_lines = [line for rel, line in lines if rel.startswith("obsidian-tasks-group__obsidian-tasks/")]
    assert len(lines) >= 1500 and len(tasks_lines) >= 1400  # the corpus is there, and large (1,526 and 1,437)
    checked = 0
    for rel, line in lines:
        t = parse_task(line)
        assert t is not None, (rel, line)
        want = due_at_the_end(line)
        if want is not None:
            checked += 1
            assert t.dates.get("due") == want, (rel, line)
        if line.count("📅") == 1:  # one due emoji: read as the due field, or left in the description
            assert ("due" in t.dates) != ("📅" in t.description), (rel, line)
    assert checked >= 85  # 89 lines end with a due date


@needs_corpus
def test_every_checkbox_line_of_the_corpus_reads_in_the_dataview_format_too():
    for rel, line in corpus_checkbox_lines():
        t = parse_task(line, settings=DATAVIEW)
        assert t is not None, (rel, line)
        assert "due" not in t.dates or "due::" in line, (rel, line)


def test_the_sweep_helper_follows_the_grammar():
    assert due_at_the_end("- [ ] Call 📅 2026-01-02 #a #b ^blk") == "2026-01-02"
    assert due_at_the_end("- [ ] Call 📅 2026-01-02 ⏫") is None  # not the last field: not judged
    assert due_at_the_end("- [ ] Call 📅 2026-01-02 for Bob") is None
    assert due_at_the_end("- [ ] Call 📅 2026-01-01 📅 2026-01-02") is None  # two: not judged
    assert date.fromisoformat(due_at_the_end("- [ ] Call 📅️2026-01-02") or "") == date(2026, 1, 2)


# ---- the quick test that units and doctor use to set tasks apart from other bullets ----------------
from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from vaultcrm.model.taskline import is_task  # noqa: E402

FILTERED = TaskSettings(global_filter="#task")
LINE = st.text(alphabet=st.sampled_from(list(" \t-*+1.)[]xX/?>#task📅 2026-01-02\u00a0")), max_size=30)


@given(LINE)
def test_is_task_agrees_with_parse_task(line: str) -> None:
    for settings in (EMOJI, FILTERED):
        assert is_task(line, settings) == (parse_task(line, 0, settings) is not None)


@pytest.mark.parametrize(("line", "expected"), [
    ("- [ ] call", True), ("  * [x] done", True), ("> - [/] quoted", True), ("1. [-] numbered", True),
    ("- [] no status", False), ("- [ ]no space", False), ("- call", False), ("[ ] no marker", False),
])
def test_is_task_on_hand_picked_lines(line: str, expected: bool) -> None:
    assert is_task(line) is expected


@needs_corpus
def test_is_task_agrees_with_parse_task_on_every_corpus_line() -> None:
    lines = [ln for p in corpus_notes() for ln in p.read_text(encoding="utf-8", errors="replace").splitlines()]
    assert len(lines) > 1000
    assert [ln for ln in lines if is_task(ln) != (parse_task(ln) is not None)] == []


# ---- read_fields tries only the fields whose signs are in the line ------------------------------
from vaultcrm.model import taskline as _tl  # noqa: E402

_FRAGMENTS = [" 📅 2026-01-02", " ⏳ 2026-01-03", " ✅ 2026-01-04", " 🔁 every day", " #tag", " ⏫", " 🔼",
              " 🆔 abc123", " ⛔ abc123", " 🏁 delete", " [due:: 2026-01-02]", " (priority:: high)",
              " [completion:: 2026-01-04]", " #a/b", " call Bob", " 📅 2026-02-30", "  ", " ➕ 2026-01-01"]


@given(st.lists(st.sampled_from(_FRAGMENTS), max_size=8), st.booleans())
def test_trying_only_the_fields_whose_signs_are_present_reads_the_same(parts: list[str], dataview: bool) -> None:
    body = "Task" + "".join(parts)
    fields = _tl.DATAVIEW_FIELDS if dataview else _tl.EMOJI_FIELDS
    assert _tl.read_fields(body, fields) == _tl.read_passes(body, fields)  # every field on every pass
