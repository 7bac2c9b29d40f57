"""The read commands on the example vault: `show` and `list`, their formats, warnings and exit codes.

Each test asserts exit code, stdout and stderr separately; stdout carries only data.
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest
from conftest import snapshot

ANSI = re.compile(r"\x1b\[")


def rows(text: str, delimiter: str = ",") -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter))




# ---- show ---------------------------------------------------------------------------------------
def test_show_prints_a_panel_with_the_notes_parts(run) -> None:
    r = run("show", "Anthropic", env={"COLUMNS": "200"})  # wide enough that no cell wraps
    assert r.exit_code == 0
    assert r.stderr == ""
    for part in ("Anthropic", "Customers/Anthropic/README.md", "Anthropic PBC", "Account Status", "Customer",
                 "Recent Context", "Kickoff with the infra team", "Draft the reference", "Related"):
        assert part in r.stdout, part
    assert not ANSI.search(r.stdout)


def test_show_reads_and_never_writes(run, vault: Path) -> None:
    before = snapshot(vault)
    assert run("show", "OpenAI").exit_code == 0
    assert run("show", "Anthropic", "--json").exit_code == 0
    assert run("list", "--json").exit_code == 0
    after = snapshot(vault)
    assert {k: v for k, v in after.items() if not k.startswith(".vaultcrm/")} == before


def test_show_json_has_the_contracts_keys(run) -> None:
    r = run("show", "Anthropic", "--json")
    assert r.exit_code == 0
    assert r.stderr == ""
    d = json.loads(r.stdout)
    assert {"title", "path", "kind", "properties", "last_contact", "tags", "recent_context", "tasks",
            "sections"} <= set(d)
    assert d["title"] == "Anthropic"
    assert d["path"] == "Customers/Anthropic/README.md"
    assert d["kind"] == "customer"
    assert d["properties"]["created"] == "2026-03-14"
    assert d["properties"]["aliases"] == ["Anthropic PBC"]
    assert d["tags"] == ["type/customer"]
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", d["last_contact"])
    entry = d["recent_context"][0]
    assert {"date", "link", "text", "via"} <= set(entry)
    assert entry == entry | {"date": "2026-10-02", "link": "2026-10-02 Kickoff",
                             "text": "Kickoff with the infra team", "via": "Dana Scully"}
    task = next(t for t in d["tasks"] if t["path"] == "Customers/Anthropic/README.md")
    assert {"id", "title", "path", "line", "text", "done", "due", "done_date"} <= set(task)
    assert task == task | {"title": "Anthropic", "line": 20, "text": "Draft the reference architecture",
                           "done": False, "due": "2026-11-25", "done_date": None}
    assert isinstance(task["id"], str) and task["id"]
    assert all({"heading", "text"} <= set(s) for s in d["sections"])
    status = next(s for s in d["sections"] if s["heading"] == "Account Status")
    assert "| Industry | AI |" in status["text"]


def test_show_json_lists_recent_context_newest_first_and_keeps_done_dates(run) -> None:
    d = json.loads(run("show", "Customers/OpenAI", "--json").stdout)
    dates = [e["date"] for e in d["recent_context"]]
    assert dates == ["2026-10-30", "2026-10-12", "2026-09-29"]
    assert d["recent_context"][0]["via"] == "Jeff Denworth"
    done = [t for t in d["tasks"] if t["done"]]
    assert [(t["due"], t["done_date"]) for t in done] == [("2026-10-20", "2026-10-18")]
    assert [s["heading"] for s in d["sections"]][1:4] == ["Recent Context", "Key Facts", "Topics"]


def test_show_keeps_undated_entries_and_dates_them_null(run) -> None:
    d = json.loads(run("show", "Inbox/OpenAI.md", "--json").stdout)
    assert [e["date"] for e in d["recent_context"]] == ["2026-10-12", "2026-08-06", None]


def test_show_of_a_duplicate_title_prints_every_match_and_warns_naming_both(run) -> None:
    r = run("show", "OpenAI")
    assert r.exit_code == 0
    assert "Customers/OpenAI.md" in r.stdout and "Inbox/OpenAI.md" in r.stdout
    assert "Customers/OpenAI.md" in r.stderr and "Inbox/OpenAI.md" in r.stderr
    assert r.stderr.startswith("vaultcrm: warning:")
    assert "error" not in r.stderr


def test_show_json_of_a_duplicate_title_is_ambiguous_exit_4(run) -> None:
    r = run("show", "OpenAI", "--json")
    assert r.exit_code == 4
    assert r.stdout == ""
    assert "Customers/OpenAI.md" in r.stderr and "Inbox/OpenAI.md" in r.stderr


@pytest.mark.parametrize("name", ["Customers/OpenAI", "customers/openai.md", "Inbox/OpenAI"])
def test_a_path_picks_one_of_the_duplicates(run, name: str) -> None:
    r = run("show", name, "--json")
    assert r.exit_code == 0, r.stderr
    assert json.loads(r.stdout)["path"].lower() == (name.lower() if name.endswith(".md") else name.lower() + ".md")


def test_show_of_an_unknown_name_is_exit_3_with_close_matches(run) -> None:
    r = run("show", "Opnai")
    assert r.exit_code == 3
    assert r.stdout == ""
    assert "Opnai" in r.stderr
    assert "OpenAI" in r.stderr


def test_show_of_a_broken_note_is_exit_5_naming_file_and_line(run) -> None:
    for args in (("show", "Broken"), ("show", "Broken", "--json"), ("show", "Broken.md")):
        r = run(*args)
        assert r.exit_code == 5, args
        assert r.stdout == ""
        assert re.search(r"Broken\.md:[34]\b", r.stderr), r.stderr  # the bad line or the block's closing ---


def test_show_by_alias_and_by_folder_name(run) -> None:
    for name in ("Anthropic PBC", "anthropic", "Customers/Anthropic"):
        r = run("show", name, "--json")
        assert r.exit_code == 0, r.stderr
        assert json.loads(r.stdout)["path"] == "Customers/Anthropic/README.md"


# ---- list ---------------------------------------------------------------------------------------
def _list(run, *args: str) -> list[dict]:
    r = run("list", *args, "--json")
    assert r.exit_code == 0, r.stderr
    return json.loads(r.stdout)


def test_list_json_is_an_array_of_notes_with_the_contracts_keys(run) -> None:
    data = _list(run)
    assert isinstance(data, list) and len(data) >= 12
    for item in data:
        assert {"title", "path", "kind", "properties", "last_contact", "tags"} <= set(item)
        assert not item["path"].startswith("/") and "\\" not in item["path"]
    paths = [i["path"] for i in data]
    assert "Broken.md" not in paths
    assert "Customers/Anthropic/README.md" in paths


def test_list_skips_a_broken_note_with_one_summary_line_and_names_it_with_verbose(run) -> None:
    r = run("list")
    assert r.exit_code == 0
    assert r.stderr == "vaultcrm: 1 note skipped (malformed frontmatter); run 'vaultcrm doctor' for each\n"
    assert "Broken" not in r.stdout
    v = run("-v", "list")
    warnings = v.stderr.splitlines()
    assert len(warnings) == 2
    assert "Broken.md" in warnings[0] and "warning" in warnings[0]
    assert warnings[1] == r.stderr.rstrip("\n")
    assert v.stdout == r.stdout


@pytest.mark.parametrize("word", ["customer", "customers", "account", "Customer"])
def test_list_kind_accepts_synonyms_of_customer(run, word: str) -> None:
    paths = sorted(i["path"] for i in _list(run, "--kind", word))
    assert paths == ["Customers/Acme Corp.md", "Customers/Anthropic/README.md", "Customers/Globex.md",
                     "Customers/OpenAI.md", "Inbox/OpenAI.md"]


@pytest.mark.parametrize("word", ["person", "people", "contact", "contacts"])
def test_list_kind_accepts_synonyms_of_person(run, word: str) -> None:
    assert sorted(i["title"] for i in _list(run, "--kind", word)) == ["Dana Scully", "Jeff Denworth", "Sam Hopewell"]


def test_list_tag_matches_case_insensitively_and_with_a_hash(run) -> None:
    for tag in ("tier/1", "#tier/1", "TIER/1"):
        assert sorted(i["path"] for i in _list(run, "--tag", tag)) == ["Customers/Globex.md", "Customers/OpenAI.md"]
    # a parent tag matches its nested tags
    assert {i["kind"] for i in _list(run, "--tag", "type")} >= {"customer", "person"}


def test_list_where_clauses_are_anded(run) -> None:
    assert {i["path"] for i in _list(run, "--where", "type=customer")} == {
        "Customers/Acme Corp.md", "Customers/Anthropic/README.md", "Customers/Globex.md", "Customers/OpenAI.md",
        "Inbox/OpenAI.md"}
    both = _list(run, "--where", "type=customer", "--where", "tags=tier/1")
    assert sorted(i["path"] for i in both) == ["Customers/Globex.md", "Customers/OpenAI.md"]
    assert [i["path"] for i in _list(run, "--where", "type=customer", "--where", "cadence=2w")] == \
        ["Customers/Globex.md"]
    assert _list(run, "--where", "type=customer", "--where", "type=person") == []


def test_list_where_matches_dates_as_written(run) -> None:
    assert [i["path"] for i in _list(run, "--where", "created=2026-03-14")] == ["Customers/Anthropic/README.md"]


def test_list_sort_orders_by_a_property_and_reverses_with_a_minus(run) -> None:
    asc = [i["title"] for i in _list(run, "--kind", "person", "--sort", "title")]
    assert asc == ["Dana Scully", "Jeff Denworth", "Sam Hopewell"]
    assert [i["title"] for i in _list(run, "--kind", "person", "--sort", "-title")] == asc[::-1]
    created = [i["properties"].get("created") for i in _list(run, "--kind", "customer", "--sort", "created")]
    present = [c for c in created if c]
    assert present == sorted(present)
    assert created[: len(present)] == present  # notes without the property come last


def test_list_sort_by_last_contact_orders_the_column_it_prints(run) -> None:
    shown = [i["last_contact"] for i in _list(run, "--kind", "customer", "--sort", "-last_contact")]
    dated = [d for d in shown if d]
    assert dated == sorted(dated, reverse=True)


@pytest.mark.parametrize(("flag", "delimiter"), [("--csv", ","), ("--tsv", "\t")])
def test_list_csv_and_tsv_parse_back_with_one_row_per_note(run, flag: str, delimiter: str) -> None:
    r = run("list", "--kind", "customer", flag)
    assert r.exit_code == 0
    assert "1 note skipped" in r.stderr
    table = rows(r.stdout, delimiter)
    assert list(table[0]) == ["title", "kind", "last_contact", "tags", "path"]
    assert sorted(row["path"] for row in table) == sorted(i["path"] for i in _list(run, "--kind", "customer"))
    globex = next(row for row in table if row["path"] == "Customers/Globex.md")
    assert globex["kind"] == "customer"
    assert set(re.split(r"[,;]\s*", globex["tags"])) == {"type/customer", "tier/1"}
    assert not ANSI.search(r.stdout)


def test_list_table_is_plain_text_when_piped_and_with_no_color(run) -> None:
    for env in (None, {"NO_COLOR": "1"}, {"NO_COLOR": "1", "TERM": "xterm-256color"}):
        r = run("list", env=env)
        assert r.exit_code == 0
        assert "Globex" in r.stdout
        assert not ANSI.search(r.stdout), env
        assert not ANSI.search(r.stderr), env
        r = run("show", "Anthropic", env=env)
        assert not ANSI.search(r.stdout), env


def test_choosing_two_output_formats_is_a_usage_error(run) -> None:
    r = run("list", "--json", "--csv")
    assert r.exit_code == 2
    assert r.stdout == ""


def test_an_unknown_option_is_a_usage_error(run) -> None:
    r = run("list", "--colour")
    assert r.exit_code == 2
    assert r.stdout == ""


def test_list_of_an_empty_selection_prints_an_empty_json_array(run) -> None:
    r = run("list", "--kind", "no-such-kind", "--json")
    assert r.exit_code == 0
    assert json.loads(r.stdout) == []


def test_printed_paths_are_vault_relative_with_forward_slashes(run, vault: Path) -> None:
    out = run("list", "--csv").stdout + run("show", "Anthropic", env={"COLUMNS": "200"}).stdout
    d = json.loads(run("show", "Anthropic", "--json").stdout)
    assert str(vault) not in out + json.dumps(d)
    assert "\\" not in out
    assert "Customers/Anthropic/README.md" in out
    assert all(t["path"].startswith("Customers/Anthropic/") for t in d["tasks"])


def test_show_on_a_terminal_caps_long_lists_and_says_where_the_rest_is(run, vault) -> None:
    note = vault / "Customers" / "Acme Corp.md"
    entries = "".join(f"- 2026-0{1 + i % 5}-{10 + i % 18:02d}: entry {i}\n" for i in range(120))
    note.write_text(note.read_text().replace("## Recent Context\n\n", "## Recent Context\n\n" + entries))
    for i in range(20):
        note.write_text(note.read_text() + f"- [ ] Open task {i}\n")
    r = run("show", "Acme Corp", env={"COLUMNS": "200"})
    assert r.exit_code == 0
    assert "… 107 more (vaultcrm timeline 'Acme Corp')" in r.stdout
    assert r.stdout.count("entry ") == 14  # 15 rows: the real 2026-06-01 entry, then entries of 05-27 and before
    assert "… 5 more (vaultcrm task list 'Acme Corp')" in r.stdout  # 20 open tasks here + 0 before
    assert r.stdout.count("Open task ") == 15  # the Open Tasks table (its section is shown as that table)
    full = run("show", "Acme Corp", "--full", env={"COLUMNS": "200"})
    assert full.stdout.count("entry ") == 120 and "more (" not in full.stdout
    assert full.stdout.count("Open task ") == 20
    assert len(__import__("json").loads(run("show", "Acme Corp", "--json").stdout)["recent_context"]) == 122


def test_list_where_last_contact_filters_the_column_it_prints_and_an_empty_key_is_refused(run) -> None:
    import json as _json

    rows = _json.loads(run("list", "--where", "last_contact=2026-11-18", "--json").stdout)
    # both dated by the QBR meeting (Globex is its account, Sam an attendee), not by a property
    assert [r["title"] for r in rows] == ["Globex", "Sam Hopewell"]
    assert run("list", "--where", "=x").exit_code == 2


def test_show_caps_a_tasks_query_block_and_full_shows_it_all(tmp_path) -> None:
    from conftest import invoke, make_vault

    tasks = "".join(f"- [ ] Task number {i}\n" for i in range(40))
    root = make_vault(tmp_path / "v", {
        "Customers/Acme.md": "---\ntype: customer\n---\n# Acme\n\n## Pipeline\n\n```tasks\nnot done\n```\n",
        "Inbox/Todo.md": tasks,
    })
    r = invoke(["--vault", str(root), "show", "Acme"], env={"COLUMNS": "200"})
    assert r.stdout.count("Task number ") == 15
    assert "… 25 more (vaultcrm show Acme --full)" in r.stdout
    full = invoke(["--vault", str(root), "show", "Acme", "--full"], env={"COLUMNS": "200"})
    assert full.stdout.count("Task number ") == 40
