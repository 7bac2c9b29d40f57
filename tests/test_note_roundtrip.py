"""The note model never damages a file: parse→render is the identity, byte for byte.

It is proven on every real note in ../shared/corpus and examples/, on CRLF and BOM copies of
them, and on generated notes (hypothesis). Reading values follows Obsidian: dates and other
YAML 1.1 look-alikes stay the text the user wrote, malformed frontmatter is an InvalidNote
naming the file and line.
"""

from __future__ import annotations

import re
from pathlib import Path

import frontmatter
import pytest
from conftest import CORPUS, REPO, corpus_notes
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vaultcrm.errors import InvalidNote
from vaultcrm.model.note import Note, strip_eol

CORPUS_FILES = corpus_notes()
EXAMPLE_FILES = sorted(p for p in (REPO / "examples").rglob("*.md") if p.is_file())


def _id(path: Path) -> str:
    for base in (CORPUS, REPO):
        try:
            return path.relative_to(base).as_posix()
        except ValueError:
            pass
    return str(path)


def read_exact(path: Path) -> str:
    """The file's text with newline='' semantics: no newline translation, BOM kept."""
    return path.read_bytes().decode("utf-8")


def assert_roundtrip(text: str) -> Note:
    note = Note.parse(text)
    rendered = note.render()
    assert rendered == text
    assert rendered.encode("utf-8") == text.encode("utf-8")
    return note


# ---- real files ---------------------------------------------------------------------------------
def test_the_corpus_and_the_examples_are_there_to_be_tested() -> None:
    if CORPUS.is_dir():
        assert len(CORPUS_FILES) > 600
    assert len(EXAMPLE_FILES) >= 12


@pytest.mark.parametrize("path", CORPUS_FILES + EXAMPLE_FILES, ids=_id)
def test_every_real_note_renders_back_byte_for_byte(path: Path) -> None:
    note = assert_roundtrip(read_exact(path))
    assert_structure(note)


def _crlf(text: str) -> str:
    return re.sub(r"(?<!\r)\n", "\r\n", text)


@pytest.mark.parametrize("path", CORPUS_FILES + EXAMPLE_FILES, ids=_id)
def test_crlf_and_bom_copies_of_every_real_note_render_back_byte_for_byte(path: Path) -> None:
    text = read_exact(path)
    base = text.removeprefix("\ufeff")
    for variant in (_crlf(text), "\ufeff" + base, "\ufeff" + _crlf(base)):
        note = assert_roundtrip(variant)
        plain = Note.parse(text)
        # The same structure is found whatever the line endings or BOM.
        assert [(s.level, s.heading, s.start, s.end) for s in note.sections] == \
            [(s.level, s.heading.rstrip("\r"), s.start, s.end) for s in plain.sections]
        assert (note.frontmatter is None) == (plain.frontmatter is None)


def test_a_crlf_note_adds_lines_in_crlf() -> None:
    note = Note.parse("a\r\nb\r\n")
    assert note.newline == "\r\n"
    assert Note.parse("a\nb\n").newline == "\n"


# ---- frontmatter detection -----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "fmt", "body_start", "props"),
    [
        ("---\na: 1\n---\nbody\n", "yaml", 3, {"a": 1}),
        ("---\na: 1\n...\nbody\n", "yaml", 3, {"a": 1}),
        ("---   \na: 1\n---\t\n", "yaml", 3, {"a": 1}),
        ("+++\na = 1\nd = 2025-12-19\n+++\nbody\n", "toml", 4, {"a": 1, "d": "2025-12-19"}),
        ('---\n{"a": 1, "b": [true, "x"]}\n---\n', "yaml", 3, {"a": 1, "b": [True, "x"]}),
        ("---\n---\nbody\n", "yaml", 2, {}),
        ("---\n\n---\n", "yaml", 3, {}),
        ("\ufeff---\r\na: 1\r\n---\r\n", "yaml", 3, {"a": 1}),
        ("---\na: 1\n---", "yaml", 3, {"a": 1}),
    ],
    ids=["yaml", "yaml-closed-by-dots", "trailing-blanks", "toml", "json-inside-dashes", "empty",
         "blank-line-only", "bom-crlf", "no-final-newline"],
)
def test_frontmatter_is_detected_in_each_accepted_shape(text: str, fmt: str, body_start: int, props: dict) -> None:
    note = assert_roundtrip(text)
    assert note.frontmatter is not None
    assert note.frontmatter.fmt == fmt
    assert note.body_start == body_start
    assert note.properties == props


