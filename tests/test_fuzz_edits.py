"""Fuzzing the note model, every editing operation and the CLI with generated hostile notes.

Notes are generated with random frontmatter (odd YAML included: tags, anchors, flow and block
collections, comments, garbage, unclosed blocks, TOML), sections, tasks, entries, tables, code
fences, LF/CRLF/mixed endings, a BOM and a missing final newline. Whatever comes in:
- parse → render gives the text back;
- an edit either raises a VaultCRMError (which the CLI maps to an exit code) or changes only
  the lines it owns (checked line by line against the original, not through the code under test);
- the CLI exits with a contract code (0-5), never a traceback, and leaves the file untouched
  when it refuses.
The linear-time line patterns are also checked against the backtracking originals they replace.
Encodings (invalid UTF-8, NFD names, emoji and right-to-left text) close the file.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
import unicodedata
from datetime import date
from pathlib import Path

import pytest
from conftest import invoke
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from vaultcrm.model import grammar, taskline

from vaultcrm.model import edits

from vaultcrm.model import yamlblock
from vaultcrm.errors import VaultCRMError
from vaultcrm.model.note import HEADING, Note, strip_eol
from vaultcrm.model.records import entries_of, tasks_of

EXAMPLES = int(os.environ.get("VAULTCRM_FUZZ_EXAMPLES", "60"))  # raise it for a deeper run
FUZZ = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                       HealthCheck.function_scoped_fixture])
TODAY = date(2026, 11, 22)

# ---- generating notes -------------------------------------------------------------------------------
WORDS = st.sampled_from(["Acme", "Globex", "café", "naïve", "北京", "שלום", "🚀", "x", "a b", "##", "[[Link]]",
                         "- [ ]", "|", ":", "🔁 every week", "📅 2026-01-05", "✅ 2026-01-01", "^block-1",
                         "(via Jeff)", "`code`", "#tag", "2026-02-30", "unknown", "\t", "  "])
KEYS = st.sampled_from(["title", "type", "tags", "aliases", "last_contact", "status", "owner", "created",
                        "cadence", "Status", "odd key", "ключ", "a.b", "x"])
SCALARS = st.sampled_from([
    "Acme", "2026-05-01", "'2026-05-01'", '"2026-05-01"', "true", "yes", "no", "~", "null", "", "42", "010",
    "10:30", "1e3", "'it''s'", '"a \\" b"', "[a, b]", "[]", "{a: 1}", "{}", '"[[Jeff Denworth]]"', "[[Jeff]]",
    "&anchor value", "*anchor", "!!str 12", "!!python/object/apply:os.system ['true']", "{{date}}",
    "|\n  multi\n  line", ">\n  folded\n  text", "customer", "'unterminated", "a: b: c", "- item", "# not a value",
    "@at", "`tick`", "💡 idea", "مرحبا",
])


def first_line(text: str) -> str:
    return text.split("\n")[0]


@st.composite
def frontmatter(draw: st.DrawFn) -> list[str]:
    """The lines of a frontmatter block (delimiters included), usually YAML, sometimes broken."""
    shape = draw(st.sampled_from(["yaml"] * 8 + ["garbage", "unclosed", "toml", "dots", "empty"]))
    if shape == "empty":
        return ["---", "---"]
    if shape == "toml":
        return ["+++", 'title = "Acme"', "tags = ['a', 'b']", "+++"]
    lines: list[str] = []
    for _ in range(draw(st.integers(0, 7))):
        kind = draw(st.sampled_from(["pair"] * 5 + ["list", "flow", "comment", "blank", "garbage", "nested"]))
        key = draw(KEYS)
        key = f'"{key}"' if " " in key or "." in key else key
        if kind == "pair":
            lines.extend(f"{key}: {draw(SCALARS)}".split("\n"))
        elif kind == "list":
            indent = draw(st.sampled_from(["", "  "]))
            lines.append(f"{key}:")
            lines.extend(f"{indent}- {first_line(draw(SCALARS))}" for _ in range(draw(st.integers(0, 3))))
        elif kind == "flow":
            lines.append(f"{key}: [{', '.join(draw(st.lists(WORDS, max_size=3)))}]")
        elif kind == "comment":
            lines.append("# " + draw(WORDS))
        elif kind == "blank":
            lines.append("")
        elif kind == "nested":
            lines.extend([f"{key}:", f"  inner: {first_line(draw(SCALARS))}"])
        else:
            lines.append(draw(st.text(alphabet=":-[]{}\"'#&*!|> \tab", max_size=12)))
    if shape == "garbage":
        lines.append(draw(st.text(alphabet=":-[]{}\"'#&*!|> \tab\n", max_size=30)).replace("\n", " "))
    close = {"yaml": "---", "garbage": "---", "dots": "...", "unclosed": None}[shape]
    return ["---", *lines] + ([close] if close else [])


@st.composite
def body(draw: st.DrawFn) -> list[str]:
    lines: list[str] = []
    for _ in range(draw(st.integers(0, 12))):
        kind = draw(st.sampled_from(["heading", "canonical", "entry", "task", "bullet", "table", "fence", "text",
                                     "blank", "quote"]))
        w = draw(WORDS)
        if kind == "heading":
            lines.append("#" * draw(st.integers(1, 7)) + draw(st.sampled_from([" ", "", "  "])) + w)
        elif kind == "canonical":
            lines.append("## " + draw(st.sampled_from(["Recent Context", "Open Tasks", "Key Facts", "Account Status",
                                                        "Blockers", "Key Decisions", "**Recent Context**",
                                                        "recent context:", "Related"])))
        elif kind == "entry":
            day = draw(st.sampled_from(["2026-01-01", "2026-11-22", "2027-03-04", "unknown", "2026-13-01"]))
            lines.append(f"- {day}: " + draw(st.sampled_from(["", "[[2026-01-01]] - "])) + w
                         + draw(st.sampled_from(["", " (via Jeff)", " (via )"])))
        elif kind == "task":
            status = draw(st.sampled_from([" ", "x", "X", "-", "/", "?"]))
            tail = draw(st.sampled_from(["", " 📅 2026-11-01", " 📅 2026-12-01 🔁 every week", " ✅ 2026-11-20",
                                         " ^abc-1", " 🔁 every month when done 📅 2026-11-30", " ⏫", " 🆔 x1"]))
            indent = draw(st.sampled_from(["", "  ", "\t", "> "]))
            lines.append(f"{indent}- [{status}] {w}{tail}")
        elif kind == "bullet":
            lines.append(draw(st.sampled_from(["- ", "* ", "1. ", "- ❌ ", "- ✅ "])) + w)
        elif kind == "table":
            lines.extend(["| Field | Value |", "|---|---|", f"| **Status** | {w} |", f"| Renewal | {w} |"])
        elif kind == "fence":
            fence = draw(st.sampled_from(["```", "~~~", "````"]))
            lines.extend([fence + draw(st.sampled_from(["", "tasks", "python"])), "## Open Tasks", "- [ ] fenced",
                          "- 2026-01-01: fenced"] + ([fence] if draw(st.booleans()) else []))
        elif kind == "text":
            lines.append(draw(st.text(max_size=20)).replace("\n", " ").replace("\r", " "))
        elif kind == "blank":
            lines.append("")
        else:
            lines.append("> " + w)
    return lines


@st.composite
def notes(draw: st.DrawFn) -> str:
    lines = (draw(frontmatter()) if draw(st.booleans()) else []) + draw(body())
    style = draw(st.sampled_from(["\n", "\r\n", "mixed"]))
    out = ""
    for line in lines:
        out += line + (draw(st.sampled_from(["\n", "\r\n"])) if style == "mixed" else style)
    if draw(st.booleans()) and out:
        out = out[:-2] if out.endswith("\r\n") else out[:-1]  # no final newline
    return ("\ufeff" if draw(st.booleans()) else "") + out


VALUES = st.one_of(st.text(max_size=15), st.integers(-10**6, 10**6), st.booleans(),
                   st.sampled_from(["2026-11-22", "[[Jeff Denworth]]", "a: b", "- x", "#tag", "", " padded "]),
                   st.lists(st.sampled_from(["a", "b c", "[[X]]", "2026-01-01", "ü"]), max_size=3))


# ---- what a local edit may change ---------------------------------------------------------------------
def subsequence_gap(old: list[str], new: list[str]) -> list[int] | None:
    """Indexes of `new` lines that are not `old` lines, if `old` is a subsequence of `new` (the old
    last line may gain the line ending it lacked); None when some old line was changed or lost."""
    extra, i = [], 0
    for j, line in enumerate(new):
        if i < len(old) and (line == old[i] or (i == len(old) - 1 and strip_eol(old[i]) == old[i]
                                                  and strip_eol(line) == old[i])):
            i += 1
        else:
            extra.append(j)
    return extra if i == len(old) else None


def assert_only_inserted(old: Note, new: Note, at_most: int) -> list[str]:
    assert new.bom == old.bom
    extra = subsequence_gap(old.lines, new.lines)
    assert extra is not None, "an insert changed or dropped an existing line"
    assert 1 <= len(extra) <= at_most
    for j in extra:
        assert new.lines[j].endswith(old.newline) or j == len(new.lines) - 1
    return [strip_eol(new.lines[j]) for j in extra]


def key_window(note: Note, key: str) -> tuple[int, int] | None:
    """Note lines [start, end) from `key`'s first line up to the next key or the closing delimiter."""
    fm = note.frontmatter
    assert fm is not None
    keys = yamlblock.key_lines(fm.text)
    for n, (k, line) in enumerate(keys):
        if k == key:
            end = fm.body_start + keys[n + 1][1] if n + 1 < len(keys) else fm.end - 1
            return fm.body_start + line, end
    return None


