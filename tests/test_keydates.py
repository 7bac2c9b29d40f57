"""Key dates and follow-ups: `dates`, the Key dates part of `agenda`, and `log --next`.

Today is 2026-11-22, a Sunday (conftest); every expected date below is counted by hand from it.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path

import pytest
from conftest import Run, invoke, make_vault, snapshot

from vaultcrm.model.yearly import WrittenDate, next_yearly, read_date


def vcrm(root: Path, *args: str) -> Run:
    return invoke(["--vault", str(root), *args])


def person(props: str) -> str:
    return f"---\ntype: person\n{props}---\n\nNotes.\n"


def customer(props: str) -> str:
    return f"---\ntype: customer\n{props}---\n\nNotes.\n"


def dates_json(root: Path, *args: str) -> list[dict]:
    r = vcrm(root, "dates", "--json", *args)
    assert r.exit_code == 0, r.stderr
    return json.loads(r.stdout)


def rows_of(root: Path, *args: str) -> list[tuple]:
    return [(d["date"], d["days"], d["what"], d["milestone"], d["title"]) for d in dates_json(root, *args)]


# ---- reading the dates --------------------------------------------------------------------------
def test_a_yearless_vcard_date_and_a_full_date_both_come_round_this_year(tmp_path: Path) -> None:
    root = make_vault(tmp_path / "v", {
        "People/Ann.md": person("birthday: --12-01\n"),
        "People/Bob.md": person("birthday: 1986-12-10\n"),
        "People/Cy.md": person("birthday: '--1205'\n"),  # vCard 4's basic form, quoted
    })
    assert rows_of(root) == [("2026-12-01", 9, "birthday", "", "Ann"),
                             ("2026-12-05", 13, "birthday", "", "Cy"),
                             ("2026-12-10", 18, "birthday", "turns 40", "Bob")]


def test_a_yearly_date_already_past_this_year_rolls_over_the_new_year(tmp_path: Path) -> None:
    root = make_vault(tmp_path / "v", {
        "People/Ann.md": person("birthday: 1990-01-05\n"),
        "People/Bob.md": person("anniversary: 2021-11-20\n"),  # two days ago: next year's
    })
    assert rows_of(root, "--within", "60") == [("2027-01-05", 44, "birthday", "turns 37", "Ann")]
    assert rows_of(root, "--within", "363") == [("2027-01-05", 44, "birthday", "turns 37", "Ann"),
                                                ("2027-11-20", 363, "anniversary", "6 years", "Bob")]


def test_a_key_date_today_is_coming_with_zero_days(tmp_path: Path) -> None:
    root = make_vault(tmp_path / "v", {"People/Ann.md": person("anniversary: 2025-11-22\n")})
    assert rows_of(root, "--within", "0") == [("2026-11-22", 0, "anniversary", "1 year", "Ann")]


def test_feb_29_falls_on_feb_28_in_a_year_without_one(tmp_path: Path) -> None:
    root = make_vault(tmp_path / "v", {
        "People/Leap.md": person("birthday: 2000-02-29\n"),
        "People/Nodate.md": person("birthday: --02-29\n"),
    })
    assert rows_of(root, "--within", "98") == [("2027-02-28", 98, "birthday", "turns 27", "Leap"),
                                               ("2027-02-28", 98, "birthday", "", "Nodate")]
    assert rows_of(root, "--within", "97") == []
    leap = WrittenDate(2000, 2, 29)
    assert next_yearly(leap, date(2027, 11, 22)) == date(2028, 2, 29)
    assert next_yearly(leap, date(2028, 2, 29)) == date(2028, 2, 29)
    assert next_yearly(leap, date(2027, 3, 1)) == date(2028, 2, 29)


def test_one_off_dates_in_the_past_are_left_out_and_future_ones_come_once(tmp_path: Path) -> None:
    root = make_vault(tmp_path / "v", {
        "Customers/Acme.md": customer("renewal_date: 2026-11-01\ncontract_end: 2026-12-31\n"),
        "Customers/Beta.md": customer("renewal_date: 2027-11-22\n"),
        "Customers/Gamma.md": customer("contract_end: 2025-12-01\n"),  # never again, though Dec 1 is near
    })
    assert rows_of(root, "--within", "364") == [("2026-12-31", 39, "contract_end", "", "Acme")]
    assert rows_of(root, "--within", "365") == [("2026-12-31", 39, "contract_end", "", "Acme"),
                                                ("2027-11-22", 365, "renewal_date", "", "Beta")]


def test_a_value_with_a_time_is_its_day_and_one_that_is_no_date_is_left_out(tmp_path: Path) -> None:
    root = make_vault(tmp_path / "v", {
        "Customers/Acme.md": customer("renewal_date: 2026-12-15T10:00\n"),
        "People/Ann.md": person("birthday: TBD\nanniversary: 2020-02-30\n"),
        "People/Bob.md": person("birthday: --13-01\n"),
    })
    assert rows_of(root) == [("2026-12-15", 23, "renewal_date", "", "Acme")]
    assert read_date(date(1986, 3, 14)) == WrittenDate(1986, 3, 14)
    assert read_date("2026-12-15abc") is None


def test_property_names_match_in_any_case_and_the_row_keeps_the_notes_spelling(tmp_path: Path) -> None:
    root = make_vault(tmp_path / "v", {
        "People/Ann.md": person("Birthday: 1986-12-10\n"),
        "Customers/Acme.md": customer("Renewal_Date: '2026-12-15'\n"),
    })
    rows = dates_json(root)
    assert [(d["what"], d["property"], d["value"], d["title"]) for d in rows] == [
        ("birthday", "Birthday", "1986-12-10", "Ann"), ("renewal_date", "Renewal_Date", "2026-12-15", "Acme")]


# ---- [dates] in .vaultcrm.toml ------------------------------------------------------------------
def test_dates_section_adds_yearly_and_one_off_keys(tmp_path: Path) -> None:
    root = make_vault(tmp_path / "v", {
        ".vaultcrm.toml": '[dates]\nyearly = ["founded"]\nonce = ["go_live"]\n',
        "Customers/Acme.md": customer("Founded: 2016-12-05\ngo_live: 2026-12-01\n"),
        "Customers/Beta.md": customer("go_live: 2026-01-01\nfounded: --11-30\n"),
    })
    assert rows_of(root) == [("2026-11-30", 8, "founded", "", "Beta"),
                             ("2026-12-01", 9, "go_live", "", "Acme"),
                             ("2026-12-05", 13, "founded", "10 years", "Acme")]


def test_dates_section_may_make_a_built_in_key_one_off(tmp_path: Path) -> None:
    root = make_vault(tmp_path / "v", {
        ".vaultcrm.toml": '[dates]\nonce = ["Anniversary"]\n',
        "Customers/Acme.md": customer("anniversary: 2020-12-01\n"),
        "Customers/Beta.md": customer("anniversary: 2026-12-02\n"),
    })
    assert rows_of(root) == [("2026-12-02", 10, "Anniversary", "", "Beta")]


@pytest.mark.parametrize("toml, words", [
    ('[dates]\nyearly = "founded"\nonce = [1]\n', "once in .vaultcrm.toml must be a list of property names"),
    ('[dates]\nyearley = ["founded"]\n', "unknown setting 'yearley'"),
    ('dates = 3\n', "[dates] in .vaultcrm.toml must be a table"),
    ('[dates]\nyearly = ["go_live"]\nonce = ["Go_Live"]\n', "both yearly and once"),
])
def test_a_malformed_dates_section_is_a_usage_error_naming_the_file(tmp_path: Path, toml: str, words: str) -> None:
    root = make_vault(tmp_path / "v", {".vaultcrm.toml": toml, "People/Ann.md": person("birthday: --12-01\n")})
    for args in (("dates",), ("agenda",)):
        r = vcrm(root, *args)
        assert (r.exit_code, r.stdout) == (2, "")
        assert words in r.stderr and ".vaultcrm.toml" in r.stderr


# ---- `dates` output -----------------------------------------------------------------------------
WINDOW = {
    "People/Ann.md": person("birthday: 1986-12-10\n"),  # 18 days
    "People/Bob.md": person("birthday: --12-22\n"),  # 30 days: the default window's last day
    "Customers/Acme.md": customer("renewal_date: 2026-12-23\n"),  # 31 days
}


def test_dates_looks_30_days_ahead_unless_within_says_otherwise(tmp_path: Path) -> None:
    root = make_vault(tmp_path / "v", WINDOW)
    assert [t for *_, t in rows_of(root)] == ["Ann", "Bob"]
    assert [t for *_, t in rows_of(root, "--within", "31")] == ["Ann", "Bob", "Acme"]
    assert [t for *_, t in rows_of(root, "--within", "17")] == []
    r = vcrm(root, "dates", "--within", "soon")
    assert r.exit_code == 2 and "--within: expected a whole number of days, got 'soon'" in r.stderr


def test_dates_json_has_every_field_of_a_row(tmp_path: Path) -> None:
    root = make_vault(tmp_path / "v", WINDOW)
    assert dates_json(root)[0] == {
        "date": "2026-12-10", "days": 18, "what": "birthday", "milestone": "turns 40", "years": 40,
        "recurs": "yearly", "title": "Ann", "path": "People/Ann.md", "property": "birthday", "value": "1986-12-10"}


def test_dates_csv_and_tsv_have_the_table_columns(tmp_path: Path) -> None:
    root = make_vault(tmp_path / "v", WINDOW)
    r = vcrm(root, "dates", "--csv", "--within", "31")
    assert r.exit_code == 0
    assert r.stdout == ("date,days,what,milestone,title,path\n"
                        "2026-12-10,18,birthday,turns 40,Ann,People/Ann.md\n"
                        "2026-12-22,30,birthday,,Bob,People/Bob.md\n"
                        "2026-12-23,31,renewal_date,,Acme,Customers/Acme.md\n")
    assert list(csv.reader(io.StringIO(vcrm(root, "dates", "--tsv").stdout), delimiter="\t"))[1] == [
        "2026-12-10", "18", "birthday", "turns 40", "Ann", "People/Ann.md"]


def test_dates_on_a_terminal_is_a_table_and_says_when_there_is_nothing(tmp_path: Path) -> None:
    root = make_vault(tmp_path / "v", WINDOW)
    r = vcrm(root, "dates")
    assert r.exit_code == 0 and "Key dates within 30 days" in r.stdout and "turns 40" in r.stdout
    empty = vcrm(make_vault(tmp_path / "e", {"People/Ann.md": person("")}), "dates")
    assert (empty.exit_code, empty.stdout) == (0, "")
    assert "nothing to show" in empty.stderr


# ---- agenda ---------------------------------------------------------------------------------------
def test_agenda_lists_key_dates_within_its_window_and_not_beyond(tmp_path: Path) -> None:
    root = make_vault(tmp_path / "v", {
        "People/Ann.md": person("birthday: --11-29\n"),  # 7 days
        "People/Bob.md": person("birthday: --11-30\n"),  # 8 days
        "Customers/Acme.md": customer("last_contact: 2026-11-20\nrenewal_date: 2026-11-22\n"),  # today
    })
    week = json.loads(vcrm(root, "agenda", "--json").stdout)["key_dates"]
    assert [(k["date"], k["what"], k["title"]) for k in week] == [
        ("2026-11-22", "renewal_date", "Acme"), ("2026-11-29", "birthday", "Ann")]
    assert [k["title"] for k in json.loads(vcrm(root, "agenda", "--days", "8", "--json").stdout)["key_dates"]] == [
        "Acme", "Ann", "Bob"]
    assert json.loads(vcrm(root, "agenda", "--days", "0", "--json").stdout)["key_dates"][0]["days"] == 0
    shown = vcrm(root, "agenda").stdout
    assert "Key dates within 7 days" in shown and "renewal_date" in shown and "Bob" not in shown


# ---- log --next -----------------------------------------------------------------------------------
ACME = ("---\ntype: customer\nlast_contact: 2026-11-01\n---\n\n# Acme\n\n## Recent Context\n\n"
        "- 2026-11-01: [[2026-11-01]] - Intro call\n")
LOGGED = ("---\ntype: customer\nlast_contact: 2026-11-22\n---\n\n# Acme\n\n## Recent Context\n\n"
          "- 2026-11-22: [[2026-11-22]] - Pricing call\n- 2026-11-01: [[2026-11-01]] - Intro call\n\n"
          "## Open Tasks\n\n")


@pytest.mark.parametrize("when, due", [("+3d", "2026-11-25"), ("next friday", "2026-11-27"),
                                       ("in 2 weeks", "2026-12-06"), ("2026-12-01", "2026-12-01"),
                                       ("today", "2026-11-22")])
def test_log_next_writes_the_entry_and_a_follow_up_task_in_one_edit(tmp_path: Path, when: str, due: str) -> None:
    root = make_vault(tmp_path / "v", {"Customers/Acme.md": ACME})
    r = vcrm(root, "log", "acme", "Pricing call", "--next", when)
    assert (r.exit_code, r.stdout) == (0, "")
    assert r.stderr == f"vaultcrm: logged to Customers/Acme.md with a follow-up due {due}\n"
    after = (root / "Customers/Acme.md").read_bytes().decode("utf-8")
    assert after == LOGGED + f"- [ ] Follow up with Acme 📅 {due}\n"
    listed = json.loads(vcrm(root, "task", "list", "Acme", "--json").stdout)
    assert [(t["text"], t["due"]) for t in listed] == [("Follow up with Acme", due)]


def test_the_follow_up_goes_after_the_open_tasks_already_there_and_shows_in_agenda(tmp_path: Path) -> None:
    note = ACME + "\n## Open Tasks\n\n- [ ] Send the deck 📅 2026-12-10\n\n## Key Contacts\n\n- Jane\n"
    root = make_vault(tmp_path / "v", {"Customers/Acme.md": note})
    assert vcrm(root, "log", "Acme", "Pricing call", "--next", "+3d", "--link", "").exit_code == 0
    assert (root / "Customers/Acme.md").read_text(encoding="utf-8") == (
        "---\ntype: customer\nlast_contact: 2026-11-22\n---\n\n# Acme\n\n## Recent Context\n\n"
        "- 2026-11-22: Pricing call\n- 2026-11-01: [[2026-11-01]] - Intro call\n\n## Open Tasks\n\n"
        "- [ ] Send the deck 📅 2026-12-10\n- [ ] Follow up with Acme 📅 2026-11-25\n\n## Key Contacts\n\n- Jane\n")
    due = json.loads(vcrm(root, "agenda", "--json").stdout)["due_soon"]
    assert [(t["text"], t["due"]) for t in due] == [("Follow up with Acme", "2026-11-25")]


def test_one_undo_takes_back_both_the_entry_and_the_follow_up(tmp_path: Path) -> None:
    root = make_vault(tmp_path / "v", {"Customers/Acme.md": ACME})
    before = snapshot(root)
    assert vcrm(root, "log", "Acme", "Pricing call", "--next", "+3d").exit_code == 0
    r = vcrm(root, "undo")
    assert r.exit_code == 0, r.stderr
    assert snapshot(root) == before


def test_log_next_dry_run_shows_both_lines_and_writes_nothing(tmp_path: Path) -> None:
    root = make_vault(tmp_path / "v", {"Customers/Acme.md": ACME})
    before = snapshot(root)
    r = vcrm(root, "log", "Acme", "Pricing call", "--next", "+3d", "--dry-run")
    assert r.exit_code == 0
    assert "+- 2026-11-22: [[2026-11-22]] - Pricing call\n" in r.stdout
    assert "+- [ ] Follow up with Acme 📅 2026-11-25\n" in r.stdout
    assert snapshot(root) == before


@pytest.mark.parametrize("when", ["yesterday", "2026-11-21", "-3d", "last friday"])
def test_a_follow_up_in_the_past_is_a_usage_error_and_writes_nothing(tmp_path: Path, when: str) -> None:
    root = make_vault(tmp_path / "v", {"Customers/Acme.md": ACME})
    before = snapshot(root)
    r = vcrm(root, "log", "Acme", "Pricing call", "--next", when)
    assert (r.exit_code, r.stdout) == (2, "")
    assert "is in the past" in r.stderr
    assert snapshot(root) == before


def test_an_unreadable_follow_up_date_is_a_usage_error(tmp_path: Path) -> None:
    root = make_vault(tmp_path / "v", {"Customers/Acme.md": ACME})
    before = snapshot(root)
    r = vcrm(root, "log", "Acme", "Pricing call", "--next", "someday maybe")
    assert r.exit_code == 2 and "cannot read 'someday maybe' as a date" in r.stderr
    assert snapshot(root) == before


def test_the_follow_up_is_written_in_the_dataview_format_when_tasks_says_so(tmp_path: Path) -> None:
    root = make_vault(tmp_path / "v", {
        "Customers/Acme.md": ACME,
        ".obsidian/plugins/obsidian-tasks-plugin/data.json": '{"taskFormat": "dataview"}',
    })
    assert vcrm(root, "log", "Acme", "Pricing call", "--next", "+3d").exit_code == 0
    assert (root / "Customers/Acme.md").read_text(encoding="utf-8") == (
        LOGGED + "- [ ] Follow up with Acme  [due:: 2026-11-25]\n")
    due = json.loads(vcrm(root, "agenda", "--json").stdout)["due_soon"]
    assert [(t["text"], t["due"]) for t in due] == [("Follow up with Acme", "2026-11-25")]
