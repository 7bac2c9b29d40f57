"""`vaultcrm brief NAME [--md] [--json]`: one screen about an account before a call.

Expected values are worked out by hand from the notes (today is 2026-11-22, see conftest): the
effective last contact and its cadence give the days since and the days until stale; the newest
interactions, the people without the user, open tasks with the overdue ones first, blockers and
decisions in the shapes real notes write them, the three newest sources.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import SEEDS, Run, invoke, make_vault, snapshot

from vaultcrm.model.note import Note
from vaultcrm.ops.brief import items_of

# ---- a folder-note account with meetings, overdue tasks, a blocker section and a decision line ----
HOOLI = {
    "Clients/Hooli/README.md": """---
type: customer
stage: Negotiation
Deal_Value: 120000
cadence: 2w
tags: [type/customer]
---

# Hooli

## Recent Context

- 2026-11-12: [[2026-11-12 Pricing call]] - Pricing call with Gavin (via Gavin Belson, Jeff Denworth)
- 2026-10-20: [[2026-10-20]] - Intro email (via Gavin Belson)
- unknown: [[Old notes]] - Notes from the old CRM

## Key Facts

- Budget approved for FY27.
- Procurement is a risk: new vendor onboarding takes 6 weeks.

## Topics

Pricing, security review, procurement risk

## Open Tasks

- [ ] Send the security questionnaire 📅 2026-11-15
- [ ] Book the onsite 📅 2026-12-01
- [ ] Draft the mutual plan
- [ ] Decide on the pilot size 📅 2026-11-01
- [x] Send the NDA 📅 2026-10-25 ✅ 2026-10-24

## Account Status

| Field | Value |
|-------|-------|
| **Owner** | [[Jeff Denworth]] |

## Blockers

- ❌ Legal review of the DPA is stuck
- _No other blockers identified._
""",
    "Clients/Hooli/2026-11-12 Pricing call.md": """---
type: meeting
date: 2026-11-12
attendees:
  - "[[Gavin Belson]]"
  - "[[Jeff Denworth]]"
---

# Pricing call

- Walked through the tiers.
- **Decision**: annual plan, billed quarterly.
- [ ] Send the revised quote 📅 2026-11-14
""",
    "Clients/Hooli/2026-11-19 Security review.md": """---
type: call
date: 2026-11-19
attendees:
  - "[[Monica Hall]]"
---

# Security review

## Risks

- SSO rollout depends on their IdP migration

## Decisions

- Decided to pilot with 20 seats
""",
    "Clients/Hooli/2026-11-30 Onsite.md": "---\ntype: meeting\ndate: 2026-11-30\n---\n\n# Onsite\n\n- Agenda to be drafted.\n",
    "People/Jeff Denworth.md": "---\ntype: person\naliases: [JD]\n---\n\n# Jeff Denworth\n",
    **{f"Sources/Hooli story {i}.md": f"""---
title: Hooli story {i}
type: source
site: TechCrunch
published: 2026-0{i + 5}-01
accounts:
  - "[[Hooli]]"
---

Story {i} about Hooli.
""" for i in (1, 2, 3, 4)},
}

HOOLI_MD = """### Brief: Hooli (2026-11-22)

- **Kind:** customer
- **Stage:** Negotiation · **Value:** 120000 · **Owner:** [[Jeff Denworth]]
- **Last contact:** 2026-11-19, 3 days ago (meeting) · stale in 12 days (14-day cadence)

**Recent interactions**
- 2026-11-19: [[2026-11-19 Security review]] (meeting)
- 2026-11-12: Pricing call with Gavin (via Gavin Belson, Jeff Denworth)
- 2026-10-20: Intro email (via Gavin Belson)

**People**
- Monica Hall (2026-11-19, 1 contact)
- Gavin Belson (2026-11-12, 3 contacts)

**Tasks**
- ⚠ overdue since 2026-11-01: Decide on the pilot size
- ⚠ overdue since 2026-11-14: Send the revised quote
- ⚠ overdue since 2026-11-15: Send the security questionnaire
- due 2026-12-01: Book the onsite
- no due date: Draft the mutual plan