def assert_property_edit_is_local(old: Note, new: Note, key: str) -> None:
    assert new.bom == old.bom
    if old.frontmatter is None:  # a new block on top, the rest untouched
        assert new.lines[new.frontmatter.end:] == old.lines
        return
    if new.frontmatter is None:  # the last key went: the emptied `---` block goes with it
        assert [k for k, _ in yamlblock.key_lines(old.frontmatter.text)] == [key]
        assert new.lines == old.lines[old.frontmatter.end:]
        return
    assert new.lines[new.frontmatter.end:] == old.lines[old.frontmatter.end:]  # the body
    assert new.lines[0] == old.lines[0] and new.lines[new.frontmatter.end - 1] == old.lines[old.frontmatter.end - 1]
    window = key_window(old, key)
    start, end = window if window else (old.frontmatter.end - 1, old.frontmatter.end - 1)
    if window is None:  # a new key: the block's last lines stay, the new ones go in one place
        start = next((i for i in range(old.frontmatter.end - 1, 0, -1)
                      if strip_eol(old.lines[i - 1]).strip() and not old.lines[i - 1].startswith("#")), 1)
    assert new.lines[:start] == old.lines[:start]
    tail = old.frontmatter.end - end
    assert new.lines[new.frontmatter.end - tail:new.frontmatter.end] == old.lines[end:old.frontmatter.end]
    before, after = dict(old.properties), dict(new.properties)
    before.pop(key, None)
    after.pop(key, None)
    assert list(after.items()) == list(before.items())


