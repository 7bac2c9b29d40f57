"""`links`: backlinks and unlinked mentions, checked against lists counted by hand.

The example vault's expected lists were counted with `grep -rn "\\[\\[NAME" examples/vault` (links)
and `grep -rni "NAME" examples/vault` minus those lines (mentions); a second vault holds the
forms the example vault lacks: Markdown links, aliases, paths, embeds, code.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import Run, invoke, make_vault

Runner = Callable[..., Run]


def rows(r: Run) -> list[tuple[str, int, str]]:
    assert r.exit_code == 0, r.stderr
    return [(m["path"], m["line"], m["kind"]) for m in json.loads(r.stdout)]


# ---- the example vault, counted by hand --------------------------------------------------------
BACKLINKS = {
    "Jeff Denworth": [("Customers/Acme Corp.md", 7, "wikilink"),  # owner: "[[Jeff Denworth]]"
                      ("Customers/Anthropic/2026-10-02 Kickoff.md", 6, "wikilink"),  # attendees
                      ("Customers/OpenAI.md", 43, "wikilink")],  # Key Contacts
    "Dana Scully": [("Customers/Anthropic/2026-10-02 Kickoff.md", 5, "wikilink"),
                    ("Customers/Anthropic/2026-11-10 Pricing call.md", 5, "wikilink"),
                    ("Customers/Anthropic/README.md", 31, "wikilink")],
    "Sam Hopewell": [("Customers/OpenAI.md", 44, "wikilink"), ("Meetings/2026-11-18 Globex QBR.md", 6, "wikilink")],
    "Globex": [("Meetings/2026-11-18 Globex QBR.md", 4, "wikilink")],  # account: "[[Globex]]"
    "Acme Corp": [("Daily/2026-11-20.md", 3, "wikilink")],
    "Microsoft no longer exclusive": [("Customers/OpenAI.md", 61, "wikilink")],
    "Customers/OpenAI.md": [],
    "Anthropic PBC": [],
}
MENTIONS = {
    "Jeff Denworth": [("Customers/Acme Corp.md", 14, "mention"), ("Customers/OpenAI.md", 15, "mention"),
                      ("Customers/OpenAI.md", 17, "mention"), ("Inbox/OpenAI.md", 17, "mention")],  # (via …)
    "Sam Hopewell": [("Customers/Globex.md", 15, "mention"), ("Customers/OpenAI.md", 16, "mention"),
                     ("Inbox/OpenAI.md", 16, "mention")],
    "Globex": [("Meetings/2026-11-18 Globex QBR.md", 10, "mention")],  # the heading "# Globex QBR"
    "Acme Corp": [],
}


@pytest.mark.parametrize("name", BACKLINKS)
def test_backlinks_in_the_example_vault_are_the_ones_counted_by_hand(run: Runner, name: str) -> None:
    assert rows(run("links", name, "--json")) == BACKLINKS[name]


@pytest.mark.parametrize("name", MENTIONS)
def test_unlinked_mentions_in_the_example_vault_are_the_ones_counted_by_hand(run: Runner, name: str) -> None:
    assert rows(run("links", name, "--unlinked", "--json")) == MENTIONS[name]


def test_each_row_carries_the_line_as_written(run: Runner) -> None:
    found = json.loads(run("links", "Jeff Denworth", "--json").stdout)
    assert [m["text"] for m in found] == ['owner: "[[Jeff Denworth]]"', '  - "[[Jeff Denworth]]"',
                                         "- [[Jeff Denworth]]"]
    assert found[0]["title"] == "Acme Corp"


def test_csv_and_table_show_the_same_rows(run: Runner) -> None:
    r = run("links", "Sam Hopewell", "--csv")
    # a cell starting with - is guarded against spreadsheet formulas, as in every CSV of vaultcrm
    assert r.stdout.splitlines() == ["path,line,kind,text", "Customers/OpenAI.md,44,wikilink,'- [[Sam Hopewell]]",
                                     'Meetings/2026-11-18 Globex QBR.md,6,wikilink,"  - ""[[Sam Hopewell]]"""']
    table = run("links", "Sam Hopewell").stdout
    assert "Links to Sam Hopewell (People/Sam Hopewell.md)" in table and "Globex QBR" in table


def test_a_name_that_is_unknown_or_names_several_notes_exits_3_or_4(run: Runner) -> None:
    assert run("links", "Nobody Inc").exit_code == 3
    r = run("links", "OpenAI")
    assert r.exit_code == 4 and "Inbox/OpenAI.md" in r.stderr


def test_a_clipped_source_is_a_backlink_of_its_account(run: Runner) -> None:
    from conftest import SEEDS

    seed = sorted(SEEDS.glob("004_*.txt"))
    if not seed:
        pytest.skip("../shared/seeds is not beside the checkout")
    assert run("clip", str(seed[0]), "-a", "Globex").exit_code == 0
    found = rows(run("links", "Globex", "--json"))
    assert ("Sources/OpenAI's cloud tug\u2011of\u2011war.md", 13, "wikilink") in found  # accounts: "[[Globex]]"
    assert ("Customers/Globex.md", 15, "wikilink") not in found  # a note is not its own backlink