**Blockers**
- ❌ Procurement is a risk: new vendor onboarding takes 6 weeks.
- ❌ Legal review of the DPA is stuck
- ❌ SSO rollout depends on their IdP migration

**Decisions**
- ✅ Decided to pilot with 20 seats
- ✅ annual plan, billed quarterly.

**Sources**
- [[Hooli story 4]] (TechCrunch, 2026-09-01)
- [[Hooli story 3]] (TechCrunch, 2026-08-01)
- [[Hooli story 2]] (TechCrunch, 2026-07-01)
"""

GLOBEX_MD = """### Brief: Globex (2026-11-22)

- **Kind:** customer
- **Last contact:** 2026-11-18, 4 days ago (meeting) · stale in 11 days (14-day cadence)

**Recent interactions**
- 2026-11-18: [[2026-11-18 Globex QBR]] (meeting)
- 2026-11-01: Quarterly review prep (via Sam Hopewell)

**People**
- Sam Hopewell (2026-11-18, 2 contacts)
- Hank Scorpio (2026-11-18, 1 contact)

**Tasks**
- ⚠ overdue since 2026-11-10: Book the QBR room
- due 2026-11-24: Send QBR summary to Hank
"""

KEYS = {"account", "path", "kind", "stage", "value", "owner", "last_contact", "last_contact_source",
        "days_since_contact", "cadence_days", "stale_on", "stale_in_days", "interactions", "people", "tasks",
        "blockers", "decisions", "sources"}


@pytest.fixture
def hooli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The Hooli vault, with the user's own config naming them by the alias `JD`."""
    xdg = tmp_path / "xdg"
    (xdg / "vaultcrm").mkdir(parents=True)
    (xdg / "vaultcrm" / "config.toml").write_text('me = ["JD"]\n', encoding="utf-8")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(xdg))
    return make_vault(tmp_path / "hooli", HOOLI)


def brief(root: Path, *args: str) -> Run:
    return invoke(["--vault", str(root), "brief", *args])


def brief_json(root: Path, *args: str) -> dict:
    r = brief(root, *args, "--json")
    assert r.exit_code == 0, r.stderr
    return json.loads(r.stdout)


# ---- the example vault ---------------------------------------------------------------------------
def test_globex_brief_as_markdown_is_exactly_what_a_meeting_note_gets(vault: Path) -> None:
    r = brief(vault, "Globex", "--md")
    assert (r.exit_code, r.stderr) == (0, "")
    assert r.stdout == GLOBEX_MD


def test_globex_counts_its_qbr_meeting_as_the_last_contact_and_its_task(vault: Path) -> None:
    d = brief_json(vault, "Globex")
    assert (d["account"], d["kind"], d["stage"], d["value"], d["owner"]) == ("Globex", "customer", None, None, None)
    # last_contact 2026-11-01 in the note, the QBR meeting (account: [[Globex]]) on 2026-11-18 is later
    assert (d["last_contact"], d["last_contact_source"], d["days_since_contact"]) == ("2026-11-18", "meeting", 4)
    # cadence 2w: 14 days after the 18th it is still fresh, stale from 2026-12-03, 11 days from the 22nd
    assert (d["cadence_days"], d["stale_on"], d["stale_in_days"]) == (14, "2026-12-03", 11)
    assert [(i["date"], i["type"], i["path"]) for i in d["interactions"]] == [
        ("2026-11-18", "note", "Meetings/2026-11-18 Globex QBR.md"), ("2026-11-01", "entry", "Customers/Globex.md")]
    assert [(p["name"], p["last"], p["count"]) for p in d["people"]] == [
        ("Sam Hopewell", "2026-11-18", 2), ("Hank Scorpio", "2026-11-18", 1)]
    assert [(t["text"], t["due"]) for t in d["tasks"]["overdue"]] == [("Book the QBR room", "2026-11-10")]
    assert [(t["text"], t["due"], t["path"]) for t in d["tasks"]["open"]] == [
        ("Send QBR summary to Hank", "2026-11-24", "Meetings/2026-11-18 Globex QBR.md")]
    assert (d["blockers"], d["decisions"], d["sources"]) == ([], [], [])


