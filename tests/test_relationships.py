"""Relationship intelligence: effective last contact, `stale` with cadences, `agenda`, `timeline`, `who`.

Every test builds its own small vault from explicit text, so each fact about dating an account is
visible in the test that proves it. Today is fixed to 2026-11-22 (conftest).
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path

import pytest

from conftest import Run, invoke, make_vault


def vcrm(root: Path, *args: str) -> Run:
    return invoke(["--vault", str(root), *args])


def stale_json(root: Path, *args: str) -> list[dict]:
    r = vcrm(root, "stale", "--json", *args)
    assert r.exit_code == 0, r.stderr
    return json.loads(r.stdout)


def by_title(rows: list[dict]) -> dict[str, dict]:
    return {r["title"]: r for r in rows}


def customer(props: str = "", body: str = "") -> str:
    return f"---\ntype: customer\n{props}---\n\n{body}"


# ---- every source of a date ---------------------------------------------------------------------
SOURCES = {
    "a last_contact property that is a date": (
        {"Customers/Acme.md": customer("last_contact: 2026-09-01\n")},
        "2026-09-01", "frontmatter"),
    "a last_contact property quoted as a string": (
        {"Customers/Acme.md": customer("last_contact: '2026-09-01'\n")},
        "2026-09-01", "frontmatter"),
    "last_contact unknown and nothing else": (
        {"Customers/Acme.md": customer("last_contact: unknown\n", "## Recent Context\n\n- unknown: met at a fair\n")},
        None, None),
    "the newest dated Recent Context entry beating an older property": (
        {"Customers/Acme.md": customer(
            "last_contact: 2026-08-01\n",
            "## Recent Context\n\n- unknown: first met\n- 2026-09-15: [[2026-09-15]] - call\n"
            "- 2026-10-05: [[2026-10-05]] - renewal talk (via Jane Roe)\n")},
        "2026-10-05", "recent_context"),
    "a meeting note linking to the account in its body": (
        {"Customers/Acme.md": customer("last_contact: 2026-08-01\n"),
         "Meetings/2026-10-20 Acme sync.md": "---\ntype: meeting\n---\n\nSync with [[Acme]] about the renewal.\n"},
        "2026-10-20", "meeting"),
    "a meeting note with a date property linking by alias": (
        {"Customers/Acme.md": customer("aliases: [Acme Inc]\n"),
         "Meetings/Sync.md": "---\ntype: meeting\ndate: 2026-10-21\n---\n\nWith [[Acme Inc|them]].\n"},
        "2026-10-21", "meeting"),
    "a meeting note linked only through an attendees property": (
        {"Customers/Acme.md": customer(),
         "Meetings/2026-10-22 Call.md": '---\ntags: [type/meeting]\nattendees:\n  - "[[Acme]]"\n  - "[[Jane Roe]]"\n---\n\nNo links here.\n'},
        "2026-10-22", "meeting"),
    "a call note linked only through an account property": (
        {"Customers/Acme.md": customer(),
         "Calls/2026-10-23.md": '---\ntype: call\naccount: "[[Acme]]"\n---\n\nNotes.\n'},
        "2026-10-23", "meeting"),
    "a folder note with a sibling dated by its file-name prefix": (
        {"Customers/Acme/README.md": customer("last_contact: 2026-07-01\n"),
         "Customers/Acme/2026-10-24 Kickoff.md": "Kickoff notes, no frontmatter at all.\n"},
        "2026-10-24", "meeting"),
    "a folder note with a sibling dated by a date property": (
        {"Customers/Acme/Acme.md": customer(),
         "Customers/Acme/Pricing.md": "---\ndate: 2026-10-25\n---\n\nPricing notes.\n",
         "Customers/Acme/2026-09-01 Old.md": "older\n"},
        "2026-10-25", "meeting"),
}


@pytest.mark.parametrize("case", list(SOURCES), ids=list(SOURCES))
def test_stale_json_reports_the_effective_last_contact_and_where_it_came_from(tmp_path: Path, case: str) -> None:
    files, last, source = SOURCES[case]
    rows = by_title(stale_json(make_vault(tmp_path / "v", files), "--days", "0"))
    assert rows["Acme"]["last_contact"] == last
    assert rows["Acme"]["source"] == source
    assert rows["Acme"]["days"] == (None if last is None else (date(2026, 11, 22) - date.fromisoformat(last)).days)
    assert rows["Acme"]["path"].startswith("Customers/Acme")


def test_a_note_that_is_not_a_meeting_does_not_date_an_account_it_links_to(tmp_path: Path) -> None:
    root = make_vault(tmp_path / "v", {
        "Customers/Acme.md": customer("last_contact: 2026-08-01\n"),
        "People/2026-11-01 Jane Roe.md": "---\ntype: person\n---\n\nWorks at [[Acme]].\n",
        "Daily/2026-11-02.md": "Thought about [[Acme]].\n",
    })
    row = by_title(stale_json(root, "--days", "0"))["Acme"]
    assert (row["last_contact"], row["source"]) == ("2026-08-01", "frontmatter")


def test_a_sibling_in_a_folder_is_not_counted_unless_the_account_is_a_folder_note(tmp_path: Path) -> None:
    root = make_vault(tmp_path / "v", {
        "Customers/Acme.md": customer("last_contact: 2026-08-01\n"),
        "Customers/2026-11-01 Globex call.md": "About someone else.\n",
    })
    assert by_title(stale_json(root, "--days", "0"))["Acme"]["last_contact"] == "2026-08-01"


def test_dates_after_today_are_plans_and_never_count_as_contact(tmp_path: Path) -> None:
    root = make_vault(tmp_path / "v", {
        "Customers/Acme.md": customer("last_contact: 2027-01-01\n",
                                      "## Recent Context\n\n- 2026-12-01: planned visit\n- 2026-09-09: real call\n"),
        "Meetings/2026-12-05 Acme.md": "---\ntype: meeting\n---\n\n[[Acme]]\n",
    })
    row = by_title(stale_json(root, "--days", "0"))["Acme"]
    assert (row["last_contact"], row["source"]) == ("2026-09-09", "recent_context")


def test_ties_between_sources_go_to_frontmatter_then_recent_context_then_meeting(tmp_path: Path) -> None:
    root = make_vault(tmp_path / "v", {
        "Customers/Acme.md": customer("last_contact: 2026-10-01\n", "## Recent Context\n\n- 2026-10-01: call\n"),
        "Customers/Beta.md": customer("", "## Recent Context\n\n- 2026-10-01: call\n"),
        "Meetings/2026-10-01 Both.md": "---\ntype: meeting\n---\n\n[[Acme]] and [[Beta]]\n",
    })
    rows = by_title(stale_json(root, "--days", "0"))
    assert rows["Acme"]["source"] == "frontmatter"
    assert rows["Beta"]["source"] == "recent_context"


def test_file_modification_times_never_date_an_account(tmp_path: Path) -> None:
    import os

    root = make_vault(tmp_path / "v", {"Customers/Acme.md": customer()})
    os.utime(root / "Customers/Acme.md", (1_790_000_000, 1_790_000_000))
    row = by_title(stale_json(root))["Acme"]
    assert (row["last_contact"], row["days"], row["source"]) == (None, None, None)


# ---- which notes are accounts ----------------------------------------------------------------------
@pytest.mark.parametrize("props", [
    "tags: type/customer\n",
    "tags: [type/customer]\n",
    "tags:\n  - '#type/customer'\n",
    "type: Customer\n",
    "type: client\n",
], ids=["string tag", "list tag", "hash tag in a list", "capitalised type", "a synonym"])
def test_accounts_are_found_by_type_or_by_a_type_tag_in_any_shape(tmp_path: Path, props: str) -> None:
    root = make_vault(tmp_path / "v", {"Acme.md": f"---\n{props}last_contact: 2026-01-05\n---\n"})
    assert [r["title"] for r in stale_json(root)] == ["Acme"]


def test_notes_of_other_kinds_are_not_accounts_unless_asked_with_kind(tmp_path: Path) -> None:
    root = make_vault(tmp_path / "v", {
        "Jane.md": "---\ntype: person\nlast_contact: 2026-01-05\n---\n",
        "Lead.md": "---\ntype: prospect\nlast_contact: 2026-01-05\n---\n",
    })
    assert [r["title"] for r in stale_json(root)] == ["Lead"]
    assert [r["title"] for r in stale_json(root, "--kind", "people")] == ["Jane"]


# ---- cadence --------------------------------------------------------------------------------------
@pytest.mark.parametrize("cadence", ["2w", "14d", "14", "'14'", "14 days", "2 weeks"])
@pytest.mark.parametrize(("last", "is_stale"), [("2026-11-07", True), ("2026-11-08", False), ("2026-11-20", False)])
def test_a_cadence_property_makes_an_account_stale_once_last_contact_plus_cadence_is_before_today(
        tmp_path: Path, cadence: str, last: str, is_stale: bool) -> None:
    root = make_vault(tmp_path / "v", {"Acme.md": customer(f"cadence: {cadence}\nlast_contact: {last}\n")})
    rows = stale_json(root)
    assert bool(rows) is is_stale
    if rows:
        assert rows[0]["cadence_days"] == 14


TOML = """[cadence]
default_days = 60

