"""The fast whole-text scanner gives exactly the record the full note model gives."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import EXAMPLES, corpus_notes
from vaultcrm.config import Config
from vaultcrm.model.note import Note
from vaultcrm.model.scan import record_from_note
from vaultcrm.model.scan import record_from_text

FILES = corpus_notes() + sorted(EXAMPLES.rglob("*.md"))


def _both(path: str, text: str) -> tuple[dict, dict]:
    cfg = Config()
    return (record_from_text(path, text, cfg).to_dict(), record_from_note(Note.parse(text, path), cfg).to_dict())


@pytest.mark.parametrize("variant", ["as-is", "crlf", "bom"])
def test_scanner_equals_the_note_model_on_every_real_note(variant: str) -> None:
    mismatches = []
    for p in FILES:
        text = p.read_bytes().decode("utf-8")
        if variant == "crlf":
            text = text.replace("\r\n", "\n").replace("\n", "\r\n")
        elif variant == "bom":
            text = "\ufeff" + text
        fast, slow = _both("x/" + p.name, text)
        if fast != slow:
            mismatches.append(p.name)
    assert not mismatches, mismatches[:10]


LINE = st.sampled_from([
    "---", "type: customer", "tags: [a, b]", "title: X", "# H", "## Recent Context", "### RECENT CONTEXT:", "## Open Tasks",
    "- 2026-01-02: [[2026-01-02]] - call (via Ann)", "- unknown: thing", "- [ ] task 📅 2026-01-05",
    "- [x] done ✅ 2026-01-03 ^id1", "text with #tag and [[Link]]", "", "  - [ ] nested", "> - [ ] quoted",
    "| a | b |", "+++", "...", "#notatag", "`#code` #real",
])


@settings(max_examples=300, deadline=None)
@given(st.lists(LINE, max_size=25), st.sampled_from(["\n", "\r\n"]), st.booleans(), st.booleans())
def test_scanner_equals_the_note_model_on_generated_notes(lines, nl, bom, final) -> None:
    text = ("\ufeff" if bom else "") + nl.join(lines) + (nl if final and lines else "")
    fast, slow = _both("a/b.md", text)
    assert fast == slow
