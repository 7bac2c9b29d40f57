"""Editing commands through the CLI: exit code, stdout, stderr and the exact bytes of every file.

Each test runs on a fresh copy of examples/vault. `_expect` builds the bytes a note must have
after an edit from its original bytes, so a test states precisely which bytes change; `_others`
checks every other file in the vault is byte-for-byte untouched.
"""

from __future__ import annotations

import difflib
import json
import re
from pathlib import Path

import pytest
from conftest import snapshot

ACME = "Customers/Acme Corp.md"
OPENAI = "Customers/OpenAI.md"
INBOX_OPENAI = "Inbox/OpenAI.md"
GLOBEX = "Customers/Globex.md"  # CRLF line endings
INITECH = "Customers/Initech.md"  # BOM, no final newline
ANTHROPIC = "Customers/Anthropic/README.md"
DANA = "People/Dana Scully.md"
BROKEN = "Broken.md"




def read(vault: Path, rel: str) -> bytes:
    return (vault / rel).read_bytes()


def _expect(original: bytes, *replacements: tuple[str, str]) -> bytes:
    """`original` with each `old` (which must occur exactly once) replaced by `new`."""
    text = original.decode("utf-8")
    for old, new in replacements:
        assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times"
        text = text.replace(old, new)
    return text.encode("utf-8")


def _others_unchanged(before: dict[str, bytes], vault: Path, *changed: str) -> None:
    after = snapshot(vault)
    assert {k: v for k, v in after.items() if k not in changed} == {k: v for k, v in before.items()
                                                                      if k not in changed}


def ok(r, stderr: str | None = None, stdout: str = "") -> None:
    assert r.exit_code == 0, r.stderr
    assert r.stdout == stdout
    if stderr is not None:
        assert r.stderr == stderr


# ---- log --------------------------------------------------------------------------------------
def test_log_puts_a_seed_shaped_entry_on_top_and_raises_last_contact(run, vault):
    before = snapshot(vault)
    r = run("log", "Acme Corp", "Called Bob about the renewal")
    ok(r, "vaultcrm: logged to Customers/Acme Corp.md\n")
    assert read(vault, ACME) == _expect(
        before[ACME],
        ("last_contact: 2026-06-01\n", "last_contact: 2026-11-22\n"),
        ("\n- 2026-06-01:", "\n- 2026-11-22: [[2026-11-22]] - Called Bob about the renewal\n- 2026-06-01:"),
    )
    _others_unchanged(before, vault, ACME)


OPENAI_TOP = "- 2026-10-30: [[2026-10-30]] - Jason"
OPENAI_MID = "- 2026-10-12: [[2026-10-12 - Storage"
OPENAI_LAST = "- 2026-09-29: [[2026-09-29]] - Intro call about the sync engine idea (via Jeff Denworth)\n"


@pytest.mark.parametrize(
    ("options", "entry", "where", "last_contact"),
    [
        ([], "- 2026-11-22: [[2026-11-22]] - Met", OPENAI_TOP, "'2026-11-22'"),
        (["--via", "Sam Hopewell"], "- 2026-11-22: [[2026-11-22]] - Met (via Sam Hopewell)", OPENAI_TOP,
         "'2026-11-22'"),
        (["--link", "QBR notes"], "- 2026-11-22: [[QBR notes]] - Met", OPENAI_TOP, "'2026-11-22'"),
        (["--link", ""], "- 2026-11-22: Met", OPENAI_TOP, "'2026-11-22'"),
        (["--date", "yesterday"], "- 2026-11-21: [[2026-11-21]] - Met", OPENAI_TOP, "'2026-11-21'"),
        (["--date", "2026-10-30"], "- 2026-10-30: [[2026-10-30]] - Met", OPENAI_TOP, None),
        (["--date", "2026-10-15"], "- 2026-10-15: [[2026-10-15]] - Met", OPENAI_MID, None),
        (["--date", "2026-01-05", "--via", "Jeff"], "- 2026-01-05: [[2026-01-05]] - Met (via Jeff)", None, None),
    ],
)
def test_log_options_shape_the_entry_and_place_it_by_date_newest_first(run, vault, options, entry, where,
                                                                       last_contact):
    before = snapshot(vault)
    r = run("log", OPENAI, "Met", *options)
    ok(r, "vaultcrm: logged to Customers/OpenAI.md\n")
    reps = [(where, f"{entry}\n{where}") if where else (OPENAI_LAST, f"{OPENAI_LAST}{entry}\n")]
    if last_contact:  # raised only when the entry is later than the property
        reps.append(("last_contact: '2026-10-30'", f"last_contact: {last_contact}"))
    assert read(vault, OPENAI) == _expect(before[OPENAI], *reps)
    _others_unchanged(before, vault, OPENAI)


