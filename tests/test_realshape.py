"""A vault in the shapes of a real account manager's vault (`tests/fixtures/realshape/`), and the
exact answers of `stale`, `agenda`, `task list --overdue` and `doctor` on it.

Every expected value below was worked out BY HAND from the rules in README.md ("How vaultcrm reads
a vault", "Last contact and cadence") and from how Obsidian Tasks reads a task line (its
`.obsidian/plugins/obsidian-tasks-plugin/data.json` statuses; fields read from the END of the
line, trailing #tags skipped and put back at the end of the description). None of it was captured
from running vaultcrm. Today is 2026-11-22 (conftest pins VAULTCRM_TODAY).

The vault
---------
- `.obsidian/app.json` ignores `_archive/` (`userIgnoreFilters`); `_archive/Initrode.md` is a
  stale-looking account with an overdue task. Whether it is left out is checked only by
  `test_archive_excluded`; the other tests drop `_archive/` rows before comparing, so they do not
  depend on that feature. `.trash/Old Prospect.md` (also stale-looking, with an overdue task) is
  NOT filtered: README says `.trash/` is never read.
- Tasks statuses (data.json): ` ` Todo/TODO, `x` Done/DONE, `/` In Progress/IN_PROGRESS,
  `-` Cancelled/CANCELLED, `?` Proposed/TODO, `R` Rejected/CANCELLED. Open = TODO or IN_PROGRESS.
- `Customers/Hooli.md` has CRLF line endings; `Customers/Wayne Enterprises.md` starts with a BOM.
- `Inbox/Phone notes.md` opens with a `---` rule that is never closed: no frontmatter, body read,
  no warning. `People/Peter Gibbons.md` has a closed but malformed frontmatter
  (`role: Engineer: backend`). `Customers/Soylent.md` has `created: { { DATE } }`.
  `Partners/Massive Dynamic.md` has both `Status:` and `status:`.

Effective last contact of every account (cadence in brackets; stale when last + cadence < today,
i.e. days > cadence; `stale_on` = last + cadence + 1):
- Wayne Enterprises [quarterly = 90]: last_contact 2026-06-01 = newest entry 2026-06-01 (tie:
  frontmatter wins); meeting 2026-05-20 is older. 174 days > 90: STALE, stale_on 2026-08-31.
- Initech [3m = 90]: last_contact "2026-08-20" = newest past entry 2026-08-20 (frontmatter wins
  the tie); the 2026-12-01 entry is a plan (after today) and never counts; meeting-notes
  2026-08-12 is older. 94 days > 90: STALE, stale_on 2026-11-19.
- Tyrell Corp [60]: no property, no entries; `type: 1-1` note "Meetings/2026-09-02 Tyrell 1-1"
  (dated by its name) links [[Tyrell Corp]] in its body: 2026-09-02, meeting. 81 > 60: STALE,
  stale_on 2026-11-02.
- Acme [monthly = 30], folder note Customers/Acme/Acme.md: last_contact 2026-09-15, but the
  group-meeting "2026-10-03 Acme QBR" is a dated note in its folder: 2026-10-03, meeting. The
  "2026-11-30 Acme renewal prep" note is in the future: ignored. 50 > 30: STALE, stale_on 2026-11-03.
- Hooli [14d] (CRLF): no property; inline field `last_contact:: 2026-11-01` beats the entry
  2026-10-15: inline_field. 21 > 14: STALE, stale_on 2026-11-16.
- Massive Dynamic [default 30], partner: last_contact 2026-10-20, but the meeting-notes
  "2026-11-04 Partner council" lists [[Massive Dynamic]] in `attendees`: 2026-11-04. 18 <= 30:
  not stale; stale_on 2026-12-05, beyond the 7-day agenda horizon.
- Globex [weekly = 7]: last_contact 2026-11-10, but the `type: sync` note of 2026-11-18 links
  [[Globex]] in its body: 2026-11-18. 4 <= 7: not stale; stale_on 2026-11-26: going stale.
- Umbrella Corp [default 30], `type: client`: only the one-on-one of 2026-10-29 with
  `account: "[[Umbrella Corp]]"`. 24 <= 30: not stale; stale_on 2026-11-29 = today + 7: going
  stale (the horizon is inclusive).
- Cyberdyne Systems [biweekly = 14]: last_contact '2026-11-08' = newest entry. 14 days = cadence:
  last + cadence = today, not before it: NOT stale; stale_on 2026-11-23: going stale.
- Vandelay Industries: `last_contact: unknown`, only an `unknown:` entry; the daily note
  Daily/2026-11-20 links it but a daily note is not a meeting: NO DATE (listed after the dated).
- Soylent: the unexpanded-template note is still an account; nothing dates it: NO DATE.
"""

