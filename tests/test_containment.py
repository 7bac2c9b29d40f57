"""Nothing escapes the vault: no command reads or writes outside it, whatever the arguments say
and whatever links the vault holds.

Every test works in a tmp folder holding the vault and, beside it, an `outside/` folder with a
secret note and an evil template. Commands get titles, names, folders and kinds that try to
leave (`..`, absolute, Windows-style), and the vault holds symlinks (folder, note, `.trash`,
`.vaultcrm`, a template) leading outside. The whole tmp tree is hashed before and after, and
the secret's marker must never appear in any output.
"""

from __future__ import annotations

import ast
import hashlib
import json
import os
import shutil
from pathlib import Path

import pytest
import typer
from conftest import EXAMPLES, invoke

from vaultcrm.cli.app import app
from vaultcrm.errors import OutsideVault
from vaultcrm.store.vault import Vault

SECRET_MARKER = "TOP-SECRET-MARKER-7f3a"
EVIL_MARKER = "EVIL-TEMPLATE-MARKER-91c2"
SECRET = f"""---
type: customer
title: Secret Corp
last_contact: 2020-01-01
---
# Secret Corp

## Recent Context

- 2020-01-01: [[2020-01-01]] - {SECRET_MARKER}

## Open Tasks

- [ ] {SECRET_MARKER} task
"""


def cli_commands() -> set[str]:
    """Every command path the CLI offers (`task add`, `merge`, …), read from the typer app."""
    out: set[str] = set()

    def walk(group: object, prefix: str) -> None:
        for name, sub in getattr(group, "commands", {}).items():
            out.add(prefix + name)
            walk(sub, prefix + name + " ")

    walk(typer.main.get_command(app), "")
    return out


def digest_tree(root: Path) -> dict[str, str]:
    """Every entry under root: file bytes hashed, symlinks by their target (never followed).
    vaultcrm's own state (`vault/.vaultcrm/`: lock, index cache, journal) is left out."""
    out: dict[str, str] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        rel_dir = Path(dirpath).relative_to(root)
        if rel_dir.parts[:2] == ("vault", ".vaultcrm"):
            dirnames[:] = []
            continue
        for name in dirnames + filenames:
            p = Path(dirpath) / name
            rel = (rel_dir / name).as_posix()
            if rel == "vault/.vaultcrm" and not p.is_symlink():
                continue
            if p.is_symlink():
                out[rel] = "-> " + os.readlink(p)
            elif p.is_file():
                out[rel] = hashlib.sha256(p.read_bytes()).hexdigest()
            else:
                out[rel] = "dir"
    return out


@pytest.fixture
def world(tmp_path: Path) -> Path:
    """tmp/vault (the example vault) and tmp/outside (a secret note, an evil template)."""
    vault = tmp_path / "vault"
    shutil.copytree(EXAMPLES, vault, ignore=shutil.ignore_patterns(".vaultcrm"))
    outside = tmp_path / "outside"
    (outside / "templates").mkdir(parents=True)
    (outside / "Secret.md").write_text(SECRET, encoding="utf-8")
    (outside / "templates" / "customer.md").write_text(f"---\ntype: customer\n---\n{EVIL_MARKER}\n",
                                                        encoding="utf-8")
    return tmp_path


@pytest.fixture
def linked(world: Path) -> Path:
    """The world, with symlinks inside the vault leading to the outside folder and note."""
    vault, outside = world / "vault", world / "outside"
    (vault / "Linked").symlink_to(outside, target_is_directory=True)
    (vault / "Customers" / "Leak.md").symlink_to(outside / "Secret.md")
    (vault / "Loop").symlink_to(vault, target_is_directory=True)  # a cycle must not hang listing
    (vault / "Customers" / "Dangling.md").symlink_to(world / "nowhere.md")
    return world


def cli(world: Path, *args: str):
    return invoke(["--vault", str(world / "vault"), *args])


def assert_untouched(world: Path, before: dict[str, str], r) -> None:  # noqa: ANN001
    assert digest_tree(world) == before
    assert SECRET_MARKER not in r.stdout + r.stderr
    assert EVIL_MARKER not in r.stdout + r.stderr
    assert "Traceback" not in r.stderr