@pytest.mark.parametrize(
    "text",
    ["no frontmatter\n---\na: 1\n---\n", "\n---\na: 1\n---\n", " ---\na: 1\n---\n", "----\na: 1\n----\n",
     "--- x\na: 1\n---\n", "{\n\"a\": 1\n}\n", ""],
    ids=["not-first-line", "blank-first-line", "indented", "four-dashes", "text-after-dashes", "bare-json", "empty"],
)
def test_text_that_only_looks_like_frontmatter_is_body(text: str) -> None:
    note = assert_roundtrip(text)
    assert note.frontmatter is None
    assert note.frontmatter_error is None
    assert note.properties == {}
    assert note.body_start == 0


@pytest.mark.parametrize("text", ["---\na: 1\nbody\n", "---\n", "+++\na = 1\n"], ids=["yaml", "bare", "toml"])
def test_an_opening_delimiter_never_closed_opens_no_frontmatter_and_the_note_is_all_body(text: str) -> None:
    # Obsidian reads such a `---` as a horizontal rule: no block, no error, every line is body.
    note = assert_roundtrip(text)
    note.check()
    assert note.frontmatter is None
    assert note.frontmatter_error is None
    assert note.properties == {}
    assert note.body_start == 0


# ---- values as Obsidian reads them -------------------------------------------------------------------
VALUES = """---
quoted_date: '2025-12-19'
bare_date: 2025-12-19
timestamp: 2025-12-19T10:30:00
yes_word: yes
no_word: no
on_word: on
time: 10:30
octal: 01234
hexish: 0x1F
truth: true
number: 42
negative: -7
decimal: 1.5
nothing:
tilde: ~
created: {{date}}
title: {{title}}
stamp: {{date:YYYY-MM-DD}}
---
"""


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("quoted_date", "2025-12-19"), ("bare_date", "2025-12-19"), ("timestamp", "2025-12-19T10:30:00"),
        ("yes_word", "yes"), ("no_word", "no"), ("on_word", "on"), ("time", "10:30"), ("octal", "01234"),
        ("hexish", "0x1F"), ("truth", True), ("number", 42), ("negative", -7), ("decimal", 1.5),
        ("nothing", None), ("tilde", None), ("created", "{{date}}"), ("title", "{{title}}"),
        ("stamp", "{{date:YYYY-MM-DD}}"),
    ],
)
def test_values_read_as_obsidian_reads_them(key: str, value: object) -> None:
    got = Note.parse(VALUES).properties[key]
    assert got == value
    assert type(got) is type(value)


@pytest.mark.parametrize(
    ("block", "line"),
    [
        ("a: 1\nb: c: d\n", 3),
        ("a: 1\n  b: 2\n", 3),
        ("a: 1\nb: [1, 2\nc: 3\n", 4),
        ("a: 1\nb: 2\nc: 'open\nd: 4\n", 4),  # the quote runs on to the end: point at where it opens
        ("- a\n- b\n", 2),
    ],
    ids=["nested-colon", "bad-indent", "unclosed-flow-list", "unclosed-quote", "not-a-mapping"],
)
def test_malformed_yaml_is_an_invalid_note_naming_path_and_file_line(block: str, line: int) -> None:
    text = f"---\n{block}---\n\n# Body\n"
    note = assert_roundtrip(text)
    with pytest.raises(InvalidNote) as info:
        Note.parse(text, "Customers/Acme.md").check()
    assert info.value.path == "Customers/Acme.md"
    assert info.value.line == line
    assert info.value.exit_code == 5
    # Broken frontmatter does not stop the body from being read (list/show skip, edits refuse).
    assert [s.heading for s in note.sections] == ["Body"]


def test_the_error_line_counts_the_bom_and_crlf_like_any_other_file() -> None:
    with pytest.raises(InvalidNote) as info:
        Note.parse("\ufeff---\r\na: 1\r\nb: c: d\r\n---\r\n", "x.md").check()
    assert info.value.line == 3


@pytest.mark.parametrize(
    "value",
    ["!!python/object:os.system {}", "!!python/name:os.system", "!!python/object/apply:os.system ['echo hi']",
    ],
)
def test_python_and_other_unsafe_yaml_tags_are_refused(value: str) -> None:
    text = f"---\ntitle: ok\nx: {value}\n---\n"
    with pytest.raises(InvalidNote) as info:
        Note.parse(text, "x.md").check()
    assert info.value.line == 3


def test_a_yaml_alias_bomb_is_refused_not_expanded() -> None:
    lines = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 9):
        prev, cur = chr(ord("a") + i - 1), chr(ord("a") + i)
        lines.append(f"{cur}: &{cur} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]")
    with pytest.raises(InvalidNote):
        Note.parse("---\n" + "\n".join(lines) + "\n---\n").check()