from __future__ import annotations

import json
import shutil
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from conftest import TODAY, Run, invoke, snapshot

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "realshape"
ARCHIVE = "_archive/"

assert TODAY == "2026-11-22", "every expected value below is computed for 2026-11-22"


# ---- helpers -------------------------------------------------------------------------------------
@pytest.fixture
def rs(tmp_path: Path) -> Path:
    """A private copy of the real-shape vault (nothing is ever written into the repository)."""
    dest = tmp_path / "realshape"
    shutil.copytree(FIXTURE, dest)
    return dest


def vcrm(root: Path, *args: str) -> Run:
    return invoke(["--vault", str(root), *args])


def json_of(root: Path, *args: str, exit_codes: tuple[int, ...] = (0,)) -> Any:
    r = vcrm(root, *args)
    assert r.exit_code in exit_codes, f"exit {r.exit_code}\nstdout: {r.stdout}\nstderr: {r.stderr}"
    return json.loads(r.stdout)


def live(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows outside `_archive/` (that folder's exclusion is `test_archive_excluded`'s business)."""
    return [r for r in rows if not r["path"].startswith(ARCHIVE)]


def pick(row: dict[str, Any], keys: tuple[str, ...]) -> dict[str, Any]:
    return {k: row.get(k, "<missing>") for k in keys}


def task_view(row: dict[str, Any]) -> dict[str, Any]:
    """A task as compared here; tags with or without their `#` (the README does not fix that form)."""
    d = pick(row, TASK_KEYS)
    if isinstance(d["tags"], list):
        d["tags"] = [str(t).removeprefix("#") for t in d["tags"]]
    return d


def test_fixture_keeps_its_shapes() -> None:
    """The CRLF and BOM notes really are CRLF and BOM (a git setting could normalise them)."""
    hooli = (FIXTURE / "Customers/Hooli.md").read_bytes()
    assert hooli.count(b"\r\n") == hooli.count(b"\n") > 10
    assert (FIXTURE / "Customers/Wayne Enterprises.md").read_bytes().startswith(b"\xef\xbb\xbf---\n")
    assert not any(b"\r" in p.read_bytes() for p in FIXTURE.rglob("*.md") if p.name != "Hooli.md")
    data = json.loads((FIXTURE / ".obsidian/plugins/obsidian-tasks-plugin/data.json").read_text("utf-8"))
    assert {s["symbol"]: s["type"] for s in data["statusSettings"]["customStatuses"]} == {
        "/": "IN_PROGRESS", "-": "CANCELLED", "?": "TODO", "R": "CANCELLED"}


# ---- stale -----------------------------------------------------------------------------------------
STALE_KEYS = ("title", "path", "kind", "last_contact", "days", "source", "cadence_days", "stale_on")
EXPECTED_STALE = [
    # oldest effective last contact first
    # frontmatter 2026-06-01 ties the newest entry (frontmatter wins); quarterly = 90 < 174 days. BOM note.
    {"title": "Wayne Enterprises", "path": "Customers/Wayne Enterprises.md", "kind": "customer",
     "last_contact": "2026-06-01", "days": 174, "source": "frontmatter", "cadence_days": 90,
     "stale_on": "2026-08-31"},
    # frontmatter "2026-08-20" ties the newest past entry; the 2026-12-01 entry is a plan; 3m = 90 < 94.
    {"title": "Initech", "path": "Customers/Initech.md", "kind": "customer",
     "last_contact": "2026-08-20", "days": 94, "source": "frontmatter", "cadence_days": 90,
     "stale_on": "2026-11-19"},
    # only the `type: 1-1` note "Meetings/2026-09-02 Tyrell 1-1" (dated by name, body link); cadence 60 < 81.
    {"title": "Tyrell Corp", "path": "Customers/Tyrell Corp.md", "kind": "customer",
     "last_contact": "2026-09-02", "days": 81, "source": "meeting", "cadence_days": 60,
     "stale_on": "2026-11-02"},
    # group-meeting 2026-10-03 in the folder note's folder beats last_contact 2026-09-15; monthly = 30 < 50.
    {"title": "Acme", "path": "Customers/Acme/Acme.md", "kind": "customer",
     "last_contact": "2026-10-03", "days": 50, "source": "meeting", "cadence_days": 30,
     "stale_on": "2026-11-03"},
    # `last_contact:: 2026-11-01` inline field (CRLF note) beats the 2026-10-15 entry; 14d < 21 days.
    {"title": "Hooli", "path": "Customers/Hooli.md", "kind": "prospect",
     "last_contact": "2026-11-01", "days": 21, "source": "inline_field", "cadence_days": 14,
     "stale_on": "2026-11-16"},
    # then the accounts with no date, by title
    # `created: { { DATE } }` must not hide the note: it is an account without any date (default 30).
    {"title": "Soylent", "path": "Customers/Soylent.md", "kind": "customer",
     "last_contact": None, "days": None, "source": None, "cadence_days": 30, "stale_on": None},
    # `last_contact: unknown`, an `unknown:` entry only; the daily note linking it is no meeting.
    {"title": "Vandelay Industries", "path": "Customers/Vandelay Industries.md", "kind": "customer",
     "last_contact": None, "days": None, "source": None, "cadence_days": 30, "stale_on": None},
]
# Not stale: Globex (sync 2026-11-18, weekly), Massive Dynamic (meeting-notes 2026-11-04, 30),
# Umbrella Corp (one-on-one 2026-10-29, 30), Cyberdyne Systems (2026-11-08 + 14 = today: not before
# it). Never read: .trash/Old Prospect.md. Skipped as malformed: People/Peter Gibbons.md (a person).


def test_stale(rs: Path) -> None:
    r = vcrm(rs, "stale", "--json")
    assert r.exit_code == 0, r.stderr
    got = [pick(row, STALE_KEYS) for row in live(json.loads(r.stdout))]
    assert got == EXPECTED_STALE
    # Exactly one note is skipped: the malformed People/Peter Gibbons.md. The unclosed `---` of
    # Inbox/Phone notes.md is no frontmatter at all, so it is read, not skipped, and never warned
    # about. (`--verbose` names each skipped note; without it a listing prints one summary line.)
    v = vcrm(rs, "--verbose", "stale", "--json")
    assert v.exit_code == 0, v.stderr
    named = [line for line in v.stderr.splitlines() if "skipped:" in line]
    assert len(named) == 1 and "People/Peter Gibbons.md" in named[0], v.stderr
    assert "Phone notes" not in v.stderr


# ---- task list --overdue ------------------------------------------------------------------------
TASK_KEYS = ("path", "text", "due", "done", "status", "status_name", "status_type", "priority", "tags")


def _task(path: str, text: str, due: str, status: str, name: str, stype: str, priority: str,
          tags: list[str]) -> dict[str, Any]:
    return {"path": path, "text": text, "due": due, "done": False, "status": status, "status_name": name,
            "status_type": stype, "priority": priority, "tags": tags}


# Open (status type TODO or IN_PROGRESS) and due before 2026-11-22.
EXPECTED_OVERDUE = [
    # `[?]` is "Proposed", type TODO: open. From the end: #auto #proposed #task (put back), ⏫, 📅.
    _task("Customers/Acme/Acme.md", "Propose a review @TBD #task #proposed #auto", "2026-01-02",
          "?", "Proposed", "TODO", "high", ["task", "proposed", "auto"]),
    # trailing #followup skipped, then 📅 2026-11-20, then 🔼 (medium).
    _task("Customers/Acme/Acme.md", "Send deck #followup", "2026-11-20",
          " ", "Todo", "TODO", "medium", ["followup"]),
    # 📅 last, 🆔 before it: both fields, neither in the text.
    _task("Customers/Acme/2026-10-03 Acme QBR.md", "Share SSO rollout plan", "2026-11-14",
          " ", "Todo", "TODO", "none", []),
    # #globex skipped, 📅 2026-11-21, then 🔁 every week.
    _task("Customers/Globex.md", "Weekly status email #globex", "2026-11-21",
          " ", "Todo", "TODO", "none", ["globex"]),
    # CRLF note: #hooli/pilot skipped, ⏬ (lowest), 📅 2026-11-21.
    _task("Customers/Hooli.md", "Follow up on pilot metrics #hooli/pilot", "2026-11-21",
          " ", "Todo", "TODO", "lowest", ["hooli/pilot"]),
    # BOM note: 📅 2026-11-02, 🔺 (highest).
    _task("Customers/Wayne Enterprises.md", "Introduce Lucius to our CTO", "2026-11-02",
          " ", "Todo", "TODO", "highest", []),
    # `[/]` In Progress is open: #security skipped, ⏳ 2026-11-12, 📅 2026-11-16.
    _task("Customers/Tyrell Corp.md", "Prepare security questionnaire #security", "2026-11-16",
          "/", "In Progress", "IN_PROGRESS", "none", ["security"]),
    # the note opens with an unclosed `---`: read as body, so its task counts.
    _task("Inbox/Phone notes.md", "Call back Hooli about the invoice", "2026-11-18",
          " ", "Todo", "TODO", "none", []),
    # 🆔 md001, then ⏫ (high), then 📅 2026-11-19.
    _task("Partners/Massive Dynamic.md", "Send partner agreement draft", "2026-11-19",
          " ", "Todo", "TODO", "high", []),
]
# Not overdue: `[R]` Offer a free pilot and `[-]` Book the Berlin offsite (type CANCELLED), `[x]`
# Send QBR agenda / Send pricing sheet (DONE); Draft contract (due 11-25), Review #legal redlines
# (due today, not before it), Email Art (11-23), Renewal quote (11-29), Print contract copies (11-30),
# Schedule security review (12-05); Confirm budget owner `📅 TBD` and Send NDA `📅 2026-02-30` have no
# readable due date; `.trash/` is never read; the ```tasks block in Daily/2026-11-20 is code.


def test_task_list_overdue(rs: Path) -> None:
    rows = live(json_of(rs, "task", "list", "--overdue", "--json"))
    key = lambda d: (d["path"], d["text"])
    assert sorted((task_view(r) for r in rows), key=key) == sorted(EXPECTED_OVERDUE, key=key)


def test_task_list_reads_unreadable_dates_as_text(rs: Path) -> None:
    """`📅 TBD` is no date field for Tasks: it stays in the description and there is no due date.
    `📅 2026-02-30` is read as a due field (so not part of the text) whose date does not exist."""
    rows = {r["text"]: r for r in live(json_of(rs, "task", "list", "--json"))}
    assert "Confirm budget owner 📅 TBD" in rows
    assert rows["Confirm budget owner 📅 TBD"]["due"] is None
    assert "Send NDA" in rows


# ---- agenda ---------------------------------------------------------------------------------------
# overdue and due_soon are ordered by (due, path, line); going_stale by (stale_on, title, path).
EXPECTED_AGENDA_OVERDUE = [
    ("2026-01-02", "Customers/Acme/Acme.md", "Propose a review @TBD #task #proposed #auto"),
    ("2026-11-02", "Customers/Wayne Enterprises.md", "Introduce Lucius to our CTO"),
    ("2026-11-14", "Customers/Acme/2026-10-03 Acme QBR.md", "Share SSO rollout plan"),
    ("2026-11-16", "Customers/Tyrell Corp.md", "Prepare security questionnaire #security"),
    ("2026-11-18", "Inbox/Phone notes.md", "Call back Hooli about the invoice"),
    ("2026-11-19", "Partners/Massive Dynamic.md", "Send partner agreement draft"),
    ("2026-11-20", "Customers/Acme/Acme.md", "Send deck #followup"),
    ("2026-11-21", "Customers/Globex.md", "Weekly status email #globex"),  # same day: by path
    ("2026-11-21", "Customers/Hooli.md", "Follow up on pilot metrics #hooli/pilot"),
]
EXPECTED_AGENDA_DUE_SOON = [  # open, 2026-11-22 <= due <= 2026-11-29
    ("2026-11-22", "Daily/2026-11-20.md", "Review #legal redlines"),  # due today: soon, not overdue
    ("2026-11-23", "Daily/2026-11-20.md", "Email Art the case study #followup"),
    ("2026-11-25", "Customers/Acme/Acme.md", "Draft contract"),  # `[/]` In Progress is open
    ("2026-11-29", "Customers/Globex.md", "Renewal quote"),  # ➕ created and 🔽 are fields; 11-29 = horizon
    # Print contract copies (11-30) and Schedule security review (12-05) are past the horizon.
]
EXPECTED_GOING_STALE = [  # today < stale_on <= today + 7
    ("Cyberdyne Systems", "2026-11-08", "2026-11-23"),  # 2026-11-08 + 14 days
    ("Globex", "2026-11-18", "2026-11-26"),  # the sync note of 2026-11-18 + 7 days
    ("Umbrella Corp", "2026-10-29", "2026-11-29"),  # the one-on-one of 2026-10-29 + 30 days
    # Massive Dynamic goes stale on 2026-12-05: later than the horizon.
]


def test_agenda(rs: Path) -> None:
    data = json_of(rs, "agenda", "--json")
    assert [(t["due"], t["path"], t["text"]) for t in live(data["overdue"])] == EXPECTED_AGENDA_OVERDUE
    assert [(t["due"], t["path"], t["text"]) for t in live(data["due_soon"])] == EXPECTED_AGENDA_DUE_SOON
    assert [(a["title"], a["last_contact"], a["stale_on"]) for a in live(data["going_stale"])] == EXPECTED_GOING_STALE


# ---- doctor ---------------------------------------------------------------------------------------
EXPECTED_DOCTOR = Counter({
    # frontmatter 2026-09-15 is behind the QBR of 2026-10-03 in Acme's folder
    ("Customers/Acme/Acme.md", "last-contact-behind"): 1,
    # frontmatter 2026-11-10 is behind the `type: sync` note of 2026-11-18
    ("Customers/Globex.md", "last-contact-behind"): 1,
    # `📅 TBD` (line 21); NOT the `🔁 every week 📅 2026-11-21 #globex` task before its trailing tag
    ("Customers/Globex.md", "task-date-unreadable"): 1,
    # `📅 2026-02-30` (line 18); NOT `📅 2026-11-21 ⏬ #hooli/pilot`
    ("Customers/Hooli.md", "task-date-unreadable"): 1,
    # `last_contact: unknown` (seed shape; nothing else dates Vandelay, so not fixable)
    ("Customers/Vandelay Industries.md", "last-contact-not-date"): 1,
    # the `- unknown: [[Oct 22nd, 2025]] - …` entry (seed shape)
    ("Customers/Vandelay Industries.md", "undated-entry"): 1,
    # `created: { { DATE } }`
    ("Customers/Soylent.md", "template-not-expanded"): 1,
    # frontmatter 2026-10-20 is behind the meeting-notes of 2026-11-04 listing it in `attendees`
    ("Partners/Massive Dynamic.md", "last-contact-behind"): 1,
    # `Status: Active` and `status: active`: one key to Obsidian, twice
    ("Partners/Massive Dynamic.md", "ambiguous-key"): 1,
    # `role: Engineer: backend` in a closed frontmatter block
    ("People/Peter Gibbons.md", "malformed-frontmatter"): 1,
    # dated, filed under an account, but typed `customer`
    ("Customers/Acme/2026-08-20 Acme pricing call.md", "interaction-typed-as-account"): 1,
    ("Meetings/2026-08-05 Globex intro call.md", "interaction-typed-as-account"): 1,
})
# Not expected: Inbox/Phone notes.md (an unclosed `---` is a rule, not a frontmatter); Acme's
# `📅 2026-01-02 ⏫ #task #proposed #auto` and `🔼 📅 2026-11-20 #followup`, Daily/2026-11-20's
# `📅 2026-11-23 #followup` (valid dates before trailing tags); Initech (its future entry is a plan,
# so last_contact 2026-08-20 is not behind); Templates/Meeting.md (empty values are None, not text);
# every property [[link]] names an existing note; Recent Context is newest first everywhere.


# Two interaction notes typed `customer` (copied from the account template): Acme's pricing call of
# 2026-08-20, filed in Acme's folder, and Globex's intro call of 2026-08-05, naming it in `account:`.
# Both are older than their account's last contact, so they change no date; they are never accounts.
INTERACTIONS_TYPED_AS_ACCOUNTS = ["Customers/Acme/2026-08-20 Acme pricing call.md",
                                  "Meetings/2026-08-05 Globex intro call.md"]


def test_interactions_typed_as_customers_are_not_accounts(rs: Path) -> None:
    stale = {row["path"] for row in json_of(rs, "stale", "--json")}
    listed = {row["path"] for row in json_of(rs, "list", "--kind", "customer", "--json")}
    agenda = json_of(rs, "agenda", "--json")
    agenda_paths = {row["path"] for part in ("going_stale", "stale_now") for row in agenda[part]}
    for path in INTERACTIONS_TYPED_AS_ACCOUNTS:
        assert path not in stale | listed | agenda_paths
    counts = {row["title"]: row["interactions"] for row in json_of(rs, "stale", "--json")}
    assert counts["Acme"] == 4  # onboarding, pricing call, QBR, renewal prep: its folder's dated notes


def test_doctor(rs: Path) -> None:
    findings = json_of(rs, "doctor", "--json", exit_codes=(1,))
    assert Counter((f["path"], f["code"]) for f in findings) == EXPECTED_DOCTOR
    unreadable = sorted((f["path"], f["line"]) for f in findings if f["code"] == "task-date-unreadable")
    assert unreadable == [("Customers/Globex.md", 21), ("Customers/Hooli.md", 18)]


# ---- read commands write nothing -------------------------------------------------------------------
def test_read_commands_change_nothing(rs: Path) -> None:
    before = snapshot(rs)
    for args in (["stale", "--json"], ["stale"], ["agenda", "--json"], ["agenda"],
                 ["task", "list", "--overdue", "--json"], ["task", "list", "--all", "--json"],
                 ["doctor", "--json"], ["doctor"], ["list", "--json"], ["show", "Acme", "--json"],
                 ["show", "Hooli", "--json"], ["show", "Wayne Enterprises", "--json"]):
        r = vcrm(rs, *args)
        assert r.exit_code in (0, 1), (args, r.stderr)
    assert snapshot(rs) == before


# ---- the _archive/ folder that .obsidian/app.json ignores --------------------------------------------
def test_archive_excluded(rs: Path) -> None:
    """`userIgnoreFilters: ["_archive/"]`: Initrode (last contact 2025-03-14, an overdue task due
    2025-03-31) would head `stale` and `agenda` if it were read."""
    stale = json_of(rs, "stale", "--json")
    overdue = json_of(rs, "task", "list", "--overdue", "--json")
    agenda = json_of(rs, "agenda", "--json")
    paths = [r["path"] for r in stale + overdue + agenda["overdue"] + agenda["due_soon"] + agenda["going_stale"]]
    assert [p for p in paths if p.startswith(ARCHIVE)] == []