[cadence.tags]
"tier/1" = "14d"
"tier/2" = "4w"

[cadence.kinds]
prospect = "7d"
"""


def cadence_vault(root: Path, last: str) -> Path:
    last = f"last_contact: {last}\n"
    return make_vault(root, {
        ".vaultcrm.toml": TOML,
        "Tier1.md": customer("tags: [tier/1]\n" + last),
        "Tier1Nested.md": customer("tags: [tier/1/gold]\n" + last),
        "Both.md": customer("tags: [tier/2, tier/1]\n" + last),
        "Tier2.md": customer("tags: tier/2\n" + last),
        "Own.md": customer("tags: [tier/1]\ncadence: 45d\n" + last),
        "Plain.md": customer(last),
        "Lead.md": "---\ntype: prospect\n" + last + "---\n",
        "LeadTier2.md": "---\ntype: prospect\ntags: [tier/2]\n" + last + "---\n",
    })


def test_cadence_comes_from_property_then_shortest_tag_then_kind_then_the_default(tmp_path: Path) -> None:
    rows = by_title(stale_json(cadence_vault(tmp_path / "v", "2026-01-01")))
    assert {t: r["cadence_days"] for t, r in rows.items()} == {
        "Tier1": 14, "Tier1Nested": 14, "Both": 14, "Tier2": 28, "Own": 45, "Plain": 60, "Lead": 7, "LeadTier2": 28}


def test_an_account_is_stale_when_its_own_cadence_has_passed(tmp_path: Path) -> None:
    rows = stale_json(cadence_vault(tmp_path / "v", "2026-11-02"))  # 20 days ago
    assert sorted(r["title"] for r in rows) == ["Both", "Lead", "Tier1", "Tier1Nested"]


def test_days_overrides_every_cadence(tmp_path: Path) -> None:
    root = make_vault(tmp_path / "v", {
        ".vaultcrm.toml": TOML,
        "Weekly.md": customer("cadence: 7d\nlast_contact: 2026-11-10\n"),  # 12 days: stale by cadence
        "Slow.md": customer("cadence: 90d\nlast_contact: 2026-10-01\n"),  # 52 days: fresh by cadence
    })
    assert [r["title"] for r in stale_json(root)] == ["Weekly"]
    assert [r["title"] for r in stale_json(root, "--days", "30")] == ["Slow"]
    assert [r["cadence_days"] for r in stale_json(root, "--days", "30")] == [30]


def test_without_settings_the_cadence_is_thirty_days(tmp_path: Path) -> None:
    root = make_vault(tmp_path / "v", {"A.md": customer("last_contact: 2026-10-23\n"),
                                       "B.md": customer("last_contact: 2026-10-22\n")})
    assert [(r["title"], r["days"]) for r in stale_json(root)] == [("B", 31)]


def test_a_cadence_that_cannot_be_read_falls_back_to_the_next_rule(tmp_path: Path) -> None:
    root = make_vault(tmp_path / "v", {"A.md": customer("cadence: often\nlast_contact: 2026-10-22\n")})
    assert [r["cadence_days"] for r in stale_json(root)] == [30]


# ---- ordering, --known, formats, warnings --------------------------------------------------------------
ORDER_FILES = {
    "Customers/zeta.md": customer("last_contact: 2026-09-01\n"),
    "Customers/Alpha.md": customer("last_contact: 2026-09-01\n"),
    "Inbox/Alpha.md": customer("last_contact: 2026-09-01\n"),
    "Customers/Oldest.md": customer("last_contact: 2026-01-01\n"),
    "Customers/Fresh.md": customer("last_contact: 2026-11-21\n"),
    "Customers/undated b.md": customer("last_contact: unknown\n"),
    "Customers/Undated A.md": customer(),
}


def test_stale_lists_oldest_first_then_undated_with_ties_by_title_then_path(tmp_path: Path) -> None:
    rows = stale_json(make_vault(tmp_path / "v", ORDER_FILES))
    assert [(r["title"], r["path"]) for r in rows] == [
        ("Oldest", "Customers/Oldest.md"),
        ("Alpha", "Customers/Alpha.md"),
        ("Alpha", "Inbox/Alpha.md"),
        ("zeta", "Customers/zeta.md"),
        ("Undated A", "Customers/Undated A.md"),
        ("undated b", "Customers/undated b.md"),
    ]


def test_known_leaves_out_accounts_with_no_date(tmp_path: Path) -> None:
    rows = stale_json(make_vault(tmp_path / "v", ORDER_FILES), "--known")
    assert [r["title"] for r in rows] == ["Oldest", "Alpha", "Alpha", "zeta"]


def test_stale_json_items_carry_the_contract_keys(tmp_path: Path) -> None:
    rows = stale_json(make_vault(tmp_path / "v", ORDER_FILES))
    for r in rows:
        assert {"title", "path", "last_contact", "days", "source"} <= set(r)
        assert r["days"] is None or isinstance(r["days"], int)


@pytest.mark.parametrize(("flag", "delimiter"), [("--csv", ","), ("--tsv", "\t")])
def test_stale_csv_and_tsv_have_a_header_and_one_row_per_account(tmp_path: Path, flag: str, delimiter: str) -> None:
    root = make_vault(tmp_path / "v", {
        "Customers/Oldest, Inc.md": customer("last_contact: 2026-01-01\n"),
        "Customers/Undated.md": customer(),
    })
    r = vcrm(root, "stale", flag)
    assert r.exit_code == 0
    rows = list(csv.reader(io.StringIO(r.stdout), delimiter=delimiter))
    assert rows == [
        ["title", "last_contact", "days", "source", "path"],
        ["Oldest, Inc", "2026-01-01", "325", "frontmatter", "Customers/Oldest, Inc.md"],
        ["Undated", "", "", "", "Customers/Undated.md"],
    ]


def test_a_broken_note_is_skipped_with_a_warning_and_the_rest_is_listed(tmp_path: Path) -> None:
    root = make_vault(tmp_path / "v", {
        "Customers/Acme.md": customer("last_contact: 2026-01-01\n"),
        "Customers/Broken.md": "---\ntype: customer\ntags: [unclosed\n---\n\n- 2026-11-20: talked\n",
    })
    r = vcrm(root, "stale", "--json")
    assert r.exit_code == 0
    assert [x["title"] for x in json.loads(r.stdout)] == ["Acme"]
    assert "1 note skipped (malformed frontmatter)" in r.stderr
    assert "Broken" not in r.stdout
    assert "Customers/Broken.md" in vcrm(root, "--verbose", "stale", "--json").stderr


def test_stale_on_a_terminal_table_shows_title_date_days_source_and_path(tmp_path: Path) -> None:
    root = make_vault(tmp_path / "v", {"Customers/Acme.md": customer("last_contact: 2026-01-01\n")})
    r = vcrm(root, "stale")
    assert r.exit_code == 0
    for word in ("Title", "Last contact", "Days", "Source", "Acme", "2026-01-01", "325", "frontmatter"):
        assert word in r.stdout


def test_stale_with_nothing_stale_prints_no_data_and_succeeds(tmp_path: Path) -> None:
    root = make_vault(tmp_path / "v", {"A.md": customer("last_contact: 2026-11-20\n")})
    r = vcrm(root, "stale", "--json")
    assert (r.exit_code, json.loads(r.stdout)) == (0, [])


@pytest.mark.parametrize("args", [["--days", "-1"], ["--json", "--csv"]])
def test_bad_stale_options_are_usage_errors(tmp_path: Path, args: list[str]) -> None:
    root = make_vault(tmp_path / "v", {"A.md": customer()})
    r = vcrm(root, "stale", *args)
    assert r.exit_code == 2 and r.stdout == ""


# ---- agenda -----------------------------------------------------------------------------------------
AGENDA_FILES = {
    "Customers/Acme.md": customer("last_contact: 2026-10-25\n",  # stale on 2026-11-25
                                  "## Open Tasks\n\n- [ ] overdue call 📅 2026-11-20\n- [x] done late 📅 2026-11-01 ✅ 2026-11-02\n"
                                  "- [-] dropped 📅 2026-11-01\n- [ ] due today 📅 2026-11-22\n- [ ] soon 📅 2026-11-29\n"
                                  "- [ ] later 📅 2026-12-05\n- [ ] someday\n"),
    "Customers/Beta.md": customer("last_contact: 2026-10-10\n"),  # already stale
    "Customers/Gamma.md": customer("last_contact: 2026-11-01\n"),  # stale on 2026-12-02
    "Customers/Delta.md": customer(),
}


def test_agenda_json_has_overdue_tasks_tasks_due_soon_and_accounts_going_stale(tmp_path: Path) -> None:
    r = vcrm(make_vault(tmp_path / "v", AGENDA_FILES), "agenda", "--json")
    assert r.exit_code == 0
    data = json.loads(r.stdout)
    assert [t["text"] for t in data["overdue"]] == ["overdue call"]
    assert [t["text"] for t in data["due_soon"]] == ["due today", "soon"]
    assert [(a["title"], a["stale_on"]) for a in data["going_stale"]] == [("Acme", "2026-11-25")]


def test_agenda_days_widens_both_horizons(tmp_path: Path) -> None:
    data = json.loads(vcrm(make_vault(tmp_path / "v", AGENDA_FILES), "agenda", "--days", "14", "--json").stdout)
    assert [t["text"] for t in data["due_soon"]] == ["due today", "soon", "later"]
    assert [a["title"] for a in data["going_stale"]] == ["Acme", "Gamma"]


def test_agenda_on_a_terminal_names_its_three_parts(tmp_path: Path) -> None:
    r = vcrm(make_vault(tmp_path / "v", AGENDA_FILES), "agenda")
    assert r.exit_code == 0
    for word in ("Overdue", "Due within 7 days", "Going stale within 7 days", "overdue call", "Acme"):
        assert word in r.stdout


# ---- timeline -------------------------------------------------------------------------------------
TIMELINE_FILES = {
    "Customers/Acme/README.md": customer("", "## Recent Context\n\n- 2026-11-10: [[2026-11-10]] - pricing (via Jane Roe)\n"
                                               "- unknown: met at a fair\n- 2026-09-01: intro\n"),
    "Customers/Acme/2026-10-01 Kickoff.md": "---\ntype: meeting\n---\n\n## Recent Context\n\n- 2026-10-01: kickoff held\n",
    "Customers/Beta.md": customer("", "## Recent Context\n\n- 2026-11-15: renewal signed (via Bob)\n- 2026-10-01: demo\n"),
}


def timeline(root: Path, *args: str) -> list[dict]:
    r = vcrm(root, "timeline", "--json", *args)
    assert r.exit_code == 0, r.stderr
    return json.loads(r.stdout)


def test_timeline_lists_every_dated_entry_newest_first_each_with_its_note(tmp_path: Path) -> None:
    rows = timeline(make_vault(tmp_path / "v", TIMELINE_FILES))
    assert [(r["date"], r["title"], r["text"]) for r in rows] == [
        ("2026-11-15", "Beta", "renewal signed"),
        ("2026-11-10", "Acme", "pricing"),
        ("2026-10-01", "2026-10-01 Kickoff", "kickoff held"),
        ("2026-10-01", "Beta", "demo"),
        ("2026-09-01", "Acme", "intro"),
    ]
    assert rows[1]["via"] == "Jane Roe" and rows[1]["path"] == "Customers/Acme/README.md"
    assert rows[1]["link"] == "2026-11-10"


def test_timeline_of_one_account_includes_the_notes_filed_under_it(tmp_path: Path) -> None:
    rows = timeline(make_vault(tmp_path / "v", TIMELINE_FILES), "Acme")
    assert [r["date"] for r in rows] == ["2026-11-10", "2026-10-01", "2026-09-01"]


@pytest.mark.parametrize(("args", "dates"), [
    (["--since", "2026-10-01"], ["2026-11-15", "2026-11-10", "2026-10-01", "2026-10-01"]),
    (["--until", "2026-10-01"], ["2026-10-01", "2026-10-01", "2026-09-01"]),
    (["--since", "3 weeks ago"], ["2026-11-15", "2026-11-10"]),
    (["--since", "2026-10-02", "--until", "yesterday"], ["2026-11-15", "2026-11-10"]),
    (["--until", "last month"], ["2026-10-01", "2026-10-01", "2026-09-01"]),
])
def test_timeline_since_and_until_bound_the_dates_inclusively(tmp_path: Path, args: list[str], dates: list[str]) -> None:
    assert [r["date"] for r in timeline(make_vault(tmp_path / "v", TIMELINE_FILES), *args)] == dates


def test_timeline_with_a_date_it_cannot_read_is_a_usage_error(tmp_path: Path) -> None:
    r = vcrm(make_vault(tmp_path / "v", TIMELINE_FILES), "timeline", "--since", "the day after never")
    assert r.exit_code == 2 and r.stdout == "" and "date" in r.stderr


def test_timeline_of_an_unknown_account_is_not_found(tmp_path: Path) -> None:
    r = vcrm(make_vault(tmp_path / "v", TIMELINE_FILES), "timeline", "Nobody")
    assert r.exit_code == 3


# ---- who ----------------------------------------------------------------------------------------------
WHO_FILES = {
    "Customers/Acme.md": customer("aliases: [Acme Inc]\n", "## Recent Context\n\n- 2026-11-10: pricing (via Jane Roe)\n"
                                  "- 2026-10-01: intro (via [[Bob Smith]])\n- 2026-09-01: call (via Jane Roe)\n"
                                  "- 2026-08-01: no via here\n"),
    "Meetings/2026-11-12 Acme QBR.md": '---\ntype: meeting\nattendees:\n  - "[[Jane Roe]]"\n  - "[[Carol Diaz]]"\n'
                                       '  - "[[Acme]]"\n---\n\nQBR.\n',
    "Meetings/2026-10-05 Other.md": '---\ntype: meeting\nattendees: ["[[Zed]]"]\n---\n\nAbout [[Globex]].\n',
}


def test_who_lists_people_from_via_and_meeting_attendees_with_latest_date_and_count(tmp_path: Path) -> None:
    r = vcrm(make_vault(tmp_path / "v", WHO_FILES), "who", "Acme", "--json")
    assert r.exit_code == 0
    rows = [{k: p[k] for k in ("name", "last", "count")} for p in json.loads(r.stdout)]
    assert rows == [
        {"name": "Jane Roe", "last": "2026-11-12", "count": 3},
        {"name": "Carol Diaz", "last": "2026-11-12", "count": 1},
        {"name": "Bob Smith", "last": "2026-10-01", "count": 1},
    ]


def test_who_finds_the_account_by_alias_and_never_lists_the_account_itself(tmp_path: Path) -> None:
    r = vcrm(make_vault(tmp_path / "v", WHO_FILES), "who", "acme inc", "--json")
    names = [p["name"] for p in json.loads(r.stdout)]
    assert "Acme" not in names and "Zed" not in names


# ---- show: contact history -------------------------------------------------------------------------------
def test_show_json_has_monthly_contact_history_over_the_last_year(tmp_path: Path) -> None:
    root = make_vault(tmp_path / "v", {
        "Customers/Acme/README.md": customer("", "## Recent Context\n\n- 2026-11-10: a\n- 2026-11-02: b\n"
                                                 "- 2026-09-01: c\n- 2025-11-30: too old\n- unknown: d\n"),
        "Customers/Acme/2026-09-15 Call.md": "call\n",
    })
    r = vcrm(root, "show", "Acme", "--json")
    assert r.exit_code == 0
    history = json.loads(r.stdout)["contact_history"]
    assert [h["month"] for h in history][0] == "2025-12" and history[-1]["month"] == "2026-11"
    assert len(history) == 12
    assert {h["month"]: h["count"] for h in history if h["count"]} == {"2026-09": 2, "2026-11": 2}


def test_show_on_a_terminal_draws_contact_history_as_a_sparkline(tmp_path: Path) -> None:
    root = make_vault(tmp_path / "v", {
        "Acme.md": customer("", "## Recent Context\n\n- 2026-11-10: a\n- 2026-11-02: b\n- 2026-09-01: c\n"),
    })
    r = vcrm(root, "show", "Acme")
    assert r.exit_code == 0
    from vaultcrm.render import SPARK

    line = next(ln for ln in r.stdout.splitlines() if "contacts" in ln)
    assert "▁▁▁▁▁▁▁▁▁" in line and SPARK[-1] in line and "3 in 12 months" in line


# ---- links that name the account in other ways -------------------------------------------------------------
def test_a_meeting_naming_the_account_in_a_plain_account_property_dates_it(tmp_path: Path) -> None:
    root = make_vault(tmp_path / "v", {
        "Customers/Acme.md": customer("aliases: [Acme Inc]\n"),
        "Meetings/2026-11-03 Sync.md": "---\ntype: meeting\ncompany: acme inc\n---\n\nNo links.\n",
        "Meetings/2026-11-04 Other.md": "---\ntype: meeting\ntopic: Acme\n---\n\nNot an account key.\n",
    })
    row = by_title(stale_json(root, "--days", "0"))["Acme"]
    assert (row["last_contact"], row["source"]) == ("2026-11-03", "meeting")


def test_a_link_to_another_folders_readme_does_not_date_this_folder_note(tmp_path: Path) -> None:
    root = make_vault(tmp_path / "v", {
        "Customers/Acme/README.md": customer("last_contact: 2026-08-01\n"),
        "Customers/Globex/README.md": customer("last_contact: 2026-08-01\n"),
        "Meetings/2026-11-05 Globex.md": "---\ntype: meeting\n---\n\nSee [[Customers/Globex/README]] and [[README]].\n",
    })
    rows = by_title(stale_json(root, "--days", "0"))
    assert rows["Acme"]["last_contact"] == "2026-08-01"
    assert (rows["Globex"]["last_contact"], rows["Globex"]["source"]) == ("2026-11-05", "meeting")


def test_cadence_by_kind_accepts_a_synonym_of_the_kind(tmp_path: Path) -> None:
    root = make_vault(tmp_path / "v", {
        ".vaultcrm.toml": '[cadence.kinds]\nclients = "10d"\n',
        "Acme.md": customer("last_contact: 2026-11-01\n"),
    })
    assert [r["cadence_days"] for r in stale_json(root)] == [10]


def test_who_splits_a_via_naming_several_people(tmp_path: Path) -> None:
    root = make_vault(tmp_path / "v", {
        "Acme.md": customer("", "## Recent Context\n\n- 2026-11-10: dinner (via Jane Roe, Bob Smith and Carol Diaz)\n"
                                "- 2026-11-01: call (via Sandra Anderson)\n"),
    })
    rows = json.loads(vcrm(root, "who", "Acme", "--json").stdout)
    assert [(p["name"], p["last"]) for p in rows] == [
        ("Bob Smith", "2026-11-10"), ("Carol Diaz", "2026-11-10"), ("Jane Roe", "2026-11-10"),
        ("Sandra Anderson", "2026-11-01")]


def test_contact_history_does_not_count_planned_dates(tmp_path: Path) -> None:
    root = make_vault(tmp_path / "v", {
        "Customers/Acme/README.md": customer("", "## Recent Context\n\n- 2026-11-30: planned visit\n- 2026-11-02: call\n"),
        "Customers/Acme/2026-11-28 Workshop.md": "to come\n",
    })
    history = json.loads(vcrm(root, "show", "Acme", "--json").stdout)["contact_history"]
    assert history[-1] == {"month": "2026-11", "count": 1}
