"""Last contact has one owner (`ops.contact`): its sources, their order, and the Dataview inline
field `last_contact:: DATE` as a source of its own (dates worked out by hand; today is 2026-11-22)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import invoke, make_vault

from vaultcrm.model import grammar


@pytest.mark.parametrize(("line", "fields"), [
    ("last_contact:: 2026-10-01", [("last_contact", "2026-10-01")]),
    ("- Last Contact:: 2026-10-01", [("last_contact", "2026-10-01")]),  # Dataview's sanitised key
    ("**last-contact**:: 2026-10-01 ", [("last_contact", "2026-10-01")]),
    ("> last_contact::2026-10-01", [("last_contact", "2026-10-01")]),
    ("Met them [last_contact:: 2026-10-01] and (owner:: Jeff)", [("last_contact", "2026-10-01"), ("owner", "Jeff")]),
    ("- [ ] Call back [due:: 2026-12-01]", [("due", "2026-12-01")]),
    ("No fields here: just a colon", []),
    ("", []),
])
def test_dataview_inline_fields_are_read_as_dataview_reads_them(line: str, fields: list[tuple[str, str]]) -> None:
    assert grammar.inline_fields(line) == fields


def account(body: str, frontmatter: str = "type: customer\n") -> str:
    return f"---\n{frontmatter}---\n# Initech\n\n{body}"


def stale_row(tmp_path: Path, text: str) -> dict[str, object]:
    root = make_vault(tmp_path / "v", {"Customers/Initech.md": text})
    r = invoke(["--vault", str(root), "stale", "--days", "0", "--json"])
    assert r.exit_code == 0, r.stderr
    [row] = json.loads(r.stdout)
    return row


def test_an_inline_last_contact_field_dates_the_account(tmp_path: Path) -> None:
    row = stale_row(tmp_path, account("Notes from the call.\n\nlast_contact:: 2026-11-02\n"))
    assert (row["last_contact"], row["source"], row["days"]) == ("2026-11-02", "inline_field", 20)


def test_the_latest_of_several_inline_fields_counts_and_plans_do_not(tmp_path: Path) -> None:
    body = "- last_contact:: 2026-09-30\n- [last_contact:: 2026-10-15]\n- last_contact:: 2026-12-24\n"
    row = stale_row(tmp_path, account(body))
    assert (row["last_contact"], row["source"]) == ("2026-10-15", "inline_field")


def test_an_inline_field_in_a_code_block_is_no_contact(tmp_path: Path) -> None:
    row = stale_row(tmp_path, account("```\nlast_contact:: 2026-11-02\n```\n"))
    assert (row["last_contact"], row["source"]) == (None, None)


@pytest.mark.parametrize(("frontmatter", "body", "expected"), [
    # the latest date wins, whatever its source
    ("type: customer\nlast_contact: 2026-10-01\n", "last_contact:: 2026-11-01\n", ("2026-11-01", "inline_field")),
    ("type: customer\nlast_contact: 2026-11-05\n", "last_contact:: 2026-11-01\n", ("2026-11-05", "frontmatter")),
    # on the same day: frontmatter, then the inline field, then Recent Context
    ("type: customer\nlast_contact: 2026-11-01\n", "last_contact:: 2026-11-01\n", ("2026-11-01", "frontmatter")),
    ("type: customer\n", "last_contact:: 2026-11-01\n\n## Recent Context\n\n- 2026-11-01: call\n",
     ("2026-11-01", "inline_field")),
    ("type: customer\n", "last_contact:: 2026-10-01\n\n## Recent Context\n\n- 2026-11-01: call\n",
     ("2026-11-01", "recent_context")),
])
def test_sources_combine_by_date_then_by_their_order(tmp_path: Path, frontmatter: str, body: str,
                                                    expected: tuple[str, str]) -> None:
    row = stale_row(tmp_path, account(body, frontmatter))
    assert (row["last_contact"], row["source"]) == expected


def test_show_and_list_print_the_inline_field_as_the_last_contact(tmp_path: Path) -> None:
    root = make_vault(tmp_path / "v", {"Customers/Initech.md": account("last_contact:: 2026-11-02\n")})
    shown = json.loads(invoke(["--vault", str(root), "show", "Initech", "--json"]).stdout)
    assert (shown["last_contact"], shown["last_contact_source"]) == ("2026-11-02", "inline_field")
    listed = json.loads(invoke(["--vault", str(root), "list", "--where", "last_contact=2026-11-02", "--json"]).stdout)
    assert [n["title"] for n in listed] == ["Initech"]


def test_of_meetings_on_the_same_latest_day_the_first_in_path_order_is_the_evidence(tmp_path: Path) -> None:
    """The account is dated by its newest meeting up to today; on a tie the first path, as a sorted
    list of related meetings would give it (worked out by hand: b and a on 2026-11-10, c is a plan)."""
    from datetime import date

    from vaultcrm.ops import contact
    from vaultcrm.ops.context import Context
    from vaultcrm.store.vault import Vault

    def meeting(day: str) -> str:
        return f"---\ntype: meeting\ndate: {day}\nattendees: [\"[[Initech]]\"]\n---\n# Call\n"

    root = make_vault(tmp_path / "v", {
        "Customers/Initech.md": account("Notes.\n"),
        "Meetings/b.md": meeting("2026-11-10"),
        "Meetings/a.md": meeting("2026-11-10"),
        "Meetings/c.md": meeting("2026-12-01"),  # after today: a plan, no contact
        "Meetings/0.md": meeting("2026-11-09"),
    })
    ctx = Context.open(Vault(root), date(2026, 11, 22))
    [acme] = [r for r in ctx.records if r.path == "Customers/Initech.md"]
    last = contact.effective_last_contact(ctx, acme)
    assert (last.date, last.source, last.evidence) == (date(2026, 11, 10), "meeting", "Meetings/a.md")
    assert [m.path for m in contact.related_meetings(ctx, acme)] == \
        ["Meetings/0.md", "Meetings/a.md", "Meetings/b.md", "Meetings/c.md"]


def test_a_meeting_is_never_its_own_last_contact_and_a_filed_source_dates_nothing(tmp_path: Path) -> None:
    """A meeting note that links to itself is dated by the other meetings linking to it, not by its
    own date; an article filed in a folder-note account's folder dates nothing; the newest of the
    folder's notes and the linking meetings wins (worked out by hand, today 2026-11-22)."""
    from datetime import date

    from vaultcrm.ops import contact
    from vaultcrm.ops.context import Context
    from vaultcrm.store.vault import Vault

    def meeting(day: str, *links: str) -> str:
        attendees = ", ".join(f'"[[{name}]]"' for name in links)
        return f"---\ntype: meeting\ndate: {day}\nattendees: [{attendees}]\n---\n# Call\n"

    root = make_vault(tmp_path / "v", {
        "Meetings/Weekly sync.md": meeting("2026-11-20", "Weekly sync"),  # links to itself
        "Meetings/Prep.md": meeting("2026-11-12", "Weekly sync", "Globex"),
        "Meetings/Older.md": meeting("2026-11-02", "Weekly sync"),
        "Customers/Globex/README.md": "---\ntype: customer\n---\n# Globex\n",
        "Customers/Globex/2026-11-15 Review.md": "---\ntype: customer\ndate: 2026-11-15\n---\n# Review\n",
        "Customers/Globex/2026-11-21 Story.md": "---\ntype: article\ndate: 2026-11-21\n---\n# Story\n",
        # filed by `account:` on the same day: the first path of the two is the evidence
        "Calls/2026-11-15.md": "---\ntype: note\ndate: 2026-11-15\naccount: Globex\n---\n# Call\n",
    })
    ctx = Context.open(Vault(root), date(2026, 11, 22))
    by = {r.path: r for r in ctx.records}
    sync = contact.effective_last_contact(ctx, by["Meetings/Weekly sync.md"])
    assert (sync.date, sync.evidence) == (date(2026, 11, 12), "Meetings/Prep.md")
    globex = contact.effective_last_contact(ctx, by["Customers/Globex/README.md"])
    assert (globex.date, globex.source, globex.evidence) == (date(2026, 11, 15), "meeting", "Calls/2026-11-15.md")
