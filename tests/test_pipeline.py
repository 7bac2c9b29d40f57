"""`pipeline`: deals by stage with weighted values (totals worked out by hand below), its filters and
settings, and `--changes` from the undo journal and from git history."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import Run, invoke, make_vault

from vaultcrm.model.money import Money, parse_money, parse_percent, read_amount


# ---- the parsers ---------------------------------------------------------------------------------
@pytest.mark.parametrize(("text", "amount", "currency"), [
    ("$1.2M", "1200000", "USD"), ("250k", "250000", "USD"), ("1,200,000 USD", "1200000", "USD"),
    ("€300K", "300000", "EUR"), ("$1.1M", "1100000", "USD"), ("US$ 2,000", "2000", "USD"),
    ("EUR 5k", "5000", "EUR"), ("5k eur", "5000", "EUR"), ("300 €", "300", "EUR"), ("£2.5m", "2500000", "GBP"),
    ("1.200.000,50 €", "1200000.50", "EUR"), ("1 200 000", "1200000", "USD"), ("2 million", "2000000", "USD"),
    ("1.5bn", "1500000000", "USD"), ("1,5", "1.5", "USD"), ("1234.56", "1234.56", "USD"), ("0", "0", "USD"),
    (1200000, "1200000", "USD"), (2.5, "2.5", "USD"),
])
def test_amounts_are_read_as_people_write_them(text: object, amount: str, currency: str) -> None:
    assert parse_money(text) == Money(Decimal(amount), currency)


@pytest.mark.parametrize("text", ["TBD", "", "250-300k", "-5000", "$5 EUR", "1,2,3", "5 apples", "k", True, None,
                                  "1,200,", [1]])
def test_what_is_no_amount_is_none(text: object) -> None:
    assert parse_money(text) is None


def test_a_dollar_is_the_vaults_own_dollar_and_a_bare_number_the_vaults_currency() -> None:
    assert parse_money("$5k", "CAD") == Money(Decimal(5000), "CAD")
    assert parse_money("$5k", "EUR") == Money(Decimal(5000), "USD")
    assert parse_money("5k", "EUR") == Money(Decimal(5000), "EUR")


def test_read_amount_says_why_an_amount_stays_out_of_a_total() -> None:
    assert read_amount("$1.2M", "USD") == (Money(Decimal(1200000), "USD"), None)
    assert read_amount("€300K", "USD") == (Money(Decimal(300000), "EUR"),
                                          "is in EUR, not USD (the vault's currency)")
    assert read_amount("250-300k", "USD") == (None, "is not an amount")
    assert read_amount(None, "USD") == (None, None)


@pytest.mark.parametrize(("text", "percent"), [
    ("40%", 40), ("0.4", 40), ("40", 40), (40, 40), (0.4, 40), ("40.5 %", Decimal("40.5")), (1, 100), ("0", 0),
    ("100%", 100), (".25", 25), ("0,4", 40),
])
def test_probability_forty_percent_written_any_way_is_forty(text: object, percent: object) -> None:
    assert parse_percent(text) == Decimal(str(percent))


@pytest.mark.parametrize("text", ["101", "150%", "-10", "high", "", None, True])
def test_what_is_no_percentage_is_none(text: object) -> None:
    assert parse_percent(text) is None


# ---- a vault of deals ----------------------------------------------------------------------------
def note(props: str, body: str = "") -> str:
    return f"---\ntype: customer\n{props}---\n\n{body}"


def status(**rows: str) -> str:
    lines = "".join(f"| **{k.replace('_', ' ').title()}** | {v} |\n" for k, v in rows.items())
    return f"## Account Status\n\n| Field | Value |\n|-------|-------|\n{lines}"


DEALS = {
    # in properties, a past close date on an open stage
    "Customers/Acme.md": note('stage: POC\ndeal_value: "$1.2M"\nclose_date: 2026-10-01\nowner: "[[Jeff Denworth]]"\n'
                              "last_contact: 2026-11-01\n"),
    # in Account Status rows, probability as a fraction
    "Customers/Globex.md": note("owner: Dana Scully\n", status(stage="Proposal", deal_value="250k",
                                                               close_date="2026-12-15", probability="0.5")),
    # the stage in another case, a YAML number, its own probability
    "Customers/Initech.md": note('stage: poc\nDeal_Value: 250000\nprobability: "30%"\n'),
    # an unknown stage, another currency
    "Customers/Umbrella.md": note('stage: Pilot\ndeal_value: "€300K"\n'),
    # an unknown stage that sorts before Pilot
    "Customers/Soylent.md": note("stage: discovery\ndeal_value: 10000\nprobability: 20\nclose_date: TBD\n"),
    # a closed stage: its past close date is no warning
    "Customers/Stark.md": note('stage: Closed Won\ndeal_value: "1,000,000 USD"\nclose_date: 2026-01-15\n'),
    # a value that is no amount, closing in 9 days
    "Customers/Wayne.md": note("stage: Negotiation\ndeal_value: 250-300k\nclose_date: 2026-12-01\n"),
    # no stage: only with --all
    "Customers/Hooli.md": note("deal_value: 5k\n"),
    # an interaction filed under Acme is no account, whatever it says
    "Meetings/2026-11-01 Acme call.md": "---\ntype: customer\naccount: \"[[Acme]]\"\nstage: Lead\n"
                                        "deal_value: 9M\n---\n",
    "People/Jeff Denworth.md": "---\ntype: person\naliases: [Jeff]\n---\n",
}


@pytest.fixture
def deals(tmp_path: Path) -> Path:
    return make_vault(tmp_path / "deals", DEALS)


def run_in(root: Path, *args: str) -> Run:
    return invoke(["--vault", str(root), *args])


def pipeline_json(root: Path, *args: str) -> dict:
    r = run_in(root, "pipeline", "--json", *args)
    assert r.exit_code == 0, r.stderr
    return json.loads(r.stdout)


def test_deals_are_grouped_in_stage_order_with_totals_worked_out_by_hand(deals: Path) -> None:
    data = pipeline_json(deals)
    assert data["currency"] == "USD"
    # POC: 1,200,000 × 40% = 480,000 and 250,000 × 30% = 75,000; Proposal: 250,000 × 50%;
    # Negotiation: no amount; Closed Won: 1,000,000 × 100%; discovery: 10,000 × 20%; Pilot: EUR, left out
    assert data["stages"] == [
        {"stage": "POC", "count": 2, "total": 1450000, "weighted": 555000},
        {"stage": "Proposal", "count": 1, "total": 250000, "weighted": 125000},
        {"stage": "Negotiation", "count": 1, "total": 0, "weighted": 0},
        {"stage": "Closed Won", "count": 1, "total": 1000000, "weighted": 1000000},
        {"stage": "discovery", "count": 1, "total": 10000, "weighted": 2000},
        {"stage": "Pilot", "count": 1, "total": 0, "weighted": 0},
    ]
    assert data["total"] == {"count": 7, "total": 2710000, "weighted": 1682000}
    assert [d["account"] for d in data["deals"]] == ["Acme", "Initech", "Globex", "Wayne", "Stark", "Soylent",
                                                     "Umbrella"]


def test_a_deal_in_json_has_its_numbers_dates_and_owner(deals: Path) -> None:
    by = {d["account"]: d for d in pipeline_json(deals)["deals"]}
    assert by["Acme"] == {"account": "Acme", "path": "Customers/Acme.md", "stage": "POC", "value": 1200000,
                          "currency": "USD", "value_text": "$1.2M", "probability": 40, "weighted": 480000,
                          "in_totals": True, "close_date": "2026-10-01", "close_past": True,
                          "last_contact": "2026-11-01", "owner": "Jeff Denworth"}
    assert by["Initech"]["stage"] == "POC" and by["Initech"]["probability"] == 30
    assert (by["Globex"]["value"], by["Globex"]["probability"]) == (250000, 50)
    assert by["Globex"]["close_date"] == "2026-12-15"
    assert by["Umbrella"]["currency"] == "EUR" and by["Umbrella"]["in_totals"] is False
    assert by["Umbrella"]["probability"] is None and by["Umbrella"]["weighted"] is None
    assert by["Stark"]["close_past"] is False
    assert by["Wayne"]["value"] is None and by["Wayne"]["value_text"] == "250-300k" and by["Wayne"]["probability"] == 80
    assert by["Soylent"]["close_date"] is None  # `TBD` is left to fill in: no date, no warning


def test_other_currencies_and_unreadable_values_are_warnings(deals: Path) -> None:
    r = run_in(deals, "pipeline", "--json")
    assert "Customers/Umbrella.md: deal_value '€300K' is in EUR, not USD" in r.stderr
    assert "Customers/Wayne.md: deal_value '250-300k' is not an amount" in r.stderr
    assert "Soylent" not in r.stderr
    assert r.stdout.startswith("{")


def test_all_adds_the_accounts_without_a_stage_last_and_never_interactions(deals: Path) -> None:
    data = pipeline_json(deals, "--all")
    assert data["stages"][-1] == {"stage": None, "count": 1, "total": 5000, "weighted": 0}
    assert data["deals"][-1]["account"] == "Hooli"
    assert "2026-11-01 Acme call" not in {d["account"] for d in data["deals"]}
    assert "Jeff Denworth" not in {d["account"] for d in data["deals"]}


@pytest.mark.parametrize(("args", "accounts"), [
    (["--stage", "poc"], ["Acme", "Initech"]),
    (["--stage", "POC", "--stage", "proposal"], ["Acme", "Initech", "Globex"]),
    (["--stage", "Pilot"], ["Umbrella"]),
    (["--owner", "jeff"], ["Acme"]),  # a person note's alias
    (["--owner", "[[Jeff Denworth]]"], ["Acme"]),
    (["--owner", "DANA SCULLY"], ["Globex"]),
    (["--closing-within", "30"], ["Globex", "Wayne"]),  # the past close date is not "closing"
    (["--closing-within", "10"], ["Wayne"]),
    (["--stage", "poc", "--owner", "Dana Scully"], []),
])
def test_filters_pick_the_deals(deals: Path, args: list[str], accounts: list[str]) -> None:
    data = pipeline_json(deals, *args)
    assert sorted(d["account"] for d in data["deals"]) == sorted(accounts)
    assert data["total"]["count"] == len(accounts)


def test_a_stage_no_deal_or_setting_names_is_a_usage_error(deals: Path) -> None:
    r = run_in(deals, "pipeline", "--stage", "Pocc")
    assert r.exit_code == 2
    assert "--stage: no stage 'Pocc'" in r.stderr and "Lead" in r.stderr


def test_the_table_shows_one_table_a_stage_with_subtotals_and_flags_past_close_dates(deals: Path) -> None:
    r = run_in(deals, "pipeline")
    assert r.exit_code == 0, r.stderr
    out = r.stdout
    titles = ["POC", "Proposal", "Negotiation", "Closed Won", "discovery", "Pilot", "Pipeline (USD)"]
    places = [out.index(f"\n{t}\n") if n else out.index(f"{t}\n") for n, t in enumerate(titles)]
    assert places == sorted(places)
    assert "2026-10-01 (past)" in out and "2026-01-15 (past)" not in out
    assert "1,200,000" in out and "480,000" in out and "1,450,000" in out and "555,000" in out
    assert "300,000 EUR" in out
    assert out.count("Subtotal") == 6
    assert "2,710,000" in out and "1,682,000" in out


def test_csv_has_one_row_a_deal_with_plain_numbers(deals: Path) -> None:
    r = run_in(deals, "pipeline", "--csv", "--stage", "POC")
    assert r.exit_code == 0, r.stderr
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    assert [row["account"] for row in rows] == ["Acme", "Initech"]
    assert rows[0]["value"] == "1200000" and rows[0]["weighted"] == "480000" and rows[0]["probability"] == "40"
    assert rows[0]["close_past"] == "true" and rows[0]["stage"] == "POC"
    tsv = run_in(deals, "pipeline", "--tsv").stdout.splitlines()
    assert tsv[0].split("\t")[:3] == ["account", "path", "stage"] and len(tsv) == 8


def test_nothing_to_show_is_said_on_stderr(tmp_path: Path) -> None:
    root = make_vault(tmp_path / "empty", {"Customers/A.md": note("")})
    r = run_in(root, "pipeline")
    assert r.exit_code == 0 and r.stdout == "" and "nothing to show" in r.stderr
    assert pipeline_json(root)["total"] == {"count": 0, "total": 0, "weighted": 0}


# ---- settings ------------------------------------------------------------------------------------
CUSTOM = """
[pipeline]
stages = ["Discovery", "Pilot", "Won"]
closed = ["Won"]
currency = "eur"
[pipeline.keys]
stage = "phase"
value = "arr"
close = "expected_close"
[pipeline.probabilities]
discovery = "15%"
Pilot = 0.5
"""


def test_vaultcrm_toml_names_the_keys_stages_probabilities_and_currency(tmp_path: Path) -> None:
    root = make_vault(tmp_path / "custom", {
        ".vaultcrm.toml": CUSTOM,
        "Customers/A.md": note('phase: pilot\narr: "€100k"\nexpected_close: 2026-11-01\n'),
        "Customers/B.md": note("phase: Discovery\narr: 20000\n"),
        "Customers/C.md": note('phase: Won\narr: "$50k"\nexpected_close: 2026-01-01\n'),
        "Customers/D.md": note("stage: POC\ndeal_value: 1M\n"),  # the default keys mean nothing here
    })
    r = run_in(root, "pipeline", "--json")
    data = json.loads(r.stdout)
    assert data["currency"] == "EUR"
    # Discovery 20,000 × 15% = 3,000; Pilot 100,000 × 50% = 50,000; Won: USD, left out (no default probability)
    assert data["stages"] == [{"stage": "Discovery", "count": 1, "total": 20000, "weighted": 3000},
                              {"stage": "Pilot", "count": 1, "total": 100000, "weighted": 50000},
                              {"stage": "Won", "count": 1, "total": 0, "weighted": 0}]
    by = {d["account"]: d for d in data["deals"]}
    assert by["A"]["close_past"] is True and by["C"]["close_past"] is False
    assert "is in USD, not EUR" in r.stderr


@pytest.mark.parametrize(("toml", "said"), [
    ('[pipeline]\nstages = "Lead"\n', "stages: expected a list of stage names"),
    ('[pipeline]\nstages = []\n', "stages: give at least one stage"),
    ('[pipeline]\nstages = ["Lead", "lead"]\n', "stages: a stage is named twice"),
    ('[pipeline]\ncurrency = "dollars"\n', "currency: expected a three-letter code"),
    ('[pipeline]\nclosed = ["Gone"]\n', "closed: 'Gone' is not one of stages"),
    ('[pipeline.probabilities]\nPOC = 140\n', "probabilities.POC: expected a percentage from 0 to 100"),
    ('[pipeline.probabilities]\nPilot = 50\n', "probabilities: 'Pilot' is not one of stages"),
    ('[pipeline.keys]\nstatge = "phase"\n', "keys: expected property names for some of stage, value"),
    ('[pipeline.keys]\nstage = ""\n', "keys: expected property names"),
    ("[pipeline]\nkeys = 3\n", "keys: expected property names"),
    ('[pipeline.probabilities]\nPOC = 40\npoc = 50\n', "probabilities: a stage is named twice"),
    ('[pipeline]\nstagse = ["Lead"]\n', "unknown setting 'stagse'"),
    ("pipeline = 3\n", "expected a table of settings"),
])
def test_a_bad_setting_is_a_usage_error_naming_the_file(tmp_path: Path, toml: str, said: str) -> None:
    root = make_vault(tmp_path / "bad", {".vaultcrm.toml": toml, "Customers/A.md": note("stage: POC\n")})
    r = run_in(root, "pipeline")
    assert r.exit_code == 2
    assert ".vaultcrm.toml [pipeline]" in r.stderr and said in r.stderr


@pytest.mark.parametrize(("args", "said"), [
    (["--since", "2026-01-01"], "--since: only with --changes"),
    (["--closing-within", "soon"], "--closing-within: expected a whole number of days, got 'soon'"),
    (["--json", "--csv"], "choose one of --json, --csv, --tsv"),
])
def test_usage_errors_say_what_was_expected(deals: Path, args: list[str], said: str) -> None:
    r = run_in(deals, "pipeline", *args)
    assert r.exit_code == 2 and said in r.stderr and r.stdout == ""


# ---- changes from the journal --------------------------------------------------------------------
def changes(root: Path, *args: str) -> list[dict]:
    r = run_in(root, "pipeline", "--changes", "--since", "2000-01-01", "--json", *args)
    assert r.exit_code == 0, r.stderr
    return json.loads(r.stdout)


def test_changes_come_from_the_journal_of_set_newest_first(deals: Path) -> None:
    for args in (("Acme", "stage", "Proposal"), ("Acme", "stage", "Negotiation"), ("Globex", "deal_value", "300k"),
                 ("Acme", "stage", "negotiation")):  # a change of case is no change of stage
        assert run_in(deals, "set", *args).exit_code == 0
    assert run_in(deals, "log", "Acme", "Called").exit_code == 0  # an edit that moves no deal field
    rows = changes(deals)
    assert [(c["account"], c["field"], c["old"], c["new"], c["source"]) for c in rows] == [
        ("Globex", "value", "250k", "300k", "journal"),  # an Account Status row, read as written
        ("Acme", "stage", "Proposal", "Negotiation", "journal"),
        ("Acme", "stage", "POC", "Proposal", "journal"),
    ]
    assert rows[0]["path"] == "Customers/Globex.md" and len(rows[0]["date"]) == 10


def test_an_undone_edit_is_no_change_and_filters_pick_the_accounts(deals: Path) -> None:
    run_in(deals, "set", "Acme", "stage", "Proposal")
    run_in(deals, "set", "Globex", "close_date", "2027-01-31")
    assert [c["field"] for c in changes(deals)] == ["close_date", "stage"]
    assert [c["account"] for c in changes(deals, "--owner", "Jeff")] == ["Acme"]
    assert run_in(deals, "undo").exit_code == 0
    assert [(c["account"], c["new"]) for c in changes(deals)] == [("Acme", "Proposal")]


def test_changes_before_since_are_left_out_and_the_table_and_csv_show_them(deals: Path) -> None:
    run_in(deals, "set", "Acme", "stage", "Proposal")
    r = run_in(deals, "pipeline", "--changes", "--since", "2999-01-01", "--json")
    assert r.exit_code == 0 and json.loads(r.stdout) == []
    table = run_in(deals, "pipeline", "--changes", "--since", "2000-01-01")
    assert "POC" in table.stdout and "Proposal" in table.stdout and "journal" in table.stdout
    rows = list(csv.DictReader(io.StringIO(run_in(deals, "pipeline", "--changes", "--since", "2000-01-01",
                                                  "--csv").stdout)))
    assert rows[0]["field"] == "stage" and rows[0]["old"] == "POC" and rows[0]["source"] == "journal"


# ---- changes from git ----------------------------------------------------------------------------
needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


@pytest.fixture
def hermetic_git(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for k, v in {"GIT_AUTHOR_NAME": "Tester", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "Tester",
                 "GIT_COMMITTER_EMAIL": "t@example.com", "GIT_CONFIG_NOSYSTEM": "1",
                 "GIT_CONFIG_GLOBAL": str(tmp_path / "gitconfig"), "HOME": str(tmp_path)}.items():
        monkeypatch.setenv(k, v)


def git(root: Path, *args: str, when: str | None = None) -> str:
    env = {**os.environ, **({"GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when} if when else {})}
    return subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True, text=True,
                          env=env).stdout


def commit(root: Path, files: dict[str, str], when: str) -> None:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(text.encode("utf-8"))
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", f"edit {when}", when=when)


@needs_git
@pytest.mark.usefixtures("hermetic_git")
def test_changes_come_from_git_history_of_properties_and_status_rows(tmp_path: Path) -> None:
    root = make_vault(tmp_path / "repo", {})
    git(root, "init", "-q", "-b", "main")
    for key, value in (("diff.noprefix", "true"), ("color.ui", "always"), ("diff.suppressBlankEmpty", "true"),
                       ("log.showSignature", "true"), ("diff.renames", "copies"), ("core.quotePath", "true")):
        git(root, "config", key, value)  # the repository's own settings do not change what is read
    commit(root, {"Customers/Acme.md": note("stage: Lead\n"),
                  "Customers/Globex Inc.md": note("", status(stage="POC", close_date="2026-12-01")),
                  "Customers/Ünïcode.md": note("stage: Lead\r\n").replace("\n", "\r\n"),
                  "Customers/Bare.md": note("", "## Account Status\n\n| **Stage** | Lead |")},  # no last newline
           "2026-10-01T10:00:00")
    commit(root, {"Customers/Acme.md": note("stage: Qualified\n")}, "2026-11-10T10:00:00")
    commit(root, {"Customers/Globex Inc.md": note("", status(stage="Proposal", close_date="2027-01-15")),
                  "Customers/Ünïcode.md": note("stage: POC\r\n").replace("\n", "\r\n"),
                  "Customers/New.md": note("stage: Lead\n"),
                  "Customers/Bare.md": note("", "## Account Status\n\n| **Stage** | POC |")}, "2026-11-12T10:00:00")
    rows = changes(root)
    assert [(c["date"], c["account"], c["field"], c["old"], c["new"], c["source"]) for c in rows] == [
        ("2026-11-12", "Bare", "stage", "Lead", "POC", "git"),
        ("2026-11-12", "Globex Inc", "close_date", "2026-12-01", "2027-01-15", "git"),
        ("2026-11-12", "Globex Inc", "stage", "POC", "Proposal", "git"),
        ("2026-11-12", "Ünïcode", "stage", "Lead", "POC", "git"),
        ("2026-11-10", "Acme", "stage", "Lead", "Qualified", "git"),
    ]  # the first commit and the new note created no changes
    later = run_in(root, "pipeline", "--changes", "--since", "2026-11-11", "--json")
    assert [c["account"] for c in json.loads(later.stdout)] == ["Bare", "Globex Inc", "Globex Inc", "Ünïcode"]
    assert git(root, "rev-list", "--count", "HEAD") == "3\n"  # read-only: nothing committed
    assert git(root, "status", "--porcelain", "--", "Customers") == ""


@needs_git
@pytest.mark.usefixtures("hermetic_git")
def test_a_change_vaultcrm_committed_is_listed_once_from_the_journal(tmp_path: Path) -> None:
    root = make_vault(tmp_path / "repo", {})
    git(root, "init", "-q", "-b", "main")
    commit(root, {"Customers/Acme.md": note("stage: Lead\n")}, "2026-10-01T10:00:00")
    assert run_in(root, "--commit", "set", "Acme", "stage", "POC").exit_code == 0
    assert "vaultcrm set Acme stage" in git(root, "log", "-1", "--format=%s")
    rows = changes(root)
    assert [(c["old"], c["new"], c["source"]) for c in rows] == [("Lead", "POC", "journal")]


@needs_git
@pytest.mark.usefixtures("hermetic_git")
def test_a_vault_in_a_folder_of_a_larger_repository_reads_its_own_notes(tmp_path: Path) -> None:
    top = tmp_path / "top"
    root = make_vault(top / "notes", {})
    git(top, "init", "-q", "-b", "main")
    commit(top, {"notes/Customers/Acme.md": note("stage: Lead\n"), "other/X.md": note("stage: Lead\n")},
           "2026-10-01T10:00:00")
    commit(top, {"notes/Customers/Acme.md": note("stage: POC\n"), "other/X.md": note("stage: POC\n")},
           "2026-11-10T10:00:00")
    rows = changes(root)
    assert [(c["path"], c["new"]) for c in rows] == [("Customers/Acme.md", "POC")]
