"""Edits on every real note of ../shared/corpus, and on CRLF, BOM and no-final-newline copies of each.

- `set` of a new key adds exactly one line and `unset` gives back the original bytes;
- `set` of an existing key changes only that key's lines;
- ticking a task and unticking it gives back the line, and through the note changes only that line;
- notes the editor cannot prove safe (TOML or JSON frontmatter) are refused, never rewritten.
"""

from __future__ import annotations

import difflib
import functools
import re
from collections import Counter
from collections.abc import Callable
from datetime import date

import pytest
from conftest import CORPUS, corpus_notes
from hypothesis import given, settings
from hypothesis import strategies as st

from vaultcrm.model import taskline

from vaultcrm.model import edits
from vaultcrm.errors import InvalidNote, UnsafeEdit
from vaultcrm.model.note import Note, strip_eol
from vaultcrm.model.records import tasks_of

TODAY = date(2026, 11, 22)
PROBE = "vaultcrm_probe"

pytestmark = pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is absent")


def _crlf(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\n", "\r\n")


def _bom(text: str) -> str:
    return text if text.startswith("\ufeff") else "\ufeff" + text


def _no_final_newline(text: str) -> str:
    return text.rstrip("\r\n")


VARIANTS: dict[str, Callable[[str], str]] = {
    "as-is": lambda t: t, "crlf": _crlf, "bom": _bom, "no-final-newline": _no_final_newline,
}


@functools.cache
def corpus_texts() -> tuple[tuple[str, str], ...]:
    """(vault-relative path, text) of every corpus note that is UTF-8 text."""
    out = []
    for path in corpus_notes():
        try:
            out.append((path.relative_to(CORPUS).as_posix(), path.read_bytes().decode("utf-8")))
        except UnicodeDecodeError:
            continue
    return tuple(out)


@functools.cache
def notes(variant: str) -> tuple[Note, ...]:
    return tuple(Note.parse(VARIANTS[variant](text), rel) for rel, text in corpus_texts())


def _readable_yaml(note: Note) -> bool:
    if note.frontmatter is None:
        return False
    try:
        note.check()
    except InvalidNote:
        return False
    return True


def _is_json_or_toml(note: Note) -> bool:
    fm = note.frontmatter
    return fm is not None and (fm.fmt == "toml" or fm.text.lstrip().startswith(("{", "[")))


def test_the_corpus_is_there_and_large():
    assert len(corpus_texts()) >= 600


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_set_of_a_new_key_adds_one_line_and_unset_gives_back_the_original_bytes(variant):
    done, refused, failures = 0, [], []
    for note in notes(variant):
        if note.frontmatter is None:
            continue
        original = note.render()
        try:
            note.check()
        except InvalidNote:
            continue  # malformed: covered below
        try:
            after_set = edits.set_property(note, PROBE, "x")
        except UnsafeEdit as exc:
            refused.append(f"{note.path}: {exc.message}")
            assert note.render() == original
            continue
        new = after_set.render()
        diff = [d for d in difflib.ndiff(original.splitlines(keepends=True), new.splitlines(keepends=True))
                if d[:1] in "+-"]
        if diff != [f"+ {PROBE}: x{note.newline}"]:
            failures.append(f"{note.path}: set changed {diff[:4]}")
            continue
        if after_set.properties.get(PROBE) != "x":
            failures.append(f"{note.path}: the probe does not read back")
        back = edits.unset_property(after_set, PROBE).render()
        if not note.properties and note.frontmatter.end - note.frontmatter.start == 2:
            # an empty `---` `---` block: unset of its only key removes the block, as it does the
            # block `set` creates on a note without one (so that set+unset gives those bytes back)
            expected = note.bom + "".join(note.lines[note.frontmatter.end:])
            if back != expected:
                failures.append(f"{note.path}: unset of the only key did not remove the empty block")
        elif back != original:
            failures.append(f"{note.path}: unset did not give back the original bytes")
        done += 1
    print(f"\n[{variant}] set+unset round trips: {done}; refused cleanly: {len(refused)}")
    for line in refused:
        print("  refused:", line)
    assert not failures, "\n".join(failures[:20])
    assert done >= 300
    assert refused, "the corpus has TOML and JSON frontmatter, which must be refused"


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_json_toml_and_malformed_frontmatter_are_refused_never_rewritten(variant):
    counts = {"json/toml": 0, "malformed": 0}
    for note in notes(variant):
        if note.frontmatter is None and note.frontmatter_error is None:
            continue
        if _is_json_or_toml(note):
            kind = "json/toml"
        elif not _readable_yaml(note):
            kind = "malformed"
        else:
            continue
        for edit in (lambda n: edits.set_property(n, PROBE, "x"), lambda n: edits.set_property(n, "title", "x"),
                     lambda n: edits.unset_property(n, "title")):
            with pytest.raises((UnsafeEdit, InvalidNote)) as info:
                edit(note)
            assert info.value.path == note.path
        counts[kind] += 1
    print(f"\n[{variant}] refused: {counts}")
    assert counts["json/toml"] >= 2


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_set_on_a_note_without_frontmatter_adds_a_block_on_top_and_nothing_else(variant):
    count = 0
    for note in notes(variant):
        if note.frontmatter is not None or note.frontmatter_error is not None:
            continue
        original = note.render()
        new = edits.set_property(note, PROBE, "x").render()
        nl = note.newline
        assert new == note.bom + f"---{nl}{PROBE}: x{nl}---{nl}" + original[len(note.bom):], note.path
        count += 1
    assert count >= 100


_KEY_LINE = r"""^(["']?){key}\1\s*:"""


def _check_existing_key_edit(note: Note, key: str, failures: list[str], refused: list[str]) -> None:
    old_value = note.properties[key]
    try:
        new = edits.set_property(note, key, "x")
    except UnsafeEdit as exc:
        refused.append(f"{note.path} {key}: {exc.message}")
        return
    a, b = note.lines, new.lines
    if old_value == "x":
        if a != b:
            failures.append(f"{note.path} {key}: setting the same value changed the note")
        return
    head = 0
    while head < min(len(a), len(b)) and a[head] == b[head]:
        head += 1
    tail = 0
    while tail < min(len(a), len(b)) - head and a[len(a) - 1 - tail] == b[len(b) - 1 - tail]:
        tail += 1
    removed, added = a[head:len(a) - tail], b[head:len(b) - tail]
    key_re = _KEY_LINE.format(key=re.escape(key))
    ok = (len(added) == 1 and re.match(key_re + r"""\s*(x|'x'|"x")$""", strip_eol(added[0]))
          and added[0].endswith(note.newline)
          and removed and re.match(key_re, removed[0])
          # the key's own continuation lines: indented, or block-list items at column 0
          and all(re.match(r"\s|-(\s|$)", line) for line in removed[1:]))
    if not ok:
        failures.append(f"{note.path} {key}: removed {removed[:3]} added {added[:2]}")
    if new.bom != note.bom:
        failures.append(f"{note.path} {key}: BOM changed")


@pytest.mark.parametrize("variant", ["as-is"])
def test_set_of_an_existing_key_changes_only_that_keys_lines(variant):
    edited, refused, failures = 0, [], []
    for note in notes(variant):
        if not _readable_yaml(note) or _is_json_or_toml(note):
            continue
        for key in note.properties:
            _check_existing_key_edit(note, key, failures, refused)
            edited += 1
    print(f"\n[{variant}] existing keys set: {edited}; refused cleanly: {len(refused)}")
    for line in refused:
        print("  refused:", line)
    assert not failures, "\n".join(failures[:20])
    assert edited >= 1000


@pytest.mark.parametrize("variant", ["crlf", "bom", "no-final-newline"])
def test_set_of_the_first_and_last_key_changes_only_their_lines(variant):
    failures: list[str] = []
    for note in notes(variant):
        if not _readable_yaml(note) or _is_json_or_toml(note) or not note.properties:
            continue
        keys = list(note.properties)
        for key in {keys[0], keys[-1]}:
            _check_existing_key_edit(note, key, failures, [])
    assert not failures, "\n".join(failures[:20])


def _only_line_changed(before: Note, after: Note, index: int, inserted_above: int = 0) -> bool:
    a, b = before.lines, after.lines
    return (len(b) == len(a) + inserted_above and a[:index] == b[:index]
            and a[index + 1:] == b[index + 1 + inserted_above:] and before.bom == after.bom
            and a[index][len(strip_eol(a[index])):] == b[index + inserted_above][len(strip_eol(b[index + inserted_above])):])


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_every_task_ticks_and_unticks_back_to_its_line_changing_nothing_else(variant):
    counts = {"open": 0, "custom status": 0, "done": 0, "recurring": 0, "cancelled": 0, "open, dated done": 0}
    failures: list[str] = []
    for note in notes(variant):
        original = note.render()
        for rec in tasks_of(note):
            index = rec.line - 1
            assert index not in note.fenced, f"{note.path}:{rec.line} is inside a code fence"
            line = strip_eol(note.lines[index])
            task = taskline.parse_task(line, index)
            assert task is not None
            where = f"{note.path}:{rec.line}: {line}"
            if task.cancelled:
                counts["cancelled"] += 1
                continue
            if task.done:
                counts["done"] += 1
                reopened = taskline.untick(task)
                via_note = edits.replace_line(note, index, reopened)
                if not _only_line_changed(note, via_note, index):
                    failures.append(f"untick touched other lines: {where}")
                again = taskline.parse_task(reopened, index)
                assert again is not None and again.open and again.description == task.description
                canonical = re.search(r" ✅ \d{4}-\d{2}-\d{2}( \^[A-Za-z0-9-]+)?\s*$", line)
                if task.done_date and canonical and taskline.tick(again, task.done_date) != line:
                    failures.append(f"untick+tick is not the identity: {where}")
                continue
            ticked = taskline.tick(task, TODAY)
            done = taskline.parse_task(ticked, index)
            assert done is not None and done.done and done.done_date == TODAY, where
            back = taskline.untick(done)
            if "done" in task.dates:  # open yet dated done: ticking writes today over that date
                counts["open, dated done"] += 1
                if ticked.replace(TODAY.isoformat(), task.dates["done"]) != line[:line.index("[") + 1] + "x" + \
                        line[line.index("[") + 2:]:
                    failures.append(f"tick of an open task with a done date changed more than both: {where}")
                continue
            if task.status == " ":
                counts["open"] += 1
                if back != line:
                    failures.append(f"tick+untick is not the identity: {where} -> {back}")
            else:  # as Obsidian Tasks: [/] → [x] → [ ]; only the status character differs
                counts["custom status"] += 1
                if back != line[:line.index("[") + 1] + " " + line[line.index("[") + 2:]:
                    failures.append(f"tick+untick changed more than the status: {where} -> {back}")
            above = taskline.next_occurrence(task, TODAY)
            after = edits.replace_line(note, index, ticked, insert_above=above)
            if not _only_line_changed(note, after, index, 1 if above is not None else 0):
                failures.append(f"tick touched other lines: {where}")
            if above is not None:
                counts["recurring"] += 1
                nxt = taskline.parse_task(above)
                if nxt is None or not nxt.open or nxt.description != task.description:
                    failures.append(f"bad next occurrence: {where} -> {above}")
                continue
            restored = edits.replace_line(after, index, back)
            if task.status == " " and restored.render() != original:
                failures.append(f"done then undo did not give back the note's bytes: {where}")
    print(f"\n[{variant}] tasks: {counts}")
    assert not failures, "\n".join(failures[:20])
    assert counts["open"] >= 500 and counts["done"] >= 100 and counts["recurring"] >= 10


# ---- synthesised notes: every insert keeps every old line, the line endings, BOM and final newline --
FRAGMENTS = ["# Title", "## Recent Context", "### Recent Context", "## Key Facts", "## Open Tasks", "## Blockers",
             "## Related", "- 2026-01-01: [[2026-01-01]] - old", "- 2026-12-01: future", "- unknown: [[x]] - y",
             "- fact", "- [ ] task 📅 2026-11-01", "- [x] done ✅ 2026-01-01", "  - nested", "", "text", "```",
             "- [ ] fenced", "<!-- comment -->", "| Field | Value |", "|---|---|", "| **Status** | Prospect |",
             "> - [ ] quoted"]
FRONTMATTERS = ["", "---\ntitle: X\nlast_contact: 2026-02-01\n---", "---\n---", "---\ntags:\n  - a\n# comment\n---",
                "---\nlast_contact: 'unknown'\ncreated: \"2026-01-01\"\n---", "---\nkey: value   # note\n\n---"]
INSERTS: dict[str, Callable[[Note], Note]] = {
    "log": lambda n: edits.add_entry(n, date(2026, 6, 1), "new entry", via="Sam"),
    "add blocker": lambda n: edits.add_bullet(n, "Blockers", "new bullet"),
    "add other": lambda n: edits.add_bullet(n, "Notes", "new bullet"),
    "task add": lambda n: edits.add_task(n, "new task", TODAY),
    "set new key": lambda n: edits.set_property(n, "zz", "v"),
}


@settings(max_examples=200, deadline=None)
@given(fm=st.sampled_from(FRONTMATTERS), body=st.lists(st.sampled_from(FRAGMENTS), max_size=10),
       final_newline=st.booleans(), crlf=st.booleans(), bom=st.booleans(), edit=st.sampled_from(list(INSERTS)))
def test_inserts_keep_every_old_line_and_the_notes_byte_conventions(fm, body, final_newline, crlf, bom, edit):
    text = "\n".join(([fm] if fm else []) + body) + ("\n" if final_newline else "")
    text = ("\ufeff" if bom else "") + (_crlf(text) if crlf else text)
    note = Note.parse(text, "t.md")
    try:
        new = INSERTS[edit](note)
    except UnsafeEdit:  # refused: e.g. the line would land in an unclosed fence
        return
    out = new.render()
    assert out.startswith("\ufeff") == bom
    if text.lstrip("\ufeff"):
        assert out.endswith("\n") == text.endswith("\n")
    if "\r\n" in text:
        assert out.count("\n") == out.count("\r\n")
    else:
        assert "\r" not in out
    old = [strip_eol(x) for x in note.lines]
    added = [strip_eol(x) for x in new.lines]
    rest = iter(added)  # only insertions: the old lines are a subsequence of the new ones
    assert all(any(line == other for other in rest) for line in old), "an old line was changed or removed"
    inserted = list((Counter(added) - Counter(old)).elements())
    assert [line for line in inserted if "new" in line or "zz" in line] == [
        {"log": "- 2026-06-01: [[2026-06-01]] - new entry (via Sam)", "add blocker": "- ❌ new bullet",
         "add other": "- new bullet", "task add": "- [ ] new task 📅 2026-11-22", "set new key": "zz: v"}[edit]]
    if edit == "task add":
        section = edits.find_section(new, "Open Tasks")
        task = next(t for t in tasks_of(new) if t.text == "new task")
        assert section is not None and section.start < task.line - 1 < section.end


def test_an_insert_that_would_land_in_an_unclosed_code_fence_is_refused():
    note = Note.parse("---\na: 1\n---\n# T\n\n```\ncode never closed\n", "t.md")
    for edit in INSERTS.values():
        if edit is INSERTS["set new key"]:
            continue
        with pytest.raises(UnsafeEdit, match="unclosed code fence"):
            edit(note)
