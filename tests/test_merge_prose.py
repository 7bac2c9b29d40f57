"""`merge FROM INTO` keeps prose whole: only a real comma list is united item by item, a section's
footer stays its last lines, INTO's kind wins (and the command says what it left out), and a
`**Label**:` line both notes carry is kept once.

Expected notes are written out by hand here; the inputs are the seed notes, corpus notes and
folder-note accounts (`Customers and Partners/OpenAI/README.md`) as vaults really hold them.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import Run, invoke, make_vault

from vaultcrm.model import merging
from vaultcrm.model.note import Note
from vaultcrm.ops.merge import conflicting_kinds

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
CORPUS = SHARED / "corpus"
SEEDS = SHARED / "seeds"


def vcrm(root: Path, *args: str) -> Run:
    return invoke(["--vault", str(root), *args])


def body(text: str) -> str:
    """A note's text after its frontmatter."""
    note = Note.parse(text)
    return "".join(note.lines[note.body_start:])


def section(text: str, heading: str) -> str:
    """One section's body as written, blank lines and all."""
    note = Note.parse(text)
    s = note.find_sections(heading)[0]
    return "".join(note.lines[s.body_start:s.end])


def seed(n: int) -> str:
    if not SEEDS.is_dir():
        pytest.skip("../shared/seeds is not beside the checkout")
    return next(SEEDS.glob(f"00{n}_*.txt")).read_text(encoding="utf-8")


def corpus(rel: str) -> str:
    if not (CORPUS / rel).is_file():
        pytest.skip("../shared/corpus is not beside the checkout")
    return (CORPUS / rel).read_text(encoding="utf-8")


# ---- prose moves whole ---------------------------------------------------------------------------
INTO_SUMMARY = ("OpenAI is the maker of ChatGPT and the GPT model family, and one of the largest consumers of "
                "Azure AI capacity; the relationship runs through Microsoft, which hosts most of OpenAI's "
                "training and inference fleet. Storage needs center on checkpointing, dataset ingestion, and "
                "replication across regions.")
FROM_SUMMARY = ("Strategic AI account, storage-heavy, replatforming away from Blob API toward in-house tooling "
                "(rclone, custom replication). Key open question: whether S3 API parity is enough for "
                "GPU-adjacent storage, or Blob API parity is required.")


def with_summary(note: str, summary: str) -> str:
    return note.replace("# OpenAI\n\n", f"# OpenAI\n\n## Summary\n\n{summary}\n\n", 1)


def test_a_folder_note_accounts_summary_paragraphs_are_kept_whole_and_once(tmp_path: Path) -> None:
    readme = "Customers and Partners/OpenAI/README.md"
    root = make_vault(tmp_path / "v", {
        readme: with_summary(seed(0), INTO_SUMMARY),
        "Inbox/OpenAI.md": with_summary(seed(1), FROM_SUMMARY),
        "Archive/OpenAI (old).md": with_summary(seed(0), INTO_SUMMARY)})
    assert vcrm(root, "merge", "Archive/OpenAI (old).md", readme).exit_code == 0
    r = vcrm(root, "merge", "Inbox/OpenAI.md", readme)
    assert r.exit_code == 0, r.stderr
    merged = (root / readme).read_text(encoding="utf-8")
    assert section(merged, "Summary") == f"\n{INTO_SUMMARY}\n\n{FROM_SUMMARY}\n\n"
    topics = section(merged, "Topics").strip()  # a real list is still united item by item
    assert topics.startswith("Blob API vs Tuscany trade-offs, MVP vs broader market surface area ('crawl, walk, "
                             "run'), ")
    assert topics.endswith(", Microsoft AI capacity expansion (self-build, leases, neocloud), Azure Foundry and "
                           "token/API monetization strategy, OpenAI–Microsoft partnership terms (exclusivity, IP "
                           "rights, ROFR, AGI provisions, Azure spend commitment), Accelerator roadmap and dependency "
                           "risk (Nvidia, MAIA, OpenAI ASIC, AMD), Neocloud overflow strategy and cross-cloud "
                           "mobility, VAST positioning and sales plays for Microsoft and OpenAI, Training storage "
                           "needs (checkpoint/restore, ingestion, replication), Post-training and inference data "
                           "plane (caches, RAG corpora, telemetry, retention tiers), Distributed/remote data center "
                           "placement for latency-insensitive workloads, Long-lived GPU clusters driving ongoing "
                           "data growth, S3 API vs Blob API parity for GPU-adjacent storage, Global KV store "
                           "requirements (TPS per PB, <=64 KB IO), Feasibility assessment on VAST, In-person meeting "
                           "planning (San Francisco Nov 4–6), SE enablement cadence and weekly call structure")


