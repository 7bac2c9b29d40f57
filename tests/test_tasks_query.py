"""Obsidian Tasks query blocks: what `show` lists under a ```tasks block, as the Tasks plugin would.

The semantics follow the Tasks docs (corpus: obsidian-tasks-group/obsidian-tasks docs/Queries):
filter lines AND together, text filters are case-insensitive substring searches, `done` includes
cancelled tasks, default order is status type, urgency, due, priority, path. Today is 2026-11-22,
a Sunday.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import invoke, make_vault
from vaultcrm.config import Config
from vaultcrm.model.scan import build_record
from vaultcrm import render
from vaultcrm.model import taskline
from vaultcrm.model.tasksquery import evaluate
from vaultcrm.model.tasksquery import query_blocks

TODAY = date(2026, 11, 22)

NOTES = {
    "Customers/Acme/README.md": (
        "---\ntype: customer\n---\n\n# Acme\n\n## Open Tasks\n\n"
        "- [ ] Send pricing #sales 📅 2026-11-20\n"
        "- [/] Draft the SOW #sales/contracts 🔼 📅 2026-11-25\n"
        "- [x] Kickoff deck 📅 2026-11-01 ✅ 2026-11-02\n"
        "- [-] Old idea #home\n"
        "\n## Later\n\n"
        "- [ ] Plan QBR ⏳ 2026-11-21\n"
    ),
    "Customers/Acme/2026-11-10 Call.md": (
        "# Call\n\n- [ ] Follow up with Jane #location/home 📅 2026-11-22\n"
        "    - [ ] Sub item of follow up\n"
    ),
    "Customers/Globex.md": (
        "---\ntype: customer\n---\n\n## Open Tasks\n\n"
        "- [ ] Book the \"QBR\" room ⏫ 📅 2026-12-01\n"
        "- [ ] Renew contract 🔁 every year 📅 2027-01-15\n"
    ),
    "Inbox.md": "- [ ] Loose end\n- [x] Filed ✅ 2026-11-20\n",
}


def pairs(notes: dict[str, str] = NOTES) -> list:
    cfg = Config()
    recs = [build_record(p, t, cfg) for p, t in notes.items()]
    return [(r, t) for r in recs for t in r.tasks]


def here(path: str = "Customers/Acme/README.md"):  # noqa: ANN201
    return build_record(path, NOTES.get(path, ""), Config())


def texts(query: str, **kw: object) -> list[str]:
    result = evaluate(query, pairs(), TODAY, here=here(), **kw)  # type: ignore[arg-type]
    assert result.errors == []
    return [t.text for _, t in result]


def as_set(query: str, **kw: object) -> set[str]:
    return set(texts(query, **kw))


OPEN = {"Send pricing #sales", "Draft the SOW #sales/contracts", "Plan QBR", "Follow up with Jane #location/home",
        "Sub item of follow up", 'Book the "QBR" room', "Renew contract", "Loose end"}


# ---- status -------------------------------------------------------------------------------------------
def test_not_done_lists_todo_and_in_progress_tasks() -> None:
    assert as_set("not done") == OPEN


def test_done_lists_done_and_cancelled_tasks() -> None:
    assert as_set("done") == {"Kickoff deck", "Old idea #home", "Filed"}


@pytest.mark.parametrize(("query", "expected"), [
    ("status.type is IN_PROGRESS", {"Draft the SOW #sales/contracts"}),
    ("status.type is CANCELLED", {"Old idea #home"}),
    ("status.name includes progress", {"Draft the SOW #sales/contracts"}),
])
def test_status_type_and_name_filters(query: str, expected: set[str]) -> None:
    assert as_set(query) == expected


def test_an_empty_query_lists_every_task() -> None:
    assert len(texts("")) == len(pairs())


# ---- text filters -----------------------------------------------------------------------------------
@pytest.mark.parametrize(("query", "expected"), [
    ("path includes acme/readme", {"Send pricing #sales", "Draft the SOW #sales/contracts", "Kickoff deck",
                                   "Old idea #home", "Plan QBR"}),
    ("not done\npath does not include Customers", {"Loose end"}),
    ("description includes FOLLOW", {"Follow up with Jane #location/home", "Sub item of follow up"}),
    ("not done\ndescription does not include e", {"Plan QBR"}),
    ('description includes "QBR"', {'Book the "QBR" room'}),
    ("filename includes call", {"Follow up with Jane #location/home", "Sub item of follow up"}),
    ("folder includes Customers/Acme/", {"Send pricing #sales", "Draft the SOW #sales/contracts", "Kickoff deck",
                                        "Old idea #home", "Plan QBR", "Follow up with Jane #location/home",
                                        "Sub item of follow up"}),
    ("root does not include customers\nnot done", {"Loose end"}),
    ("root includes Customers/\ndone", {"Kickoff deck", "Old idea #home"}),
    ("description regex matches /^[A-Z][a-z]+ up/", {"Follow up with Jane #location/home"}),
    ("description regex matches /^sub/i", {"Sub item of follow up"}),
    ("not done\ndescription regex does not match /e/", {"Plan QBR"}),
])
def test_text_filters_are_case_insensitive_substring_searches(query: str, expected: set[str]) -> None:
    assert as_set(query) == expected


# ---- tags -----------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("query", "expected"), [
    ("tag includes #sales", {"Send pricing #sales", "Draft the SOW #sales/contracts"}),
    ("tags include SALES/contracts", {"Draft the SOW #sales/contracts"}),
    ("tags include #home", {"Old idea #home"}),
    ("tags include home", {"Old idea #home", "Follow up with Jane #location/home"}),
    ("not done\ntags do not include #sales", OPEN - {"Send pricing #sales", "Draft the SOW #sales/contracts"}),
    ("has tags", {"Send pricing #sales", "Draft the SOW #sales/contracts", "Old idea #home",
                  "Follow up with Jane #location/home"}),
    ("not done\nno tags", OPEN - {"Send pricing #sales", "Draft the SOW #sales/contracts",
                                  "Follow up with Jane #location/home"}),
    ("tag regex matches /home$/", {"Old idea #home", "Follow up with Jane #location/home"}),
    ("tag regex matches /#home$/", {"Old idea #home"}),
])
def test_tag_filters_look_at_the_tags_on_the_task_line(query: str, expected: set[str]) -> None:
    assert as_set(query) == expected


# ---- dates --------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("query", "expected"), [
    ("due before today", {"Send pricing #sales", "Kickoff deck"}),
    ("due before 2026-11-22", {"Send pricing #sales", "Kickoff deck"}),
    ("due on today", {"Follow up with Jane #location/home"}),
    ("due today", {"Follow up with Jane #location/home"}),
    ("due 2026-11-22", {"Follow up with Jane #location/home"}),
    ("due on or before yesterday", {"Send pricing #sales", "Kickoff deck"}),
    ("due after tomorrow", {"Draft the SOW #sales/contracts", 'Book the "QBR" room', "Renew contract"}),
    ("due on or after 2026-12-01", {'Book the "QBR" room', "Renew contract"}),
    ("due in this week", {"Send pricing #sales", "Follow up with Jane #location/home"}),
    ("due next week", {"Draft the SOW #sales/contracts"}),
    ("due in next month", {'Book the "QBR" room'}),
    ("due before this month", set()),
    ("due in 2026-W48", {"Draft the SOW #sales/contracts"}),
    ("due in 2026-11", {"Send pricing #sales", "Draft the SOW #sales/contracts", "Kickoff deck",
                        "Follow up with Jane #location/home"}),
    ("due in 2026-Q4\nnot done", {"Send pricing #sales", "Draft the SOW #sales/contracts",
                                  "Follow up with Jane #location/home", 'Book the "QBR" room'}),
    ("due after 2026", {"Renew contract"}),
    ("due 2026-11-21 2026-11-25", {"Draft the SOW #sales/contracts", "Follow up with Jane #location/home"}),
    ("not done\nno due date", {"Plan QBR", "Sub item of follow up", "Loose end"}),
    ("done\nhas due date", {"Kickoff deck"}),
    ("scheduled before tomorrow", {"Plan QBR"}),
    ("has scheduled date", {"Plan QBR"}),
    ("done on 2026-11-20", {"Filed"}),
    ("happens on 2026-11-21", {"Plan QBR"}),
])
def test_date_filters_take_dates_words_and_ranges(query: str, expected: set[str]) -> None:
    assert as_set(query) == expected


def test_natural_language_dates_are_read_relative_to_today() -> None:
    assert as_set("due before in two weeks\ndue after next monday") == {'Book the "QBR" room',
                                                                       "Draft the SOW #sales/contracts"}


# ---- other properties ---------------------------------------------------------------------------------
@pytest.mark.parametrize(("query", "expected"), [
    ("priority is high", {'Book the "QBR" room'}),
    ("priority is above none", {'Book the "QBR" room', "Draft the SOW #sales/contracts"}),
    ("is recurring", {"Renew contract"}),
    ("recurrence includes year", {"Renew contract"}),
    ("description includes follow\nexclude sub-items", {"Follow up with Jane #location/home"}),
])
def test_priority_recurrence_and_sub_item_filters(query: str, expected: set[str]) -> None:
    assert as_set(query) == expected


# ---- headings need the note's text ---------------------------------------------------------------------
def test_heading_filters_match_the_closest_heading_above_the_task() -> None:
    read = NOTES.__getitem__
    assert as_set("heading includes later", read=read) == {"Plan QBR"}
    assert as_set("not done\nheading does not include open", read=read) == {
        "Plan QBR", "Follow up with Jane #location/home", "Sub item of follow up", "Loose end"}


def test_heading_filters_without_note_text_are_reported_not_guessed() -> None:
    result = evaluate("heading includes later", pairs(), TODAY)
    assert list(result) == [] and result.errors


# ---- placeholders, comments, continuations ---------------------------------------------------------------
@pytest.mark.parametrize(("query", "expected"), [
    ("path includes {{query.file.path}}\nnot done", {"Send pricing #sales", "Draft the SOW #sales/contracts",
                                                    "Plan QBR"}),
    ("folder includes {{query.file.folder}}\ndue before today", {"Send pricing #sales", "Kickoff deck"}),
    ("filename includes {{query.file.filenameWithoutExtension}}\ndone", {"Kickoff deck", "Old idea #home"}),
    ("path includes {{query.file.pathWithoutExtension}}\nstatus.type is IN_PROGRESS",
     {"Draft the SOW #sales/contracts"}),
    ("# a comment line\nnot done {{! inline comment }}\npath includes Globex", {'Book the "QBR" room', "Renew contract"}),
    ("(path includes Globex) OR \\\n    (path includes Inbox)\nnot done", {'Book the "QBR" room', "Renew contract",
                                                                          "Loose end"}),
])
def test_placeholders_comments_and_continuations(query: str, expected: set[str]) -> None:
    assert as_set(query) == expected


def test_placeholders_are_relative_to_the_note_holding_the_query() -> None:
    other = build_record("Inbox.md", NOTES["Inbox.md"], Config())
    result = evaluate("path includes {{query.file.path}}", pairs(), TODAY, here=other)
    assert [t.text for _, t in result] == ["Loose end", "Filed"]


# ---- boolean combinations ------------------------------------------------------------------------------
@pytest.mark.parametrize(("query", "expected"), [
    ("not done\n(due before 2026-11-22) OR (no due date)", {"Send pricing #sales", "Plan QBR",
                                                             "Sub item of follow up", "Loose end"}),
    ("not done\nNOT (path includes Customers)", {"Loose end"}),
    ("(path includes Globex) AND NOT (is recurring)", {'Book the "QBR" room'}),
    ("(tag includes #home) XOR (done)", {"Kickoff deck", "Filed"}),
    ("(tag includes home) XOR (done)", {"Follow up with Jane #location/home", "Kickoff deck", "Filed"}),
    ("(path includes Inbox) OR (path includes Globex) AND (is recurring)", {"Loose end", "Filed", "Renew contract"}),
    ("((path includes Inbox) OR (path includes Globex)) AND (is recurring)", {"Renew contract"}),
    ("[description includes (quoted)] OR [path includes Inbox]", {"Loose end", "Filed"}),
])
def test_boolean_lines_combine_filters_with_tasks_precedence(query: str, expected: set[str]) -> None:
    assert as_set(query) == expected


# ---- order, sort, limit, layout ----------------------------------------------------------------------------
def test_default_order_is_status_type_then_urgency_then_path() -> None:
    assert texts("") == [
        "Draft the SOW #sales/contracts",  # in progress first
        "Send pricing #sales",  # overdue: most urgent of the to-dos
        "Follow up with Jane #location/home",  # due today
        'Book the "QBR" room',  # high priority, due in 9 days (6.0 + 4.69)
        "Plan QBR",  # scheduled in the past (5.0 + 1.95)
        "Renew contract",  # due in 54 days
        "Sub item of follow up",  # no dates: by path, then line
        "Loose end",
        "Kickoff deck",  # done
        "Filed",
        "Old idea #home",  # cancelled last
    ]


@pytest.mark.parametrize(("query", "expected"), [
    ("not done\nhas due date\nsort by due", ["Send pricing #sales", "Follow up with Jane #location/home",
                                            "Draft the SOW #sales/contracts", 'Book the "QBR" room',
                                            "Renew contract"]),
    ("not done\nhas due date\nsort by due reverse", ["Renew contract", 'Book the "QBR" room',
                                                    "Draft the SOW #sales/contracts",
                                                    "Follow up with Jane #location/home", "Send pricing #sales"]),
    ("path includes Globex\nsort by description", ['Book the "QBR" room', "Renew contract"]),
    ("not done\nsort by due\nlimit 2", ["Send pricing #sales", "Follow up with Jane #location/home"]),
    ("not done\nsort by due\nlimit to 1 tasks", ["Send pricing #sales"]),
])
def test_sort_and_limit_are_applied(query: str, expected: list[str]) -> None:
    assert texts(query) == expected


def test_limit_keeps_the_total_number_found() -> None:
    result = evaluate("not done\nlimit 3", pairs(), TODAY)
    assert (len(result), result.total) == (3, len(OPEN))


@pytest.mark.parametrize("layout", ["group by filename", "hide due date", "show urgency", "short mode",
                                    "explain", "hide edit button", "limit groups 1", "ignore global query"])
def test_grouping_and_layout_instructions_are_accepted_and_change_nothing(layout: str) -> None:
    assert texts(f"not done\n{layout}") == texts("not done")


# ---- what Tasks would not understand ---------------------------------------------------------------------
@pytest.mark.parametrize("line", ["frobnicate", "due before someday-ish-never", "sort by colour",
                                  "path includes {{query.file.nope}}", "filter by function task.isDone",
                                  "(path includes a) AND", "(path includes a", "description regex matches no-slashes",
                                  "status.type is SLEEPING", "due in 2026-W60"])
def test_an_instruction_not_understood_is_reported_and_lists_nothing(line: str) -> None:
    result = evaluate(f"not done\n{line}", pairs(), TODAY, here=here())
    assert list(result) == []
    assert len(result.errors) == 1 and "line 2" in result.errors[0]


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("()[]{}\"#\\/ \nANDORXTdueonbfrpathinclsg2026-1!{}")), max_size=60))
def test_no_query_text_makes_the_evaluator_crash(query: str) -> None:
    result = evaluate(query, pairs(), TODAY, here=here())
    assert isinstance(result.errors, list)
    assert result.errors == [] or list(result) == []


def test_results_carry_what_a_listing_needs() -> None:
    [(note, task)] = evaluate("description includes pricing", pairs(), TODAY)
    # the id is the stable task id: the note's path and the task's identity (text and planning dates)
    expected_id = taskline.task_id("Customers/Acme/README.md", "Send pricing #sales\0due=2026-11-20", 0)
    assert render.task_dict(note, task) == {
        "id": expected_id, "title": "Acme", "path": "Customers/Acme/README.md", "line": 9,
        "text": "Send pricing #sales", "status": " ", "status_name": "Todo", "status_type": "TODO",
        "done": False, "cancelled": False, "due": "2026-11-20", "scheduled": None, "start": None, "created": None,
        "done_date": None, "cancelled_date": None, "priority": "none", "recurrence": None, "tags": ["sales"]}


# ---- finding the blocks in a note ---------------------------------------------------------------------------
def test_blocks_in_finds_tasks_fences_of_any_length_and_skips_ones_shown_inside_other_fences() -> None:
    from vaultcrm.model.note import Note

    text = ("# Doc\n\n````md\n```tasks\nnot done\n```\n````\n\n```tasks\ndone\npath includes a\n```\n"
            "\n~~~~ tasks\nno due date\n~~~~\n\n```python\nx = 1\n```\n")
    found = query_blocks(Note.parse(text, "a.md"))
    assert [(b.line, b.text) for b in found] == [(9, "done\npath includes a"), (14, "no due date")]


# ---- through the CLI: show and task list --------------------------------------------------------------------
ACCOUNT = {
    ".obsidian/app.json": "{}",
    "Customers/Acme/README.md": (
        "---\ntype: customer\n---\n\n# Acme\n\n## Open Tasks\n\n- [ ] Send pricing 📅 2026-11-20\n\n"
        "## Everything open here\n\n```tasks\nnot done\nfolder includes {{query.file.folder}}\nsort by due\n```\n"
    ),
    "Customers/Acme/2026-11-10 Call.md": "# Call\n\n- [ ] Follow up with Jane 📅 2026-11-18\n- [x] Send notes ✅ 2026-11-10\n",
    "Customers/Globex.md": "---\ntype: customer\n---\n\n- [ ] Globex thing\n",
    "Bad query.md": "```tasks\nnot done\nwhatever this is\n```\n",
}


def test_task_list_of_a_folder_note_includes_the_tasks_of_notes_filed_under_it(tmp_path: Path) -> None:
    root = make_vault(tmp_path / "v", ACCOUNT)
    r = invoke(["--vault", str(root), "task", "list", "Acme", "--json"])
    assert r.exit_code == 0
    assert [(t["path"], t["text"]) for t in json.loads(r.stdout)] == [
        ("Customers/Acme/README.md", "Send pricing"),
        ("Customers/Acme/2026-11-10 Call.md", "Follow up with Jane"),
    ]


def test_show_json_lists_the_tasks_of_notes_filed_under_the_account(tmp_path: Path) -> None:
    root = make_vault(tmp_path / "v", ACCOUNT)
    data = json.loads(invoke(["--vault", str(root), "show", "Acme", "--json"]).stdout)
    assert {t["text"] for t in data["tasks"]} == {"Send pricing", "Follow up with Jane", "Send notes"}
    assert "Globex thing" not in {t["text"] for t in data["tasks"]}


def test_show_json_evaluates_the_tasks_query_block_of_the_note(tmp_path: Path) -> None:
    root = make_vault(tmp_path / "v", ACCOUNT)
    r = invoke(["--vault", str(root), "show", "Acme", "--json"])
    assert r.exit_code == 0
    [q] = json.loads(r.stdout)["queries"]
    assert q["line"] == 13
    assert q["query"] == "not done\nfolder includes {{query.file.folder}}\nsort by due"
    assert [(t["text"], t["path"], t["due"]) for t in q["tasks"]] == [
        ("Follow up with Jane", "Customers/Acme/2026-11-10 Call.md", "2026-11-18"),
        ("Send pricing", "Customers/Acme/README.md", "2026-11-20"),
    ]


def test_show_on_a_terminal_prints_what_the_query_block_would_render(tmp_path: Path) -> None:
    root = make_vault(tmp_path / "v", ACCOUNT)
    r = invoke(["--vault", str(root), "show", "Acme"])
    assert r.exit_code == 0
    assert "Tasks query" in r.stdout
    assert r.stdout.index("Follow up with Jane", r.stdout.index("Tasks query")) > 0


def test_show_with_a_query_it_cannot_understand_still_shows_the_note(tmp_path: Path) -> None:
    root = make_vault(tmp_path / "v", ACCOUNT)
    r = invoke(["--vault", str(root), "show", "Bad query", "--json"])
    assert r.exit_code == 0
    [q] = json.loads(r.stdout)["queries"]
    assert q["tasks"] == []


def test_query_blocks_are_the_fences_the_note_model_sees() -> None:
    from vaultcrm.model.note import Note
    from vaultcrm.model.tasksquery import query_blocks

    text = "# N\n\n    ```tasks\n    not done\n    ```\n\n````markdown\n```tasks\ndone\n```\n````\n\n~~~tasks\ndone\n"
    blocks = query_blocks(Note.parse(text))
    assert [(b.line, b.text) for b in blocks] == [(3, "    not done"), (13, "done")]
