"""Shell completion, as the shell asks for it: `vaultcrm` run with `_VAULTCRM_COMPLETE` and the words
typed so far. Commands and options come from typer; note titles, kinds, tags and property keys
come from the index an earlier run left, in any case, and a Tab never builds an index, never
writes and never prints on stderr."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import EXAMPLES, TODAY, invoke, make_vault

BIN = Path(sys.executable).parent / "vaultcrm"
pytestmark = pytest.mark.skipif(not BIN.exists(), reason="the vaultcrm script is not installed beside python")


def shell_env(**extra: str) -> dict[str, str]:
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": os.environ.get("HOME", "/tmp"),
           "VAULTCRM_TODAY": TODAY}
    return {**env, **extra}


def bash(line: str, *, cwd: Path | None = None, **env: str) -> subprocess.CompletedProcess[str]:
    """What bash runs on Tab at the end of `line`, as the script typer installs calls it: COMP_WORDS
    the words joined by spaces (`Acme\\ Corp` is one word), COMP_CWORD the index of the last one (a
    trailing space starts a new, empty word)."""
    cword = len(re.split(r"(?<!\\) ", line)) - 1
    return subprocess.run([str(BIN)], capture_output=True, text=True, cwd=cwd, timeout=60, check=False,
                          env=shell_env(_VAULTCRM_COMPLETE="complete_bash", COMP_WORDS=line, COMP_CWORD=str(cword),
                                        **env))


def offered(line: str, **kw: object) -> list[str]:
    r = bash(line, **kw)  # type: ignore[arg-type]
    assert (r.returncode, r.stderr) == (0, ""), r.stderr
    return [c for c in r.stdout.split("\n") if c]


@pytest.fixture
def indexed(vault: Path) -> Path:
    """The example vault with its index built by an ordinary run."""
    assert invoke(["--vault", str(vault), "index"]).exit_code == 0
    return vault


def test_a_prefix_offers_every_title_starting_with_it_in_any_case(indexed: Path) -> None:
    assert offered(f"vaultcrm --vault {indexed} show a") == ["Acme\\ Corp", "Anthropic"]
    assert offered(f"vaultcrm --vault {indexed} show AN") == ["Anthropic"]


def test_bash_gets_a_title_with_spaces_escaped_and_zsh_and_fish_quote_it_themselves(indexed: Path) -> None:
    assert offered(f"vaultcrm --vault {indexed} show Acme\\ C") == ["Acme\\ Corp"]
    env = shell_env(_VAULTCRM_COMPLETE="complete_zsh", _TYPER_COMPLETE_ARGS=f"vaultcrm --vault {indexed} who acm")
    r = subprocess.run([str(BIN)], capture_output=True, text=True, env=env, timeout=60, check=False)
    assert (r.returncode, r.stdout.strip(), r.stderr) == (0, """_arguments '*: :(("Acme Corp"))'""", "")
    env = shell_env(_VAULTCRM_COMPLETE="complete_fish", _TYPER_COMPLETE_FISH_ACTION="get-args",
                    _TYPER_COMPLETE_ARGS=f"vaultcrm --vault {indexed} who acm")
    r = subprocess.run([str(BIN)], capture_output=True, text=True, env=env, timeout=60, check=False)
    assert (r.returncode, r.stdout.strip(), r.stderr) == (0, "Acme Corp", "")


def test_the_vault_is_the_one_typed_else_the_environments_else_the_one_around_the_working_directory(
        indexed: Path, tmp_path: Path) -> None:
    assert offered("vaultcrm show ope", VAULTCRM_VAULT=str(indexed)) == ["OpenAI"]
    assert offered("vaultcrm show ope", cwd=indexed / "Customers") == ["OpenAI"]
    other = make_vault(tmp_path / "other", {"Opal.md": "---\ntitle: Opal\n---\n"})
    assert invoke(["--vault", str(other), "index"]).exit_code == 0
    assert offered(f"vaultcrm --vault {other} show op", VAULTCRM_VAULT=str(indexed)) == ["Opal"]


@pytest.mark.parametrize(("line", "expected"), [
    ("new ", ["article", "customer", "meeting", "partner", "person", "prospect"]),
    ("new p", ["partner", "person", "prospect"]),
    ("list --kind cu", ["customer"]),
    ("get Acme\\ Corp ", ["created", "last_contact", "owner", "tags", "title", "type"]),
    ("set acme\\ corp OW", ["owner"]),
    ("list --tag type/p", ["type/person", "type/prospect"]),
    ("task done gl", ["Globex"]),
    ("task done Globex ", []),  # MATCH: a task, nothing the index lists
    ("merge OpenAI o", ["OpenAI"]),
    ("log Globex call --via je", ["Jeff\\ Denworth"]),
])
def test_kinds_tags_and_the_notes_own_property_keys_are_offered(indexed: Path, line: str,
                                                               expected: list[str]) -> None:
    assert offered(f"vaultcrm --vault {indexed} {line}") == expected


def test_commands_and_options_still_come_from_typer(indexed: Path) -> None:
    assert offered(f"vaultcrm --vault {indexed} sh") == ["show"]
    assert "--json" in offered(f"vaultcrm --vault {indexed} show --")
    assert {"--install-completion", "--show-completion"} <= set(offered("vaultcrm --"))


def test_without_an_index_a_tab_offers_no_names_and_builds_none(vault: Path) -> None:
    before = sorted(p.relative_to(vault) for p in vault.rglob("*"))
    assert offered(f"vaultcrm --vault {vault} show a") == []
    assert offered(f"vaultcrm --vault {vault} get Acme\\ Corp ") == []
    assert offered(f"vaultcrm --vault {vault} new cu") == ["customer"]  # built-in templates still come
    assert not (vault / ".vaultcrm").exists()
    assert sorted(p.relative_to(vault) for p in vault.rglob("*")) == before


def test_a_tab_leaves_the_index_as_it_was(indexed: Path) -> None:
    db = indexed / ".vaultcrm" / "index.sqlite"
    (indexed / "Customers" / "Zeta.md").write_text("---\ntitle: Zeta\n---\n", encoding="utf-8")
    before = (db.read_bytes(), db.stat().st_mtime_ns, sorted(os.listdir(db.parent)))
    assert offered(f"vaultcrm --vault {indexed} show ze") == []  # not indexed yet, and not indexed by a Tab
    assert (db.read_bytes(), db.stat().st_mtime_ns, sorted(os.listdir(db.parent))) == before


@pytest.mark.parametrize("where", ["missing-folder", "file"])
def test_a_vault_that_is_no_vault_offers_nothing_quietly(tmp_path: Path, where: str) -> None:
    target = tmp_path / where
    if where == "file":
        target.write_text("not a vault\n", encoding="utf-8")
    assert offered(f"vaultcrm --vault {target} show a") == []


def test_a_broken_index_offers_nothing_quietly(indexed: Path) -> None:
    (indexed / ".vaultcrm" / "index.sqlite").write_bytes(b"this is not sqlite" * 100)
    assert offered(f"vaultcrm --vault {indexed} show a") == []


def test_at_most_200_names_are_offered(tmp_path: Path) -> None:
    root = make_vault(tmp_path / "big", {f"People/Person {i:03}.md": f"---\ntitle: Person {i:03}\n---\n"
                                         for i in range(250)})
    assert invoke(["--vault", str(root), "index"]).exit_code == 0
    names = offered(f"vaultcrm --vault {root} show p")
    assert len(names) == 200 and names[0] == "Person\\ 000"


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_show_completion_prints_the_script_for_each_shell(shell: str) -> None:
    r = subprocess.run([str(BIN), "--show-completion", shell], capture_output=True, text=True, timeout=60,
                       check=False, env=shell_env(_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION="1"))
    assert r.returncode == 0, r.stderr
    assert "_VAULTCRM_COMPLETE" in r.stdout and "vaultcrm" in r.stdout


PROBE = """
import json, sys
sys.argv = ["vaultcrm"]
from vaultcrm.cli.app import main
try:
    main()