# ---- new: titles, folders and kinds that try to leave --------------------------------------------
ESCAPING_NEW = [
    ["customer", "../Evil"],
    ["customer", "../../outside/Evil"],
    ["customer", "..\\Evil"],
    ["customer", "C:\\Evil"],
    ["customer", "C:Evil"],
    ["customer", "/tmp/Evil"],
    ["customer", "a/../../Evil"],
    ["customer", ".Evil"],
    ["customer", ".."],
    ["customer", "Evil\x00.md"],
    ["customer", "Evil", "--folder", "../outside"],
    ["customer", "Evil", "--folder", "../../outside"],
    ["customer", "Evil", "--folder", "Customers/../../outside"],
    ["customer", "Evil", "--folder", "..\\outside"],
    ["customer", "Evil", "--folder", "C:\\outside"],
    ["customer", "Evil", "--folder", "/tmp/outside"],
    ["customer", "Evil", "--folder", "//server/share"],
    ["customer", "Evil", "--folder", ".obsidian"],
    ["customer", "Evil", "--folder", ".vaultcrm/templates"],
    ["customer", "Evil", "--folder", "Linked"],
    ["customer", "Evil", "--folder", "Linked/deeper"],
    ["../outside/templates/customer", "Evil"],
    ["../outside/templates/customer", "Evil", "--folder", "Customers"],
    ["/tmp/customer", "Evil", "--folder", "Customers"],
    ["customer\nevil: true", "Evil", "--folder", "Customers"],
]


@pytest.mark.parametrize("args", ESCAPING_NEW, ids=[repr(a) for a in ESCAPING_NEW])
def test_new_refuses_a_target_outside_the_vault_with_exit_2_and_writes_nothing(linked, args):
    before = digest_tree(linked)
    r = cli(linked, "new", *args)
    assert r.exit_code == 2, r.stderr
    assert r.stdout == ""
    assert r.stderr.startswith("vaultcrm: error:")
    assert_untouched(linked, before, r)


def test_new_reads_no_template_through_a_symlink_leading_outside(world):
    templates = world / "vault" / ".vaultcrm" / "templates"
    templates.mkdir(parents=True)
    (templates / "customer.md").symlink_to(world / "outside" / "templates" / "customer.md")
    r = cli(world, "new", "customer", "Zed Corp")
    assert r.exit_code == 0, r.stderr
    created = (world / "vault" / "Customers" / "Zed Corp.md").read_text(encoding="utf-8")
    assert EVIL_MARKER not in created and "## Recent Context" in created  # the built-in template


def test_new_reads_no_template_from_a_templates_folder_linked_outside(world):
    (world / "vault" / ".vaultcrm").mkdir()
    (world / "vault" / ".vaultcrm" / "templates").symlink_to(world / "outside" / "templates")
    r = cli(world, "new", "customer", "Zed Corp")
    assert r.exit_code == 0, r.stderr
    assert EVIL_MARKER not in (world / "vault" / "Customers" / "Zed Corp.md").read_text(encoding="utf-8")


def test_a_configured_folder_leading_outside_is_refused(world):
    config = world / "vault" / ".vaultcrm.toml"
    config.write_text(config.read_text(encoding="utf-8").replace('customer = "Customers"',
                                                                 'customer = "../outside"'), encoding="utf-8")
    before = digest_tree(world)
    r = cli(world, "new", "customer", "Zed Corp")
    assert r.exit_code == 2, r.stderr
    assert_untouched(world, before, r)


@pytest.mark.parametrize("title", ["Café Zürich", "北京客户", "שלום Corp", "Ünïcödé 🚀", "2026", "true", "Q&A (2026)"])
def test_new_accepts_ordinary_unusual_titles_inside_the_vault(world, title):
    r = cli(world, "new", "customer", title, "--json")
    assert r.exit_code == 0, r.stderr
    path = json.loads(r.stdout)["path"]
    assert (world / "vault" / path).resolve().is_relative_to((world / "vault").resolve())
    r = cli(world, "show", title, "--json")
    assert r.exit_code == 0, r.stderr
    assert json.loads(r.stdout)["title"] == title