# ---- python-frontmatter as a second opinion ------------------------------------------------------------
# Where python-frontmatter (used by many Obsidian tools) reads a corpus file differently from us:
# corpus path -> why we differ on purpose. An entry whose difference disappears fails the test.
FRONTMATTER_DIFFERENCES: dict[str, str] = {
    "eyeseast__python-frontmatter/tests/json/hello-json.md":
        "a bare `{...}` block without --- is python-frontmatter's JSON format; Obsidian shows it as body text",
    "eyeseast__python-frontmatter/tests/yaml/extra-dash.txt":
        "python-frontmatter accepts `----`; Obsidian needs exactly `---`, so for us it is a rule in the body",
    "eyeseast__python-frontmatter/tests/toml/hello-toml.md":
        "python-frontmatter reads +++ TOML only with the third-party `toml` package; we read it with tomllib",
    "SoRobby__ObsidianStarterVault/Vault/Spaces/Contacts/Example Contact.md":
        "the --- block starts on line 2 after a blank line: python-frontmatter.loads strips leading "
        "whitespace and reads it; Obsidian (and we) need --- on line 1, so it is body text",
    "eyeseast__python-frontmatter/examples/content/pandoc.txt":
        "a block closed by `...` (YAML's end-of-document, pandoc style): python-frontmatter finds no "
        "second --- and reads no keys; we read the block",
}

_HANDLER_FMT = {"YAMLHandler": "yaml", "TOMLHandler": "toml", "JSONHandler": "json", None: None}


def _our_reading(text: str) -> tuple[str | None, set[str] | str]:
    """(format, keys) as we read the note; keys is 'invalid' when we raise InvalidNote."""
    note = Note.parse(text)
    fmt = note.frontmatter.fmt if note.frontmatter else ("unclosed" if note.frontmatter_error else None)
    try:
        return fmt, set(note.properties)
    except InvalidNote:
        return fmt, "invalid"


def _their_reading(text: str) -> tuple[str | None, set[str] | str]:
    handler = frontmatter.detect_format(text, frontmatter.handlers)
    fmt = _HANDLER_FMT[type(handler).__name__ if handler else None]
    try:
        return fmt, {str(k) for k in frontmatter.loads(text).metadata}
    except Exception:  # noqa: BLE001 - PyYAML/json errors of every kind
        return fmt, "invalid"


@pytest.mark.parametrize("path", CORPUS_FILES, ids=_id)
def test_frontmatter_detection_agrees_with_python_frontmatter_or_the_difference_is_documented(path: Path) -> None:
    text = read_exact(path)
    ours, theirs = _our_reading(text), _their_reading(text)
    if ours[1] != "invalid" and theirs[1] == "invalid":
        # PyYAML rejects `created: {{date}}` template placeholders that we (like Obsidian) read as text.
        assert any("{{" in str(v) for v in Note.parse(text).properties.values())
        theirs = (theirs[0], ours[1])
    key = _id(path)
    if key in FRONTMATTER_DIFFERENCES:
        assert ours != theirs, f"the documented difference for {key} is gone: drop its entry"
    else:
        assert ours == theirs


def test_every_documented_frontmatter_difference_names_a_corpus_file() -> None:
    if not CORPUS.is_dir():
        pytest.skip("../shared/corpus is absent")
    for key in FRONTMATTER_DIFFERENCES:
        assert (CORPUS / key).is_file(), key


# ---- generated notes (hypothesis) -------------------------------------------------------------------
EOLS = st.sampled_from(["\n", "\r\n"])
# Free text that can never open a fence, be a heading, or be a frontmatter delimiter.
PLAIN = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\n\r#`~"),
    max_size=30,
).filter(lambda s: s.strip() not in ("---", "...", "+++"))
FIXED = st.sampled_from([
    "", "- [ ] an open task 📅 2026-01-02", "- [x] done ✅ 2026-01-01", "***", "---", "| a | b |",
    "- 2025-12-19: [[x]] - entry (via P)", "Ünïcødé — ✓ 日本語", "> quote", "<!-- comment -->",
])
INNER = st.sampled_from([
    "# Heading in a fence", "## Open Tasks", "- [ ] task in a fence", "", "---", "text", "    indented",
    "#tag", "+++",
])