@pytest.mark.parametrize(("mine", "theirs"), [
    # sentences: a stop inside an item, or at the line's end
    ("We met Dana, Fox, and Walter at the summit.", "Budget is frozen until Q3, per Walter."),
    ("Pricing; legal review, security review", "Pilot scope, success criteria"),
    ("Is the pilot still on? Dana thinks so, Fox does not", "Renewal, expansion"),
    # bold or a link cut in two by a comma
    ("**Acme, Inc.** signed, pending countersignature", "Renewal, expansion"),
    ("Owned by [[Scully, Dana]], escalations to [[Mulder]]", "Renewal, expansion"),
    ("See [the memo, part 2](https://example.com/memo), the deck", "Renewal, expansion"),
    # items too long to be items
    (("A small team that evaluates every storage vendor against the same harness of benchmarks they maintain, "
      "then reports"), "Renewal, expansion"),
])
def test_a_paragraph_that_is_not_a_comma_list_is_added_whole(mine: str, theirs: str) -> None:
    into = Note.parse(f"## Notes\n\n{mine}\n\n## Related\n")
    from_ = Note.parse(f"## Notes\n\n{theirs}\n")
    merged = merging.merge_bodies(into, from_).render()
    assert merged == f"## Notes\n\n{mine}\n\n{theirs}\n\n## Related\n"


@pytest.mark.parametrize(("text", "is_list"), [
    ("Blob API vs Tuscany trade-offs, MVP vs broader market surface area ('crawl, walk, run')", True),
    ("Distributed/remote data center placement for latency-insensitive workloads, Feasibility assessment on VAST",
     True),
    ("pricing, security review, [[Dana Scully]], **renewal**", True),
    ("one item only", False),
    ("Met Dana, then Fox.", False),
    ("red, green, and blue", False),
    ("**Acme, Inc** signed, pending", False),
    ("[[Scully, Dana]], [[Mulder]]", False),
])
def test_comma_lists_are_short_items_without_sentence_marks(text: str, is_list: bool) -> None:
    assert merging.is_comma_list(text) is is_list


def test_a_corpus_paragraph_is_never_spliced_into_another(tmp_path: Path) -> None:
    buy = corpus("kepano__kepano-obsidian/Clippings/Buy wisely.md")
    hands = corpus("kepano__kepano-obsidian/Clippings/In good hands.md")
    opening = ("Whenever I buy things I try to prioritize *cost per use*. Sometimes I consider other priorities such "
               "as *cost per smile*, *cost per thrill*, *cost per externality*, and *cost per lesson*.\n")
    theirs = ("I can feel it almost instantly. In any medium. Music, film, fashion, architecture, writing, software. "
              "At a Japanese restaurant it’s what *omakase* aims to be. I leave it up to you, chef.\n")
    assert opening in buy and theirs in hands
    root = make_vault(tmp_path / "v", {"Clippings/Buy wisely.md": buy,
                                       "Clippings/Buy wisely 2.md": buy.replace(opening, theirs)})
    r = vcrm(root, "merge", "Clippings/Buy wisely 2.md", "Clippings/Buy wisely.md")
    assert r.exit_code == 0, r.stderr
    merged = (root / "Clippings/Buy wisely.md").read_text(encoding="utf-8")
    assert body(merged) == body(buy).replace(opening, opening + "\n" + theirs, 1)


# ---- footers stay last ---------------------------------------------------------------------------
@pytest.mark.parametrize("footer", [
    "*Source: [[2025-12-19]] call with Jeff Denworth*",
    "<!-- facts above were generated; edit freely -->",
    "---",
])
def test_bullets_from_from_go_above_the_sections_footer(tmp_path: Path, footer: str) -> None:
    into = ("---\ntype: customer\n---\n# Acme\n\n## Key Facts\n\n- Acme runs 40 PB on Azure Blob.\n"
            f"- Dana Scully owns storage.\n\n{footer}\n\n## Related\n\n<!-- Wikilinks to related entities -->\n")
    from_ = ("---\ntype: customer\n---\n# Acme\n\n## Key Facts\n\n- Acme is piloting VAST in Q3.\n\n"
             "## Related\n\n- [[Dana Scully]]\n")
    root = make_vault(tmp_path / "v", {"Customers/Acme.md": into, "Inbox/Acme.md": from_})
    assert vcrm(root, "merge", "Inbox/Acme.md", "Customers/Acme.md").exit_code == 0
    assert (root / "Customers/Acme.md").read_text(encoding="utf-8") == (
        "---\ntype: customer\n---\n# Acme\n\n## Key Facts\n\n- Acme runs 40 PB on Azure Blob.\n"
        f"- Dana Scully owns storage.\n- Acme is piloting VAST in Q3.\n\n{footer}\n\n"
        # a comment alone is no footer but the template's placeholder: FROM's lines go under it
        "## Related\n\n<!-- Wikilinks to related entities -->\n\n- [[Dana Scully]]\n")


