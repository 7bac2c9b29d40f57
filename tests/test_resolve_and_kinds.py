"""Names, kinds and the vault: a note is found the way a user names it, and nothing else is.

Resolution is tested on records (pure) and, for layouts on disk (folder notes, NFD file names,
dot-folders), through `show --json` on small vaults built in tmp_path.
"""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import pytest
from conftest import invoke

from conftest import make_vault
from vaultcrm.config import Config
from vaultcrm.store.settings import load_config
from vaultcrm.errors import Ambiguous, NotFound
from vaultcrm.query import matches, resolve
from vaultcrm.model.scan import build_record
from vaultcrm.store.vault import Vault


def records(notes: dict[str, str], config: Config | None = None) -> list:
    return [build_record(path, text, config or Config()) for path, text in notes.items()]


def show_path(root: Path, name: str) -> str:
    r = invoke(["--vault", str(root), "show", name, "--json"])
    assert r.exit_code == 0, r.stderr
    return json.loads(r.stdout)["path"]


ACME = "---\ntitle: Acme Corporation\naliases: [Acme, ACME Inc]\ntype: customer\n---\n# Acme\n"
NOTES = {
    "Customers/acme-corp.md": ACME,
    "People/Jeff Denworth.md": "---\ntype: person\naliases: Jeff D\n---\n",
    "Customers/Anthropic/README.md": "---\ntype: customer\n---\n# Anthropic\n",
    "Customers/Anthropic/2026-10-02 Kickoff.md": "---\ntype: meeting\n---\n",
    "Inbox/Untitled.md": "no frontmatter at all\n",
}


# ---- resolution ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "path"),
    [
        ("Acme Corporation", "Customers/acme-corp.md"),  # title
        ("Acme", "Customers/acme-corp.md"),  # alias (list)
        ("ACME Inc", "Customers/acme-corp.md"),  # second alias
        ("Jeff D", "People/Jeff Denworth.md"),  # alias as a plain string
        ("acme-corp", "Customers/acme-corp.md"),  # file stem
        ("Customers/acme-corp.md", "Customers/acme-corp.md"),  # path with .md
        ("Customers/acme-corp", "Customers/acme-corp.md"),  # path without .md
        ("Jeff Denworth", "People/Jeff Denworth.md"),  # stem as title (no title property)
        ("Anthropic", "Customers/Anthropic/README.md"),  # folder note: the folder's name
        ("Customers/Anthropic", "Customers/Anthropic/README.md"),  # the folder's path
        ("Customers/Anthropic/README", "Customers/Anthropic/README.md"),
        ("2026-10-02 Kickoff", "Customers/Anthropic/2026-10-02 Kickoff.md"),
        ("Untitled", "Inbox/Untitled.md"),
        ("[[Acme]]", "Customers/acme-corp.md"),  # pasted wikilink
    ],
)
def test_a_note_is_found_by_each_name_a_user_may_type(name: str, path: str) -> None:
    assert resolve(records(NOTES), name).path == path


@pytest.mark.parametrize("name", ["acme corporation", "ACME CORPORATION", "aCmE", "jeff d", "ANTHROPIC",
                                  "customers/ACME-CORP.MD", "  Acme  "])
def test_names_match_whatever_their_case(name: str) -> None:
    found = resolve(records(NOTES), name)
    assert found.path in ("Customers/acme-corp.md", "People/Jeff Denworth.md", "Customers/Anthropic/README.md")


def test_a_path_never_reaches_a_different_note_that_shares_the_name() -> None:
    recs = records({"Customers/OpenAI.md": "# a\n", "Inbox/OpenAI.md": "# b\n"})
    assert resolve(recs, "Inbox/OpenAI").path == "Inbox/OpenAI.md"
    assert resolve(recs, "Customers/OpenAI.md").path == "Customers/OpenAI.md"


def test_several_matches_are_ambiguous_and_name_every_candidate_path() -> None:
    recs = records({"Customers/OpenAI.md": "---\ntitle: OpenAI\n---\n", "Inbox/OpenAI.md": "---\ntitle: OpenAI\n---\n",
                    "Other.md": "---\naliases: [openai]\n---\n"})
    with pytest.raises(Ambiguous) as info:
        resolve(recs, "OpenAI")
    assert sorted(info.value.candidates) == ["Customers/OpenAI.md", "Inbox/OpenAI.md", "Other.md"]
    assert info.value.exit_code == 4
    assert len(matches(recs, "openai")) == 3


def test_no_match_is_not_found_with_close_matches_suggested() -> None:
    with pytest.raises(NotFound) as info:
        resolve(records(NOTES), "Acme Corporaton")
    assert info.value.exit_code == 3
    assert "Acme Corporation" in info.value.suggestions
    with pytest.raises(NotFound) as nothing_close:
        resolve(records(NOTES), "zzzzzzzz")
    assert nothing_close.value.suggestions == []