def assert_one_line_replaced(old: Note, new: Note, index: int, inserted_above: bool) -> None:
    k = 1 if inserted_above else 0
    assert len(new.lines) == len(old.lines) + k
    assert new.lines[:index] == old.lines[:index]
    assert new.lines[index + k + 1:] == old.lines[index + 1:]
    assert new.lines[index + k][len(strip_eol(new.lines[index + k])):] == old.lines[index][len(strip_eol(old.lines[index])):]


# ---- the model --------------------------------------------------------------------------------------
@FUZZ
@given(notes())
def test_any_generated_note_renders_back_byte_for_byte(text):
    note = Note.parse(text, "Fuzz.md")
    assert note.render() == text
    try:
        note.check()
    except VaultCRMError:
        pass
    entries_of(note), tasks_of(note), note.sections  # reading never raises


# ---- every editing operation on the core --------------------------------------------------------------
def _editable(text: str) -> Note | None:
    note = Note.parse(text, "Fuzz.md")
    try:
        note.check()
    except VaultCRMError:
        return None
    return note


@FUZZ
@given(notes(), KEYS, VALUES)
def test_setting_a_property_changes_only_that_propertys_lines(text, key, value):
    note = _editable(text)
    if note is None:
        return
    try:
        new = edits.set_property(note, key, value)
    except VaultCRMError:
        return
    assert_property_edit_is_local(note, new, key)
    assert new.properties[key] == (value if not isinstance(value, date) else value.isoformat()) or \
        isinstance(value, str) and value != value.strip()