def test_openai_by_path_is_stale_and_has_its_blocker_decision_and_source(vault: Path) -> None:
    d = brief_json(vault, "Customers/OpenAI.md")
    assert (d["account"], d["path"]) == ("OpenAI", "Customers/OpenAI.md")
    # 2026-10-30 (property and entry) is 23 days ago; tier/1 cadence 14: stale since 2026-11-14
    assert (d["last_contact"], d["days_since_contact"], d["cadence_days"]) == ("2026-10-30", 23, 14)
    assert (d["stale_on"], d["stale_in_days"]) == ("2026-11-14", -8)
    assert [i["text"][:20] for i in d["interactions"]] == ["Jason Vallery and Je", "Global KV store need",
                                                           "Intro call about the"]
    assert [(p["name"], p["count"]) for p in d["people"]] == [("Jeff Denworth", 2), ("Sam Hopewell", 1)]
    assert [t["text"] for t in d["tasks"]["overdue"]] == ["Send the S3 vs Blob parity matrix"]
    assert [t["due"] for t in d["tasks"]["open"]] == ["2026-11-28"]  # the done task is left out
    assert d["blockers"] == [{"text": "OpenAI may build in-house storage stack reducing need for external solutions",
                              "path": "Customers/OpenAI.md", "line": 52, "date": None}]
    assert [x["text"] for x in d["decisions"]] == [
        "Aim for a broader 'in for a pound' approach rather than OpenAI-only (directional, stated by Jeff)."]
    assert [s["title"] for s in d["sources"]] == ["Microsoft no longer exclusive"]
    md = brief(vault, "Customers/OpenAI.md", "--md").stdout
    assert "- **Last contact:** 2026-10-30, 23 days ago (frontmatter) · stale for 9 days (14-day cadence)\n" in md
    assert "**Sources**\n- [[Microsoft no longer exclusive]] (TechCrunch)\n" in md


def test_the_terminal_view_is_a_panel_of_at_most_80_columns(vault: Path) -> None:
    r = invoke(["--vault", str(vault), "brief", "Customers/OpenAI.md"], env={"COLUMNS": "200"})
    assert r.exit_code == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0].startswith("╭─ Brief: OpenAI (2026-11-22) ")
    assert max(len(line) for line in lines) == 80
    text = r.stdout
    for part in ("Recent interactions", "People", "Tasks", "Blockers", "Decisions", "Sources",
                 "⚠ overdue since 2026-11-15: Send the S3 vs Blob parity matrix",
                 "Microsoft no longer exclusive (TechCrunch)"):
        assert part in text
    assert "[[" not in text.split("Sources")[1]  # the terminal shows titles, not links


# ---- a folder-note account, the user left out ----------------------------------------------------
def test_hooli_brief_as_markdown_exactly(hooli: Path) -> None:
    r = brief(hooli, "Hooli", "--md")
    assert (r.exit_code, r.stderr) == (0, "")
    assert r.stdout == HOOLI_MD


