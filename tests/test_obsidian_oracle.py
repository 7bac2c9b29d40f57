"""Obsidian itself is the oracle for frontmatter and tags.

The obsidian-tasks project stores, for each of its test notes, the note's text together with what
Obsidian's metadata cache made of it (`cachedMetadata`, `parseFrontMatterTags`, `getAllTags`).
We read every one of those notes and compare. A difference we accept is listed in ACCEPTED with
the reason; an accepted difference that disappears fails the test too (strict xfail), so the
list can never silently go stale.

Tags are compared four ways:
- properties: exactly `cachedMetadata.frontmatter` (minus Obsidian's `position` bookkeeping);
- frontmatter tags: `parseFrontMatterTags`, as an ordered list;
- body tags: every occurrence, as a multiset, against `cachedMetadata.tags`;
- all tags: `NoteRecord.tags` against `getAllTags` as a *set*. Obsidian's `getAllTags` repeats a
  tag once per occurrence (frontmatter first, then the body in order); a record keeps each tag
  once, because `list --tag` and `show` want the distinct tags a note carries. Occurrence counts
  are still checked, by the body-tags comparison above.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from conftest import CORPUS

from vaultcrm.config import Config
from vaultcrm.model.note import Note
from vaultcrm.model.records import body_tags, frontmatter_tags
from vaultcrm.model.scan import build_record

DATA = CORPUS / "obsidian-tasks-group__obsidian-tasks" / "tests" / "Obsidian" / "__test_data__"
FIXTURES = sorted(DATA.glob("*.json")) if DATA.is_dir() else []

# {check: {fixture name: why we read it differently from Obsidian}}
ACCEPTED: dict[str, dict[str, str]] = {
    "properties": {},
    "frontmatter_tags": {},
    "body_tags": {
        "internal_heading_links": (
            "`\\[\\[#Escaped Links\\]\\]`: Obsidian's tokenizer ends the escaped bracket and starts a tag "
            "right after it; we only start a tag after whitespace or at line start, which keeps "
            "`[#anchor]`-style text and URLs with fragments from turning into tags"
        ),
    },
    "all_tags": {
        "internal_heading_links": "same #Escaped tag as in body_tags",
    },
}


def load(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def params(check: str) -> list[Any]:
    out = []
    for path in FIXTURES:
        why = ACCEPTED[check].get(path.stem)
        marks = [pytest.mark.xfail(strict=True, raises=AssertionError, reason=why)] if why else []
        out.append(pytest.param(path, id=path.stem, marks=marks))
    return out


def test_the_oracle_fixtures_are_there() -> None:
    if not CORPUS.is_dir():
        pytest.skip("../shared/corpus is absent")
    assert len(FIXTURES) >= 80
    names = {p.stem for p in FIXTURES}
    for check in ACCEPTED.values():
        assert set(check) <= names, "an ACCEPTED entry names no fixture"


def test_the_fixtures_exercise_frontmatter_and_tags() -> None:
    if not FIXTURES:
        pytest.skip("../shared/corpus is absent")
    data = [load(p) for p in FIXTURES]
    assert sum(1 for d in data if d["cachedMetadata"].get("frontmatter")) >= 15
    assert sum(1 for d in data if d.get("parseFrontMatterTags")) >= 5
    assert sum(1 for d in data if d["cachedMetadata"].get("tags")) >= 50


@pytest.mark.parametrize("path", params("properties"))
def test_properties_are_obsidians_frontmatter(path: Path) -> None:
    d = load(path)
    want = dict(d["cachedMetadata"].get("frontmatter") or {})
    want.pop("position", None)
    assert Note.parse(d["fileContents"], path.stem + ".md").properties == want


@pytest.mark.parametrize("path", params("frontmatter_tags"))
def test_frontmatter_tags_are_obsidians_parse_front_matter_tags(path: Path) -> None:
    d = load(path)
    props = Note.parse(d["fileContents"]).properties
    assert ["#" + t for t in frontmatter_tags(props)] == (d.get("parseFrontMatterTags") or [])


@pytest.mark.parametrize("path", params("body_tags"))
def test_body_tags_are_obsidians_cached_tags_occurrence_for_occurrence(path: Path) -> None:
    d = load(path)
    want = Counter(t["tag"] for t in d["cachedMetadata"].get("tags") or [])
    assert Counter("#" + t for t in body_tags(Note.parse(d["fileContents"]))) == want


@pytest.mark.parametrize("path", params("all_tags"))
def test_a_records_tags_are_obsidians_get_all_tags_as_a_set(path: Path) -> None:
    d = load(path)
    rec = build_record(d.get("filePath") or path.stem + ".md", d["fileContents"], Config())
    assert rec.error is None
    assert len(rec.tags) == len(set(rec.tags)), "a record lists each tag once"
    assert {"#" + t for t in rec.tags} == set(d.get("getAllTags") or [])


# Obsidian behaviours the fixtures show, pinned as plain examples so a regression names itself.
@pytest.mark.parametrize(
    ("body", "tags"),
    [
        ("<!--\n- [ ] #hidden\n-->\n- [ ] #task\n", ["task"]),
        ("- [ ] #task <!-- #hidden --> after\n", ["task"]),
        ("`#code` and #real\n", ["real"]),
        ("```\n#fenced\n```\n#after\n", ["after"]),
        ("issue #123 and #2025/12 but #y2025\n", ["y2025"]),
        ("a#b is not a tag, #c/d is\n", ["c/d"]),
        ("<!-- unclosed comment #hidden\n\n#still-hidden\n", []),
    ],
    ids=["multi-line-comment", "inline-comment", "inline-code", "fence", "numeric", "nested", "unclosed-comment"],
)
def test_body_tags_follow_obsidians_rules(body: str, tags: list[str]) -> None:
    assert body_tags(Note.parse(body)) == tags