@FUZZ
@given(notes(), KEYS)
def test_unsetting_a_property_removes_only_that_propertys_lines(text, key):
    note = _editable(text)
    if note is None or note.frontmatter is None:
        return
    try:
        new = edits.unset_property(note, key)
    except VaultCRMError:
        return
    if new is note:
        return
    assert key not in new.properties
    assert subsequence_gap(new.lines, note.lines) is not None  # only deletions
    assert_property_edit_is_local(note, new, key)


@FUZZ
@given(notes(), st.sampled_from(["entry", "task", "bullet"]), st.text(min_size=1, max_size=20).filter(str.strip),
       st.sampled_from(["Key Facts", "Blockers", "Key Decisions", "Related", "Brand New", "recent context"]),
       st.dates(date(2020, 1, 1), date(2030, 1, 1)))
@example(text="", what="task", words="#0", section="Key Facts", day=date(2020, 1, 1))  # found by CI
def test_adding_an_entry_task_or_bullet_only_inserts_lines(text, what, words, section, day):
    note = _editable(text)
    if note is None:
        return
    words = " ".join(words.split())
    try:
        if what == "entry":
            new = edits.add_entry(note, day, words, via="Jeff")
        elif what == "task":
            new = edits.add_task(note, words, due=day)
        else:
            new = edits.add_bullet(note, section, words)
    except VaultCRMError:
        return
    added = assert_only_inserted(note, new, at_most=4)  # blank, heading, blank, item at most
    assert any(words in line for line in added)
    assert new.properties == note.properties
    # (a task of only a tag reads ` #0`, as Tasks puts trailing tags back after the description)
    assert [t.text for t in tasks_of(new) if t.text.strip() != words] == \
        [t.text for t in tasks_of(note) if t.text.strip() != words]


@FUZZ
@given(notes(), st.data())
def test_ticking_or_unticking_a_task_replaces_only_its_line(text, data):
    note = _editable(text)
    if note is None:
        return
    tasks = tasks_of(note)
    if not tasks:
        return
    t = data.draw(st.sampled_from(tasks))
    index = t.line - 1
    parsed = taskline.parse_task(strip_eol(note.lines[index]), index)
    assert parsed is not None
    if parsed.open:
        above = taskline.next_occurrence(parsed, TODAY)
        new = edits.replace_line(note, index, taskline.tick(parsed, TODAY), insert_above=above)
        assert_one_line_replaced(note, new, index, above is not None)
        assert taskline.parse_task(strip_eol(new.lines[index + (above is not None)])).done
        back = edits.replace_line(new, index + (above is not None), taskline.untick(
            taskline.parse_task(strip_eol(new.lines[index + (above is not None)]))))
        if above is None and parsed.status == " " and "done" not in parsed.dates:
            assert back.render() == note.render()  # tick then untick restores the bytes
    elif parsed.done:
        new = edits.replace_line(note, index, taskline.untick(parsed))
        assert_one_line_replaced(note, new, index, False)
        assert taskline.parse_task(strip_eol(new.lines[index])).open
    else:
        return
    assert new.properties == note.properties