def test_hooli_brief_by_hand(hooli: Path) -> None:
    d = brief_json(hooli, "Hooli")
    assert set(d) == KEYS
    assert (d["account"], d["path"], d["kind"]) == ("Hooli", "Clients/Hooli/README.md", "customer")
    # stage and value from properties (Deal_Value in any case), owner from the Account Status row
    assert (d["stage"], d["value"], d["owner"]) == ("Negotiation", 120000, "[[Jeff Denworth]]")
    # the security review call on the 19th is the last contact; the onsite on the 30th is a plan
    assert (d["last_contact"], d["days_since_contact"], d["stale_on"], d["stale_in_days"]) == (
        "2026-11-19", 3, "2026-12-04", 12)
    # the pricing call is told by the entry that links to it; the undated entry and the plan are left out
    assert [(i["date"], i["type"], i["text"]) for i in d["interactions"]] == [
        ("2026-11-19", "note", "2026-11-19 Security review"), ("2026-11-12", "entry", "Pricing call with Gavin"),
        ("2026-10-20", "entry", "Intro email")]
    assert d["interactions"][1]["via"] == "Gavin Belson, Jeff Denworth"
    # Jeff Denworth is `JD`, the user: never among the people
    assert [(p["name"], p["last"], p["count"]) for p in d["people"]] == [
        ("Monica Hall", "2026-11-19", 1), ("Gavin Belson", "2026-11-12", 3)]
    assert [(t["text"], t["due"]) for t in d["tasks"]["overdue"]] == [
        ("Decide on the pilot size", "2026-11-01"), ("Send the revised quote", "2026-11-14"),
        ("Send the security questionnaire", "2026-11-15")]
    assert [(t["text"], t["due"]) for t in d["tasks"]["open"]] == [("Book the onsite", "2026-12-01"),
                                                                   ("Draft the mutual plan", None)]
    assert d["blockers"] == [
        {"text": "Procurement is a risk: new vendor onboarding takes 6 weeks.", "path": "Clients/Hooli/README.md",
         "line": 20, "date": None},
        {"text": "Legal review of the DPA is stuck", "path": "Clients/Hooli/README.md", "line": 42, "date": None},
        {"text": "SSO rollout depends on their IdP migration", "path": "Clients/Hooli/2026-11-19 Security review.md",
         "line": 12, "date": "2026-11-19"}]
    assert d["decisions"] == [
        {"text": "Decided to pilot with 20 seats", "path": "Clients/Hooli/2026-11-19 Security review.md",
         "line": 16, "date": "2026-11-19"},
        {"text": "annual plan, billed quarterly.", "path": "Clients/Hooli/2026-11-12 Pricing call.md",
         "line": 12, "date": "2026-11-12"}]
    assert [(s["title"], s["published"]) for s in d["sources"]] == [
        ("Hooli story 4", "2026-09-01"), ("Hooli story 3", "2026-08-01"), ("Hooli story 2", "2026-07-01")]


def test_without_me_the_user_is_among_the_people(tmp_path: Path) -> None:
    root = make_vault(tmp_path / "v", HOOLI)
    assert [p["name"] for p in brief_json(root, "Hooli")["people"]] == ["Monica Hall", "Gavin Belson",
                                                                        "Jeff Denworth"]


def test_the_brief_shows_the_last_five_interactions_newest_first(tmp_path: Path) -> None:
    entries = "".join(f"- 2026-11-{d:02d}: [[2026-11-{d:02d}]] - Call {d}\n" for d in (2, 9, 4, 7, 1, 5))
    root = make_vault(tmp_path / "v", {"Acme.md": f"---\ntype: customer\n---\n\n## Recent Context\n\n{entries}"
                                       "- 2026-12-01: [[2026-12-01]] - Planned visit\n"})
    d = brief_json(root, "Acme")
    assert [i["text"] for i in d["interactions"]] == ["Call 9", "Call 7", "Call 5", "Call 4", "Call 2"]


# ---- errors, and it never writes ------------------------------------------------------------------
def test_an_unknown_name_is_exit_3_with_close_matches(vault: Path) -> None:
    r = brief(vault, "Globx")
    assert (r.exit_code, r.stdout) == (3, "")
    assert "no note named 'Globx'" in r.stderr and "Globex" in r.stderr


def test_a_name_of_two_notes_is_exit_4_listing_them(vault: Path) -> None:
    r = brief(vault, "OpenAI", "--json")
    assert (r.exit_code, r.stdout) == (4, "")
    assert "Customers/OpenAI.md" in r.stderr and "Inbox/OpenAI.md" in r.stderr


def test_md_and_json_together_are_a_usage_error(vault: Path) -> None:
    r = brief(vault, "Globex", "--md", "--json")
    assert (r.exit_code, r.stdout) == (2, "")


def test_an_archived_copy_gives_way_to_the_live_note_with_a_warning(vault: Path) -> None:
    (vault / "_archive").mkdir()
    shutil.copy(vault / "Customers" / "Globex.md", vault / "_archive" / "Globex.md")
    r = brief(vault, "Globex", "--md")
    assert r.exit_code == 0
    assert r.stdout == GLOBEX_MD
    assert "archived copy" in r.stderr and "using Customers/Globex.md" in r.stderr