# ---- names that point outside: never read, never written ---------------------------------------
def _outside_names(world: Path) -> list[str]:
    secret = world / "outside" / "Secret.md"
    return ["../outside/Secret", "Customers/../../outside/Secret.md", str(secret),
            "..\\outside\\Secret.md", "C:\\outside\\Secret.md"]


# one command per way a name reaches a note: read, resolve-for-edit, tasks, folder scope, doctor
NAMED_COMMANDS = [
    ["show", "{}", "--json"], ["get", "{}", "type"], ["log", "{}", "Called"], ["set", "{}", "status", "x"],
    ["task", "add", "{}", "x"], ["task", "done", "{}", SECRET_MARKER], ["timeline", "{}"], ["doctor", "{}"],
]


@pytest.mark.parametrize("command", NAMED_COMMANDS, ids=[" ".join(c[:2]) for c in NAMED_COMMANDS])
def test_a_name_that_leaves_the_vault_is_a_usage_error_and_nothing_is_read(linked, command):
    before = digest_tree(linked)
    for name in _outside_names(linked):
        r = cli(linked, *[a.replace("{}", name) for a in command])
        assert r.exit_code == 2, (name, r.stderr)
        assert_untouched(linked, before, r)


@pytest.mark.parametrize("command", NAMED_COMMANDS, ids=[" ".join(c[:2]) for c in NAMED_COMMANDS])
def test_a_note_reached_only_through_a_symlink_leading_outside_is_not_found(linked, command):
    before = digest_tree(linked)
    for name in ["Linked/Secret.md", "Secret Corp", "Customers/Leak", "Loop/Customers/Acme Corp.md", "Dangling"]:
        r = cli(linked, *[a.replace("{}", name) for a in command])
        assert r.exit_code in (2, 3), (name, r.stderr)
        assert_untouched(linked, before, r)


LISTINGS = [["list", "--json"], ["stale", "--json"], ["task", "list", "--json"], ["task", "list", "--all", "--json"],
            ["timeline", "--json"], ["agenda", "--json"], ["doctor"], ["doctor", "--fix"], ["index"]]


@pytest.mark.parametrize("command", LISTINGS, ids=[" ".join(c) for c in LISTINGS])
def test_listing_commands_never_follow_symlinks_leading_outside(linked, command):
    before = digest_tree(linked)
    r = cli(linked, *command)
    assert r.exit_code in (0, 1), r.stderr  # doctor exits 1 when it finds problems
    assert "Linked/" not in r.stdout and "Leak" not in r.stdout and "Loop/" not in r.stdout
    after = digest_tree(linked)
    if command == ["doctor", "--fix"]:  # it may repair notes in the vault, never anything outside
        after = {k: v for k, v in after.items() if not k.startswith("vault/") or k.startswith("vault/Linked")}
        before = {k: v for k, v in before.items() if not k.startswith("vault/") or k.startswith("vault/Linked")}
    assert after == before
    assert SECRET_MARKER not in r.stdout + r.stderr


def test_the_vault_lists_no_note_behind_a_symlink_leading_outside(linked):
    paths = [f.path for f in Vault(linked / "vault").list_notes()]
    assert paths and not [p for p in paths if p.startswith(("Linked/", "Loop/")) or "Leak" in p or "Dangling" in p]


def test_links_and_embeds_naming_an_outside_file_are_never_resolved_to_it(world):
    note = world / "vault" / "Customers" / "Acme Corp.md"
    note.write_text(note.read_text(encoding="utf-8") + "\n[[../outside/Secret]] ![[../outside/Secret.md]]\n"
                    "```tasks\npath includes ../outside\n```\n", encoding="utf-8")
    before = digest_tree(world)
    for command in (["show", "Acme Corp"], ["show", "Acme Corp", "--json"], ["who", "Acme Corp"]):
        r = cli(world, *command)
        assert r.exit_code == 0, r.stderr
        assert_untouched(world, before, r)


