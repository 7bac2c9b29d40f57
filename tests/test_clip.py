"""`clip`: a source filed as a note in Web Clipper's shape and linked from accounts, as one edit.

The seed articles 002-004 are clipped into copies of the example vault: the exact frontmatter,
the body bytes, the account's line, `stale` unchanged, duplicates and similar stories, undo, and
every bad input (clear error, the README's exit code, nothing written).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
import yaml
from conftest import SEEDS, Run, invoke, snapshot

from vaultcrm.model import clipping

Runner = Callable[..., Run]
OPENAI = "Customers/OpenAI.md"
EXISTING_002 = "Sources/Microsoft no longer exclusive.md"  # the example vault holds seed 002 already
TITLES = {
    "002": "Microsoft No Longer OpenAI's Exclusive Cloud Provider",
    "003": "Microsoft Loses Exclusive Cloud Provider Status with OpenAI, Remains a Key Partner",
    "004": "OpenAI's cloud tug\u2011of\u2011war",
}


def seed(n: str) -> Path:
    found = sorted(SEEDS.glob(f"{n}_*.txt"))
    if not found:
        pytest.skip("../shared/seeds is not beside the checkout")
    return found[0]


def seed_body(n: str) -> bytes:
    """The bytes after the title, counted by hand: 002 is its title, a blank line, then the text;
    003 repeats its title three times (once doubled on one line) before the text; 004's text
    starts on its second line."""
    data = seed(n).read_bytes()
    if n == "002":
        return data.split(b"\n", 2)[2]
    if n == "003":
        return data[data.index(b"Microsoft, the largest investor"):]
    return data.split(b"\n", 1)[1]


@pytest.fixture
def fresh(vault: Path) -> Path:
    """The example vault without its copy of seed 002 and without the second "OpenAI" note (in
    Inbox/), so that `OpenAI` names one account and every seed is new."""
    (vault / EXISTING_002).unlink()
    (vault / "Inbox/OpenAI.md").unlink()
    return vault


def runner(root: Path) -> Callable[..., Run]:
    return lambda *args, **kw: invoke(["--vault", str(root), *args], **kw)


def frontmatter(text: str) -> str:
    assert text.startswith("---\n")
    return text[: text.index("\n---\n", 4) + 5]


def expected_frontmatter(n: str) -> str:
    author = {"003": '\n  - "[[Archana Suryawanshi]]"'}.get(n, "")
    site = {"002": ' "TechCrunch"'}.get(n, "")
    title = json.dumps(TITLES[n], ensure_ascii=False)
    return (f"---\ntitle: {title}\nsource:\nauthor:{author}\npublished:\ncreated: 2026-11-22\ndescription:\n"
            f'tags:\n  - "clippings"\ntype: source\nsite:{site}\naccounts:\n  - "[[OpenAI]]"\n---\n')


# ---- clipping each seed ------------------------------------------------------------------------
@pytest.mark.parametrize("n", ["002", "003", "004"])
def test_each_seed_is_filed_with_web_clippers_frontmatter_its_body_bytes_and_one_recent_context_line(
        fresh: Path, n: str) -> None:
    run = runner(fresh)
    before = snapshot(fresh)
    stale = run("stale", "--json").stdout
    r = run("clip", str(seed(n)), "--account", "OpenAI", "--json")
    assert r.exit_code == 0, r.stderr
    out = json.loads(r.stdout)
    path = f"Sources/{TITLES[n]}.md"
    assert out["path"] == path and out["duplicate_of"] is None and out["similar"] == []
    data = (fresh / path).read_bytes()
    assert frontmatter(data.decode()) == expected_frontmatter(n)
    assert data == expected_frontmatter(n).encode() + seed_body(n)
    site = " (TechCrunch)" if n == "002" else ""
    line = f"- 2026-11-22: [[{TITLES[n]}]] - Source{site}: {TITLES[n]}\n"
    account = before[OPENAI].decode()
    first = "- 2026-10-30: "
    assert (fresh / OPENAI).read_text(encoding="utf-8") == account.replace(first, line + first, 1)
    assert set(snapshot(fresh)) - set(before) == {path}
    assert run("stale", "--json").stdout == stale  # a source is no contact


def test_what_the_text_states_is_said_on_stderr(fresh: Path) -> None:
    run = runner(fresh)
    r = run("clip", str(seed("003")), "-a", "OpenAI")
    assert r.exit_code == 0, r.stderr
    assert 'inferred author "Archana Suryawanshi" from the by-line after "Categories: Business"' in r.stderr
    r = run("clip", str(seed("002")), "-a", "OpenAI", "--json")
    assert 'inferred site "TechCrunch" from the trailer line "TechCrunch offers a newsletter' in r.stderr
    assert json.loads(r.stdout)["inferred"] == {"site": "TechCrunch"}
    r = run("clip", str(seed("004")), "-a", "OpenAI", "--json")
    assert json.loads(r.stdout)["inferred"] == {} and "inferred" not in r.stderr


def test_options_fill_the_properties_and_nothing_is_inferred_over_them(fresh: Path) -> None:
    run = runner(fresh)
    r = run("clip", str(seed("003")), "-a", "OpenAI", "--title", "Stargate: the cloud deal", "--url",
            "https://example.com/a?b=1", "--site", "Reuters", "--author", "Jane Doe", "--author", "[[John Roe]]",
            "--published", "2025-01-21", "--description", 'A "quoted" line', "--tag", "#ai", "--tag", "cloud/azure",
            "--to", "facts", "--json")
    assert r.exit_code == 0, r.stderr
    path = json.loads(r.stdout)["path"]
    assert path == "Sources/Stargate the cloud deal.md"  # `:` cannot be in a file name
    text = (fresh / path).read_text(encoding="utf-8")
    assert frontmatter(text) == (
        '---\ntitle: "Stargate: the cloud deal"\nsource: "https://example.com/a?b=1"\nauthor:\n  - "[[Jane Doe]]"\n'
        '  - "[[John Roe]]"\npublished: 2025-01-21\ncreated: 2026-11-22\ndescription: "A \\"quoted\\" line"\n'
        'tags:\n  - "clippings"\n  - "ai"\n  - "cloud/azure"\ntype: source\nsite: "Reuters"\naccounts:\n'
        '  - "[[OpenAI]]"\n---\n')
    assert text.endswith(seed(n="003").read_text(encoding="utf-8").split("\n", 1)[1].lstrip("\n"))  # --title: body kept
    assert "inferred" not in r.stderr
    facts = (fresh / OPENAI).read_text(encoding="utf-8")
    assert "HDD clusters.\n- [[Stargate the cloud deal]] - Source (Reuters): A \"quoted\" line\n\n## Topics" in facts


def test_a_second_client_reads_the_frontmatter_to_the_same_values(fresh: Path) -> None:
    run = runner(fresh)
    r = run("clip", str(seed("003")), "-a", "OpenAI", "--url", "https://example.com/x: y", "--published", "2025-01-21",
            "--description", "Colon: hash # and 'quotes'", "--json")
    path = json.loads(r.stdout)["path"]
    block = frontmatter((fresh / path).read_text(encoding="utf-8"))[4:-4]
    theirs = {k: v.isoformat() if isinstance(v, date) else v for k, v in yaml.safe_load(block).items()}
    ours = json.loads(run("show", path, "--json").stdout)["properties"]
    assert theirs == ours == {
        "title": TITLES["003"], "source": "https://example.com/x: y", "author": ["[[Archana Suryawanshi]]"],
        "published": "2025-01-21", "created": "2026-11-22", "description": "Colon: hash # and 'quotes'",
        "tags": ["clippings"], "type": "source", "site": None, "accounts": ["[[OpenAI]]"]}
    assert json.loads(run("show", path, "--json").stdout)["kind"] == "article"


def test_an_account_named_by_several_notes_is_linked_by_path_shown_as_its_title(vault: Path, run: Runner) -> None:
    r = run("clip", str(seed("004")), "--account", OPENAI, "--to", "related")
    assert r.exit_code == 0, r.stderr
    text = (vault / f"Sources/{TITLES['004']}.md").read_text(encoding="utf-8")
    assert 'accounts:\n  - "[[Customers/OpenAI|OpenAI]]"\n---\n' in text
    related = (vault / OPENAI).read_text(encoding="utf-8")
    assert related.endswith("- [[Microsoft no longer exclusive]]\n" f"- [[{TITLES['004']}]]\n")


def test_the_entry_takes_its_date_place_and_a_folder_note_account_is_linked_by_path(vault: Path, run: Runner) -> None:
    r = run("clip", str(seed("004")), "-a", "Anthropic PBC", "--published", "2026-10-05", "--site", "CNBC")
    assert r.exit_code == 0, r.stderr
    note = (vault / "Customers/Anthropic/README.md").read_text(encoding="utf-8")
    tug = "OpenAI's cloud tug\u2011of\u2011war"
    assert f"- 2026-10-05: [[{tug}]] - Source (CNBC): {tug}\n- 2026-10-02: [[2026-10-02 Kickoff]]" in note
    assert '  - "[[Customers/Anthropic/README|Anthropic]]"' in (vault / f"Sources/{TITLES['004']}.md").read_text()


# ---- duplicates and similar stories ------------------------------------------------------------
def test_a_text_already_in_the_vault_fails_naming_it_and_the_account_still_links_it(vault: Path, run: Runner) -> None:
    before = snapshot(vault)
    r = run("clip", str(seed("002")), "-a", OPENAI, "--json")
    assert r.exit_code == 1
    assert json.loads(r.stdout)["duplicate_of"] == EXISTING_002
    assert f"error: {seed('002')}: the same text is already in the vault: {EXISTING_002}" in r.stderr
    assert set(snapshot(vault)) == set(before)  # no new note
    line = "- 2026-11-22: [[Microsoft no longer exclusive]] - Source (TechCrunch): Microsoft no longer exclusive\n"
    assert (vault / OPENAI).read_text(encoding="utf-8") == before[OPENAI].decode().replace(
        "- 2026-10-30: ", line + "- 2026-10-30: ", 1)


def test_002_then_002_is_a_duplicate_and_003_a_similar_story_written_with_a_warning(fresh: Path) -> None:
    run = runner(fresh)
    first = json.loads(run("clip", str(seed("002")), "-a", "OpenAI", "--json").stdout)["path"]
    again = run("clip", str(seed("002")), "-a", "Acme Corp", "--json")
    assert again.exit_code == 1 and json.loads(again.stdout)["duplicate_of"] == first
    assert f"[[{TITLES['002']}]] - Source (TechCrunch)" in (fresh / "Customers/Acme Corp.md").read_text()
    same = run("clip", str(seed("002")), "-a", "OpenAI", "--json")  # already linked there: nothing to add
    assert same.exit_code == 1 and json.loads(same.stdout)["paths"] == []
    r = run("clip", str(seed("003")), "-a", "OpenAI", "--json")
    assert r.exit_code == 0, r.stderr
    similar = json.loads(r.stdout)["similar"]
    assert [s["path"] for s in similar] == [first] and similar[0]["score"] >= clipping.SIMILAR_AT
    assert f"warning: {seed('003')} tells the same story as {first} (similarity" in r.stderr
    assert (fresh / f"Sources/{TITLES['003']}.md").exists()
    r = run("clip", str(seed("004")), "-a", "OpenAI", "--json")
    assert r.exit_code == 0 and json.loads(r.stdout)["similar"] == []


def test_the_same_text_with_other_white_space_is_a_duplicate(fresh: Path, tmp_path: Path) -> None:
    run = runner(fresh)
    run("clip", str(seed("004")))
    respaced = tmp_path / "respaced.md"
    respaced.write_text("# " + seed("004").read_text(encoding="utf-8").replace(" ", "  ").replace("\n", "\r\n\r\n"))
    r = run("clip", str(respaced), "--json")
    assert r.exit_code == 1 and json.loads(r.stdout)["duplicate_of"] == f"Sources/{TITLES['004']}.md"


def read_seed(n: str) -> tuple[str, str]:
    return clipping.split_title(clipping.decode_source(seed(n).read_bytes(), n))


def score(a: tuple[str, str], b: tuple[str, str], names: list[str] = ()) -> float:  # type: ignore[assignment]
    va, vb = clipping.story_vector(*a), clipping.story_vector(*b)
    shared = clipping.names_in(clipping.names_in([tuple(clipping.words(n)) for n in names], va), vb)
    return clipping.cosine(va, vb, {w for n in shared for w in n})


def test_the_measure_finds_002_and_003_alike_and_004_unlike_both() -> None:
    s002, s003, s004 = (read_seed(n) for n in ("002", "003", "004"))
    accounts = ["OpenAI", "Acme Corp", "Anthropic", "Globex", "Initech"]  # the example vault's accounts
    assert score(s002, s003, accounts) == pytest.approx(0.592, abs=0.005)
    assert score(s002, s004, accounts) == pytest.approx(0.345, abs=0.005)
    assert score(s003, s004, accounts) == pytest.approx(0.335, abs=0.005)
    assert score(s002, s003, accounts) >= clipping.SIMILAR_AT > max(score(s002, s004, accounts),
                                                                    score(s003, s004, accounts))
    assert score(s002, s004) > 0.5  # without leaving out the account both name, 004 would look alike


def corpus_articles() -> list[Path]:
    from conftest import CORPUS

    return sorted(p for p in CORPUS.rglob("*.md") if p.stat().st_size > 1500) if CORPUS.is_dir() else []


def test_no_corpus_note_is_taken_for_the_story_of_a_seed() -> None:
    articles = corpus_articles()
    if not articles:
        pytest.skip("../shared/corpus is not beside the checkout")
    seeds = [read_seed(n) for n in ("002", "003", "004")]
    worst = max(score(s, clipping.split_title(p.read_text(encoding="utf-8", errors="replace")), ["OpenAI"])
                for p in articles for s in seeds)
    assert worst < clipping.SIMILAR_AT / 2


def test_a_source_whose_title_starts_with_a_date_dates_no_contact(fresh: Path) -> None:
    run = runner(fresh)
    before = json.loads(run("show", "Globex", "--json").stdout)["last_contact"]
    assert run("clip", str(seed("004")), "--title", "2026-11-21 AWS memo", "-a", "Globex").exit_code == 0
    assert json.loads(run("show", "Globex", "--json").stdout)["last_contact"] == before


# ---- one journaled edit ------------------------------------------------------------------------
def test_undo_takes_back_the_note_and_the_links_together(fresh: Path) -> None:
    run = runner(fresh)
    before = snapshot(fresh)
    assert run("clip", str(seed("003")), "-a", "OpenAI", "-a", "Globex").exit_code == 0
    assert len(snapshot(fresh)) == len(before) + 1
    u = run("undo")
    assert u.exit_code == 0, u.stderr
    assert "Customers/Globex.md" in u.stderr and "Customers/OpenAI.md" in u.stderr
    assert snapshot(fresh) == before


def test_dry_run_prints_every_diff_and_the_new_file_and_writes_nothing(fresh: Path) -> None:
    run = runner(fresh)
    before = snapshot(fresh)
    r = run("clip", str(seed("004")), "-a", "OpenAI", "--dry-run")
    assert r.exit_code == 0, r.stderr
    assert r.stdout.startswith(f"--- /dev/null\n+++ b/Sources/{TITLES['004']}.md\n")
    assert "+type: source\n" in r.stdout and "+OpenAI is telling staff" in r.stdout
    assert "--- a/Customers/OpenAI.md\n+++ b/Customers/OpenAI.md\n" in r.stdout
    assert r.stdout.endswith("\\ No newline at end of file\n") or "+- 2026-11-22: [[" in r.stdout
    assert "dry run:" in r.stderr
    assert snapshot(fresh) == before


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_commit_holds_the_new_note_and_the_account_in_one_commit(fresh: Path, monkeypatch: pytest.MonkeyPatch,
                                                                  tmp_path: Path) -> None:
    for k, v in {"GIT_AUTHOR_NAME": "T", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "T",
                 "GIT_COMMITTER_EMAIL": "t@example.com", "GIT_CONFIG_NOSYSTEM": "1",
                 "GIT_CONFIG_GLOBAL": str(tmp_path / "gitconfig"), "HOME": str(tmp_path)}.items():
        monkeypatch.setenv(k, v)

    def git(*args: str) -> str:
        return subprocess.run(["git", "-c", "core.quotePath=false", "-C", str(fresh), *args], check=True,
                              capture_output=True, text=True).stdout

    git("init", "-q", "-b", "main")
    git("add", "-A")
    git("commit", "-q", "-m", "start")
    assert runner(fresh)("--commit", "clip", str(seed("004")), "-a", "OpenAI").exit_code == 0
    files = git("show", "--name-only", "--format=", "HEAD").split("\n")[:-1]
    assert sorted(files) == sorted([OPENAI, f"Sources/{TITLES['004']}.md"])
    assert git("status", "--porcelain") == ""


# ---- where and under which name ----------------------------------------------------------------
def test_the_folder_comes_from_the_settings_and_a_taken_name_is_numbered(fresh: Path) -> None:
    run = runner(fresh)
    config = fresh / ".vaultcrm.toml"
    config.write_text(config.read_text(encoding="utf-8") + 'source = "Reading/Clips"\n', encoding="utf-8")
    (fresh / "Reading/Clips").mkdir(parents=True)
    (fresh / f"Reading/Clips/{TITLES['004'].upper()}.md").write_text("another text\n", encoding="utf-8")
    r = run("clip", str(seed("004")), "--json")
    assert r.exit_code == 0, r.stderr
    assert json.loads(r.stdout)["path"] == f"Reading/Clips/{TITLES['004']} 1.md"
    r = run("clip", "-", "--folder", "", "--json", input="Hello\n\nworld\n")
    assert json.loads(r.stdout)["path"] == "Hello.md"


@pytest.mark.parametrize(("title", "name"), [
    ('a/b\\c:d*e?f"g<h>i|j#k^l[m]n', "a b c d e f g h i j k l m n"),
    ("  ..Hidden.  ", "Hidden"),
    ("CON", "_CON"),
    ("Cafe\u0301 cre\u0300me", "Caf\u00e9 cr\u00e8me"),  # NFC
    ("\u00e9" * 100, "\u00e9" * 60),  # 120 bytes, cut between letters
    ("e\u0301" * 70, "\u00e9" * 60),
])
def test_a_title_becomes_a_file_name_every_os_accepts(title: str, name: str) -> None:
    assert clipping.safe_name(title) == name
    assert len(clipping.safe_name(title).encode()) <= clipping.NAME_MAX_BYTES


def test_an_html_page_becomes_markdown_with_its_own_metadata_said_on_stderr(fresh: Path, tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_text(
        '<html><head><title>Stargate explained | Example News</title><meta name="author" content="Jane Doe">'
        '<meta property="og:site_name" content="Example News"><link rel="canonical" href="https://ex.com/s">'
        '<meta property="article:published_time" content="2025-01-22T08:00:00Z"><script>var x=1;</script></head>'
        "<body><nav>Home</nav><article><h1>Stargate explained</h1><p>It is <b>big</b>, see "
        '<a href="https://openai.com">OpenAI</a>.</p><ul><li>one</li><li>two</li></ul>'
        "<pre><code>x = 1\n</code></pre></article><footer>\u00a9 Example News</footer></body></html>", encoding="utf-8")
    r = runner(fresh)("clip", str(page), "-a", "Globex", "--json")
    assert r.exit_code == 0, r.stderr
    text = (fresh / "Sources/Stargate explained.md").read_text(encoding="utf-8")
    assert text.endswith("---\nIt is **big**, see [OpenAI](https://openai.com).\n\n- one\n- two\n\n```\nx = 1\n```\n")
    assert 'source: "https://ex.com/s"\nauthor:\n  - "[[Jane Doe]]"\npublished: 2025-01-22\n' in text
    assert 'inferred published "2025-01-22" from the page\'s metadata' in r.stderr
    assert "- 2025-01-22: [[Stargate explained]] - Source (Example News): Stargate explained" in \
           (fresh / "Customers/Globex.md").read_text(encoding="utf-8")


# ---- bad input: a clear error, the README's exit code, nothing written --------------------------
BAD = [
    ("missing file", ["clip", "{tmp}/nowhere.txt", "-a", OPENAI], 2, "nowhere.txt: no such file"),
    ("binary", ["clip", "{tmp}/picture.txt", "-a", OPENAI], 2, "the file is binary"),
    ("not utf-8", ["clip", "{tmp}/latin1.txt", "-a", OPENAI], 2, "is not UTF-8 text"),
    ("empty text", ["clip", "{tmp}/empty.txt", "-a", OPENAI], 2, "the file has no text"),
    ("title only", ["clip", "{tmp}/title.md", "-a", OPENAI], 2, "no text after the title"),
    ("punctuation title", ["clip", "{tmp}/punct.txt", "-a", OPENAI], 2, "no letter, digit or symbol"),
    ("punctuation --title", ["clip", "{seed}", "--title", "?!:", "-a", OPENAI], 2, "no letter, digit or symbol"),
    ("unknown kind", ["clip", "{tmp}/paper.pdf", "-a", OPENAI], 2, "clip reads .txt, .md and .html files"),
    ("unknown account", ["clip", "{seed}", "-a", "Nobody Inc"], 3, "no note named 'Nobody Inc'"),
    ("ambiguous account", ["clip", "{seed}", "-a", "OpenAI"], 4, "'OpenAI' names 2 notes"),
    ("bad --to", ["clip", "{seed}", "--to", "blockers"], 2, "choose context, facts or related"),
    ("bad --published", ["clip", "{seed}", "--published", "someday soon"], 2, ""),
    ("bad --tag", ["clip", "{seed}", "--tag", "two words"], 2, "is not a tag"),
    ("folder outside", ["clip", "{seed}", "--folder", "../outside"], 2, "leaves the vault"),
    ("hidden folder", ["clip", "{seed}", "--folder", ".obsidian"], 2, "hidden"),
]


@pytest.mark.parametrize(("args", "code", "message"), [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_bad_input_is_a_clear_error_with_its_exit_code_and_nothing_is_written(
        vault: Path, run: Runner, tmp_path: Path, args: list[str], code: int, message: str) -> None:
    (tmp_path / "picture.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    (tmp_path / "latin1.txt").write_bytes("Caf\u00e9 news\n\nsome text\n".encode("latin-1"))
    (tmp_path / "empty.txt").write_text(" \n\n\t\n", encoding="utf-8")
    (tmp_path / "title.md").write_text("# Only a title\n\n# Only a title\n", encoding="utf-8")
    (tmp_path / "punct.txt").write_text("?!\u2026 --\n\nSome text after it.\n", encoding="utf-8")
    (tmp_path / "paper.pdf").write_text("text\n", encoding="utf-8")
    before = snapshot(vault)
    r = run(*[a.replace("{tmp}", str(tmp_path)).replace("{seed}", str(seed("004"))) for a in args])
    assert r.exit_code == code, r.stderr
    assert r.stdout == ""
    assert r.stderr.startswith("vaultcrm: error:") or code == 2, r.stderr
    assert message in r.stderr
    assert "Traceback" not in r.stderr
    assert snapshot(vault) == before
    assert not (vault / ".vaultcrm" / "journal").exists() or not any((vault / ".vaultcrm" / "journal").iterdir())