@pytest.mark.parametrize("flags", [[], ["--md"], ["--json"]], ids=["terminal", "md", "json"])
def test_brief_changes_no_file(vault: Path, hooli: Path, flags: list[str]) -> None:
    for root, name in ((vault, "Customers/OpenAI.md"), (vault, "Globex"), (hooli, "Hooli")):
        before = snapshot(root)
        assert brief(root, name, *flags).exit_code == 0
        assert snapshot(root) == before


def test_note_text_reaches_the_terminal_inert(tmp_path: Path) -> None:
    root = make_vault(tmp_path / "v", {"Acme.md": "---\ntype: customer\n---\n\n## Blockers\n\n- ❌ evil \x1b]0;pwned\x07 title\n"})
    r = brief(root, "Acme")
    assert r.exit_code == 0
    assert "\x1b" not in r.stdout and "␛]0;pwned␇ title" in r.stdout


# ---- blockers and decisions, in the shapes notes write them --------------------------------------------
@pytest.mark.parametrize(("text", "expected"), [
    ("## Blockers\n\n- ❌ No budget until Q2\n", [("blocker", "No budget until Q2")]),
    ("## Key Decisions\n\n- ✅ Go with the pilot\n", [("decision", "Go with the pilot")]),
    ("## Risks & Mitigations\n\nVendor lock-in\n", [("blocker", "Vendor lock-in")]),
    ("## Notes\n\n**Decision**: ship in March\n", [("decision", "ship in March")]),
    ("## Notes\n\n- **Decided:** drop the on-prem option\n", [("decision", "drop the on-prem option")]),
    ("## Notes\n\n- Key risk: churn at renewal\n", [("blocker", "churn at renewal")]),
    ("## Key Facts\n\n- The team decided to wait for SOC 2\n", [("decision", "The team decided to wait for SOC 2")]),
    ("## Key Facts\n\n- ❌ Blocked on legal\n", [("blocker", "Blocked on legal")]),
    ("## Key Facts\n\n- Renewal is due in Q1.\n", []),
    ("## Key Contacts\n\n- Jane Roe (decision maker), Bob (decision-making)\n", []),
    ("## Key Facts\n\n- Risk-free migration path\n", []),
    ("## Notes\n\n- Risk - the IdP migration slips\n", [("blocker", "the IdP migration slips")]),
    ("## Topics\n\nPricing, AGI clause risk, decision makers\n", []),  # a paragraph of topics says neither
    ("## Open Tasks\n\n- [ ] Decide on the risk register\n", []),  # a task is a task
    ("## Notes\n\n- [ ] Decision: pick a date\n", []),
    ("## Recent Context\n\n- 2026-11-01: [[x]] - Decided to renew\n", []),  # told as an interaction
    ("## Blockers\n\n- _No blockers identified._\n<!-- one a line -->\n", []),
    ("## Blockers\n\n- ❌ Top\n  - a detail under it\n", [("blocker", "Top")]),
    ("## Notes\n\n```\n- decided in code\n```\n", []),
])
def test_blockers_and_decisions_are_found_in_the_shapes_notes_use(text: str, expected: list) -> None:
    assert [(what, body) for what, _, body in items_of(Note.parse(text))] == expected


@pytest.mark.skipif(not SEEDS.is_dir(), reason="../shared/seeds is absent")
def test_the_seed_note_has_two_blockers_and_one_decision() -> None:
    note = Note.parse((SEEDS / "000_284de60c8d873003.txt").read_text(encoding="utf-8"))
    found = [(what, n + 1) for what, n, _ in items_of(note)]
    assert found == [("blocker", 51), ("blocker", 52), ("decision", 56)]


def test_brief_json_loads_neither_rich_nor_ruamel_nor_dateparser(vault: Path) -> None:
    from test_startup import loaded

    code, mods = loaded(["--vault", str(vault), "brief", "Globex", "--json"])
    assert code == 0
    assert not {"rich", "ruamel.yaml", "dateparser"} & set(mods)

