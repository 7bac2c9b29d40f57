"""`new` files a note the way the vault already files that kind, links a meeting's account so that
Obsidian shows the account's name, and refuses a file name too long for the disk before touching it.

Each test builds its own small vault (the example vault's `.vaultcrm.toml` names folders, which
would override the layout learned from the notes)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import invoke, snapshot


def customer(title: str | None = None, kind: str = "customer") -> str:
    head = f"title: {title}\n" if title else ""
    return f"---\ntype: {kind}\n{head}---\n\n# Notes\n"


def person() -> str:
    return "---\ntype: person\n---\n\n# Notes\n"


def meeting_typed_customer(day: str) -> str:
    """Real vaults type meeting notes `customer` by copying the account's template."""
    return f"---\ntype: customer\ndate: '{day}'\n---\n\n# Call\n"


FOLDER_NOTE_VAULT = {
    "Customers and Partners/OpenAI/README.md": customer(),
    "Customers and Partners/Acme/README.md": customer(),
    "Customers and Partners/Acme/2026-10-01 Kickoff.md": meeting_typed_customer("2026-10-01"),
    "Customers and Partners/Acme/2026-10-08 Follow-up.md": meeting_typed_customer("2026-10-08"),
    "Customers and Partners/Acme/2026-10-15 Pilot.md": meeting_typed_customer("2026-10-15"),
    "Customers/Stray.md": customer(),
    "_archive/Old One.md": customer(),
    "_archive/Old Two.md": customer(),
    "_archive/Old Three.md": customer(),
    "Team/Jane Doe.md": person(),
    "Team/Bob Stone.md": person(),
    "People/Carol Finch.md": person(),
}

CUSTOMER_GLOBEX = """---
type: customer
title: Globex
created: '2026-11-22'
tags:
- type/customer
---

# Globex

## Recent Context

## Key Facts

## Open Tasks

## Account Status

| Field | Value |
|-------|-------|
| **Status** | Prospect |

## Key Contacts

## Related

<!-- Wikilinks to related entities -->
"""

PERSON_HANK = """---
type: person
title: Hank Scorpio
created: '2026-11-22'
tags:
- type/person
---

# Hank Scorpio

## Recent Context

## Key Facts

## Related

<!-- Wikilinks to related entities -->
"""


def meeting_note(title: str, day: str, account: str) -> str:
    return f"""---
type: meeting
title: {title}
date: '{day}'
account: {account}
attendees: []
tags:
- type/meeting
---

# {title}

## Notes

## Open Tasks

## Key Decisions
"""


@pytest.fixture
def make_vault(tmp_path: Path):
    def make(files: dict[str, str], settings: str | None = None) -> Path:
        root = tmp_path / "v"
        (root / ".obsidian").mkdir(parents=True)
        for rel, text in files.items():
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            (root / rel).write_text(text, encoding="utf-8")
        if settings is not None:
            (root / ".vaultcrm.toml").write_text(settings, encoding="utf-8")
        return root
    return make


def cli(root: Path, *args: str):
    return invoke(["--vault", str(root), *args])


def created(root: Path, *args: str) -> str:
    r = cli(root, *args, "--json")
    assert r.exit_code == 0, r.stderr
    return json.loads(r.stdout)["path"]


# ---- 1. the vault's layout ----------------------------------------------------------------------
def test_a_new_customer_is_a_folder_note_where_most_accounts_are_folder_notes(make_vault):
    root = make_vault(FOLDER_NOTE_VAULT)
    r = cli(root, "new", "customer", "Globex")
    assert (r.exit_code, r.stdout, r.stderr) == (0, "", "vaultcrm: created Customers and Partners/Globex/README.md\n")
    assert (root / "Customers and Partners/Globex/README.md").read_bytes() == CUSTOMER_GLOBEX.encode()
    assert not (root / "Customers").joinpath("Globex.md").exists()
    shown = json.loads(cli(root, "show", "Globex", "--json").stdout)
    assert (shown["title"], shown["path"]) == ("Globex", "Customers and Partners/Globex/README.md")


def test_a_second_note_of_that_name_is_still_refused_in_the_learned_layout(make_vault):
    root = make_vault(FOLDER_NOTE_VAULT)
    before = snapshot(root)
    r = cli(root, "new", "customer", "OpenAI")
    assert r.exit_code == 1 and "already exists" in r.stderr
    assert snapshot(root) == before