# ---- the CLI on a vault holding the generated note ------------------------------------------------------
CLI_EDITS = st.sampled_from([
    ["log", "{n}", "Called about 🚀"], ["log", "{n}", "x", "--date", "2026-01-01", "--via", "Jeff"],
    ["task", "add", "{n}", "Send the deck", "--due", "2026-12-01"], ["set", "{n}", "status", "Active"],
    ["set", "{n}", "last_contact", "2026-11-20"], ["set", "{n}", "tags", "a", "b"], ["unset", "{n}", "tags"],
    ["unset", "{n}", "title"], ["add", "{n}", "Key Facts", "A fact"], ["add", "{n}", "Blockers", "Legal"],
    ["get", "{n}", "title"], ["get", "{n}", "Status"], ["task", "done", "{n}", "1"], ["task", "undo", "{n}", "1"],
    ["show", "{n}"], ["who", "{n}"], ["timeline", "{n}", "--json"], ["doctor", "{n}"],
])
READS = st.sampled_from([["show", "{n}", "--json"], ["list", "--json"], ["task", "list", "--json"], ["stale", "--json"]])
CLI_FUZZ = settings(FUZZ, max_examples=max(50, EXAMPLES * 5 // 6))


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("cli-fuzz")


@CLI_FUZZ
@given(text=notes(), commands=st.lists(st.one_of(READS, CLI_EDITS), min_size=2, max_size=2))
def test_the_cli_never_crashes_and_refuses_without_writing(scratch, text, commands):
    root = Path(tempfile.mkdtemp(dir=scratch))
    try:
        note = root / "Fuzz.md"
        note.write_bytes(text.encode("utf-8"))
        (root / "Other.md").write_text("---\ntype: customer\n---\n# Other\n", encoding="utf-8")
        for command in [["show", "{n}", "--json"], *commands]:
            before = note.read_bytes()
            args = [a.replace("{n}", "Fuzz.md") for a in command]
            r = invoke(["--vault", str(root), *args])  # an uncaught exception would propagate here
            assert r.exit_code in range(6), (args, r.exit_code, r.stderr)
            assert "Traceback" not in r.stderr
            after = note.read_bytes()
            if r.exit_code != 0:
                assert after == before, (args, r.stderr)
                assert r.stdout == "" or args[0] == "doctor"
                assert r.stderr.strip(), args
            if args[-1] == "--json" and r.exit_code == 0:
                json.loads(r.stdout)
            if after != before and (args[0] in ("log", "add") or args[:2] == ["task", "add"]):
                old_note, new_note = Note.parse(before.decode()), Note.parse(after.decode())
                extra = subsequence_gap(old_note.lines, new_note.lines)
                if args[0] == "log":  # the entry, and maybe last_contact raised by a changed line
                    assert extra is not None or new_note.lines[old_note.frontmatter.end:] != []
                else:
                    assert extra is not None and 1 <= len(extra) <= 4, args
    finally:
        shutil.rmtree(root, ignore_errors=True)


# ---- the linear-time patterns match what the backtracking ones did ----------------------------------
ORIGINAL = {
    "_ENTRY": re.compile(r"(?P<indent>\s*)[-*+]\s+(?!\[.\]\s)(?P<date>[^:\s][^:]*?):\s*"
                         r"(?:\[\[(?P<link>[^\]]*)\]\]\s*(?:[-–—]\s*)?)?(?P<text>.*?)\s*$"),
    "_VIA": re.compile(r"\s*\(via ([^()]*)\)\s*$"),
}
PIECES = st.lists(st.sampled_from([" ", "\t", "a", "1", ",", "-", ":", "(via ", ")", "(", "^", "📅", "2026-01-02",
                                   "🔁", "every ", "🆔", "⏫", "\ufe0f", "[[", "]]", "- ", "x", "\r", "!", "_", "#",
                                   "|", "\n", "[", "]"]), max_size=12).map("".join)


@settings(max_examples=200, deadline=None)
@given(PIECES, st.sampled_from(sorted(ORIGINAL)))
def test_the_linear_line_patterns_match_exactly_what_the_backtracking_ones_did(text, name):
    old, new = ORIGINAL[name], getattr(grammar, name)
    find = "match" if name == "_ENTRY" else "search"
    a, b = getattr(old, find)(text), getattr(new, find)(text)
    assert (a is None) == (b is None)
    if a is not None:
        assert (a.start(), a.end()) == (b.start(), b.end())
        assert [a.group(g) for g in range(1, old.groups + 1)] == [b.group(g) for g in range(1, old.groups + 1)]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from([" ", "a", "1", ",", "(", ")", "[", "]", "::", "due", "📅", "2026-01-02", "🔁", "every ",
                                 "🆔", "⛔", "⏫", "\ufe0f", "#", "#t", "^", "^b1", "x"]), max_size=14).map("".join),
       st.sampled_from(range(len(taskline.EMOJI_FIELDS) + len(taskline.DATAVIEW_FIELDS) + 1)))