# ---- merge (when the CLI has it) ----------------------------------------------------------------
@pytest.fixture
def merge_available() -> None:
    if "merge" not in cli_commands():
        pytest.skip("this vaultcrm has no merge command yet")


@pytest.mark.usefixtures("merge_available")
@pytest.mark.parametrize("position", ["from", "into"])
def test_merge_refuses_a_note_outside_the_vault_with_exit_2(linked, position):
    before = digest_tree(linked)
    for name in _outside_names(linked):
        args = [name, "Acme Corp"] if position == "from" else ["Acme Corp", name]
        r = cli(linked, "merge", *args)
        assert r.exit_code == 2, (name, r.stderr)
        assert_untouched(linked, before, r)


@pytest.mark.usefixtures("merge_available")
@pytest.mark.parametrize("name", ["Customers/Leak", "Linked/Secret"])
def test_merge_never_reaches_a_note_through_a_symlink_leading_outside(linked, name):
    before = digest_tree(linked)
    for args in ([name, "Acme Corp"], ["Acme Corp", name]):
        r = cli(linked, "merge", *args)
        assert r.exit_code in (2, 3), r.stderr
        assert_untouched(linked, before, r)


@pytest.mark.usefixtures("merge_available")
def test_merge_never_moves_a_note_through_a_trash_folder_linked_outside(world):
    (world / "outside" / "trash").mkdir()
    (world / "vault" / ".trash").symlink_to(world / "outside" / "trash", target_is_directory=True)
    before = digest_tree(world)
    r = cli(world, "merge", "Inbox/OpenAI.md", "Customers/OpenAI.md")
    assert r.exit_code == 2, r.stderr
    assert_untouched(world, before, r)
    assert list((world / "outside" / "trash").iterdir()) == []


# ---- vaultcrm's own state: journal and state folder ------------------------------------------------
@pytest.mark.parametrize("target", ["../outside/Planted.md", "../outside/Secret.md", "/tmp/vaultcrm-planted.md",
                                    "Linked/Planted.md"])
def test_undo_refuses_a_forged_journal_entry_that_points_outside(linked, target):
    journal = linked / "vault" / ".vaultcrm" / "journal"
    journal.mkdir(parents=True)
    secret = (linked / "outside" / "Secret.md").read_bytes()
    entry = {"number": 1, "time": 0, "command": "log Secret", "undone": False,
             "files": [{"path": target, "moved_to": None, "before": "pwned\n",
                        "after_hash": hashlib.sha256(secret).hexdigest() if "Secret" in target else None,
                        "before_hash": None}]}
    (journal / "00000001.json").write_text(json.dumps(entry), encoding="utf-8")
    before = digest_tree(linked)
    r = cli(linked, "undo")
    assert r.exit_code == 2, r.stderr
    assert_untouched(linked, before, r)
    assert not Path("/tmp/vaultcrm-planted.md").exists()


def test_a_state_folder_linked_outside_is_refused_before_anything_is_written(world):
    state = world / "outside" / "state"
    state.mkdir()
    (world / "vault" / ".vaultcrm").symlink_to(state, target_is_directory=True)
    before = digest_tree(world)
    r = cli(world, "log", "Acme Corp", "Called")
    assert r.exit_code == 2, r.stderr
    assert ".vaultcrm" in r.stderr
    assert digest_tree(world) == before
    assert list(state.iterdir()) == []


# ---- the primitive: every vault-relative path is checked ------------------------------------------
@pytest.mark.parametrize("rel", ["../x.md", "a/../../x.md", "/etc/passwd", "..\\x.md", "C:\\x.md", "C:x.md",
                                 "\\\\server\\x.md", ".obsidian/app.json", "", "x\x00.md", "Linked/Secret.md",
                                 "Customers/Leak.md"])
def test_every_vault_path_that_would_leave_it_is_refused(linked, rel):
    vault = Vault(linked / "vault")
    with pytest.raises(OutsideVault):
        vault.read(rel)
    with pytest.raises(OutsideVault):
        vault.write(rel, "x", expected=None, create=True)
    assert not (linked / "outside" / "x.md").exists()