@pytest.mark.parametrize(("accounts", "expected"), [
    (["Accounts/OpenAI/OpenAI.md", "Accounts/Acme/Acme.md"], "Accounts/Globex/Globex.md"),
    (["Accounts/OpenAI/index.md", "Accounts/Acme/index.md"], "Accounts/Globex/index.md"),
    (["Accounts/OpenAI/readme.md", "Accounts/Acme/readme.md"], "Accounts/Globex/readme.md"),
    (["Clients/OpenAI.md", "Clients/Acme.md", "Customers/Stray/README.md"], "Clients/Globex.md"),
    (["OpenAI/README.md", "Acme/README.md"], "Globex/README.md"),
])
def test_a_new_customer_takes_the_folder_note_form_and_folder_its_kind_has(make_vault, accounts, expected):
    root = make_vault({path: customer() for path in accounts})
    assert created(root, "new", "customer", "Globex") == expected
    assert (root / expected).read_bytes() == CUSTOMER_GLOBEX.encode()


def test_a_new_person_goes_where_most_people_are(make_vault):
    root = make_vault(FOLDER_NOTE_VAULT)
    assert created(root, "new", "person", "Hank Scorpio") == "Team/Hank Scorpio.md"
    assert (root / "Team/Hank Scorpio.md").read_bytes() == PERSON_HANK.encode()


def test_a_new_person_is_a_folder_note_where_people_are(make_vault):
    root = make_vault({"Contacts/Jane Doe/README.md": person(), "Contacts/Bob Stone/README.md": person()})
    assert created(root, "new", "person", "Hank Scorpio") == "Contacts/Hank Scorpio/README.md"


@pytest.mark.parametrize("files", [{}, {"Team/Jane Doe.md": person()}], ids=["empty vault", "no customers"])
def test_without_notes_of_the_kind_new_keeps_the_default_folder(make_vault, files):
    root = make_vault(files)
    assert created(root, "new", "customer", "Globex") == "Customers/Globex.md"
    assert (root / "Customers/Globex.md").read_bytes() == CUSTOMER_GLOBEX.encode()


def test_without_a_clear_majority_new_keeps_the_default_folder(make_vault):
    root = make_vault({"Customers/Acme/People/Jane Doe.md": person(), "Customers/Globex/People/Bob Stone.md": person(),
                       "Clients/OpenAI/README.md": customer(), "Clients/Acme.md": customer()})
    assert created(root, "new", "person", "Hank Scorpio") == "People/Hank Scorpio.md"
    assert created(root, "new", "customer", "Initech") == "Clients/Initech.md"  # one folder; the form ties


def test_a_meeting_keeps_its_folder_whatever_the_accounts_layout(make_vault):
    root = make_vault(FOLDER_NOTE_VAULT)
    assert created(root, "new", "meeting", "Sync") == "Meetings/2026-11-22 Sync.md"


@pytest.mark.parametrize(("settings", "args", "expected"), [
    ('[folders]\ncustomer = "Clients"\n', (), "Clients/Globex.md"),
    ('[folders]\ncustomer = "Customers and Partners"\n', (), "Customers and Partners/Globex/README.md"),
    ('[folders]\ncustomer = "Customers"\n', (), "Customers/Globex.md"),
    ("", ("--folder", "Clients"), "Clients/Globex.md"),
    ("", ("--folder", "Customers and Partners"), "Customers and Partners/Globex/README.md"),
])
def test_a_folder_named_in_settings_or_by_option_overrides_the_learned_one(make_vault, settings, args, expected):
    """The folder is the one named; the form is that of the kind's notes already in it (else flat)."""
    root = make_vault(FOLDER_NOTE_VAULT, settings)
    assert created(root, "new", "customer", "Globex", *args) == expected


# ---- 2. a meeting's account link shows the account's name -------------------------------------
@pytest.mark.parametrize(("files", "account", "link"), [
    (FOLDER_NOTE_VAULT, "OpenAI", '"[[Customers and Partners/OpenAI/README|OpenAI]]"'),
    ({"Accounts/OpenAI/OpenAI.md": customer()}, "OpenAI", '"[[OpenAI]]"'),
    ({"Customers/OpenAI.md": customer()}, "OpenAI", '"[[OpenAI]]"'),
    ({"Customers/OpenAI.md": customer(), "Inbox/OpenAI.md": "# scratch\n"}, "Customers/OpenAI",
     '"[[Customers/OpenAI|OpenAI]]"'),
    ({"Customers/oai.md": customer("OpenAI")}, "OpenAI", '"[[oai|OpenAI]]"'),
    ({"Customers/OpenAI/README.md": customer("OpenAI, Inc.")}, "OpenAI", '"[[Customers/OpenAI/README|OpenAI, Inc.]]"'),
])
def test_a_new_meeting_links_its_account_under_the_accounts_name(make_vault, files, account, link):
    root = make_vault(files)
    path = created(root, "new", "meeting", "Pricing sync", "--account", account)
    assert path == "Meetings/2026-11-22 Pricing sync.md"
    assert (root / path).read_bytes() == meeting_note("Pricing sync", "2026-11-22", link).encode()