def test_task_fields_are_found_in_linear_time_exactly_where_a_plain_search_finds_them(text, which):
    fields = [*taskline.EMOJI_FIELDS, *taskline.DATAVIEW_FIELDS, ("block", taskline.BLOCK_LINK, "^")]
    _, pattern, signs = fields[which]
    a, b = pattern.search(text), taskline.find(pattern, signs, text)
    assert (a and (a.span(), a.groups())) == (b and (b.span(), b.groups()))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from([" ", "\t", "#", "a", "\r", "b#", "##"]), max_size=12).map("".join))
def test_the_linear_heading_pattern_reads_headings_as_the_backtracking_one_did(text):
    old = re.compile(r" {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
    a, b = old.match(text), HEADING.match(text)
    assert (a is None) == (b is None)
    if a is not None:
        assert (a[1], (a[2] or "").strip()) == (b[1], (b[2] or "").strip())


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["[", "]", "[[", "]]", "a", "|", "#", "^", "\n", " "]), max_size=16).map("".join))
def test_wikilinks_are_found_as_the_regex_finds_them_on_either_path(text):
    expected = [m.strip() for m in grammar._WIKILINK.findall(text)]
    assert grammar.wikilinks(text) == expected
    assert grammar._wikilinks_linear(text) == expected


# ---- encodings ---------------------------------------------------------------------------------------
LATIN1 = "---\ntype: customer\n---\n# Café Crème\n\n## Recent Context\n".encode("latin-1")


@pytest.mark.parametrize("command", [["log", "Latin", "Called"], ["set", "Latin", "status", "x"],
                                     ["add", "Latin", "Key Facts", "x"], ["task", "add", "Latin", "x"],
                                     ["unset", "Latin", "type"], ["show", "Latin"], ["show", "Latin", "--json"]])
def test_a_note_that_is_not_utf8_is_refused_with_exit_5_and_never_rewritten(vault, run, command):
    (vault / "Latin.md").write_bytes(LATIN1)
    r = run(*command)
    assert r.exit_code == 5, r.stderr
    assert "Latin.md" in r.stderr and "UTF-8" in r.stderr
    assert (vault / "Latin.md").read_bytes() == LATIN1
    assert "\ufffd".encode() not in (vault / "Latin.md").read_bytes()


@pytest.mark.parametrize(("on_disk", "typed"), [("NFD", "NFC"), ("NFC", "NFD"), ("NFD", "NFD")])
def test_a_file_name_in_either_unicode_form_is_found_and_edited_in_place(vault, run, on_disk, typed):
    title = "Café Münster"
    folder = vault / "Customers"
    path = folder / (unicodedata.normalize(on_disk, title) + ".md")
    path.write_text("---\ntype: customer\n---\n# Café\n\n## Recent Context\n", encoding="utf-8")
    name = unicodedata.normalize(typed, title)
    r = run("show", name, "--json")
    assert r.exit_code == 0, r.stderr
    assert json.loads(r.stdout)["path"] == "Customers/Café Münster.md"  # printed in NFC
    r = run("log", name, "Visited")
    assert r.exit_code == 0, r.stderr
    assert [p.name for p in folder.iterdir() if "nster" in p.name] == [path.name]  # no twin created
    assert "Visited" in path.read_text(encoding="utf-8")


TEXTS = ["Café Zürich 🚀", "שלום עולם — מחר", "مرحبا بالعالم", "北京客户 👩‍💻", "Ünïcödé\u200fRTL mark", "🇫🇷🏳️‍🌈"]


@pytest.mark.parametrize("text", TEXTS)
def test_unicode_titles_and_text_round_trip_through_new_log_set_show_and_list(vault, run, text):
    title = text.replace("\u200f", "")
    r = run("new", "customer", title, "--json")
    assert r.exit_code == 0, r.stderr
    path = json.loads(r.stdout)["path"]
    assert run("log", title, text).exit_code == 0
    assert run("set", title, "motto", text, "--string").exit_code == 0
    shown = json.loads(run("show", title, "--json").stdout)
    assert shown["title"] == title
    assert shown["recent_context"][0]["text"] == text
    assert shown["properties"]["motto"] == text
    listed = {row["path"]: row for row in json.loads(run("list", "--json").stdout)}
    assert listed[path]["title"] == title
    assert run("get", title, "motto").stdout == text + "\n"
    raw = (vault / path).read_bytes().decode("utf-8")
    assert text in raw and "\\u" not in raw  # stored as UTF-8 text, not escapes