@pytest.mark.parametrize(
    ("note", "old", "new"),
    [
        (ACME, "last_contact: 2026-06-01", "last_contact: 2026-11-22"),  # plain stays plain
        (OPENAI, "last_contact: '2026-10-30'", "last_contact: '2026-11-22'"),  # single stays single
        (GLOBEX, 'last_contact: "2026-11-01"', 'last_contact: "2026-11-22"'),  # double stays double
        (INBOX_OPENAI, "last_contact: unknown", "last_contact: '2026-11-22'"),  # the block's date style
        (INITECH, "last_contact: unknown", "last_contact: 2026-11-22"),
    ],
)
def test_log_keeps_the_quoting_style_of_last_contact_and_replaces_unknown(run, vault, note, old, new):
    original = read(vault, note)
    r = run("log", note, "Called")
    ok(r)
    after = read(vault, note).decode("utf-8")
    assert new in after
    assert after.replace(new, old) != original.decode("utf-8")  # an entry was added too
    # every frontmatter line but last_contact is unchanged
    fm_before = original.decode("utf-8").split("---")[1]
    fm_after = after.split("---")[1]
    assert fm_after == fm_before.replace(old, new)


def test_log_adds_last_contact_after_the_last_key_when_the_note_has_none(run, vault):
    before = snapshot(vault)
    ok(run("log", "Dana Scully", "Coffee"))
    assert read(vault, DANA) == _expect(
        before[DANA],
        ("  - type/person\n---\n", "  - type/person\nlast_contact: 2026-11-22\n---\n"),
        ("# Dana Scully\n\n## Key Facts",
         "# Dana Scully\n\n## Recent Context\n\n- 2026-11-22: [[2026-11-22]] - Coffee\n\n## Key Facts"),
    )
    _others_unchanged(before, vault, DANA)


def test_log_keeps_a_crlf_note_crlf_on_every_line(run, vault):
    before = snapshot(vault)
    ok(run("log", "Globex", "Called Hank", "--via", "Sam Hopewell"))
    after = read(vault, GLOBEX)
    assert after == _expect(
        before[GLOBEX],
        ('last_contact: "2026-11-01"', 'last_contact: "2026-11-22"'),
        ("\r\n- 2026-11-01:", "\r\n- 2026-11-22: [[2026-11-22]] - Called Hank (via Sam Hopewell)\r\n- 2026-11-01:"),
    )
    assert after.count(b"\n") == after.count(b"\r\n")
    _others_unchanged(before, vault, GLOBEX)


def test_log_keeps_the_bom_and_the_missing_final_newline_and_creates_the_section_in_order(run, vault):
    before = snapshot(vault)
    ok(run("log", "Initech", "Intro call"))
    assert read(vault, INITECH) == (
        "\ufeff---\ntype: prospect\ntitle: Initech\nlast_contact: 2026-11-22\ntags:\n- type/prospect\n---\n\n"
        "# Initech\n\n## Recent Context\n\n- 2026-11-22: [[2026-11-22]] - Intro call\n\n"
        "## Key Facts\n\n- Met at a conference; no follow-up yet."
    ).encode("utf-8")
    _others_unchanged(before, vault, INITECH)


def test_log_keeps_unknown_entries_and_puts_new_ones_among_the_dated(run, vault):
    before = snapshot(vault)
    ok(run("log", INBOX_OPENAI, "Follow-up", "--date", "2026-09-01"))
    assert read(vault, INBOX_OPENAI) == _expect(
        before[INBOX_OPENAI],
        ("last_contact: unknown", "last_contact: '2026-09-01'"),
        ("\n- 2026-08-06:", "\n- 2026-09-01: [[2026-09-01]] - Follow-up\n- 2026-08-06:"),
    )


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["log", "Acme Corp", "x", "--date", "2026-02-30"], 2, "not a valid date"),
        (["log", "Acme Corp", "x", "--date", "someday maybe"], 2, "cannot read"),
        (["log", "Acme Corp", "   "], 2, "empty"),
        (["log", "Nobody Inc", "x"], 3, "Nobody Inc"),
        (["log", "OpenAI", "x"], 4, "Inbox/OpenAI.md"),
        (["task", "add", "Acme Corp", "x", "--due", "the twelfth of never"], 2, "cannot read"),
    ],
)
def test_bad_input_exits_with_its_code_and_writes_nothing(run, vault, args, code, message):
    before = snapshot(vault)
    r = run(*args)
    assert r.exit_code == code, r.stderr
    assert r.stdout == ""
    assert r.stderr.startswith("vaultcrm: error: ") and message in r.stderr
    assert snapshot(vault) == before