# ---- no code runs from data ----------------------------------------------------------------------
def _tagged_notes(canary: Path) -> list[str]:
    cmd = f"touch {canary}"
    return [
        f"x: !!python/object/apply:os.system ['{cmd}']",
        f"x: !!python/object/apply:subprocess.check_output [['sh', '-c', '{cmd}']]",
        f"x: !!python/object/new:os.system ['{cmd}']",
        "x: !!python/name:os.system",
        "x: !!python/module:os",
        f"x: !<tag:yaml.org,2002:python/object/apply:os.system> ['{cmd}']",
        f"!!python/object/apply:os.system ['{cmd}']: key",
        "x: !!binary aGVsbG8=",
        f"x: !custom ['{cmd}']",
    ]


@pytest.mark.parametrize("index", range(9))
def test_yaml_tags_in_frontmatter_are_never_constructed(world, index):
    canary = world / "outside" / "CANARY"
    line = _tagged_notes(canary)[index]
    note = world / "vault" / "Customers" / "Tagged.md"
    note.write_text(f"---\ntype: customer\n{line}\n---\n# Tagged\n", encoding="utf-8")
    for command in (["list", "--json"], ["show", "Tagged", "--json"], ["log", "Tagged", "Called"],
                    ["set", "Tagged", "status", "x"], ["unset", "Tagged", "x"], ["doctor", "--fix"]):
        r = cli(world, *command)
        assert r.exit_code in (0, 1, 3, 5), r.stderr
        assert "Traceback" not in r.stderr
    assert not canary.exists()


def _calls(tree: ast.AST) -> list[ast.Call]:
    return [n for n in ast.walk(tree) if isinstance(n, ast.Call)]


def _dotted(node: ast.AST) -> str:
    if isinstance(node, ast.Attribute):
        return _dotted(node.value) + "." + node.attr
    return node.id if isinstance(node, ast.Name) else "?"


PACKAGE = Path(__file__).resolve().parent.parent / "vaultcrm"


@pytest.mark.parametrize("module", sorted(p.relative_to(PACKAGE).as_posix() for p in PACKAGE.rglob("*.py")))
def test_no_module_can_hand_note_contents_to_a_shell_or_an_interpreter(module):
    tree = ast.parse((PACKAGE / module).read_text(encoding="utf-8"))
    forbidden = {"os.system", "os.popen", "eval", "exec", "compile", "pickle.loads", "pickle.load", "marshal.loads",
                 "yaml.unsafe_load", "yaml.full_load", "yaml.load_all", "subprocess.getoutput",
                 "subprocess.getstatusoutput", "os.execv", "os.execvp", "os.spawnv", "__import__"}
    for call in _calls(tree):
        name = _dotted(call.func)
        assert name not in forbidden, f"{module}:{call.lineno}: {name}"
        for kw in call.keywords:
            assert not (kw.arg == "shell" and not (isinstance(kw.value, ast.Constant) and kw.value.value is False)), \
                f"{module}:{call.lineno}: shell="
            if kw.arg == "Loader":  # PyYAML loaders other than the safe ones construct Python objects
                assert "safe" in _dotted(kw.value).lower() or _dotted(kw.value).endswith("ObsidianLoader"), \
                    f"{module}:{call.lineno}"
            if kw.arg == "typ":  # ruamel: round-trip and safe only
                assert isinstance(kw.value, ast.Constant) and kw.value.value in ("rt", "safe"), \
                    f"{module}:{call.lineno}"
        if name.startswith("subprocess."):
            assert module in ("store/git.py", "store/launch.py"), \
                f"{module}:{call.lineno}: only store/git.py (git) and store/launch.py (editor, opener) run programs"
            first = call.args[0] if call.args else None
            if module == "store/git.py":
                assert isinstance(first, ast.List) and isinstance(first.elts[0], ast.Constant) \
                    and first.elts[0].value == "git", f"{module}:{call.lineno}: argv must be a list starting with git"
