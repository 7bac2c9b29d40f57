"""The right notes and the right accounts: excluded files, template folders, archived copies,
interactions typed as accounts, and entries that record no contact. Answers worked out by hand;
today is 2026-11-22."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import invoke, make_vault, snapshot


def account(last: str, kind: str = "customer", extra: str = "") -> str:
    return f"---\ntype: {kind}\nlast_contact: {last}\n{extra}---\n# Note\n"


def titles(root: Path, *args: str) -> list[str]:
    r = invoke(["--vault", str(root), *args, "--json"])
    assert r.exit_code == 0, r.stderr
    return [row["title"] for row in json.loads(r.stdout)]


# ---- excluded files ------------------------------------------------------------------------------
@pytest.mark.parametrize(("filters", "toml", "left_out"), [
    (["_archive/"], "", {"_archive/Acme.md", "_archive/old/Globex.md"}),
    (["/^_arch.*Globex/"], "", {"_archive/old/Globex.md"}),  # Obsidian's /regex/ form
    (["_arch"], "", {"_archive/Acme.md", "_archive/old/Globex.md"}),  # a plain prefix, as Obsidian applies it
    ([], 'exclude = ["_archive"]\n', {"_archive/Acme.md", "_archive/old/Globex.md"}),
    ([], 'exclude = ["**/Globex.md"]\n', {"_archive/old/Globex.md", "Customers/Globex.md"}),
    ([], 'exclude = ["_archive/*"]\n', {"_archive/Acme.md", "_archive/old/Globex.md"}),
])
def test_excluded_files_are_not_notes(tmp_path: Path, filters: list[str], toml: str, left_out: set[str]) -> None:
    files = {
        "Customers/Acme.md": account("2026-11-20"), "Customers/Globex.md": account("2026-01-01"),
        "_archive/Acme.md": account("2025-01-01"), "_archive/old/Globex.md": account("2025-01-01"),
        ".obsidian/app.json": json.dumps({"userIgnoreFilters": filters}),
    }
    if toml:
        files[".vaultcrm.toml"] = toml
    root = make_vault(tmp_path / "v", files)
    r = invoke(["--vault", str(root), "list", "--json"])
    listed = {row["path"] for row in json.loads(r.stdout)}
    every = {"Customers/Acme.md", "Customers/Globex.md", "_archive/Acme.md", "_archive/old/Globex.md"}
    assert listed == every - left_out
    index = json.loads(invoke(["--vault", str(root), "index", "--json"]).stdout)
    assert index["excluded"] == len(left_out)


def test_an_explicit_path_still_reaches_an_excluded_note(tmp_path: Path) -> None:
    root = make_vault(tmp_path / "v", {"Customers/Acme.md": account("2026-11-20"),
                                        "_archive/Acme.md": account("2025-01-01"),
                                        ".obsidian/app.json": '{"userIgnoreFilters": ["_archive/"]}'})
    r = invoke(["--vault", str(root), "get", "_archive/Acme.md", "last_contact"])
    assert (r.exit_code, r.stdout) == (0, "2025-01-01\n")
    assert invoke(["--vault", str(root), "get", "Acme", "last_contact"]).stdout == "2026-11-20\n"


@pytest.mark.parametrize(("settings", "folder"), [
    ({".obsidian/templates.json": '{"folder": "Meta/Tpl"}'}, "Meta/Tpl"),
    ({".obsidian/plugins/templater-obsidian/data.json": '{"templates_folder": "Meta/Templater"}'}, "Meta/Templater"),
    ({}, "Templates"),  # no plugin says where: a Templates folder is assumed to hold templates
])
def test_template_folders_are_not_notes(tmp_path: Path, settings: dict[str, str], folder: str) -> None:
    template = "---\ntype: customer\nlast_contact:\n---\n# {{title}}\n"
    root = make_vault(tmp_path / "v", {"Customers/Acme.md": account("2026-01-01"), f"{folder}/Customer.md": template,
                                        **settings})
    assert titles(root, "stale") == ["Acme"]


# ---- archived copies ------------------------------------------------------------------------------
ARCHIVED = {
    "Customers/Acme.md": account("2026-11-20") + "\n## Recent Context\n- 2026-11-20: [[2026-11-20]] - call (via Wile)\n",
    "_archive/Acme.md": account("2025-01-01"),
    "Archive/2024/Acme.md": account("2024-01-01"),
}


@pytest.mark.parametrize("command", [["show", "Acme", "--json"], ["timeline", "Acme", "--json"],
                                     ["who", "Acme", "--json"], ["task", "list", "Acme", "--json"]])
def test_a_read_takes_the_live_note_among_archived_copies_and_says_so(tmp_path: Path, command: list[str]) -> None:
    root = make_vault(tmp_path / "v", ARCHIVED)
    r = invoke(["--vault", str(root), *command])
    assert r.exit_code == 0, r.stderr
    assert "also names 2 archived copies (in Archive, _archive); using Customers/Acme.md" in r.stderr
    assert 'exclude = ["Archive", "_archive"]' in r.stderr


def test_an_edit_never_picks_among_archived_copies(tmp_path: Path) -> None:
    root = make_vault(tmp_path / "v", ARCHIVED)
    before = snapshot(root)
    r = invoke(["--vault", str(root), "log", "Acme", "call"])
    assert r.exit_code == 4
    assert "2 of them under an archive folder (Archive, _archive)" in r.stderr
    assert 'hint: to leave archived notes out of vaultcrm, add to .vaultcrm.toml: exclude = ["Archive", "_archive"]' \
        in r.stderr
    assert snapshot(root) == before


def test_two_live_notes_stay_ambiguous_for_reads_too(tmp_path: Path) -> None:
    root = make_vault(tmp_path / "v", {"Customers/Acme.md": account("2026-11-20"),
                                        "Partners/Acme.md": account("2026-11-20", "partner")})
    assert invoke(["--vault", str(root), "timeline", "Acme"]).exit_code == 4


# ---- interactions are not accounts -------------------------------------------------------------------
INTERACTIONS = {
    # a folder-note account with a QBR note typed like the account (copied template)
    "Customers/Acme/Acme.md": "---\ntype: customer\ncadence: 30\n---\n# Acme\n",
    "Customers/Acme/2026-11-10 Acme QBR.md": "---\ntype: customer\n---\n# QBR\n",
    # a single-file account and an interaction elsewhere naming it in account:
    "Customers/Globex.md": "---\ntype: customer\nlast_contact: 2026-09-01\n---\n# Globex\n",
    "Calls/2026-10-30 Globex call.md": "---\ntype: customer\naccount: \"[[Globex]]\"\n---\n# Call\n",
    "Calls/2026-10-31 Globex email.md": "---\ntype: email\naccount: Globex\n---\n# Email\n",
    # a dated note that belongs to no account stays what its type says
    "Customers/2026-01-05 Initech.md": "---\ntype: customer\nlast_contact: 2026-01-05\n---\n# Initech\n",
}


def test_interactions_date_their_account_and_are_not_accounts(tmp_path: Path) -> None:
    root = make_vault(tmp_path / "v", INTERACTIONS)
    r = invoke(["--vault", str(root), "stale", "--days", "5", "--json"])
    rows = {row["title"]: row for row in json.loads(r.stdout)}
    # Acme: QBR on 11-10 (12 days > 5); Globex: email on 10-31 beats the call and last_contact 09-01;
    # Initech (dated but filed under nothing) is an account: 2026-01-05.
    assert list(rows) == ["2026-01-05 Initech", "Globex", "Acme"]
    assert (rows["Acme"]["last_contact"], rows["Acme"]["source"], rows["Acme"]["interactions"]) == \
        ("2026-11-10", "meeting", 1)
    assert (rows["Globex"]["last_contact"], rows["Globex"]["interactions"]) == ("2026-10-31", 2)
    assert titles(root, "list", "--kind", "customer") == ["2026-01-05 Initech", "Acme", "Globex"]


def test_list_json_counts_each_accounts_interactions(tmp_path: Path) -> None:
    root = make_vault(tmp_path / "v", INTERACTIONS)
    rows = json.loads(invoke(["--vault", str(root), "list", "--json"]).stdout)
    counts = {row["path"]: row["interactions"] for row in rows}
    assert counts["Customers/Acme/Acme.md"] == 1 and counts["Customers/Globex.md"] == 2
    assert counts["Customers/2026-01-05 Initech.md"] == 0
    assert counts["Calls/2026-10-31 Globex email.md"] is None  # not an account: no count


def test_agenda_shows_accounts_already_stale_most_overdue_first(tmp_path: Path) -> None:
    root = make_vault(tmp_path / "v", {
        "Customers/Late.md": account("2026-10-01", extra="cadence: 30\n"),      # 52 days: 22 past its cadence
        "Customers/Later.md": account("2026-08-01", extra="cadence: 30\n"),     # 113 days: 83 past
        "Customers/Soon.md": account("2026-10-25", extra="cadence: 30\n"),      # stale on 11-25: going stale
        "Customers/Fresh.md": account("2026-11-20", extra="cadence: 30\n"),
        "Customers/Never.md": "---\ntype: customer\n---\n# Never\n",        # no day to be late from
    })
    data = json.loads(invoke(["--vault", str(root), "agenda", "--json"]).stdout)
    assert [(r["title"], r["days_overdue"], r["stale_on"]) for r in data["stale_now"]] == \
        [("Later", 83, "2026-09-01"), ("Late", 22, "2026-11-01")]  # last + cadence + 1 day
    assert [r["title"] for r in data["going_stale"]] == ["Soon"]
    r = invoke(["--vault", str(root), "agenda"])
    assert "Stale now" in r.stdout and "Later" in r.stdout


def test_doctor_names_interactions_typed_as_accounts(tmp_path: Path) -> None:
    root = make_vault(tmp_path / "v", INTERACTIONS)
    r = invoke(["--vault", str(root), "doctor", "--json"])
    found = sorted((f["path"], f["line"]) for f in json.loads(r.stdout) if f["code"] == "interaction-typed-as-account")
    assert found == [("Calls/2026-10-30 Globex call.md", 2), ("Customers/Acme/2026-11-10 Acme QBR.md", 2)]


def test_timeline_and_tasks_of_an_account_include_its_interactions(tmp_path: Path) -> None:
    files = dict(INTERACTIONS)
    files["Calls/2026-10-30 Globex call.md"] += "\n- [ ] Send the deck 📅 2026-12-01\n"
    files["Calls/2026-10-31 Globex email.md"] += "\n## Recent Context\n- 2026-10-31: [[2026-10-31]] - emailed\n"
    root = make_vault(tmp_path / "v", files)
    assert [t["text"] for t in json.loads(invoke(["--vault", str(root), "task", "list", "Globex", "--json"]).stdout)] \
        == ["Send the deck"]
    rows = json.loads(invoke(["--vault", str(root), "timeline", "Globex", "--json"]).stdout)
    assert [(row["date"], row["account"], row["text"]) for row in rows] == [("2026-10-31", "Globex", "emailed")]


# ---- entries that record no contact --------------------------------------------------------------------
def test_mentions_and_clippings_do_not_date_an_account(tmp_path: Path) -> None:
    note = ("---\ntype: customer\n---\n# Acme\n\n## Recent Context\n"
            "- 2026-11-20: [[OpenAI cloud deal]] - in the news\n"
            "- 2026-11-19: [[2026-11-19]] - Mentioned in: weekly digest\n"
            "- 2026-10-01: [[2026-10-01]] - call with the CFO\n")
    root = make_vault(tmp_path / "v", {
        "Customers/Acme.md": note,
        "Sources/OpenAI cloud deal.md": "---\ntype: article\n---\n# Deal\n",
        ".vaultcrm.toml": '[contact]\nnot_contact = ["Mentioned in:"]\n',
    })
    [row] = json.loads(invoke(["--vault", str(root), "stale", "--days", "0", "--json"]).stdout)
    assert (row["last_contact"], row["source"]) == ("2026-10-01", "recent_context")
    shown = json.loads(invoke(["--vault", str(root), "show", "Acme", "--json"]).stdout)
    assert [e["date"] for e in shown["recent_context"]] == ["2026-11-20", "2026-11-19", "2026-10-01"]


# ---- the exclusion rules, compiled: the same answers as the plain rules ----------------------------
from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from vaultcrm.model.exclusion import Exclusion, under  # noqa: E402

SEGMENT = st.sampled_from(["_archive", "Arch", "Templates", "Meta", "a.b", "x(1)", "Old", "Notes", ""])


@given(st.lists(SEGMENT, min_size=1, max_size=4), st.lists(SEGMENT, max_size=3), st.lists(SEGMENT, max_size=2),
       st.lists(SEGMENT, max_size=2))
def test_compiled_exclusion_rules_answer_as_the_plain_rules(parts: list[str], obsidian: list[str], own: list[str],
                                                            templates: list[str]) -> None:
    path = "/".join(parts) + ".md"
    ex = Exclusion(tuple(p for p in obsidian if p), (), tuple(o for o in own if o), (), tuple(t for t in templates if t)
                   or ("Templates",))
    expected = ("obsidian" if any(path.startswith(p) for p in ex.obsidian_prefixes)
                else "config" if any(under(path, p) for p in ex.own_prefixes)
                else "templates" if any(under(path, f) for f in ex.template_folders) else None)
    assert ex.reason(path) == expected
    assert ex.reason(path.removesuffix(".md")) == ("obsidian" if any(path.removesuffix(".md").startswith(p)
                                                                   for p in ex.obsidian_prefixes)
                                                   else "config" if any(under(path.removesuffix(".md"), p)
                                                                        for p in ex.own_prefixes)
                                                   else "templates" if any(under(path.removesuffix(".md"), f)
                                                                           for f in ex.template_folders) else None)