# ---- tasks ----------------------------------------------------------------------------------------
def test_task_add_appends_under_open_tasks_in_the_notes_line_endings(run, vault):
    before = snapshot(vault)
    ok(run("task", "add", "Globex", "Send the deck", "--due", "in 2 weeks"),
       "vaultcrm: added a task to Customers/Globex.md\n")
    assert read(vault, GLOBEX) == before[GLOBEX] + "- [ ] Send the deck 📅 2026-12-06\r\n".encode()
    _others_unchanged(before, vault, GLOBEX)


def test_task_add_creates_open_tasks_in_canonical_order_keeping_bom_and_no_final_newline(run, vault):
    before = snapshot(vault)
    ok(run("task", "add", "Initech", "Send the deck", "--due", "next friday"))
    assert read(vault, INITECH) == before[INITECH] + "\n\n## Open Tasks\n\n- [ ] Send the deck 📅 2026-11-27".encode()


def test_task_add_without_due_inserts_after_the_last_task(run, vault):
    before = snapshot(vault)
    ok(run("task", "add", OPENAI, "Book the follow-up"))
    assert read(vault, OPENAI) == _expect(
        before[OPENAI], ("✅ 2026-10-18\n", "✅ 2026-10-18\n- [ ] Book the follow-up\n"))


TASK_KEYS = {"id", "title", "path", "line", "text", "done", "due", "done_date"}


def _task_list(run, *args: str) -> list[dict]:
    r = run("task", "list", *args, "--json")
    assert r.exit_code == 0, r.stderr
    return json.loads(r.stdout)


def test_task_list_json_has_the_contract_keys_and_only_open_tasks_by_default(run):
    rows = _task_list(run)
    assert rows and all(TASK_KEYS <= set(row) for row in rows)
    assert all(row["done"] is False for row in rows)
    assert {(row["path"], row["line"], row["text"]) for row in rows} >= {
        (GLOBEX, 19, "Book the QBR room"), (OPENAI, 31, "Send the S3 vs Blob parity matrix")}
    # fenced `- [ ]` lines in Daily/2026-11-20.md are not tasks
    assert not any(row["path"].startswith("Daily/") for row in rows)


def test_task_list_for_one_note_numbers_its_tasks(run):
    rows = _task_list(run, OPENAI, "--all")
    assert [(row["text"][:20], row["done"], row["due"], row["done_date"]) for row in rows] == [
        ("Discuss with OpenAI ", False, "2026-11-28", None),
        ("Send the S3 vs Blob ", False, "2026-11-15", None),
        ("Share the storage re", True, "2026-10-20", "2026-10-18"),
    ]
    assert all(row["title"] == "OpenAI" and row["path"] == OPENAI for row in rows)
    assert [row["line"] for row in rows] == [30, 31, 32]
    assert [row["text"] for row in _task_list(run, OPENAI, "--done")] == ["Share the storage requirements template"]


def test_task_list_overdue_and_due_within_filter_by_due_date(run):
    overdue = _task_list(run, "--overdue")
    assert all(row["due"] < "2026-11-22" and not row["done"] for row in overdue)
    assert {row["text"] for row in overdue} >= {"Book the QBR room", "Send the S3 vs Blob parity matrix"}
    soon = {row["text"]: row["due"] for row in _task_list(run, "--due-within", "3")}
    assert soon.get("Draft the reference architecture") == "2026-11-25"
    assert "Send QBR summary to Hank" in soon
    assert all(d <= "2026-11-25" for d in soon.values())
    assert not any(row["due"] == "2026-11-28" for row in _task_list(run, "--due-within", "3"))


def test_task_ids_stay_the_same_across_unrelated_edits(run):
    ids = {row["text"]: row["id"] for row in _task_list(run, OPENAI, "--all")}
    ok(run("log", OPENAI, "Something happened"))
    ok(run("task", "add", OPENAI, "Another task"))
    after = {row["text"]: row["id"] for row in _task_list(run, OPENAI, "--all")}
    assert {k: after[k] for k in ids} == ids


S3_BEFORE = "- [ ] Send the S3 vs Blob parity matrix 📅 2026-11-15\n"
S3_AFTER = "- [x] Send the S3 vs Blob parity matrix 📅 2026-11-15 ✅ 2026-11-22\n"