# ---- every form of link and mention -------------------------------------------------------------
TARGET = """---
title: Acme Corporation
aliases: [Acme, ACME Inc]
---
# Acme Corporation
A link to [[Acme Corp]] in the note itself is no backlink.
"""
LINKING = """---
account: "[[Acme Corp|the customer]]"
partners:
  - "[Acme](Customers/Acme%20Corp.md)"
---
# Call notes

We met [[Acme]] today, and [[acme inc#Pricing|their team]].
![[Customers/Acme Corp]] is embedded here.
A [Markdown link](../Customers/Acme%20Corp.md#Status) and [another](<Acme Corp.md>).
Not links: `[[Acme Corp]]`, [web](https://acme.example.com/Acme%20Corp.md), [pdf](Acme Corp.pdf)
```
[[Acme Corp]] in a fence
```
Acme called twice; acme inc (lower case) too; ACMEINC is not a word match; Acme Corporation rocks.
#acme is a tag, https://acme.example.com a URL, `Acme` code, [[Acme]] a link; only Acmeish here.
"""


@pytest.fixture
def forms(tmp_path: Path) -> Path:
    return make_vault(tmp_path / "forms", {"Customers/Acme Corp.md": TARGET, "Meetings/Call.md": LINKING,
                                          "Other/Unrelated.md": "Nothing about them.\n"})


def test_wikilinks_markdown_links_embeds_and_properties_are_backlinks_code_is_not(forms: Path) -> None:
    r = invoke(["--vault", str(forms), "links", "Acme Corporation", "--json"])
    assert rows(r) == [("Meetings/Call.md", 2, "wikilink"), ("Meetings/Call.md", 4, "markdown"),
                       ("Meetings/Call.md", 8, "wikilink"), ("Meetings/Call.md", 9, "wikilink"),
                       ("Meetings/Call.md", 10, "markdown"), ("Meetings/Call.md", 16, "wikilink")]


def test_mentions_are_whole_words_in_any_case_outside_code_links_urls_and_tags(forms: Path) -> None:
    r = invoke(["--vault", str(forms), "links", "Customers/Acme Corp", "--unlinked", "--json"])
    assert rows(r) == [("Meetings/Call.md", 15, "mention")]
    assert json.loads(r.stdout)[0]["text"].startswith("Acme called twice")


def test_the_sources_of_an_account_are_those_filed_under_it_or_linked_from_it(vault: Path, run: Runner) -> None:
    """What `show` lists under "Sources": a clipping naming the account in `accounts:`, and the
    article its Related section links to; newest published first."""
    from datetime import date

    from conftest import SEEDS

    from vaultcrm.ops.context import Context
    from vaultcrm.ops.links import sources_of
    from vaultcrm.store.vault import Vault

    seed = sorted(SEEDS.glob("004_*.txt"))
    if not seed:
        pytest.skip("../shared/seeds is not beside the checkout")
    assert run("clip", str(seed[0]), "-a", "Customers/OpenAI.md", "--published", "2026-04-14", "--site", "CNBC",
               "--url", "https://example.com/memo").exit_code == 0
    ctx = Context.open(Vault(vault), date(2026, 11, 22), focus="Customers/OpenAI.md")
    assert sources_of(ctx, ctx.resolve("Customers/OpenAI.md", reading=True)) == [
        {"title": "OpenAI's cloud tug\u2011of\u2011war", "path": "Sources/OpenAI's cloud tug\u2011of\u2011war.md",
         "published": "2026-04-14", "site": "CNBC", "source": "https://example.com/memo", "description": None},
        {"title": "Microsoft no longer exclusive", "path": "Sources/Microsoft no longer exclusive.md",
         "published": None, "site": None, "source": "TechCrunch", "description": None}]
    assert sources_of(ctx, ctx.resolve("Globex", reading=True)) == []


def test_a_mention_is_found_in_nfd_text_across_two_spaces_and_a_markdown_link_percent_escaped(tmp_path: Path) -> None:
    root = make_vault(tmp_path / "v", {
        "Caf\u00e9 Z\u00fcrich.md": "# Caf\u00e9 Z\u00fcrich\n",
        "Notes/a.md": "Lunch at Cafe\u0301  Zu\u0308rich today.\nSee [it](../Caf%C3%A9%20Z%C3%BCrich.md).\n",
    })
    mentions = invoke(["--vault", str(root), "links", "Caf\u00e9 Z\u00fcrich", "--unlinked", "--json"])
    assert rows(mentions) == [("Notes/a.md", 1, "mention")]
    found = invoke(["--vault", str(root), "links", "Caf\u00e9 Z\u00fcrich", "--json"])
    assert rows(found) == [("Notes/a.md", 2, "markdown")]


