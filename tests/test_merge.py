"""`merge FROM INTO`: the seed notes' duplicate "OpenAI" merged into one note, FROM kept in .trash/."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from conftest import SEEDS, invoke, make_vault, snapshot

from vaultcrm.model import grammar, taskline

from vaultcrm.model import merging as merge
from vaultcrm.model.note import Note

if not SEEDS.is_dir():  # the seed notes live in ../shared beside the checkout
    pytest.skip("../shared/seeds is not beside the checkout", allow_module_level=True)
SEED_A = next(SEEDS.glob("000_*.txt")).read_text(encoding="utf-8")
SEED_B = next(SEEDS.glob("001_*.txt")).read_text(encoding="utf-8")


@pytest.fixture
def seeds(tmp_path: Path) -> Path:
    return make_vault(tmp_path / "seeds", {"Customers/OpenAI.md": SEED_A, "Inbox/OpenAI.md": SEED_B,
                                           "People/Jeff.md": "Works with [[Inbox/OpenAI]] and [[OpenAI]].\n"})


def section(text: str, heading: str) -> list[str]:
    note = Note.parse(text)
    s = note.find_sections(heading)[0]
    return [line.rstrip("\n") for line in note.lines[s.body_start:s.end] if line.strip()]


def vcrm(root: Path, *args: str):  # noqa: ANN201
    return invoke(["--vault", str(root), *args])


@pytest.mark.parametrize(("from_", "into"), [("Inbox/OpenAI", "Customers/OpenAI.md"),
                                             ("Customers/OpenAI.md", "Inbox/OpenAI")])
def test_merging_the_seed_duplicates_keeps_every_entry_task_and_fact_once(seeds: Path, from_: str, into: str) -> None:
    into_path = into.removesuffix(".md") + ".md"
    from_path = from_.removesuffix(".md") + ".md"
    from_bytes = (seeds / from_path).read_bytes()
    r = vcrm(seeds, "merge", from_, into)
    assert r.exit_code == 0, r.stderr
    merged = (seeds / into_path).read_text(encoding="utf-8")
    rc = section(merged, "Recent Context")
    for seed in (SEED_A, SEED_B):
        for line in section(seed, "Recent Context"):
            assert rc.count(line) == 1, line
        for line in section(seed, "Key Facts"):
            assert section(merged, "Key Facts").count(line) == 1, line
        for line in section(seed, "Blockers") if "## Blockers" in seed else []:
            assert line in section(merged, "Blockers")
    assert len(rc) == len(set(section(SEED_A, "Recent Context")) | set(section(SEED_B, "Recent Context")))
    tasks = [taskline.parse_task(t) for t in section(merged, "Open Tasks")]
    assert [t.description for t in tasks if t] == [
        "Discuss with OpenAI the idea of providing a sync engine/data movement capability (in response to "
        "OpenAI moving away from Blob’s replication engine)."]
    dates = [e.date for e in map(grammar.parse_entry, rc) if e and e.date]
    assert dates == sorted(dates, reverse=True)
    assert all(grammar.parse_entry(line).date is None for line in rc[:2])  # the two undated lines stay on top
    assert not (seeds / from_path).exists()
    assert (seeds / ".trash" / from_path).read_bytes() == from_bytes
    props = Note.parse(merged).properties
    assert props["last_contact"] == "2025-12-19"
    assert props["tags"] == ["type/customer", "generated"]
    assert "aliases" not in props  # same title: nothing to alias
    topics = section(merged, "Topics")
    assert len(topics) == 1 and "Microsoft AI capacity expansion (self-build, leases, neocloud)" in topics[0]
    assert topics[0].count("Blob API vs Tuscany trade-offs") == 1
    assert section(merged, "Account Status")[2] == "| **Status** | Prospect |"
    assert vcrm(seeds, "doctor", into_path).exit_code in (0, 1)
    report = json.loads(vcrm(seeds, "doctor", "--json", into_path).stdout)
    assert {x["code"] for x in report} <= {"undated-entry"}


def test_merge_keeps_into_lines_and_only_adds_to_them(seeds: Path) -> None:
    before = (seeds / "Customers/OpenAI.md").read_text(encoding="utf-8")
    vcrm(seeds, "merge", "Inbox/OpenAI", "Customers/OpenAI")
    after = (seeds / "Customers/OpenAI.md").read_text(encoding="utf-8")
    topics = section(before, "Topics")[0]
    kept = [line for line in before.splitlines() if line != topics]
    assert all(after.splitlines().count(line) >= 1 for line in kept)
    assert section(after, "Topics")[0].startswith(topics + ", ")


def test_a_shared_title_is_ambiguous_so_paths_choose(seeds: Path) -> None:
    r = vcrm(seeds, "merge", "OpenAI", "Customers/OpenAI")
    assert r.exit_code == 4
    assert "Inbox/OpenAI.md" in r.stderr


def test_links_to_from_by_path_are_rewritten_and_title_links_kept(seeds: Path) -> None:
    r = vcrm(seeds, "merge", "Inbox/OpenAI", "Customers/OpenAI")
    assert r.exit_code == 0, r.stderr
    assert (seeds / "People/Jeff.md").read_text() == "Works with [[Customers/OpenAI]] and [[OpenAI]].\n"


def test_merge_dry_run_shows_every_file_and_writes_nothing(seeds: Path) -> None:
    files = snapshot(seeds)
    r = vcrm(seeds, "merge", "--dry-run", "Inbox/OpenAI", "Customers/OpenAI")
    assert r.exit_code == 0
    assert snapshot(seeds) == files
    for header in ("+++ b/Customers/OpenAI.md", "--- a/Inbox/OpenAI.md", "+++ b/People/Jeff.md"):
        assert header in r.stdout


def test_the_trash_name_gets_a_number_when_taken(seeds: Path) -> None:
    (seeds / ".trash/Inbox").mkdir(parents=True)
    (seeds / ".trash/Inbox/OpenAI.md").write_text("older\n")
    r = vcrm(seeds, "merge", "--json", "Inbox/OpenAI", "Customers/OpenAI")
    assert json.loads(r.stdout)["trash"] == ".trash/Inbox/OpenAI 1.md"
    assert (seeds / ".trash/Inbox/OpenAI.md").read_text() == "older\n"
    assert (seeds / ".trash/Inbox/OpenAI 1.md").read_text(encoding="utf-8") == SEED_B


def test_undo_of_a_merge_restores_every_file_exactly(seeds: Path) -> None:
    files = snapshot(seeds)
    vcrm(seeds, "merge", "Inbox/OpenAI", "Customers/OpenAI")
    assert vcrm(seeds, "undo").exit_code == 0
    assert snapshot(seeds) == files
    assert not (seeds / ".trash").exists()  # the folders the move made are gone again


def test_merging_a_note_into_itself_is_a_usage_error(seeds: Path) -> None:
    assert vcrm(seeds, "merge", "Inbox/OpenAI", "Inbox/OpenAI.md").exit_code == 2


OLD = """---
title: Old Co
created: 2025-01-05
last_contact: 2026-03-01
tags: [lead, emea]
owner: Sam
region: EMEA
---