@pytest.mark.parametrize("how", ["id", "prefix", "number", "substring", "id-without-name"])
def test_task_done_finds_a_task_by_id_prefix_number_or_text(run, vault, how):
    task_id = next(r["id"] for r in _task_list(run, OPENAI) if r["text"].startswith("Send the S3"))
    args = {"id": [OPENAI, task_id], "prefix": [OPENAI, task_id[:4]], "number": [OPENAI, "2"],
            "substring": [OPENAI, "s3 VS blob"], "id-without-name": [task_id]}[how]
    before = snapshot(vault)
    r = run("task", "done", *args)
    ok(r, "vaultcrm: done: Send the S3 vs Blob parity matrix (Customers/OpenAI.md:31)\n")
    assert read(vault, OPENAI) == _expect(before[OPENAI], (S3_BEFORE, S3_AFTER))
    _others_unchanged(before, vault, OPENAI)


def test_task_done_then_undo_gives_back_the_original_bytes(run, vault):
    before = snapshot(vault)
    ok(run("task", "done", OPENAI, "S3 vs Blob"))
    ok(run("task", "undo", OPENAI, "S3 vs Blob"))
    assert snapshot(vault) == before


def test_task_undo_reopens_a_done_task(run, vault):
    before = snapshot(vault)
    ok(run("task", "undo", OPENAI, "storage requirements"))
    assert read(vault, OPENAI) == _expect(
        before[OPENAI], ("- [x] Share the storage requirements template 📅 2026-10-20 ✅ 2026-10-18\n",
                         "- [ ] Share the storage requirements template 📅 2026-10-20\n"))


def test_task_done_in_a_crlf_note_keeps_crlf(run, vault):
    before = snapshot(vault)
    ok(run("task", "done", "Globex", "QBR room"))
    assert read(vault, GLOBEX) == _expect(before[GLOBEX], ("- [ ] Book the QBR room 📅 2026-11-10\r\n",
                                                           "- [x] Book the QBR room 📅 2026-11-10 ✅ 2026-11-22\r\n"))


def test_ambiguous_task_match_exits_4_listing_the_candidates_and_writes_nothing(run, vault):
    before = snapshot(vault)
    r = run("task", "done", "sync engine")
    assert r.exit_code == 4 and r.stdout == ""
    assert OPENAI in r.stderr and INBOX_OPENAI in r.stderr
    assert snapshot(vault) == before


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["task", "done", OPENAI, "nothing like this"], 3),
        (["task", "done", OPENAI, "9"], 3),
        (["task", "done", "Nobody Inc", "x"], 3),
        (["task", "done", OPENAI, "storage requirements"], 1),  # already done
        (["task", "undo", OPENAI, "S3 vs Blob"], 1),  # not done
    ],
)
def test_task_done_and_undo_refuse_without_writing(run, vault, args, code):
    before = snapshot(vault)
    r = run(*args)
    assert r.exit_code == code, r.stderr
    assert r.stdout == "" and r.stderr.startswith("vaultcrm: error: ")
    assert snapshot(vault) == before


def test_done_on_a_recurring_task_inserts_the_next_occurrence_above(run, vault):
    note = vault / "Customers" / "Recurring.md"
    note.write_text("---\ntype: customer\n---\n# Recurring\n\n## Open Tasks\n\n"
                    "- [ ] Send the invoice 🔁 every month 📅 2026-01-31 ^inv\n- [ ] Other\n", encoding="utf-8")
    ok(run("task", "done", "Recurring", "invoice"))
    assert note.read_text(encoding="utf-8") == (
        "---\ntype: customer\n---\n# Recurring\n\n## Open Tasks\n\n"
        "- [ ] Send the invoice 🔁 every month 📅 2026-02-28\n"
        "- [x] Send the invoice 🔁 every month 📅 2026-01-31 ✅ 2026-11-22 ^inv\n- [ ] Other\n")


# ---- set / get / unset ----------------------------------------------------------------------------
ACME_LAST_KEY = 'owner: "[[Jeff Denworth]]"\n'