def test_a_corpus_navigation_footer_stays_under_the_merged_paragraphs(tmp_path: Path) -> None:
    solar = corpus("SoRobby__ObsidianStarterVault/Vault/Notes/Solar Cycle Duration.md")
    ice = corpus("SoRobby__ObsidianStarterVault/Vault/Notes/Enceladus Ice Thickness.md")
    root = make_vault(tmp_path / "v", {"Notes/Solar Cycle Duration.md": solar,
                                       "Notes/Enceladus Ice Thickness.md": ice})
    r = vcrm(root, "merge", "Notes/Enceladus Ice Thickness.md", "Notes/Solar Cycle Duration.md")
    assert r.exit_code == 0, r.stderr
    note = section((root / "Notes/Solar Cycle Duration.md").read_text(encoding="utf-8"), "Note")
    paragraph = ("The average ice thickness across the entire moon is thought to be 20 to 25 km thick. However the "
                 "ice shell becomes significantly thinner toward the poles, with a thickness of less than 5 km near "
                 "the south pole and about 2 km near the north pole.")
    assert note.startswith(
        f"Test\n\n{paragraph}\n\n\n---\n"
        "[[Notes Dashboard|Notes Dashboard]] / **[[Notes/Solar Cycle Duration|Solar Cycle Duration]]**\n")
    assert note.count(paragraph) == 1


# ---- INTO's kind wins ----------------------------------------------------------------------------
def test_into_keeps_its_kind_and_the_merge_says_what_it_left_out(tmp_path: Path) -> None:
    into = seed(0)
    from_ = seed(1).replace("type: customer", "type: person").replace("- type/customer", "- type/prospect")
    root = make_vault(tmp_path / "v", {"Customers and Partners/OpenAI/README.md": into, "Inbox/OpenAI.md": from_})
    r = vcrm(root, "merge", "--json", "Inbox/OpenAI.md", "Customers and Partners/OpenAI/README.md")
    assert r.exit_code == 0, r.stderr
    merged = (root / "Customers and Partners/OpenAI/README.md").read_text(encoding="utf-8")
    assert merged.startswith("---\ntype: customer\ntitle: OpenAI\nlast_contact: '2025-12-19'\n"
                             "created: '2026-01-03'\ntags:\n- type/customer\n- generated\n---\n")
    assert json.loads(r.stdout)["dropped"] == [{"property": "type", "value": "person"},
                                                {"property": "tags", "value": "type/prospect"}]
    assert ("left out Inbox/OpenAI.md's type: person, tags: type/prospect "
            "(Customers and Partners/OpenAI/README.md's kind, customer, wins)") in r.stderr


@pytest.mark.parametrize(("from_", "into", "dropped"), [
    ({"type": "person", "tags": ["type/prospect", "ai"]}, {"type": "customer"},
     [("type", "person"), ("tags", "type/prospect")]),
    ({"tags": ["type/people"]}, {"tags": ["type/person"]}, []),  # the vault's synonyms: one kind
    ({"type": ["customer", "partner"]}, {"tags": ["type/customer"]}, [("type", "partner")]),
    ({"type": "prospect"}, {"title": "Acme"}, []),  # INTO says no kind: FROM's stands
])
def test_a_kind_conflicts_only_when_into_names_another(from_: dict, into: dict, dropped: list) -> None:
    assert conflicting_kinds(from_, into) == dropped


# ---- metadata lines once -------------------------------------------------------------------------
def test_a_label_line_both_notes_carry_is_kept_once(tmp_path: Path) -> None:
    into = ("# 2025-12-19 OpenAI sync\n\n**Date**: 2025-12-19\n**With**: [[Jeff Denworth]]\n**Where**: Zoom\n\n"
            "## Notes\n\n- Blob API support is the priority.\n")
    from_ = ("# 2025-12-19 OpenAI sync\n\n**Date**: 2025-12-19\n**With**: [[Jeff Denworth]], [[Sam Hopewell]]\n\n"
             "## Notes\n\n- Sync engine is a maybe.\n")
    root = make_vault(tmp_path / "v", {"Meetings/Sync.md": into, "Inbox/Sync.md": from_})
    assert vcrm(root, "merge", "Inbox/Sync.md", "Meetings/Sync.md").exit_code == 0
    assert body((root / "Meetings/Sync.md").read_text(encoding="utf-8")) == (
        "# 2025-12-19 OpenAI sync\n\n**Date**: 2025-12-19\n**With**: [[Jeff Denworth]]\n**Where**: Zoom\n\n"
        "**With**: [[Jeff Denworth]], [[Sam Hopewell]]\n\n"
        "## Notes\n\n- Blob API support is the priority.\n- Sync engine is a maybe.\n")