except SystemExit:
    pass
heavy = ["rich", "ruamel.yaml", "dateparser", "yaml", "multiprocessing", "vaultcrm.ops.context"]
sys.stdout.write("\\n" + json.dumps([m for m in heavy if m in sys.modules]) + "\\n")
"""


@pytest.mark.parametrize(("shell", "words"), [("zsh", "vaultcrm s"), ("fish", "vaultcrm s"), ("bash", "vaultcrm show a")])
def test_a_tab_imports_nothing_heavy(indexed: Path, shell: str, words: str) -> None:
    env = shell_env(_VAULTCRM_COMPLETE=f"complete_{shell}", _TYPER_COMPLETE_ARGS=words, COMP_WORDS=words,
                    COMP_CWORD=str(len(words.split()) - 1), _TYPER_COMPLETE_FISH_ACTION="get-args",
                    VAULTCRM_VAULT=str(indexed))
    r = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, env=env, timeout=60,
                       check=False)
    assert r.stderr == ""
    assert json.loads(r.stdout.strip().splitlines()[-1]) == []


def test_the_example_vault_itself_is_left_alone() -> None:
    before = {p: p.stat().st_mtime_ns for p in EXAMPLES.rglob("*")}
    offered(f"vaultcrm --vault {EXAMPLES} show a")
    assert {p: p.stat().st_mtime_ns for p in EXAMPLES.rglob("*")} == before


def test_a_state_folder_linked_outside_the_vault_is_never_read(tmp_path) -> None:
    """As `Vault.state_dir` refuses it: a planted `.vaultcrm` link must not make a Tab read (and
    offer) the titles of an index elsewhere."""
    from vaultcrm.store import peek

    other = tmp_path / "other"
    (other / ".vaultcrm").mkdir(parents=True)
    vault = tmp_path / "vault"
    vault.mkdir()
    (vault / ".vaultcrm").symlink_to(other / ".vaultcrm")
    assert peek.index_file(vault) is None
    assert peek.peek(vault, "titles", "") == []
    assert peek.index_file(other) == other / ".vaultcrm" / "index.sqlite"
