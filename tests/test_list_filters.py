"""`list --where` comparisons on dates and numbers, the Account Status fallback, a checked `--sort`,
and `--columns`. Today is 2026-11-22 (conftest); every expected answer below is worked out by hand."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import Run, invoke, make_vault

STATUS_TABLE = "## Account Status\n\n| Field | Value |\n|-------|-------|\n"
NOTES = {
    # effective last contact 2026-11-15 (the Recent Context entry), though the property says 2026-08-01
    "Customers/Acme.md": "---\ntype: customer\nlast_contact: 2026-08-01\narr: 50000\nowner: Dana\n"
                         "renewal: 2027-01-31\n---\n# Acme\n\n## Recent Context\n\n"
                         "- 2026-11-15: [[2026-11-15]] - Call about the renewal\n",
    "Customers/Beta.md": "---\ntype: customer\nlast_contact: 2026-06-01\narr: 120000\n---\n# Beta\n\n"
                         + STATUS_TABLE + "| **Status** | Prospect |\n| ARR band | large |\n| Seats | 250 |\n",
    # `Status` property wins over the table; "50,000" is text, not a number
    "Customers/Gamma.md": "---\ntype: customer\nlast_contact: 2026-11-08\narr: \"50,000\"\nStatus: Active\n---\n"
                          "# Gamma\n\n" + STATUS_TABLE + "| Status | Prospect |\n",
    "Customers/Delta.md": "---\ntype: customer\nlast_contact: 2025-12-31\narr: 49999.5\n---\n# Delta\n\n"
                          + STATUS_TABLE + "| Status | Churned |\n| Seats | 40 |\n",
    # no date at all, a quoted number (read as one), a renewal written as text
    "Customers/Echo.md": "---\ntype: customer\nlast_contact: unknown\narr: \"7000\"\nrenewal: next year\n---\n"
                         "# Echo\n",
    "People/Pat.md": "---\ntype: person\n---\n# Pat\n",
}
CUSTOMERS = ["Acme", "Beta", "Delta", "Echo", "Gamma"]
WHERE_HINT = ("hint: --where takes KEY=VALUE, KEY!=VALUE, KEY~=TEXT (contains), KEY<V, KEY<=V, KEY>V, KEY>=V "
              "(V a number such as 50000, or a date: YYYY-MM-DD, -90d, +2w, yesterday, 'last month', "
              "'2 weeks ago'), KEY (is set) or !KEY (is not set); quote a value that starts with < > or =\n")
KNOWN_HINT = ("hint: known fields: title, path, kind, tags, aliases, last_contact; properties and Account Status "
              "fields: arr, ARR band, owner, renewal, Seats, Status, type")


@pytest.fixture
def crm(tmp_path: Path) -> Callable[..., Run]:
    root = make_vault(tmp_path / "vault", NOTES)

    def _run(*args: str) -> Run:
        return invoke(["--vault", str(root), "list", *args])

    return _run


def titles(crm: Callable[..., Run], *args: str) -> list[str]:
    r = crm("--json", "--sort", "title", *args)
    assert (r.exit_code, r.stderr) == (0, "")
    return [row["title"] for row in json.loads(r.stdout)]


# ---- comparisons on dates --------------------------------------------------------------------------
@pytest.mark.parametrize(("clause", "expected"), [
    ("last_contact<2026-11-08", ["Beta", "Delta"]),
    ("last_contact<=2026-11-08", ["Beta", "Delta", "Gamma"]),
    ("last_contact>2026-11-08", ["Acme"]),
    ("last_contact>=2026-11-08", ["Acme", "Gamma"]),
    ("last_contact < 2026-01-01", ["Delta"]),
    ("last_contact<-90d", ["Beta", "Delta"]),  # 2026-08-24: Acme's old property does not count
    ("last_contact>-90d", ["Acme", "Gamma"]),
    ("last_contact>=2 weeks ago", ["Acme", "Gamma"]),  # 2026-11-08, inclusive
    ("last_contact<2 weeks ago", ["Beta", "Delta"]),
    ("last_contact<last month", ["Beta", "Delta"]),  # 2026-10-22
    ("last_contact>=yesterday", []),
    ("last_contact<=+2w", ["Acme", "Beta", "Delta", "Gamma"]),  # Echo has no date: never matches
    ("renewal>2026-12-01", ["Acme"]),  # Echo's "next year" is text: not comparable, no match
    ("renewal<2099-01-01", ["Acme"]),
])
def test_a_date_comparison_lists_the_notes_on_that_side_of_the_day(crm, clause: str, expected: list[str]) -> None:
    assert titles(crm, "--where", clause) == expected


def test_last_contact_compares_the_effective_date_list_prints_not_the_raw_property(crm) -> None:
    rows = json.loads(crm("--json", "--where", "last_contact>=2026-11-15").stdout)
    assert [(r["title"], r["properties"]["last_contact"], r["last_contact"]) for r in rows] == [
        ("Acme", "2026-08-01", "2026-11-15")]
    assert titles(crm, "--where", "last_contact<2026-09-01") == ["Beta", "Delta"]


def test_comparisons_are_anded_with_the_other_clauses(crm) -> None:
    assert titles(crm, "--where", "last_contact<-90d", "--where", "arr>100000") == ["Beta"]
    assert titles(crm, "--where", "last_contact>2026-01-01", "--where", "last_contact<2026-11-10") == ["Beta", "Gamma"]


# ---- comparisons on numbers ------------------------------------------------------------------------
@pytest.mark.parametrize(("clause", "expected"), [
    ("arr>=50000", ["Acme", "Beta"]),  # Gamma's "50,000" is text, not a number
    ("arr>50000", ["Beta"]),
    ("arr<50000", ["Delta", "Echo"]),  # Echo's quoted "7000" is a plain decimal: a number
    ("arr<=50000", ["Acme", "Delta", "Echo"]),
    ("arr<=49999.5", ["Delta", "Echo"]),
    ("arr>-1", ["Acme", "Beta", "Delta", "Echo"]),
    ("seats>100", ["Beta"]),  # an Account Status cell, compared as a number
    ("Seats<=40", ["Delta"]),
])
def test_a_number_comparison_compares_numerically(crm, clause: str, expected: list[str]) -> None:
    assert titles(crm, "--where", clause) == expected


def test_text_with_a_thousands_separator_is_matched_as_text_only(crm) -> None:
    assert titles(crm, "--where", "arr=50,000") == ["Gamma"]
    assert titles(crm, "--where", "arr~=50,0") == ["Gamma"]


@pytest.mark.parametrize("clause", ["arr>2026-01-01", "last_contact>0", "owner<5", "title>2026-01-01", "nothing>1"])
def test_a_value_of_the_other_type_or_no_value_never_matches_a_comparison(crm, clause: str) -> None:
    assert titles(crm, "--where", clause) == []


# ---- malformed filters -----------------------------------------------------------------------------
@pytest.mark.parametrize(("clause", "problem"), [
    ("last_contact<", "--where 'last_contact<': no value after '<'"),
    ("last_contact>=''", "--where \"last_contact>=''\": no value after '>='"),
    ("<5", "--where '<5' names no property before '<'"),
    ("a<<b", "--where 'a<<b': the value '<b' starts with an operator"),
    ("a=>5", "--where 'a=>5': the value '>5' starts with an operator"),
    ("arr==5", "--where 'arr==5': the value '=5' starts with an operator"),
    ("last_contact<someday", "--where 'last_contact<someday': cannot read 'someday' as a number or a date"),
    ("arr>=fifty", "--where 'arr>=fifty': cannot read 'fifty' as a number or a date"),
    ("!arr<5", "--where '!arr<5': '!' goes only before a bare KEY (is not set); write KEY!=VALUE for 'is not'"),
    ("!", "--where '!' names no property"),
    (" ", "empty --where clause"),
])
def test_a_malformed_where_is_a_usage_error_naming_the_problem_and_the_forms(crm, clause: str, problem: str) -> None:
    r = crm("--where", clause)
    assert r.exit_code == 2
    assert r.stdout == ""
    assert r.stderr == f"vaultcrm: error: {problem}\n{WHERE_HINT}"


# ---- a checked --sort ------------------------------------------------------------------------------
def test_an_unknown_sort_key_is_a_usage_error_suggesting_the_close_one(crm) -> None:
    r = crm("--sort", "lastcontact")
    assert (r.exit_code, r.stdout) == (2, "")
    assert r.stderr == ("vaultcrm: error: unknown --sort key 'lastcontact'; did you mean last_contact?\n"
                        f"{KNOWN_HINT}; prefix - to reverse\n")
    r = crm("--sort", "-zzz")
    assert (r.exit_code, r.stderr.splitlines()[0]) == (2, "vaultcrm: error: unknown --sort key 'zzz'")


@pytest.mark.parametrize("key", ["title", "-path", "kind", "tags", "aliases", "last_contact", "ARR", "-owner",
                                 "status", "Seats", "arr band"])
def test_a_sort_key_is_known_as_a_builtin_field_a_property_in_any_case_or_a_status_field(crm, key: str) -> None:
    assert crm("--sort", key, "--json").exit_code == 0


def test_a_sort_key_is_known_when_any_note_has_it_even_if_none_is_listed(crm) -> None:
    assert titles(crm, "--kind", "person", "--sort", "arr") == ["Pat"]
    assert titles(crm, "--kind", "nothing-such", "--sort", "owner") == []


def test_sort_reads_numbers_numerically_and_falls_back_to_the_account_status_row(crm) -> None:
    def order(*args: str) -> list[str]:
        return [row["title"] for row in json.loads(crm("--json", "--kind", "customer", *args).stdout)]

    # 7000 < 49999.5 < 50000 < 120000, then the text "50,000"
    assert order("--sort", "arr") == ["Echo", "Delta", "Acme", "Beta", "Gamma"]
    # Gamma's property Active, Delta's row Churned, Beta's bold row Prospect; no status last, by path
    assert order("--sort", "Status") == ["Gamma", "Delta", "Beta", "Acme", "Echo"]


# ---- Account Status fields -------------------------------------------------------------------------
@pytest.mark.parametrize(("clause", "expected"), [
    ("Status=Prospect", ["Beta"]),  # Gamma's table says Prospect too, but its property says Active
    ("status=prospect", ["Beta"]),
    ("Status=Active", ["Gamma"]),
    ("Status!=Prospect", ["Acme", "Delta", "Echo", "Gamma", "Pat"]),
    ("Status~=urn", ["Delta"]),
    ("Status", ["Beta", "Delta", "Gamma"]),
    ("!Status", ["Acme", "Echo", "Pat"]),
    ("arr_band=large", ["Beta"]),  # `ARR band` as Dataview compares field names
])
def test_where_reads_the_account_status_row_when_the_note_has_no_such_property(crm, clause: str,
                                                                               expected: list[str]) -> None:
    assert titles(crm, "--where", clause) == expected


# ---- --columns -------------------------------------------------------------------------------------
def test_columns_pick_the_csv_columns_and_their_order(crm) -> None:
    r = crm("--kind", "customer", "--sort", "title", "--columns", "title, last_contact,arr,Status,owner", "--csv")
    assert (r.exit_code, r.stderr) == (0, "")
    assert r.stdout == ("title,last_contact,arr,Status,owner\n"
                        "Acme,2026-11-15,50000,,Dana\n"
                        "Beta,2026-06-01,120000,Prospect,\n"
                        "Delta,2025-12-31,49999.5,Churned,\n"
                        "Echo,,7000,,\n"
                        "Gamma,2026-11-08,\"50,000\",Active,\n")


def test_columns_pick_the_tsv_columns(crm) -> None:
    r = crm("--where", "Seats", "--sort", "-seats", "--columns", "path,Seats,aliases", "--tsv")
    assert r.stdout == "path\tSeats\taliases\nCustomers/Beta.md\t250\t\nCustomers/Delta.md\t40\t\n"


def test_columns_pick_the_table_columns_under_their_headers(crm) -> None:
    r = crm("--where", "Status", "--sort", "title", "--columns", "Status,title,last_contact")
    assert (r.exit_code, r.stderr) == (0, "")
    lines = r.stdout.splitlines()
    assert [cell.strip() for cell in lines[1].strip("┃").split("┃")] == ["Status", "Title", "Last contact"]
    rows = [[cell.strip() for cell in line.strip("│").split("│")] for line in lines[3:-1]]
    assert rows == [["Prospect", "Beta", "2026-06-01"], ["Churned", "Delta", "2025-12-31"],
                    ["Active", "Gamma", "2026-11-08"]]


def test_json_ignores_columns_and_prints_whole_records(crm) -> None:
    plain = crm("--json")
    picked = crm("--json", "--columns", "title,Status")
    assert picked.exit_code == 0
    assert picked.stdout == plain.stdout


@pytest.mark.parametrize("fmt", ["--csv", "--json"])
def test_an_unknown_column_is_a_usage_error_listing_the_known_ones(crm, fmt: str) -> None:
    r = crm("--columns", "title,ownr", fmt)
    assert (r.exit_code, r.stdout) == (2, "")
    assert r.stderr == f"vaultcrm: error: unknown column 'ownr'; did you mean owner?\n{KNOWN_HINT}\n"


def test_an_empty_column_name_is_a_usage_error(crm) -> None:
    r = crm("--columns", "title,,path")
    assert (r.exit_code, r.stdout) == (2, "")
    assert r.stderr == ("vaultcrm: error: --columns 'title,,path' has an empty name; give names separated by "
                        "commas, e.g. --columns title,last_contact,owner\n")