@pytest.mark.parametrize(
    ("args", "added"),
    [
        (["seats", "42"], "seats: 42\n"),
        (["ratio", "0.5"], "ratio: 0.5\n"),
        (["active", "true"], "active: true\n"),
        (["signed", "2027-02-01"], "signed: 2027-02-01\n"),
        (["zip", "01234"], "zip: '01234'\n"),
        (["answer", "--string", "yes"], "answer: 'yes'\n"),
        (["hex", "--string", "0x1F"], "hex: '0x1F'\n"),
        (["champion", "[[Dana Scully]]"], 'champion: "[[Dana Scully]]"\n'),
        (["note", "a: b"], "note: 'a: b'\n"),
        (["zip", "--string", "01234"], "zip: '01234'\n"),
        (["products", "--list", "S3", "Blob"], "products:\n- S3\n- Blob\n"),
        (["products", "S3", "Blob"], "products:\n- S3\n- Blob\n"),
        (["products", "--add", "S3", "--add", "Blob"], "products:\n- S3\n- Blob\n"),
    ],
)
def test_set_appends_a_new_key_after_the_last_one_in_the_blocks_style(run, vault, args, added):
    before = snapshot(vault)
    ok(run("set", "Acme Corp", *args))
    assert read(vault, ACME) == _expect(before[ACME], (ACME_LAST_KEY, ACME_LAST_KEY + added))
    _others_unchanged(before, vault, ACME)


@pytest.mark.parametrize(
    ("note", "args", "old", "new"),
    [
        (ACME, ["owner", "[[Sam Hopewell]]"], 'owner: "[[Jeff Denworth]]"', 'owner: "[[Sam Hopewell]]"'),
        (ACME, ["tags", "--add", "tier/1", "--add", "type/customer"], "tags: [type/customer]",
         "tags: [type/customer, tier/1]"),
        (OPENAI, ["tags", "--add", "tier/2", "--add", "tier/1"], "- tier/1\n", "- tier/1\n- tier/2\n"),
        (ANTHROPIC, ["aliases", "--add", "Anthropic Inc"], "  - Anthropic PBC\n", "  - Anthropic PBC\n  - Anthropic Inc\n"),
        (OPENAI, ["created", "2026-01-04"], "created: '2026-01-03'", "created: '2026-01-04'"),
        (GLOBEX, ["cadence", "3w"], "cadence: 2w\r\n", "cadence: 3w\r\n"),
        (OPENAI, ["tags", "--list", "a"], "tags:\n- type/customer\n- tier/1\n", "tags:\n- a\n"),
    ],
)
def test_set_of_an_existing_key_rewrites_only_that_keys_lines(run, vault, note, args, old, new):
    before = snapshot(vault)
    ok(run("set", note, *args))
    assert read(vault, note) == _expect(before[note], (old, new))
    _others_unchanged(before, vault, note)


@pytest.mark.parametrize(
    ("note", "key", "row_before", "row_after", "last_key"),
    [
        (ACME, "Status", "| **Status** | Customer |", "| **Status** | Churned |", ACME_LAST_KEY),
        (ACME, "renewal", "| **Renewal** | 2027-01-31 |", "| **Renewal** | Churned |", ACME_LAST_KEY),
        (ANTHROPIC, "status", "| Status | Customer |", "| Status | Churned |", "  - type/customer\n"),
    ],
)
def test_set_updates_the_account_status_row_of_that_name_bold_or_not(run, vault, note, key, row_before, row_after,
                                                                     last_key):
    before = snapshot(vault)
    ok(run("set", note, key, "Churned"))
    assert read(vault, note) == _expect(before[note], (row_before, row_after),
                                        (last_key + "---", f"{last_key}{key}: Churned\n---"))
    _others_unchanged(before, vault, note)


@pytest.mark.parametrize(
    ("note", "key", "out"),
    [
        (ACME, "last_contact", "2026-06-01\n"),
        (ACME, "owner", "[[Jeff Denworth]]\n"),
        (OPENAI, "tags", "type/customer\ntier/1\n"),
        (GLOBEX, "cadence", "2w\n"),
        (ACME, "Renewal", "2027-01-31\n"),  # from the Account Status table
    ],
)
def test_get_prints_the_bare_value_one_list_item_a_line(run, note, key, out):
    r = run("get", note, key)
    assert (r.exit_code, r.stdout, r.stderr) == (0, out, "")


def test_get_reads_back_what_set_wrote(run):
    ok(run("set", "Acme Corp", "seats", "42"))
    ok(run("set", "Acme Corp", "products", "--list", "S3", "Blob"))
    assert run("get", "Acme Corp", "seats").stdout == "42\n"
    assert run("get", "Acme Corp", "products").stdout == "S3\nBlob\n"
    assert json.loads(run("get", "Acme Corp", "seats", "--json").stdout)["value"] == 42


def test_get_and_unset_of_a_missing_key_exit_3(run, vault):
    before = snapshot(vault)
    for args in (["get", "Acme Corp", "nope"], ["unset", "Acme Corp", "nope"]):
        r = run(*args)
        assert r.exit_code == 3 and r.stdout == "" and "nope" in r.stderr
    assert snapshot(vault) == before