@pytest.mark.parametrize("name", ["", "   ", "[[]]"])
def test_an_empty_name_matches_nothing(name: str) -> None:
    assert matches(records(NOTES), name) == []


CAFE_NFC = unicodedata.normalize("NFC", "Café Münster")
CAFE_NFD = unicodedata.normalize("NFD", "Café Münster")


@pytest.mark.parametrize("typed", [CAFE_NFC, CAFE_NFD], ids=["typed-nfc", "typed-nfd"])
@pytest.mark.parametrize("stored", [CAFE_NFC, CAFE_NFD], ids=["stored-nfc", "stored-nfd"])
def test_composed_and_decomposed_accents_name_the_same_note(stored: str, typed: str) -> None:
    recs = records({f"Customers/{stored}.md": f"---\naliases: [{stored} GmbH]\n---\n"})
    assert resolve(recs, typed).path == f"Customers/{stored}.md"
    assert resolve(recs, typed + " gmbh").path == f"Customers/{stored}.md"


@pytest.mark.parametrize("typed", [CAFE_NFC, CAFE_NFD], ids=["typed-nfc", "typed-nfd"])
def test_a_file_named_in_nfd_on_disk_is_found_and_printed_in_nfc(tmp_path: Path, typed: str) -> None:
    root = make_vault(tmp_path / "v", {f"Customers/{CAFE_NFD}.md": "# Café\n"})
    assert show_path(root, typed) == f"Customers/{CAFE_NFC}.md"


# ---- folder notes ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "entity_note",
    ["Customers/Anthropic/README.md", "Customers/Anthropic/index.md", "Customers/Anthropic/Anthropic.md",
     "Customers/Anthropic/readme.md"],
    ids=["README", "index", "named-like-its-folder", "lowercase-readme"],
)
def test_a_folder_note_is_named_by_its_folder_in_every_layout(tmp_path: Path, entity_note: str) -> None:
    root = make_vault(tmp_path / "v", {
        entity_note: "---\ntype: customer\n---\n# Anthropic\n",
        "Customers/Anthropic/2026-11-10 Pricing call.md": "---\ntype: meeting\n---\n",
        "Customers/Acme.md": "# Acme\n",
    })
    assert show_path(root, "Anthropic") == entity_note
    assert show_path(root, "anthropic") == entity_note
    assert show_path(root, "Customers/Anthropic") == entity_note
    r = invoke(["--vault", str(root), "show", "Anthropic", "--json"])
    assert json.loads(r.stdout)["title"] == "Anthropic"


def test_a_folder_note_with_a_title_is_found_by_the_title_and_the_folder(tmp_path: Path) -> None:
    root = make_vault(tmp_path / "v", {"Customers/Anthropic/README.md": "---\ntitle: Anthropic PBC\n---\n"})
    assert show_path(root, "Anthropic PBC") == "Customers/Anthropic/README.md"
    assert show_path(root, "Anthropic") == "Customers/Anthropic/README.md"


def test_a_readme_at_the_vault_root_is_not_a_folder_note() -> None:
    rec = build_record("README.md", "# About this vault\n", Config())
    assert rec.title == "README"
    assert not rec.folder_note


# ---- kinds --------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("frontmatter", "kind"),
    [
        ("type: customer", "customer"),
        ("type: Customer", "customer"),
        ("type: [customer, partner]", "customer"),
        ("type: account", "customer"),
        ("type: accounts", "customer"),
        ("type: people", "person"),
        ("type: contact", "person"),
        ("type: person", "person"),
        ("type: '[[person]]'", "person"),
        ("tags: [type/customer]", "customer"),
        ("tags:\n  - project\n  - type/people", "person"),
        ("tags: type/contact", "person"),  # tags as a plain string
        ("tags: '#type/account'", "customer"),
        ("type: person\ntags: [type/customer]", "person"),  # `type` wins over the tag
        ("type: widget", "widget"),  # unknown kinds are kept, lowercased
        ("tags: [project]", None),
        ("title: x", None),
    ],
)
def test_the_kind_comes_from_type_else_a_type_tag_with_synonyms(frontmatter: str, kind: str | None) -> None:
    assert build_record("n.md", f"---\n{frontmatter}\n---\n", Config()).kind == kind


def test_a_type_tag_in_the_body_sets_the_kind_too() -> None:
    assert build_record("n.md", "Met at a conference #type/contact\n", Config()).kind == "person"


def test_vaultcrm_toml_adds_kind_synonyms(tmp_path: Path) -> None:
    (tmp_path / ".vaultcrm.toml").write_text('[kinds]\nperson = ["stakeholder", "champion"]\n'
                                             'vendor = ["supplier"]\n', encoding="utf-8")
    cfg = load_config(tmp_path)
    kind = lambda fm: build_record("n.md", f"---\n{fm}\n---\n", cfg).kind  # noqa: E731
    assert kind("type: stakeholder") == "person"
    assert kind("tags: [type/champion]") == "person"
    assert kind("type: supplier") == "vendor"
    assert kind("type: account") == "customer"  # other kinds keep their defaults