@st.composite
def bodies(draw: st.DrawFn, allow_rules: bool) -> tuple[list[str], set[int], list[tuple[int, int, str]]]:
    """Body lines (no endings), the indexes that are fenced, and the (index, level, text) of headings."""
    lines: list[str] = []
    fenced: set[int] = set()
    heads: list[tuple[int, int, str]] = []
    blocks = draw(st.lists(st.sampled_from(["text", "fixed", "heading", "fence"]), max_size=12))
    for n, kind in enumerate(blocks):
        if kind == "text":
            lines.append(draw(PLAIN))
        elif kind == "fixed":
            line = draw(FIXED)
            if line == "---" and not allow_rules:
                line = "***"
            lines.append(line)
        elif kind == "heading":
            level = draw(st.integers(1, 6))
            title = draw(PLAIN).strip()
            heads.append((len(lines), level, title))
            lines.append("#" * level + (" " + title if title else ""))
        else:
            char = draw(st.sampled_from("`~"))
            width = draw(st.integers(3, 5))
            info = draw(st.sampled_from(["", "python", "tasks", " md"]))
            fenced.add(len(lines))
            lines.append(char * width + info)
            for inner in draw(st.lists(INNER, max_size=4)):
                if inner == "---" and not allow_rules:
                    inner = "text"
                fenced.add(len(lines))
                lines.append(inner)
            last = n == len(blocks) - 1
            if not (last and draw(st.booleans())):  # the last fence may stay open to the end of the file
                fenced.add(len(lines))
                lines.append(char * (width + draw(st.integers(0, 1))))
    return lines, fenced, heads


@st.composite
def notes(draw: st.DrawFn) -> tuple[str, int, set[int], list[tuple[int, int, str]]]:
    """A generated note and, independently computed, its body start, fenced lines and headings."""
    fm_kind = draw(st.sampled_from(["none", "yaml", "toml", "empty", "dots", "unclosed"]))
    fm: list[str] = {
        "none": [],
        "yaml": ["---", "title: Ünï", "created: 2025-12-19", "tags: [a, b]", "---"],
        "toml": ["+++", 'title = "x"', "+++"],
        "empty": ["---", "---"],
        "dots": ["---", "a: 1", "..."],
        "unclosed": ["---", "a: 1"],
    }[fm_kind]
    # An unclosed block would be closed by a later `---` rule, so those notes get no rules.
    body, fenced, heads = draw(bodies(allow_rules=fm_kind != "unclosed"))
    if fm_kind == "none" and body and body[0].strip() in ("---", "+++"):
        body = ["intro", *body]
        fenced = {i + 1 for i in fenced}
        heads = [(i + 1, lv, t) for i, lv, t in heads]
    all_lines = fm + body
    shift = len(fm)
    body_start = 0 if fm_kind in ("none", "unclosed") else len(fm)
    endings = [draw(EOLS) for _ in all_lines]
    mixed = draw(st.booleans())
    if not mixed and endings:
        endings = [endings[0]] * len(endings)
    if all_lines and all_lines[-1] and draw(st.booleans()):
        endings[-1] = ""  # no final newline (an empty last line without one would be no line at all)
    text = "".join(line + e for line, e in zip(all_lines, endings, strict=True))
    if draw(st.booleans()):
        text = "\ufeff" + text
    return text, body_start, {i + shift for i in fenced}, [(i + shift, lv, t) for i, lv, t in heads]


def assert_structure(note: Note) -> None:
    """Sections tile the body: preamble, then each section up to the next, to the end of the file."""
    start, end = note.preamble
    assert start == note.body_start
    for s in note.sections:
        assert s.start == end
        assert s.start < s.end
        assert s.start not in note.fenced
        end = s.end
    assert end == len(note.lines)


SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(st.text(max_size=200))
def test_any_text_at_all_renders_back_unchanged(text: str) -> None:
    assert_structure(assert_roundtrip(text))


@SETTINGS
@given(notes())
def test_generated_notes_render_back_and_are_structured_as_written(case: tuple) -> None:
    text, body_start, fenced, heads = case
    note = assert_roundtrip(text)
    assert note.bom == ("\ufeff" if text.startswith("\ufeff") else "")
    assert note.body_start == body_start
    assert set(note.fenced) == fenced
    # Headings inside fences never become sections; every heading written outside one does.
    assert [(s.start, s.level, s.heading) for s in note.sections] == heads
    assert_structure(note)
    for s in note.sections:
        assert strip_eol(note.lines[s.start]).lstrip().startswith("#")


@SETTINGS
@given(notes(), st.sampled_from(["\n", "\r\n"]))
def test_line_endings_do_not_change_what_is_found(case: tuple, eol: str) -> None:
    text = case[0]
    uniform = re.sub(r"\r?\n", eol, text)
    a, b = Note.parse(text), Note.parse(uniform)
    assert [(s.start, s.level, s.heading) for s in a.sections] == [(s.start, s.level, s.heading) for s in b.sections]
    assert a.fenced == b.fenced
    assert a.body_start == b.body_start