@pytest.mark.parametrize(
    ("note", "key", "old"),
    [
        (ACME, "owner", 'owner: "[[Jeff Denworth]]"\n'),
        (OPENAI, "tags", "tags:\n- type/customer\n- tier/1\n"),
        (GLOBEX, "cadence", "cadence: 2w\r\n"),
        (INITECH, "last_contact", "last_contact: unknown\n"),
    ],
)
def test_unset_removes_exactly_the_keys_lines(run, vault, note, key, old):
    before = snapshot(vault)
    ok(run("unset", note, key))
    assert read(vault, note) == _expect(before[note], (old, ""))
    _others_unchanged(before, vault, note)


def test_set_then_unset_of_a_new_key_gives_back_the_original_bytes(run, vault):
    before = snapshot(vault)
    for note in (ACME, OPENAI, GLOBEX, INITECH, ANTHROPIC, DANA):
        ok(run("set", note, "probe", "x"))
        ok(run("unset", note, "probe"))
    assert snapshot(vault) == before


# ---- add ------------------------------------------------------------------------------------------
def test_add_puts_blockers_under_a_cross_mark_after_the_last_bullet(run, vault):
    before = snapshot(vault)
    ok(run("add", OPENAI, "Blockers", "Budget freeze"), "vaultcrm: added to Blockers in Customers/OpenAI.md\n")
    assert read(vault, OPENAI) == _expect(
        before[OPENAI], ("external solutions\n", "external solutions\n- ❌ Budget freeze\n"))


def test_add_creates_missing_sections_in_canonical_order(run, vault):
    before = snapshot(vault)
    ok(run("add", "Acme Corp", "Key Decisions", "Go with S3"))
    ok(run("add", "Acme Corp", "blockers", "Legal review"))
    ok(run("add", "Acme Corp", "Topics", "Pricing"))
    assert read(vault, ACME) == _expect(
        before[ACME],
        ("## Account Status\n", "## Topics\n\n- Pricing\n\n## Account Status\n"),
        ("| **Renewal** | 2027-01-31 |\n",
         "| **Renewal** | 2027-01-31 |\n\n## Blockers\n\n- ❌ Legal review\n\n## Key Decisions\n\n- ✅ Go with S3\n"),
    )


def test_add_to_a_note_without_a_final_newline_keeps_it_without(run, vault):
    before = snapshot(vault)
    ok(run("add", "Initech", "Key Facts", "Budget owner is Bill"))
    assert read(vault, INITECH) == before[INITECH] + "\n- Budget owner is Bill".encode()


def test_add_to_a_section_outside_the_canonical_list_appends_it_at_the_end(run, vault):
    before = snapshot(vault)
    ok(run("add", "Dana Scully", "Hobbies", "Sailing"))
    assert read(vault, DANA) == before[DANA] + b"\n## Hobbies\n\n- Sailing\n"