def test_the_meetings_aliased_link_still_files_it_under_the_account(make_vault):
    root = make_vault(FOLDER_NOTE_VAULT)
    stale = {row["title"]: row for row in json.loads(cli(root, "stale", "--json").stdout)}
    assert (stale["OpenAI"]["last_contact"], stale["OpenAI"]["interactions"]) == (None, 0)

    path = created(root, "new", "meeting", "Pricing sync", "--account", "OpenAI")
    assert path == "Meetings/2026-11-22 Pricing sync.md"
    assert (root / path).read_bytes() == meeting_note(
        "Pricing sync", "2026-11-22", '"[[Customers and Partners/OpenAI/README|OpenAI]]"').encode()
    shown = json.loads(cli(root, "show", "OpenAI", "--json").stdout)
    assert (shown["last_contact"], shown["last_contact_source"]) == ("2026-11-22", "meeting")
    assert "OpenAI" not in {row["title"] for row in json.loads(cli(root, "stale", "--json").stdout)}

    assert cli(root, "set", path, "date", "2026-09-01").exit_code == 0
    stale = {row["title"]: row for row in json.loads(cli(root, "stale", "--json").stdout)}
    assert (stale["OpenAI"]["last_contact"], stale["OpenAI"]["source"], stale["OpenAI"]["interactions"]) == \
        ("2026-09-01", "meeting", 1)

    assert cli(root, "set", path, "attendees", "[[Jane Doe]]", "--list").exit_code == 0
    who = json.loads(cli(root, "who", "OpenAI", "--json").stdout)
    assert [(p["name"], p["last"], p["sources"]) for p in who] == [("Jane Doe", "2026-09-01", ["meeting"])]

    assert cli(root, "log", path, "Walked through pricing", "--date", "2026-09-01").exit_code == 0
    rows = json.loads(cli(root, "timeline", "OpenAI", "--json").stdout)
    assert [(r["date"], r["account"], r["path"], r["text"]) for r in rows] == [
        ("2026-09-01", "OpenAI", path, "Walked through pricing")]


# ---- 3. names too long for the file system ----------------------------------------------------
@pytest.mark.parametrize(("args", "shown", "name", "size"), [
    (["a" * 300, "X"], "Aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa…aaaaaaaaaaas/X.md",
     "Aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa…aaaaaaaaaaas", 301),
    (["customer", "é" * 130], "Customers/" + "é" * 40 + "…" + "é" * 9 + ".md", "é" * 40 + "…" + "é" * 9 + ".md", 263),
    (["meeting", "b" * 250], "Meetings/2026-11-22 " + "b" * 29 + "…" + "b" * 9 + ".md",
     "2026-11-22 " + "b" * 29 + "…" + "b" * 9 + ".md", 264),
    (["customer", "c" * 253], "Customers/" + "c" * 40 + "…" + "c" * 9 + ".md", "c" * 40 + "…" + "c" * 9 + ".md", 256),
], ids=["300-character kind", "long unicode title", "long meeting title", "one byte too many"])
def test_a_name_too_long_for_the_disk_is_refused_with_exit_2_and_a_vault_path(make_vault, args, shown, name, size):
    root = make_vault({})
    before = snapshot(root)
    r = cli(root, "new", *args)
    assert (r.exit_code, r.stdout) == (2, "")
    assert r.stderr == (f"vaultcrm: error: cannot create {shown}: the name {name!r} is {size} bytes long, and a "
                        "file or folder name may have at most 255\nhint: use a shorter title, kind or --folder\n")
    assert snapshot(root) == before


def test_a_300_character_kind_with_a_folder_is_refused_as_a_kind(make_vault):
    root = make_vault({})
    before = snapshot(root)
    r = cli(root, "new", "a" * 300, "X", "--folder", "Notes")
    assert (r.exit_code, r.stdout) == (2, "")
    assert r.stderr == ("vaultcrm: error: a kind may be at most 252 bytes long (it names its template, KIND.md); "
                        "this one is 300\n")
    assert snapshot(root) == before


def test_a_name_of_exactly_255_bytes_is_created(make_vault):
    root = make_vault({})
    assert created(root, "new", "customer", "c" * 252) == "Customers/" + "c" * 252 + ".md"
    assert (root / "Customers" / ("c" * 252 + ".md")).is_file()