## Key Contacts

- [[Dana Scully]]

## Blockers

- ❌ Budget freeze

## Notes

Met at the conference.
"""
NEW = """---\r
title: New Co\r
created: 2025-06-01\r
last_contact: 2026-01-01\r
tags: [customer]\r
owner: Jeff\r
---\r
\r
## Key Contacts\r
\r
_No key contacts identified._\r
\r
## Related\r
\r
- [[Acme]]\r
"""


@pytest.fixture
def companies(tmp_path: Path) -> Path:
    return make_vault(tmp_path / "co", {
        "Old Co.md": OLD, "New Co.md": NEW.encode("utf-8"),
        "People/Jane.md": '---\naccount: "[[Old Co]]"\n---\nSee [[Old Co#Notes|the old one]].\n'
                          "```\n[[Old Co]]\n```\n"})


def test_properties_are_united_into_winning_except_dates_and_lists(companies: Path) -> None:
    assert vcrm(companies, "merge", "Old Co", "New Co").exit_code == 0
    props = Note.parse((companies / "New Co.md").read_text(encoding="utf-8")).properties
    assert props == {"title": "New Co", "created": "2025-01-05", "last_contact": "2026-03-01",
                     "tags": ["customer", "lead", "emea"], "owner": "Jeff", "region": "EMEA",
                     "aliases": ["Old Co"]}


def test_sections_are_united_in_canonical_order_keeping_crlf(companies: Path) -> None:
    vcrm(companies, "merge", "Old Co", "New Co")
    data = (companies / "New Co.md").read_bytes().decode("utf-8")
    assert not re.search(r"(?<!\r)\n", data)
    text = data.replace("\r\n", "\n")
    headings = re.findall(r"^## (.+)$", text, re.M)
    assert headings == ["Key Contacts", "Blockers", "Related", "Notes"]
    assert section(text, "Key Contacts") == ["- [[Dana Scully]]"]  # the placeholder gave way
    assert section(text, "Blockers") == ["- ❌ Budget freeze"]
    assert section(text, "Notes") == ["Met at the conference."]


def test_links_to_a_renamed_note_follow_it_keeping_heading_and_alias_but_not_in_code(companies: Path) -> None:
    vcrm(companies, "merge", "Old Co", "New Co")
    assert (companies / "People/Jane.md").read_text() == (
        '---\naccount: "[[New Co]]"\n---\nSee [[New Co#Notes|the old one]].\n```\n[[Old Co]]\n```\n')


def test_merged_properties_rules() -> None:
    got = merge.merged_properties(
        {"title": "A", "last_contact": "unknown", "created": "2024-01-01", "aliases": ["Alpha"], "x": "1",
         "status": "Active"},
        {"title": "B", "last_contact": "2026-01-01", "created": "2025-01-01", "aliases": "Beta", "x": "2",
         "status": "TBD"},
        from_title="A", into_title="B")
    assert got == {"created": "2024-01-01", "aliases": ["Beta", "Alpha", "A"], "status": "Active"}


@pytest.mark.parametrize(("text", "items"), [
    ("a, b (c, d), e", ["a", "b (c, d)", "e"]),
    ("one", ["one"]),
    ("x [y, z], ", ["x [y, z]"]),
])
def test_comma_lists_split_outside_brackets(text: str, items: list[str]) -> None:
    assert merge.split_commas(text) == items


def test_code_blocks_and_paragraphs_from_from_arrive_whole(tmp_path: Path) -> None:
    old = "## Notes\n\n~~~\n```dataview\nLIST\n```\n~~~\n\nFirst line of a paragraph\nsecond line.\n"
    new = "## Notes\n\n~~~\nother\n~~~\n\nsecond line.\n"
    root = make_vault(tmp_path / "v", {"Old.md": old, "New.md": new})
    assert vcrm(root, "merge", "Old", "New").exit_code == 0
    text = (root / "New.md").read_text()
    assert "~~~\n```dataview\nLIST\n```\n~~~\n" in text
    assert "First line of a paragraph\nsecond line.\n" in text
    assert text.startswith("---\naliases:\n- Old\n---\n" + new + "\n")


CORPUS_PAIRS = 12


@pytest.fixture(scope="module")
def corpus_vault(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from conftest import CORPUS

    if not CORPUS.is_dir():
        pytest.skip("no corpus")
    root = tmp_path_factory.mktemp("corpus") / "v"
    shutil.copytree(CORPUS, root)
    return root


@pytest.mark.parametrize("seed", range(CORPUS_PAIRS))
def test_merging_corpus_notes_keeps_every_body_line_of_from_and_undo_restores_both(corpus_vault: Path,
                                                                                  seed: int) -> None:
    import random

    from vaultcrm.dates import today
    from vaultcrm.ops.context import Context
    from vaultcrm.store.vault import Vault

    ctx = Context.open(Vault(corpus_vault), today())
    notes = [r for r in ctx.scan.records if not r.error and r.properties]
    a, b = random.Random(seed).sample(notes, 2)
    before = {p: (corpus_vault / p).read_bytes() for p in (a.path, b.path)}
    r = vcrm(corpus_vault, "merge", a.path, b.path)
    if r.exit_code != 0:  # refused (TOML frontmatter, unsafe edit): nothing may have changed
        assert {p: (corpus_vault / p).read_bytes() for p in before} == before
        return
    merged = (corpus_vault / b.path).read_text(encoding="utf-8")
    fnote = Note.parse(before[a.path].decode("utf-8"))
    for line in fnote.lines[fnote.body_start:]:
        text = line.strip()
        if text and not text.startswith("# ") and "[[" not in text and not merge.PLACEHOLDER_LINE.match(text):
            assert text in merged, (a.path, b.path, text)
    assert vcrm(corpus_vault, "undo").exit_code == 0
    assert {p: (corpus_vault / p).read_bytes() for p in before} == before