# ---- new ------------------------------------------------------------------------------------------
CUSTOMER_NOTE = """---
type: customer
title: Umbrella Corp
created: '2026-11-22'
tags:
- type/customer
---

# Umbrella Corp

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


def test_new_customer_is_created_in_its_folder_from_the_builtin_template(run, vault):
    before = snapshot(vault)
    ok(run("new", "customer", "Umbrella Corp"), "vaultcrm: created Customers/Umbrella Corp.md\n")
    assert read(vault, "Customers/Umbrella Corp.md") == CUSTOMER_NOTE.encode()
    _others_unchanged(before, vault, "Customers/Umbrella Corp.md")
    assert run("get", "Umbrella Corp", "type").stdout == "customer\n"


def test_new_person_and_meeting_go_to_their_folders(run, vault):
    ok(run("new", "person", "Hank Scorpio"))
    person = read(vault, "People/Hank Scorpio.md").decode()
    assert person.startswith("---\ntype: person\ntitle: Hank Scorpio\ncreated: '2026-11-22'\n")
    ok(run("new", "meeting", "Umbrella sync", "--account", "Globex"))
    meeting = read(vault, "Meetings/2026-11-22 Umbrella sync.md").decode()
    assert "type: meeting\n" in meeting and "date: '2026-11-22'\n" in meeting
    assert 'account: "[[Globex]]"\n' in meeting


def test_a_vault_template_overrides_the_builtin_one(run, vault):
    templates = vault / ".vaultcrm" / "templates"
    templates.mkdir(parents=True)
    (templates / "customer.md").write_text("---\ntype: customer\nsince: '{{date}}'\n---\n\n# {{title}}\n\nOurs.\n")
    ok(run("new", "customer", "Umbrella Corp"))
    assert read(vault, "Customers/Umbrella Corp.md") == b"---\ntype: customer\nsince: '2026-11-22'\n---\n\n" \
                                                        b"# Umbrella Corp\n\nOurs.\n"


def test_new_refuses_an_existing_note_and_leaves_it_alone(run, vault):
    before = snapshot(vault)
    for args in (["new", "customer", "Globex"], ["new", "customer", "acme corp"]):
        r = run(*args)
        assert r.exit_code == 1 and r.stdout == "" and "already exists" in r.stderr
    assert snapshot(vault) == before


@pytest.mark.parametrize("title", ["a/b", "../escape", "..", ".hidden", "back\\slash", "/abs", "", "  "])
def test_new_refuses_titles_that_escape_the_vault_or_hide(run, vault, title):
    before = snapshot(vault)
    r = run("new", "customer", title)
    assert r.exit_code == 2, r.stderr
    assert r.stdout == "" and r.stderr.startswith("vaultcrm: error: ")
    assert snapshot(vault) == before


# ---- dry runs, malformed notes ----------------------------------------------------------------------
EDITS = [
    (["log", "Acme Corp", "Called", "--via", "Bob"], ACME),
    (["log", "Initech", "Called"], INITECH),
    (["log", "Globex", "Called"], GLOBEX),
    (["task", "add", "Initech", "Send deck", "--due", "2026-12-01"], INITECH),
    (["task", "done", OPENAI, "S3"], OPENAI),
    (["task", "undo", OPENAI, "storage"], OPENAI),
    (["set", "Acme Corp", "Status", "Churned"], ACME),
    (["set", "Globex", "cadence", "3w"], GLOBEX),
    (["unset", "Acme Corp", "owner"], ACME),
    (["add", "Acme Corp", "Blockers", "Legal"], ACME),
    (["new", "customer", "Umbrella Corp"], "Customers/Umbrella Corp.md"),
]


@pytest.mark.parametrize(("args", "path"), EDITS, ids=lambda v: " ".join(v) if isinstance(v, list) else None)
def test_dry_run_prints_the_exact_diff_of_the_real_edit_and_writes_nothing(run, vault, args, path):
    before = snapshot(vault)
    dry = run(*args, "--dry-run")
    assert dry.exit_code == 0, dry.stderr
    assert "dry run" in dry.stderr and "nothing written" in dry.stderr
    assert snapshot(vault) == before
    assert not (vault / ".vaultcrm" / "journal").exists()
    real = run(*args)
    assert real.exit_code == 0, real.stderr
    old = before.get(path, b"").decode("utf-8").splitlines(keepends=True)
    new = read(vault, path).decode("utf-8").splitlines(keepends=True)
    # GNU diff marks each line that lacks a final newline
    diff = "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n"
                   for line in difflib.unified_diff(old, new, f"a/{path}" if path in before else "/dev/null",
                                                    f"b/{path}"))
    assert dry.stdout == diff
    assert dry.stdout.startswith(("--- a/", "--- /dev/null"))


@pytest.mark.parametrize("args", [
    ["log", BROKEN, "x"], ["set", BROKEN, "k", "v"], ["unset", BROKEN, "title"], ["add", BROKEN, "Key Facts", "x"],
    ["task", "add", BROKEN, "x"], ["log", BROKEN, "x", "--dry-run"],
])
def test_a_note_with_malformed_frontmatter_is_never_edited(run, vault, args):
    before = snapshot(vault)
    r = run(*args)
    assert r.exit_code == 5, r.stderr
    assert r.stdout == ""
    assert re.match(r"vaultcrm: error: Broken\.md:[34]: malformed frontmatter", r.stderr), r.stderr
    assert snapshot(vault) == before


@pytest.mark.parametrize("args", [["log", "Draft", "x"], ["add", "Draft", "Blockers", "x"],
                                  ["task", "add", "Draft", "x"]])
def test_an_edit_that_would_land_inside_an_unclosed_code_fence_is_refused(run, vault, args):
    draft = vault / "Customers" / "Draft.md"
    draft.write_bytes(b"---\ntype: customer\n---\n# Draft\n\n```python\nprint('never closed')\n")
    before = snapshot(vault)
    r = run(*args)
    assert r.exit_code == 1
    assert r.stdout == ""
    assert r.stderr.startswith("vaultcrm: error: Customers/Draft.md") and "unclosed code fence" in r.stderr
    assert snapshot(vault) == before


def test_log_reads_a_weekday_as_the_last_one_and_never_dates_last_contact_in_the_future(run, vault) -> None:
    r = run("log", "Acme Corp", "friday call", "--date", "friday")  # today is Sunday 2026-11-22
    assert r.exit_code == 0, r.stderr
    text = (vault / "Customers" / "Acme Corp.md").read_text()
    assert "- 2026-11-20: [[2026-11-20]] - friday call" in text and "last_contact: 2026-11-20" in text
    r = run("log", "Acme Corp", "planned visit", "--date", "2026-12-05")
    assert r.exit_code == 0
    text = (vault / "Customers" / "Acme Corp.md").read_text()
    assert "- 2026-12-05:" in text and "last_contact: 2026-11-20" in text


@pytest.mark.parametrize("args", [["log", "Acme Corp", "x", "--date", "+99999y"], ["agenda", "--days", "99999999"],
                                  ["stale", "--days", "999999999"], ["task", "list", "--due-within", "999999999"]])
def test_dates_and_day_counts_outside_the_calendar_are_usage_errors(run, args) -> None:
    r = run(*args)
    assert r.exit_code == 2
    assert "Traceback" not in r.stderr


def test_set_add_appends_under_the_lock_and_unset_empties_the_status_row(run, vault) -> None:
    assert run("set", "Acme Corp", "owner", "--add", "[[Sam Hopewell]]").exit_code == 0
    assert run("get", "Acme Corp", "owner").stdout == "[[Jeff Denworth]]\n[[Sam Hopewell]]\n"
    assert run("set", "Acme Corp", "owner", "x", "--add", "y").exit_code == 2
    assert run("unset", "Acme Corp", "Renewal").exit_code == 0  # only a status row of that name
    assert "| **Renewal** |  |" in (vault / "Customers" / "Acme Corp.md").read_text()
    assert run("unset", "Acme Corp", "nothing-here").exit_code == 3


def test_a_recurring_task_keeps_its_id_through_done_and_undo(run, vault) -> None:
    note = vault / "Customers" / "Globex.md"
    note.write_bytes(note.read_bytes().replace("Book the QBR room 📅".encode(), "Book the QBR room 🔁 every week 📅".encode()))
    tasks = json.loads(run("task", "list", "Globex", "--json").stdout)
    tid = tasks[0]["id"]
    assert run("task", "done", "Globex", tid).exit_code == 0
    after = {t["id"]: t for t in json.loads(run("task", "list", "Globex", "--all", "--json").stdout)
             if t["path"] == "Customers/Globex.md"}  # (its meeting's task, filed by `account:`, is listed too)
    assert after[tid]["done"] is True and len(after) == 2  # the new instance has an id of its own
    assert run("task", "undo", "Globex", tid).exit_code == 0


def test_a_bare_task_number_needs_the_note_it_counts_in(run) -> None:
    r = run("task", "done", "2")
    assert r.exit_code == 2
    assert "NAME" in r.stderr


def test_a_meeting_links_its_account_so_that_the_link_names_that_note_alone(run, vault) -> None:
    r = run("new", "meeting", "Pricing sync", "--account", "Customers/OpenAI.md")
    assert r.exit_code == 0, r.stderr
    text = (vault / "Meetings" / "2026-11-22 Pricing sync.md").read_text()
    assert 'account: "[[Customers/OpenAI|OpenAI]]"' in text  # "OpenAI" is also Inbox/OpenAI.md; shown as its name
    r = run("new", "meeting", "Pilot review", "--account", "Anthropic")
    assert 'account: "[[Customers/Anthropic/README|Anthropic]]"' in (vault / "Meetings" / "2026-11-22 Pilot review.md").read_text()
    assert run("new", "meeting", "Renewal", "--account", "Acme Corp").exit_code == 0
    assert 'account: "[[Acme Corp]]"' in (vault / "Meetings" / "2026-11-22 Renewal.md").read_text()
    inbox = json.loads(run("show", "Inbox/OpenAI.md", "--json").stdout)
    assert inbox["last_contact_source"] != "meeting"


def test_a_value_yaml_1_1_would_reject_does_not_stop_editing_another_key(run, vault) -> None:
    note = vault / "People" / "Dana Scully.md"
    note.write_text(note.read_text().replace("type: person\n", "type: person\nmet: 2026-02-30\n"))
    before = note.read_text()
    r = run("set", "Dana Scully", "role", "CTO")
    assert r.exit_code == 0, r.stderr
    assert note.read_text() == before.replace("role: Head of infrastructure, Anthropic", "role: CTO")