def test_vaultcrm_toml_synonyms_add_to_the_defaults_of_the_same_kind(tmp_path: Path) -> None:
    (tmp_path / ".vaultcrm.toml").write_text('[kinds]\nperson = ["stakeholder"]\n', encoding="utf-8")
    cfg = load_config(tmp_path)
    assert build_record("n.md", "---\ntype: people\n---\n", cfg).kind == "person"


def test_list_kind_accepts_synonyms_configured_in_the_vault(tmp_path: Path) -> None:
    root = make_vault(tmp_path / "v", {
        ".vaultcrm.toml": '[kinds]\nperson = ["person", "people", "contact", "stakeholder"]\n',
        "People/Ann.md": "---\ntype: stakeholder\n---\n",
        "People/Bob.md": "---\ntags: [type/people]\n---\n",
        "Customers/Acme.md": "---\ntype: customer\n---\n",
    })
    for word in ("stakeholder", "person", "people", "contact"):
        r = invoke(["--vault", str(root), "list", "--kind", word, "--json"])
        assert r.exit_code == 0, r.stderr
        assert sorted(row["path"] for row in json.loads(r.stdout)) == ["People/Ann.md", "People/Bob.md"]


# ---- the vault on disk ----------------------------------------------------------------------------------
def test_dot_folders_are_never_part_of_the_vault(tmp_path: Path) -> None:
    root = make_vault(tmp_path / "v", {
        "Customers/Acme.md": "# Acme\n",
        ".obsidian/snippets/Acme.md": "x", ".trash/Acme.md": "x", ".git/Acme.md": "x",
        ".vaultcrm/templates/customer.md": "x", ".stfolder/Acme.md": "x", "Customers/.drafts/Acme.md": "x",
        ".hidden-note.md": "x", "Customers/notes.txt": "not markdown",
    })
    assert [f.path for f in Vault(root).list_notes()] == ["Customers/Acme.md"]
    assert show_path(root, "Acme") == "Customers/Acme.md"  # not ambiguous with the hidden copies


def test_listed_paths_are_vault_relative_with_forward_slashes(tmp_path: Path) -> None:
    root = make_vault(tmp_path / "v", {"A/B/C/deep note.md": "x", "top.md": "y"})
    paths = [f.path for f in Vault(root).list_notes()]
    assert paths == ["A/B/C/deep note.md", "top.md"]
    assert all("\\" not in p and not p.startswith("/") for p in paths)


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """tmp/outer/.obsidian, tmp/outer/inner/.vaultcrm.toml, tmp/outer/inner/deep/er, tmp/plain/sub."""
    (tmp_path / "outer" / ".obsidian").mkdir(parents=True)
    (tmp_path / "outer" / "inner" / "deep" / "er").mkdir(parents=True)
    (tmp_path / "outer" / "inner" / ".vaultcrm.toml").write_text("", encoding="utf-8")
    (tmp_path / "outer" / "notes" / "sub").mkdir(parents=True)
    (tmp_path / "plain" / "sub").mkdir(parents=True)
    (tmp_path / "env-vault").mkdir()
    return tmp_path


@pytest.mark.parametrize(
    ("cwd", "root"),
    [
        ("outer", "outer"),
        ("outer/notes/sub", "outer"),  # nearest ancestor with .obsidian/
        ("outer/inner", "outer/inner"),  # .vaultcrm.toml counts too
        ("outer/inner/deep/er", "outer/inner"),  # and the nearest one wins
        ("plain/sub", "plain/sub"),  # neither: the working directory
    ],
)
def test_the_vault_is_the_nearest_ancestor_marked_as_one_else_the_working_directory(
    tree: Path, cwd: str, root: str, monkeypatch: pytest.MonkeyPatch,
) -> None:
    if any((p / ".obsidian").is_dir() or (p / ".vaultcrm.toml").is_file() for p in tree.parents):
        pytest.skip("tmp_path sits inside a vault")
    assert Vault.discover(None, cwd=tree / cwd).root == (tree / root).resolve()
    monkeypatch.chdir(tree / cwd)
    assert Vault.discover(None, cwd=Path(".")).root == (tree / root).resolve()


def test_vaultcrm_vault_beats_discovery_and_vault_beats_both(tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VAULTCRM_VAULT", str(tree / "env-vault"))
    assert Vault.discover(None, cwd=tree / "outer" / "notes").root == (tree / "env-vault").resolve()
    assert Vault.discover(str(tree / "plain"), cwd=tree / "outer").root == (tree / "plain").resolve()


def test_a_vault_option_naming_no_folder_is_a_usage_error(tmp_path: Path) -> None:
    r = invoke(["--vault", str(tmp_path / "missing"), "list"])
    assert r.exit_code == 2  # a bad option value, like any other
    assert "missing" in r.stderr
    assert r.stdout == ""