# ---- from the index -------------------------------------------------------------------------------
@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The notes `links` opens, in order."""
    from vaultcrm.ops import links as linking

    seen: list[str] = []
    real = linking._bytes

    def spy(ctx: object, root: str, path: str) -> bytes | None:
        seen.append(path)
        return real(ctx, root, path)  # type: ignore[arg-type]

    monkeypatch.setattr(linking, "_bytes", spy)
    return seen


def _links(root: Path, *args: str, cache: bool = True) -> list[tuple[str, int, str]]:
    return rows(invoke(["--vault", str(root), "links", *args, "--json"],
                       env=None if cache else {"VAULTCRM_NO_CACHE": "1"}))


def test_the_index_names_the_notes_to_read_so_no_other_note_is_opened(forms: Path, reads: list[str]) -> None:
    filler = {f"Other/Note {i:03}.md": f"Note {i} about pricing and [[Globex]].\n" for i in range(40)}
    make_vault(forms, filler)
    _links(forms, "Acme Corporation")  # the first run builds the index
    reads.clear()
    assert [r[0] for r in _links(forms, "Acme Corporation")] == ["Meetings/Call.md"] * 6
    assert reads == ["Meetings/Call.md"]
    _links(forms, "Customers/Acme Corp", "--unlinked")  # the first search indexes the words
    reads.clear()
    assert _links(forms, "Customers/Acme Corp", "--unlinked") == [("Meetings/Call.md", 15, "mention")]
    assert reads == ["Meetings/Call.md"]  # no filler note holds a word of the names


def test_without_the_index_every_answer_is_the_same(forms: Path, reads: list[str]) -> None:
    for args in (("Acme Corporation",), ("Customers/Acme Corp", "--unlinked")):
        assert _links(forms, *args, cache=False) == _links(forms, *args) == _links(forms, *args)
    assert len(reads) > 3  # the search without an index read every note at least once


def test_edits_made_behind_the_index_s_back_are_seen(forms: Path) -> None:
    """Another app adds a link and a mention, then deletes a linking note: the index re-reads
    changed notes, drops deleted ones, and the words of each are indexed again."""
    _links(forms, "Acme Corporation"), _links(forms, "Customers/Acme Corp", "--unlinked")
    (forms / "Other" / "Unrelated.md").write_text("See [Acme](../Customers/Acme%20Corp.md).\nAcme again.\n")
    assert ("Other/Unrelated.md", 1, "markdown") in _links(forms, "Acme Corporation")
    assert _links(forms, "Customers/Acme Corp", "--unlinked") == [("Meetings/Call.md", 15, "mention"),
                                                                 ("Other/Unrelated.md", 2, "mention")]
    (forms / "Meetings" / "Call.md").unlink()
    assert _links(forms, "Acme Corporation") == [("Other/Unrelated.md", 1, "markdown")]
    assert _links(forms, "Customers/Acme Corp", "--unlinked") == [("Other/Unrelated.md", 2, "mention")]


def test_dead_word_rows_make_the_table_anew_and_answers_hold(forms: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import sqlite3

    from vaultcrm.store import lookups

    monkeypatch.setattr(lookups, "DEAD_SLACK", 0)
    note = forms / "Other" / "Unrelated.md"
    for i in range(4):  # each change leaves the note's old row dead
        note.write_text(f"Acme, take {i}{'.' * i}\n")
        assert _links(forms, "Customers/Acme Corp", "--unlinked")[-1] == ("Other/Unrelated.md", 1, "mention")
    db = sqlite3.connect(forms / ".vaultcrm" / "index.sqlite")
    live = db.execute("SELECT count(*) FROM words_docs").fetchone()[0]
    (nxt,) = db.execute("SELECT value FROM meta WHERE key = 'words_next'").fetchone()
    assert live == 3 and int(nxt) - 1 - live <= live  # rebuilt: no more dead rows than live ones


def test_a_markdown_link_on_a_line_too_hostile_to_scan_is_still_found(forms: Path) -> None:
    hostile = "[" * 2100 + " [it](Customers/Acme%20Corp.md)\n"
    make_vault(forms, {"Other/Hostile.md": hostile})
    assert ("Other/Hostile.md", 1, "markdown") in _links(forms, "Acme Corporation")


@pytest.mark.parametrize(("text", "targets"), [
    ("[a](Customers/Acme%20Corp.md#Status) [b](<Acme Corp.md>) [c](/Top.md)", ["Customers/Acme Corp", "Acme Corp", "/Top"]),
    ("[web](https://x.example/a.md) [mail](mailto:a@b.c) [pdf](Deck.pdf) [img](a.png)", []),
    ("[no ext](People/Dana Scully) twice [again](People/Dana Scully)", ["People/Dana Scully"]),
    ("[a](\nb.md)", []),  # a link never spans lines
    ("[" * 2100 + "[x](y.md)", ["*"]),
])
def test_markdown_targets_are_the_notes_markdown_links_name(text: str, targets: list[str]) -> None:
    from vaultcrm.model.grammar import markdown_targets

    assert markdown_targets(text) == targets
